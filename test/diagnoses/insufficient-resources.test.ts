import cause from '../../diagnoses/insufficient-resources.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'more cpu than any matching node allocates',
      snapshot: 'endpoint-insufficient-resources',
      endpoint: 'end_ct5rhtin2ojg00a4qmi0',
      level: 'pod',
      summary: ['16100m cpu', 'no matching node has that much allocatable'],
      commands: ['"cpus":"<fewer>"'],
      evidence: ['requests: '],
    },
  ],
  misses: [
    { name: 'GPUs, not cpu, are short', snapshot: 'endpoint-insufficient-gpu', endpoint: 'llama-3-8b-finetune' },
    { name: 'a healthy endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
