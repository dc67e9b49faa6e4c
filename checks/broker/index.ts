import type { Check } from '../../src/engine/index.js';

/** Checks of the `broker` area, in the order they are listed. */
export const checks: readonly Check[] = [];
