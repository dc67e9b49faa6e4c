import cause from '../../diagnoses/missing-service-account.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'error looking up service account llm-engine/model-engine',
      snapshot: 'endpoint-missing-service-account',
      endpoint: 'end_ct5f5h6n2ojg00a4qm60',
      level: 'replica-set',
      summary: ['ServiceAccount llm-engine/model-engine does not exist'],
      commands: ['kubectl -n llm-engine create serviceaccount model-engine'],
      values: ['createServiceAccount: true', 'serviceAccountAnnotations:'],
      evidence: ['serviceaccount \\"model-engine\\" not found'],
    },
  ],
  misses: [
    { name: 'a missing PriorityClass', snapshot: 'endpoint-missing-priority-class', endpoint: 'end_ct5e4g5n2ojg00a4qm50' },
    { name: 'a quota', snapshot: 'endpoint-quota-exceeded', endpoint: 'end_ct5g6i7n2ojg00a4qm70' },
  ],
});
