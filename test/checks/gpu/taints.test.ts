import check from '../../../checks/gpu/taints.js';
import { testCheck } from '../../support/check-tester.js';

testCheck(check, {
  valid: [
    { name: 'EKS: nvidia.com/gpu=true:NoSchedule', snapshot: 'fixtures/clusters/gpu-aws-healthy', namespace: 'model-engine', endpointNamespace: 'llm-engine', cloud: 'aws' },
    { name: 'AKS', snapshot: 'fixtures/clusters/gpu-azure-healthy', namespace: 'model-engine', endpointNamespace: 'model-engine', cloud: 'azure' },
    { name: 'GKE: nvidia.com/gpu=present:NoSchedule added by GKE', snapshot: 'fixtures/clusters/gpu-gcp-healthy', namespace: 'model-engine', endpointNamespace: 'llm-engine', cloud: 'gcp' },
    { name: 'on-prem', snapshot: 'fixtures/clusters/gpu-onprem-healthy', namespace: 'model-engine', endpointNamespace: 'model-engine', cloud: 'onprem' },
  ],
  invalid: [
    {
      name: 'EKS: an untainted GPU node and a NoExecute taint endpoints do not tolerate',
      snapshot: 'fixtures/clusters/gpu-aws-broken',
      namespace: 'model-engine',
      endpointNamespace: 'llm-engine',
      cloud: 'aws',
      errors: [
        { messageId: 'untainted', status: 'warn', object: { name: 'ip-10-0-3-72.us-west-2.compute.internal' } },
        { messageId: 'untolerated', status: 'fail', object: { name: 'ip-10-0-3-90.us-west-2.compute.internal' } },
      ],
    },
    {
      name: 'AKS: the docs\' sku=gpu:NoSchedule taint without gpuTolerations',
      snapshot: 'fixtures/clusters/gpu-azure-broken',
      namespace: 'model-engine',
      endpointNamespace: 'model-engine',
      cloud: 'azure',
      errors: [{ messageId: 'untolerated', object: { name: 'aks-gpua100-16180339-vmss000000' } }],
    },
    {
      name: 'AKS: with gpuTolerations the sku taint is fine, but the pool still lacks nvidia.com/gpu',
      snapshot: 'fixtures/clusters/gpu-azure-broken',
      namespace: 'model-engine',
      endpointNamespace: 'model-engine',
      cloud: 'azure',
      set: ['gpuTolerations[0].key=sku'],
      errors: [{ messageId: 'untainted', status: 'warn', object: { name: 'aks-gpua100-16180339-vmss000000' } }],
    },
  ],
});
