import cause from '../../diagnoses/insufficient-gpu.js';
import { testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'balloon pods hold the A10s',
      snapshot: 'endpoint-insufficient-gpu',
      endpoint: 'llama-3-8b-finetune',
      level: 'pod',
      summary: ['requests 1 nvidia.com/gpu', 'ip-10-42-12-155.ec2.internal 0/1'],
      commands: ['aws eks update-nodegroup-config --cluster-name ml-prod --nodegroup-name ml-prod-gpu-a10', '"high_priority":true'],
      values: ['acceleratorName: nvidia-ampere-a10', 'replicaCount: 0'],
      evidence: ['model-engine-balloon-nvidia-ampere-a10'],
    },
    {
      name: 'with the Deployments denied (RBAC), from the Pending pod alone',
      snapshot: 'endpoint-insufficient-gpu',
      endpoint: 'llama-3-8b-finetune',
      deny: [{ verb: 'list', resource: 'deployments.apps' }],
      summary: ['requests 1 nvidia.com/gpu'],
    },
  ],
  misses: [
    { name: 'the healthy endpoint next to it', snapshot: 'endpoint-insufficient-gpu', endpoint: 'llama-3-8b-instruct' },
    { name: 'cpu, not GPUs, is short', snapshot: 'endpoint-insufficient-resources', endpoint: 'end_ct5rhtin2ojg00a4qmi0' },
  ],
});
