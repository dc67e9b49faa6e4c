import type { Check } from '../../src/engine/index.js';
import configMaps from './config-maps.js';
import deploymentsAvailable from './deployments-available.js';
import restartsAndErrors from './restarts-and-errors.js';

/** Checks of the `control-plane` area, in the order they are listed. */
export const checks: readonly Check[] = [deploymentsAvailable, configMaps, restartsAndErrors];
