import cause from '../../diagnoses/healthy.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    { name: 'every worker available', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct', level: 'endpoint', summary: ['1/1 worker(s) available'] },
    { name: 'the async CPU endpoint of the demo', snapshot: 'demo-aws', endpoint: 'embeddings-cpu', summary: ['worker(s) available'] },
  ],
  misses: [
    { name: 'an image that does not pull', snapshot: 'endpoint-image-pull', endpoint: 'end_ct5a0c9n2ojg00a4qm10' },
    { name: 'scaled to zero', snapshot: 'endpoint-scaled-to-zero', endpoint: 'end_ct5mcodn2ojg00a4qmd0' },
  ],
});
