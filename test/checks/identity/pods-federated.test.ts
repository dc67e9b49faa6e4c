import check from '../../../checks/identity/pods-federated.js';
import { expect, it } from '@jest/globals';
import { runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot, editItems } from '../../support/derived-snapshot.js';

const EP_POD = 'launch-endpoint-id-end-cq9d2nkdg5gg00c1q3a0-bchffaeajf-djgld';
/**
 * identity-azure-healthy where a later mutating webhook rewrote the endpoint's main container after the Azure
 * Workload Identity webhook ran (it does not reinvoke): the token volume is there, the AZURE_* env of main is not.
 */
const PARTIAL = derivedSnapshot('fixtures/clusters/identity-azure-healthy', {
  'pods-model-engine.yaml': editItems((pods) =>
    pods.map((p) => {
      if (p.metadata.name !== EP_POD) return p;
      for (const c of p.spec.containers) if (c.name === 'main') c.env = c.env.filter((e: { name: string }) => !e.name.startsWith('AZURE_'));
      return p;
    }),
  ),
});

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
      name: 'Azure: the endpoint pod is mutated but its main container lacks the injected AZURE_* env',
      snapshot: PARTIAL,
      namespace: 'model-engine',
      errors: [{ messageId: 'partial', status: 'fail', object: { kind: 'Pod', name: EP_POD } }],
    },
    {
      name: 'GKE: endpoint pod on a node pool without the metadata server',
      snapshot: 'fixtures/clusters/identity-gcp-broken',
      namespace: 'model-engine',
      errors: [{ messageId: 'nodeNotFederated', object: { kind: 'Pod', namespace: 'llm-engine' } }],
    },
  ],
});

it('partial names the pod and the env the container lacks', async () => {
  const [r] = (await runCase(check, { name: 'x', snapshot: PARTIAL, namespace: 'model-engine' })).filter((x) => x.status === 'fail');
  expect(r!.message).toMatch(/^1 pod\(s\) of model-engine\/\S+ have containers without the injected AZURE_CLIENT_ID/);
  expect(r!.message).toContain(EP_POD);
});
