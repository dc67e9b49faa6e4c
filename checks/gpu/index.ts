import type { Check } from '../../src/engine/index.js';
import acceleratorLabels from './accelerator-labels.js';
import devicePlugin from './device-plugin.js';
import taints from './taints.js';
import capacity from './capacity.js';

/** Checks of the `gpu` area, in the order they are listed. */
export const checks: readonly Check[] = [acceleratorLabels, devicePlugin, taints, capacity];
