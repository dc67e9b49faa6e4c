import cause from '../../diagnoses/scaled-to-zero.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'KEDA ScaledObject with minReplicaCount 0',
      snapshot: 'endpoint-scaled-to-zero',
      endpoint: 'end_ct5mcodn2ojg00a4qmd0',
      level: 'endpoint',
      summary: ['minReplicaCount 0'],
      commands: ['"min_workers":1'],
    },
  ],
  misses: [
    {
      name: 'scaled to 0 by hand: no ScaledObject (removed; simulated)',
      snapshot: 'endpoint-scaled-to-zero',
      endpoint: 'end_ct5mcodn2ojg00a4qmd0',
      edit: (f) => ({ ...f, scaledObjects: [] }),
    },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
