import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/identity/service-account-annotations.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const AWS = 'fixtures/clusters/identity-aws-healthy';
const AZURE = 'fixtures/clusters/identity-azure-healthy';
const CLIENT = '3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45';
/** The chart renders the endpoints' account (service_account_inference.yaml) only with createServiceAccount. */
const awsValues = [
  'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/k8s-main-llm-engine',
  'imageBuilderServiceAccount.create=true',
  'imageBuilderServiceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/k8s-main-llm-engine-image-builder',
  'serviceTemplate.serviceAccountName=model-engine',
  'serviceTemplate.serviceAccountAnnotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/llm-engine',
  'config.values.launch.endpoint_namespace=llm-engine',
];

testCheck(check, {
  valid: [
    { name: 'AWS IRSA, from the cluster alone', snapshot: AWS, namespace: 'model-engine' },
    { name: 'AWS IRSA, the values agree', snapshot: AWS, namespace: 'model-engine', set: awsValues },
    { name: 'EKS Pod Identity instead of annotations', snapshot: 'fixtures/clusters/identity-aws-pod-identity', namespace: 'model-engine' },
    { name: 'Azure, annotation from azure.client_id', snapshot: AZURE, namespace: 'model-engine', set: [`azure.client_id=${CLIENT}`] },
    { name: 'GKE', snapshot: 'fixtures/clusters/identity-gcp-healthy', namespace: 'model-engine' },
  ],
  invalid: [
    {
      // real-findings 4: llm-engine in serviceAccount.namespaces, and serviceTemplate creates model-engine there too.
      name: 'AWS: the endpoint account rendered twice with two role ARNs; the cluster kept the endpoints\'',
      snapshot: AWS,
      namespace: 'model-engine',
      set: [...awsValues, 'serviceTemplate.createServiceAccount=true', 'serviceAccount.namespaces={llm-engine}'],
      errors: [{ messageId: 'renderedTwiceDiffering', status: 'warn', object: { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' } }],
    },
    {
      name: 'AWS: malformed kaniko ARN, unannotated inference SA',
      snapshot: 'fixtures/clusters/identity-aws-broken',
      namespace: 'model-engine',
      errors: [
        { messageId: 'malformed', status: 'fail', object: { kind: 'ServiceAccount', namespace: 'default', name: 'kaniko' } },
        { messageId: 'missing', status: 'fail', object: { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' } },
      ],
    },
    {
      name: 'AWS: the cluster runs a different role than the values name',
      snapshot: AWS,
      namespace: 'model-engine',
      set: ['serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/llm-engine-prod'],
      errors: [{ messageId: 'mismatch', object: { namespace: 'model-engine', name: 'model-engine' } }],
    },
    {
      name: 'AWS: image builds on, but no kaniko SA in default (where builds run)',
      snapshot: 'fixtures/clusters/identity-aws-pod-identity',
      namespace: 'model-engine',
      set: ['imageBuilderServiceAccount.create=true'],
      errors: [{ messageId: 'missingSa', object: { namespace: 'default', name: 'kaniko' } }],
    },
    {
      name: 'Azure: client id differs from azure.client_id',
      snapshot: AZURE,
      namespace: 'model-engine',
      set: ['azure.client_id=0b5d9c2e-7a1f-4e3b-9c8d-2f6a1e4b7c90'],
      errors: [{ messageId: 'mismatch', object: { namespace: 'model-engine', name: 'model-engine' } }],
    },
    {
      name: 'Azure: annotation set by hand as well as from azure.client_id',
      snapshot: AZURE,
      namespace: 'model-engine',
      set: [`azure.client_id=${CLIENT}`, `serviceAccount.annotations.azure\\.workload\\.identity/client-id=${CLIENT}`],
      errors: [{ messageId: 'renderedTwice', status: 'warn' }],
    },
    {
      name: 'GKE: malformed inference GSA, control plane unannotated (a warning: direct KSA grants exist)',
      snapshot: 'fixtures/clusters/identity-gcp-broken',
      namespace: 'model-engine',
      errors: [
        { messageId: 'malformed', status: 'fail', object: { namespace: 'llm-engine', name: 'model-engine' } },
        { messageId: 'missing', status: 'warn', object: { namespace: 'model-engine', name: 'model-engine' } },
      ],
    },
    { name: 'on-prem has no managed identity', snapshot: 'fixtures/clusters/identity-onprem-healthy', namespace: 'model-engine', errors: [{ messageId: 'notApplicable', status: 'skip' }] },
  ],
});

describe('identity/service-account-annotations: an account the chart renders twice', () => {
  const twice = [...awsValues, 'serviceTemplate.createServiceAccount=true', 'serviceAccount.namespaces={llm-engine}'];
  it('names both values keys, what the cluster kept, and which key has no effect', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: AWS, namespace: 'model-engine', set: twice });
    const r = rs.find((x) => x.messageId === 'renderedTwiceDiffering')!;
    expect(r.message).toBe(
      'control-plane + inference service account llm-engine/model-engine is rendered twice by the chart, with eks.amazonaws.com/role-arn arn:aws:iam::123456789012:role/k8s-main-llm-engine (serviceAccount.annotations["eks.amazonaws.com/role-arn"]) and arn:aws:iam::123456789012:role/llm-engine (serviceTemplate.serviceAccountAnnotations["eks.amazonaws.com/role-arn"]); the cluster kept arn:aws:iam::123456789012:role/llm-engine, so serviceAccount.annotations["eks.amazonaws.com/role-arn"] has no effect in llm-engine',
    );
    expect(r.severity).toBe('high');
    // No second row for the same account: the double render is the cause of the mismatch.
    expect(rs.filter((x) => x.object?.namespace === 'llm-engine' && x.status !== 'pass')).toEqual([r]);
  });

  it('without serviceTemplate.createServiceAccount the chart renders it once: a plain mismatch', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: AWS, namespace: 'model-engine', set: [...awsValues, 'serviceAccount.namespaces={llm-engine}'] });
    expect(rs.find((x) => x.object?.namespace === 'llm-engine')).toMatchObject({ status: 'fail', messageId: 'mismatch' });
  });
});
