import type { Check } from '../../src/engine/index.js';
import queues from './queues.js';
import servicebusFix from './servicebus-fix.js';
import servicebusLogs from './servicebus-logs.js';

/** Checks of the `broker` area, in the order they are listed. */
export const checks: readonly Check[] = [queues, servicebusFix, servicebusLogs];
