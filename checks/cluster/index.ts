import type { Check } from '../../src/engine/index.js';
import namespaces from './namespaces.js';
import databaseSecret from './database-secret.js';
import nodeLabels from './node-labels.js';
import apis from './apis.js';
import priorityClasses from './priority-classes.js';

/** Checks of the `cluster` area, in the order they are listed. */
export const checks: readonly Check[] = [namespaces, databaseSecret, nodeLabels, apis, priorityClasses];
