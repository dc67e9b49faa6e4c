import type { Check } from '../../src/engine/index.js';
import cacheUrl from './cache-url.js';
import connectivity from './connectivity.js';
import logErrors from './log-errors.js';
import azureTokenRefresh from './azure-token-refresh.js';

/** Checks of the `redis` area, in the order they are listed. */
export const checks: readonly Check[] = [cacheUrl, connectivity, logErrors, azureTokenRefresh];
