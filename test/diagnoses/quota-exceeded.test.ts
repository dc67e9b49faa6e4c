import cause from '../../diagnoses/quota-exceeded.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'exceeded quota: gpu-quota',
      snapshot: 'endpoint-quota-exceeded',
      endpoint: 'end_ct5g6i7n2ojg00a4qm70',
      level: 'replica-set',
      summary: ['exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=2, used: requests.nvidia.com/gpu=4, limited: requests.nvidia.com/gpu=4'],
      commands: ['kubectl -n llm-engine describe resourcequota gpu-quota', 'kubectl -n llm-engine edit resourcequota gpu-quota'],
    },
  ],
  misses: [
    { name: 'a missing PriorityClass', snapshot: 'endpoint-missing-priority-class', endpoint: 'end_ct5e4g5n2ojg00a4qm50' },
    { name: 'pods created and crashing', snapshot: 'endpoint-crash-loop', endpoint: 'end_ct5j9lan2ojg00a4qma0' },
  ],
});
