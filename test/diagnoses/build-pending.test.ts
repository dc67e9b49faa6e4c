import cause from '../../diagnoses/build-pending.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the builder Deployment is scaled to 0',
      snapshot: 'endpoint-build-pending',
      endpoint: 'end_ct5ndpen2ojg00a4qme0',
      level: 'endpoint',
      summary: ['Deployment model-engine/model-engine-endpoint-builder is scaled to 0', 'cannot tell a pending endpoint from a wrong id'],
      commands: ['kubectl -n model-engine scale deploy model-engine-endpoint-builder --replicas=1', 'aws sqs get-queue-attributes'],
    },
  ],
  misses: [
    { name: 'the builder ran and failed', snapshot: 'endpoint-build-failed', endpoint: 'end_ct5oeqfn2ojg00a4qmf0' },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
    {
      name: 'the builder Deployment denied (RBAC): not read is not down',
      snapshot: 'endpoint-build-pending',
      endpoint: 'end_ct5ndpen2ojg00a4qme0',
      deny: [{ verb: 'list', resource: 'deployments.apps', namespace: 'model-engine' }],
    },
  ],
});
