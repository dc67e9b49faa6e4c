import check from '../../../checks/gpu/accelerator-labels.js';
import { testCheck } from '../../support/check-tester.js';

const aws = { namespace: 'model-engine', endpointNamespace: 'llm-engine', cloud: 'aws' as const };

testCheck(check, {
  valid: [
    { name: 'EKS: a10 endpoint on labelled g5 nodes (GFD agrees), t4 balloon on g4dn', snapshot: 'fixtures/clusters/gpu-aws-healthy', ...aws },
    {
      name: 'EKS: values balloons and image cache for the types the cluster has',
      snapshot: 'fixtures/clusters/gpu-aws-healthy',
      ...aws,
      set: [
        'balloons[0].acceleratorName=nvidia-ampere-a10', 'balloons[0].replicaCount=0',
        'balloons[1].acceleratorName=nvidia-tesla-t4', 'balloons[1].replicaCount=1',
        'balloons[2].acceleratorName=cpu', 'balloons[2].replicaCount=0',
        'imageCache.devices[0].name=a10', 'imageCache.devices[0].nodeSelector.k8s\\.amazonaws\\.com/accelerator=nvidia-ampere-a10',
      ],
    },
    { name: 'AKS: operator-added labels on the T4 pool', snapshot: 'fixtures/clusters/gpu-azure-healthy', namespace: 'model-engine', endpointNamespace: 'model-engine', cloud: 'azure' },
    { name: 'GKE: labels added next to gke-accelerator', snapshot: 'fixtures/clusters/gpu-gcp-healthy', namespace: 'model-engine', endpointNamespace: 'llm-engine', cloud: 'gcp' },
    { name: 'on-prem: H100 MIG 1g.20gb with single strategy', snapshot: 'fixtures/clusters/gpu-onprem-healthy', namespace: 'model-engine', endpointNamespace: 'model-engine', cloud: 'onprem' },
  ],
  invalid: [
    {
      name: 'EKS: a10 nodes lost node-lifecycle, no a100 nodes, a g4dn labelled a10',
      snapshot: 'fixtures/clusters/gpu-aws-broken',
      ...aws,
      errors: [
        { messageId: 'selectorUnmatched', status: 'fail' },
        { messageId: 'noNodes', status: 'fail' },
        { messageId: 'productMismatch', object: { kind: 'Node', name: 'ip-10-0-3-90.us-west-2.compute.internal' } },
      ],
    },
    {
      name: 'values name a type nobody has, with the docs typo (warnings: nothing uses them yet)',
      snapshot: 'fixtures/clusters/gpu-aws-healthy',
      ...aws,
      set: ['balloons[0].acceleratorName=nvidia-tesla-a10', 'balloons[0].replicaCount=0', 'imageCache.devices[0].nodeSelector.k8s\\.amazonaws\\.com/accelerator=nvidia-hopper-h100'],
      errors: [
        { messageId: 'unknownType', status: 'warn' },
        { messageId: 'noNodes', status: 'warn' },
      ],
    },
    {
      name: 'AKS: A100 pool without model-engine labels',
      snapshot: 'fixtures/clusters/gpu-azure-broken',
      namespace: 'model-engine',
      endpointNamespace: 'model-engine',
      cloud: 'azure',
      errors: [
        { messageId: 'noNodes', status: 'fail' },
        { messageId: 'unlabelled', status: 'warn', object: { kind: 'Node', name: 'aks-gpua100-16180339-vmss000000' } },
      ],
    },
    {
      name: 'GKE: T4 pool unlabelled, L4 pool labelled a10',
      snapshot: 'fixtures/clusters/gpu-gcp-broken',
      namespace: 'model-engine',
      endpointNamespace: 'llm-engine',
      cloud: 'gcp',
      errors: [
        { messageId: 'noNodes', status: 'fail' },
        { messageId: 'productMismatch', object: { name: 'gke-ml-serving-gpu-l4-5c1d7e3f-w4n6' } },
        { messageId: 'unlabelled', status: 'warn' },
      ],
    },
    {
      name: 'on-prem: mixed MIG strategy, failed MIG config',
      snapshot: 'fixtures/clusters/gpu-onprem-broken',
      namespace: 'model-engine',
      endpointNamespace: 'model-engine',
      cloud: 'onprem',
      errors: [
        { messageId: 'migStrategy', object: { name: 'dgx-h100-04' } },
        { messageId: 'migFailed', object: { name: 'dgx-h100-05' } },
      ],
    },
  ],
});
