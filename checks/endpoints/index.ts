import type { Check } from '../../src/engine/index.js';
import serving from './serving.js';

/** Checks of the `endpoints` area, in the order they are listed. */
export const checks: readonly Check[] = [serving];
