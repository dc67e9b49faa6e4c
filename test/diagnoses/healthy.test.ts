import cause from '../../diagnoses/healthy.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    { name: 'every worker available', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct', level: 'endpoint', summary: ['1/1 worker(s) available'] },
    { name: 'the async CPU endpoint of the demo', snapshot: 'demo-aws', endpoint: 'embeddings-cpu', summary: ['worker(s) available'] },
    {
      name: 'the Deployments denied (RBAC): its ready pods say it serves',
      snapshot: 'healthy-aws',
      endpoint: 'llama-3-8b-instruct',
      deny: [{ verb: 'list', resource: 'deployments.apps' }],
      summary: ['1/1 worker(s) available'],
    },
  ],
  misses: [
    { name: 'an image that does not pull', snapshot: 'endpoint-image-pull', endpoint: 'end_ct5a0c9n2ojg00a4qm10' },
    { name: 'scaled to zero', snapshot: 'endpoint-scaled-to-zero', endpoint: 'end_ct5mcodn2ojg00a4qmd0' },
    // All of no container statuses are ready: a Pending pod is not a serving worker.
    { name: 'the Deployments denied (RBAC) and its pod Pending', snapshot: 'endpoint-insufficient-gpu', endpoint: 'llama-3-8b-finetune', deny: [{ verb: 'list', resource: 'deployments.apps' }] },
  ],
});
