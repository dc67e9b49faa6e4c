import cause from '../../diagnoses/build-failed.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the builder log shows the task raised an ApiException (422) and no objects exist',
      snapshot: 'endpoint-build-failed',
      endpoint: 'end_ct5oeqfn2ojg00a4qmf0',
      level: 'endpoint',
      summary: ['ApiException: (422)', 'must be less than or equal to ephemeral-storage limit of 1000Gi'],
      commands: ['kubectl -n model-engine logs deploy/model-engine-endpoint-builder --tail=500'],
      evidence: ['Building endpoint end_ct5oeqfn2ojg00a4qmf0'],
    },
  ],
  misses: [
    { name: 'the builder is scaled to 0: the build never ran', snapshot: 'endpoint-build-pending', endpoint: 'end_ct5ndpen2ojg00a4qme0' },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
