import type { Check } from '../../src/engine/index.js';
import schema from './schema.js';

/** Checks of the `database` area. */
export const checks: readonly Check[] = [schema];
