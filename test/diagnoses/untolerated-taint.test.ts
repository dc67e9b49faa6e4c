import cause from '../../diagnoses/untolerated-taint.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the GPU nodes carry dedicated=ml-training:NoSchedule',
      snapshot: 'endpoint-untolerated-taint',
      endpoint: 'end_ct5d3f4n2ojg00a4qm40',
      level: 'pod',
      summary: ['dedicated=ml-training:NoSchedule'],
      commands: ['kubectl taint node ip-10-42-12-155.ec2.internal ip-10-42-44-7.ec2.internal dedicated=ml-training:NoSchedule-'],
      values: ['gpuTolerations:', '- key: dedicated'],
    },
  ],
  misses: [
    { name: 'no node has the labels', snapshot: 'endpoint-no-matching-nodes', endpoint: 'end_ct5c2e3n2ojg00a4qm30' },
    { name: 'a healthy endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
