import type { Check } from '../../src/engine/index.js';
import controlPlanePullable from './control-plane-pullable.js';
import frameworkPullable from './framework-pullable.js';
import supportImagesPullable from './support-images-pullable.js';
import clusterPullErrors from './cluster-pull-errors.js';
import canaryPull from './canary-pull.js';

/** Checks of the `images` area, in the order they are listed. */
export const checks: readonly Check[] = [controlPlanePullable, frameworkPullable, supportImagesPullable, clusterPullErrors, canaryPull];
