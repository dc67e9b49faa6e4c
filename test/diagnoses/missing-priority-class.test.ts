import cause from '../../diagnoses/missing-priority-class.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the ReplicaSet FailedCreate names model-engine-default-priority',
      snapshot: 'endpoint-missing-priority-class',
      endpoint: 'end_ct5e4g5n2ojg00a4qm50',
      level: 'replica-set',
      summary: ['PriorityClass model-engine-default-priority does not exist'],
      commands: ['name: model-engine-default-priority', 'value: 1', 'preemptionPolicy: Never'],
      evidence: ['is forbidden: no PriorityClass with name model-engine-default-priority was found'],
    },
    {
      name: 'only the ReplicaFailure condition remains (events expired; simulated)',
      snapshot: 'endpoint-missing-priority-class',
      endpoint: 'end_ct5e4g5n2ojg00a4qm50',
      edit: (f) => ({ ...f, events: [] }),
      evidence: ['status.conditions[ReplicaFailure].message'],
    },
  ],
  misses: [
    { name: 'a missing service account', snapshot: 'endpoint-missing-service-account', endpoint: 'end_ct5f5h6n2ojg00a4qm60' },
    { name: 'a healthy endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
