/** The explicit registry: every check the doctor runs, area by area. */
import { validateRegistry } from '../src/engine/registry.js';
import type { Check } from '../src/engine/index.js';
import { checks as controlPlane } from './control-plane/index.js';
import { checks as values } from './values/index.js';
import { checks as cluster } from './cluster/index.js';
import { checks as images } from './images/index.js';
import { checks as redis } from './redis/index.js';
import { checks as broker } from './broker/index.js';
import { checks as identity } from './identity/index.js';
import { checks as gpu } from './gpu/index.js';
import { checks as endpoints } from './endpoints/index.js';
import { checks as chart } from './chart/index.js';
import { checks as database } from './database/index.js';

export const allChecks: readonly Check[] = validateRegistry([
  ...controlPlane,
  ...values,
  ...chart,
  ...database,
  ...cluster,
  ...images,
  ...redis,
  ...broker,
  ...identity,
  ...gpu,
  ...endpoints,
]);
