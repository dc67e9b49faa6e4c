import type { Check } from '../../src/engine/index.js';
import renders from './renders.js';
import images from './images.js';
import serviceAccounts from './service-accounts.js';
import serviceConfig from './service-config.js';
import scheduling from './scheduling.js';
import hookJobs from './hook-jobs.js';
import templateVariables from './template-variables.js';
import requiredFields from './required-fields.js';
import duplicateObjects from './duplicate-objects.js';

/**
 * Checks of the `chart` area: what `helm template` renders (`--chart`), in the order they are listed. Only
 * chart/renders and chart/template-variables run without a rendered chart (the first says how to render one, the
 * second reads the installed ConfigMap or assumes chart 0.2.7); the others are left out of a run without one.
 */
export const checks: readonly Check[] = [renders, templateVariables, requiredFields, hookJobs, duplicateObjects, images, serviceAccounts, serviceConfig, scheduling];

/** The chart checks that only judge a rendered chart. */
export const RENDER_ONLY: ReadonlySet<string> = new Set([requiredFields, hookJobs, duplicateObjects, images, serviceAccounts, serviceConfig, scheduling].map((c) => c.meta.id));
