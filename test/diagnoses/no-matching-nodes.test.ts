import cause from '../../diagnoses/no-matching-nodes.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the A10 nodes lack node-lifecycle=normal',
      snapshot: 'endpoint-no-matching-nodes',
      endpoint: 'end_ct5c2e3n2ojg00a4qm30',
      level: 'pod',
      summary: ['k8s.amazonaws.com/accelerator=nvidia-ampere-a10 (2 node(s))', 'node-lifecycle=normal (2 node(s))'],
      commands: ['kubectl label node ip-10-42-70-214.ec2.internal ip-10-42-71-9.ec2.internal node-lifecycle=normal', '--nodegroup-name ml-prod-gpu-a10-v2'],
      values: ['nodeSelector: null'],
    },
    {
      name: 'no node has an H100 (demo)',
      snapshot: 'demo-aws',
      endpoint: 'llama-3-70b',
      summary: ['no node has k8s.amazonaws.com/accelerator=nvidia-hopper-h100'],
      commands: ['aws eks create-nodegroup --cluster-name ml-prod'],
      values: ['imageCache:'],
    },
  ],
  misses: [
    { name: 'nodes match but are tainted', snapshot: 'endpoint-untolerated-taint', endpoint: 'end_ct5d3f4n2ojg00a4qm40' },
    { name: 'nodes match but are full', snapshot: 'endpoint-insufficient-gpu', endpoint: 'llama-3-8b-finetune' },
  ],
});
