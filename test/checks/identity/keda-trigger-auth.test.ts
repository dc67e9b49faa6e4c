import check from '../../../checks/identity/keda-trigger-auth.js';
import { expect, it } from '@jest/globals';
import { runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot } from '../../support/derived-snapshot.js';

const CLIENT = '3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45';

/**
 * identity-azure-healthy installed without azure.client_id: the chart's trigger_authentication.yaml renders
 * podIdentity.identityId from it, so the TriggerAuthentication has provider azure-workload and no identityId.
 */
const NO_IDENTITY_ID = derivedSnapshot('fixtures/clusters/identity-azure-healthy', { 'keda.yaml': (t) => t.replace(`      identityId: ${CLIENT}\n`, '') });

testCheck(check, {
  valid: [
    { name: 'azure-workload provider with model-engine\'s client id (from the SA)', snapshot: 'fixtures/clusters/identity-azure-healthy', namespace: 'model-engine' },
    { name: 'the same, checked against azure.client_id', snapshot: 'fixtures/clusters/identity-azure-healthy', namespace: 'model-engine', set: [`azure.client_id=${CLIENT}`] },
  ],
  invalid: [
    {
      name: 'the removed `azure` (pod identity) provider, KEDA operator without workload identity',
      snapshot: 'fixtures/clusters/identity-azure-broken',
      namespace: 'model-engine',
      errors: [
        { messageId: 'wrongProvider', object: { kind: 'TriggerAuthentication', namespace: 'model-engine', name: 'azure-workload-identity' } },
        { messageId: 'operatorNotFederated', object: { kind: 'Pod', namespace: 'kube-system' } },
      ],
    },
    {
      name: 'identityId is not the client id in the values',
      snapshot: 'fixtures/clusters/identity-azure-healthy',
      namespace: 'model-engine',
      set: ['azure.client_id=0b5d9c2e-7a1f-4e3b-9c8d-2f6a1e4b7c90'],
      errors: [{ messageId: 'wrongIdentity', object: { name: 'azure-workload-identity' } }],
    },
    {
      name: 'TriggerAuthentication not rendered in the endpoint namespace',
      snapshot: 'fixtures/clusters/identity-azure-healthy',
      namespace: 'model-engine',
      endpointNamespace: 'llm-engine',
      errors: [{ messageId: 'missing', object: { namespace: 'llm-engine', name: 'azure-workload-identity' } }],
    },
    {
      name: 'no podIdentity.identityId (azure.client_id unset at install): KEDA uses its own identity',
      snapshot: NO_IDENTITY_ID,
      namespace: 'model-engine',
      errors: [{ messageId: 'noIdentity', status: 'warn', severity: 'medium', object: { kind: 'TriggerAuthentication', namespace: 'model-engine', name: 'azure-workload-identity' } }],
    },
    { name: 'KEDA not installed', snapshot: 'fixtures/clusters/identity-aws-healthy', cloud: 'azure', namespace: 'model-engine', errors: [{ messageId: 'noKeda', status: 'skip' }] },
  ],
});

it('noIdentity says KEDA falls back to its own identity, with the fix', async () => {
  const [r] = (await runCase(check, { name: 'x', snapshot: NO_IDENTITY_ID, namespace: 'model-engine' })).filter((x) => x.status === 'warn');
  expect(r!.message).toBe("TriggerAuthentication model-engine/azure-workload-identity has no podIdentity.identityId, so KEDA uses its own identity instead of model-engine's");
  expect(r!.remediation?.summary.length).toBeGreaterThan(0);
});
