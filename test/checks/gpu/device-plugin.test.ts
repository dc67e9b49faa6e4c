import check from '../../../checks/gpu/device-plugin.js';
import { testCheck } from '../../support/check-tester.js';

testCheck(check, {
  valid: [
    { name: 'EKS: static device plugin on every GPU node', snapshot: 'fixtures/clusters/gpu-aws-healthy', namespace: 'model-engine', cloud: 'aws' },
    { name: 'AKS: device plugin DaemonSet', snapshot: 'fixtures/clusters/gpu-azure-healthy', namespace: 'model-engine', cloud: 'azure' },
    { name: 'GKE: nvidia-gpu-device-plugin', snapshot: 'fixtures/clusters/gpu-gcp-healthy', namespace: 'model-engine', cloud: 'gcp' },
    { name: 'on-prem: GPU operator, validator passed', snapshot: 'fixtures/clusters/gpu-onprem-healthy', namespace: 'model-engine', cloud: 'onprem' },
  ],
  invalid: [
    {
      name: 'EKS: GPU in capacity but not allocatable; plugin skips a node',
      snapshot: 'fixtures/clusters/gpu-aws-broken',
      namespace: 'model-engine',
      cloud: 'aws',
      errors: [
        { messageId: 'unhealthy', object: { kind: 'Node', name: 'ip-10-0-3-72.us-west-2.compute.internal' } },
        { messageId: 'noPluginPod', status: 'warn', object: { kind: 'Node', name: 'ip-10-0-3-90.us-west-2.compute.internal' } },
      ],
    },
    {
      name: 'on-prem: driver not loaded, mixed MIG resources, validator stuck',
      snapshot: 'fixtures/clusters/gpu-onprem-broken',
      namespace: 'model-engine',
      cloud: 'onprem',
      errors: [
        { messageId: 'noResource', object: { kind: 'Node', name: 'dgx-h100-03' } },
        { messageId: 'migResources', object: { kind: 'Node', name: 'dgx-h100-04' } },
        { messageId: 'validatorFailed', object: { kind: 'Pod', namespace: 'gpu-operator' } },
      ],
    },
    {
      name: 'RBAC: cannot list DaemonSets',
      snapshot: 'fixtures/clusters/gpu-aws-healthy',
      namespace: 'model-engine',
      cloud: 'aws',
      denials: [{ verb: 'list', resource: 'daemonsets.apps' }],
      errors: [{ messageId: 'forbidden', status: 'skip' }],
    },
    {
      name: 'EKS: a p4de that lost 2 of its 8 GPUs (allocatable 6 < capacity 8)',
      snapshot: 'fixtures/clusters/gpu-aws-partial',
      namespace: 'model-engine',
      cloud: 'aws',
      errors: [{ messageId: 'partialLoss', status: 'warn', object: { kind: 'Node', name: 'ip-10-0-4-15.us-west-2.compute.internal' } }],
    },
    { name: 'no GPU nodes', snapshot: 'fixtures/clusters/identity-onprem-healthy', namespace: 'model-engine', cloud: 'onprem', errors: [{ messageId: 'noGpuNodes', status: 'skip' }] },
  ],
});
