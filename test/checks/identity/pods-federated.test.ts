import check from '../../../checks/identity/pods-federated.js';
import { testCheck } from '../../support/check-tester.js';

testCheck(check, {
  valid: [
    { name: 'AWS IRSA: env and token volume injected', snapshot: 'fixtures/clusters/identity-aws-healthy', namespace: 'model-engine' },
    { name: 'EKS Pod Identity', snapshot: 'fixtures/clusters/identity-aws-pod-identity', namespace: 'model-engine' },
    { name: 'Azure: labelled pods mutated with the SA client id', snapshot: 'fixtures/clusters/identity-azure-healthy', namespace: 'model-engine' },
    { name: 'GKE: pods on metadata-server nodes', snapshot: 'fixtures/clusters/identity-gcp-healthy', namespace: 'model-engine' },
  ],
  invalid: [
    {
      name: 'AWS: gateway predates the role change, builder not mutated',
      snapshot: 'fixtures/clusters/identity-aws-broken',
      namespace: 'model-engine',
      errors: [
        { messageId: 'stale', status: 'warn', object: { kind: 'Pod', namespace: 'model-engine', name: 'model-engine-hdmfhefcj-dkhed' } },
        { messageId: 'notMutated', status: 'fail', object: { kind: 'Pod', namespace: 'model-engine', name: 'model-engine-endpoint-builder-mfmbfgcbk-hmmcg' } },
        { messageId: 'notAnnotated', status: 'skip', object: { namespace: 'llm-engine', name: 'model-engine' } },
        { messageId: 'noPods', status: 'skip', severity: 'critical', object: { kind: 'ServiceAccount', namespace: 'default', name: 'kaniko' } },
      ],
    },
    {
      name: 'Azure: gateway without the pod label, endpoint pod with the old client id',
      snapshot: 'fixtures/clusters/identity-azure-broken',
      namespace: 'model-engine',
      errors: [
        { messageId: 'labelMissing', status: 'fail', object: { kind: 'Pod', name: 'model-engine-hdmfhefcj-cdalc' } },
        { messageId: 'stale', status: 'warn', object: { kind: 'Pod', name: 'launch-endpoint-id-end-cq9d2nkdg5gg00c1q3a0-bchffaeajf-dcjge' } },
      ],
    },
    {
      name: 'GKE: endpoint pod on a node pool without the metadata server',
      snapshot: 'fixtures/clusters/identity-gcp-broken',
      namespace: 'model-engine',
      errors: [{ messageId: 'nodeNotFederated', object: { kind: 'Pod', namespace: 'llm-engine' } }],
    },
  ],
});
