import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eksHints } from '../../../checks/identity/cloud-trust.js';
import { cliRegionFlag, evaluateConditions, iamLike, irsaStatement, oidcHostPath, podIdentityTrust, trustAdmits } from '../../../checks/identity/lib/aws-trust.js';
import { secretUses } from '../../../checks/identity/credential-secrets.js';
import { judgeTriggerAuth } from '../../../checks/identity/keda-trigger-auth.js';
import { deploymentOf, judgePod } from '../../../checks/identity/pods-federated.js';
import { daemonSetHealth } from '../../../checks/identity/webhook.js';
import {
  annotationChangedAt,
  annotationVerdict,
  findFederatedCredential,
  nearIssuerMiss,
  gkeMember,
  grantsWorkloadIdentityUser,
  gsaProject,
  workloadIdentityGrant,
  identitySubjects,
  parseEksClusterArn,
  parseProviderId,
  parseRoleArn,
  podFederation,
  valuesSnippet,
  type PolicyDocument,
  type ServiceAccount,
} from '../../../src/model-engine/identity.js';
import type { Node, Pod } from '../../../src/engine/index.js';
import { MATRIX } from '../../../src/matrix/index.js';
import { AwsIdentitySource, awsFailure, awsServiceError, decodePolicyDocument, iamEndpointFor } from '../../../src/sources/cloud/identity-aws.js';
import { AzureIdentitySource } from '../../../src/sources/cloud/identity-azure.js';
import { createIdentityCloudPort } from '../../../src/sources/cloud/identity.js';
import { loadValuesFiles } from '../../../src/sources/values/load.js';
import { fixture } from '../../support/check-tester.js';
import { startRecordedCloud, TEST_AWS_CREDENTIALS, type RecordedCloud } from '../../support/recorded-cloud.js';

const HP = 'oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9';
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${HP}`;
const SUB = 'system:serviceaccount:model-engine:model-engine';
const stmt = (cond: Record<string, Record<string, string | string[]>> | undefined, extra: Record<string, unknown> = {}): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', ...(cond ? { Condition: cond } : {}), ...extra }],
});

describe('trustAdmits', () => {
  it.each<[string, PolicyDocument, string | undefined, boolean, string | undefined]>([
    ['StringEquals on sub', stmt({ StringEquals: { [`${HP}:sub`]: SUB, [`${HP}:aud`]: 'sts.amazonaws.com' } }), HP, true, undefined],
    ['StringEquals with a list', stmt({ StringEquals: { [`${HP}:sub`]: ['system:serviceaccount:default:kaniko', SUB] } }), HP, true, undefined],
    ['StringLike wildcard on the namespace', stmt({ StringLike: { [`${HP}:sub`]: 'system:serviceaccount:model-engine:*' } }), HP, true, undefined],
    ['StringLike for another namespace', stmt({ StringLike: { [`${HP}:sub`]: 'system:serviceaccount:llm-engine:*' } }), HP, false, 'allows "system:serviceaccount:llm-engine:*", not "system:serviceaccount:model-engine:model-engine"'],
    ['no sub condition admits any SA of the issuer', stmt(undefined), HP, true, undefined],
    ['another cluster\'s issuer', stmt({ StringEquals: { [`${HP}:sub`]: SUB } }), 'oidc.eks.us-west-2.amazonaws.com/id/5E6F', false, 'not this cluster\'s issuer'],
    ['issuer unknown: any provider counts', stmt({ StringEquals: { [`${HP}:sub`]: SUB } }), undefined, true, undefined],
    ['plain sts:AssumeRole for EC2', { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, HP, false, 'no statement allows sts:AssumeRoleWithWebIdentity'],
    ['a Deny statement is not an admission', stmt({ StringEquals: { [`${HP}:sub`]: SUB } }, { Effect: 'Deny' }), HP, false, undefined],
    ['condition key case differs (IAM keys are case-insensitive)', stmt({ StringEquals: { [`${HP.toUpperCase()}:SUB`]: SUB } }), HP, true, undefined],
    ['StringEquals does not expand a glob', stmt({ StringEquals: { [`${HP}:sub`]: 'system:serviceaccount:model-engine:*' } }), HP, false, 'wildcards only under StringLike'],
    ['an :aud condition IRSA tokens do not meet', stmt({ StringEquals: { [`${HP}:sub`]: SUB, [`${HP}:aud`]: 'sts.amazonaws.com.cn' } }), HP, false, 'allows "sts.amazonaws.com.cn", not "sts.amazonaws.com"'],
    ['an :aud condition with StringLike', stmt({ StringLike: { [`${HP}:sub`]: 'system:serviceaccount:*:model-engine', [`${HP}:aud`]: 'sts.*' } }), HP, true, undefined],
    ['StringNotEquals on sub excludes this SA', stmt({ StringNotEquals: { [`${HP}:sub`]: SUB } }), HP, false, 'excludes'],
    ['…IfExists on a key the token carries', stmt({ StringEqualsIfExists: { [`${HP}:sub`]: SUB } }), HP, true, undefined],
    ['ForAnyValue: on a single-valued key', stmt({ 'ForAnyValue:StringLike': { [`${HP}:sub`]: ['system:serviceaccount:model-engine:*'] } }), HP, true, undefined],
    [
      'explicit Deny for the namespace wins over an Allow',
      { Statement: [...(stmt({ StringLike: { [`${HP}:sub`]: 'system:serviceaccount:*:*' } }).Statement as object[]), { Sid: 'NoModelEngine', Effect: 'Deny', Principal: { Federated: PROVIDER }, Action: 'sts:*', Condition: { StringLike: { [`${HP}:sub`]: 'system:serviceaccount:model-engine:*' } } }] } as PolicyDocument,
      HP,
      false,
      'explicit Deny in statement "NoModelEngine" wins',
    ],
    [
      'a Deny for another namespace leaves the Allow',
      { Statement: [...(stmt(undefined).Statement as object[]), { Effect: 'Deny', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [`${HP}:sub`]: 'system:serviceaccount:kube-system:*' } } }] } as PolicyDocument,
      HP,
      true,
      undefined,
    ],
    ['Action sts:AssumeRole* covers web identity', stmt(undefined, { Action: 'sts:AssumeRole*' }), HP, true, undefined],
    ['NotAction that leaves web identity allowed', { Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, NotAction: 'sts:AssumeRole' }] } as PolicyDocument, HP, true, undefined],
    [
      'two providers in one statement: the other provider\'s :sub key is absent from this token',
      { Statement: [{ Effect: 'Allow', Principal: { Federated: [PROVIDER, 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/FFFF'] }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${HP}:sub`]: SUB, 'oidc.eks.us-east-1.amazonaws.com/id/FFFF:sub': SUB } } }] } as PolicyDocument,
      HP,
      false,
      'oidc.eks.us-east-1.amazonaws.com/id/FFFF:sub", a key this token does not carry',
    ],
    ['aws-cn provider ARN', { Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/AB12` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'oidc.eks.cn-north-1.amazonaws.com.cn/id/AB12:sub': SUB } } }] } as PolicyDocument, 'oidc.eks.cn-north-1.amazonaws.com.cn/id/AB12', true, undefined],
  ])('%s', (_n, policy, issuer, admitted, reason) => {
    const v = trustAdmits(policy, SUB, issuer);
    expect(v.admitted).toBe(admitted);
    if (reason) expect(v.reason).toContain(reason);
  });

  it('a condition on a key the doctor cannot see is a caveat, not a verdict', () => {
    const v = trustAdmits(stmt({ StringEquals: { [`${HP}:sub`]: SUB }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), SUB, HP);
    expect(v.admitted).toBe(true);
    expect(v.caveats.join(' ')).toContain('aws:SourceIp');
    expect(evaluateConditions({ Null: { 'x:sub': 'false' } }, { 'x:sub': 'a' }, () => true).holds).toBe(true);
  });

  it('remediation statements and CLI flags follow the partition', () => {
    expect(irsaStatement('aws-us-gov', '123456789012', 'oidc.eks.us-gov-west-1.amazonaws.com/id/AB', SUB)).toMatchObject({
      Principal: { Federated: 'arn:aws-us-gov:iam::123456789012:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/AB' },
      Condition: { StringEquals: { 'oidc.eks.us-gov-west-1.amazonaws.com/id/AB:aud': 'sts.amazonaws.com' } },
    });
    expect([cliRegionFlag('aws'), cliRegionFlag('aws-cn'), cliRegionFlag('aws-us-gov')]).toEqual(['', ' --region cn-north-1', ' --region us-gov-west-1']);
  });

  it.each<[string, PolicyDocument, boolean, string | undefined]>([
    ['the documented trust', { Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] }, true, undefined],
    ['sts:TagSession missing', { Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, false, 'sts:TagSession'],
    ['an IRSA trust only', stmt(undefined), false, 'sts:AssumeRole and sts:TagSession'],
    ['aws:SourceAccount of the cluster', { Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] }, true, undefined],
    ['aws:SourceAccount of another account', { Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } }] }, false, '"999999999999"'],
    ['an explicit Deny', { Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }, { Effect: 'Deny', Principal: '*', Action: 'sts:TagSession' }] }, false, 'explicit Deny'],
  ])('podIdentityTrust: %s', (_n, policy, admitted, reason) => {
    const v = podIdentityTrust(policy, { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': 'arn:aws:eks:us-west-2:123456789012:cluster/ml-serving-prod' });
    expect(v.admitted).toBe(admitted);
    if (reason) expect(v.reason).toContain(reason);
  });

  it.each<[string, string, boolean]>([
    ['system:serviceaccount:llm-engine:*', 'system:serviceaccount:llm-engine:model-engine', true],
    ['system:serviceaccount:llm-engine:model-engin?', 'system:serviceaccount:llm-engine:model-engine', true],
    ['system:serviceaccount:llm.engine:*', 'system:serviceaccount:llmXengine:x', false],
    ['system:serviceaccount:*:kaniko', 'system:serviceaccount:default:kaniko', true],
  ])('iamLike(%s, %s) = %s', (p, v, want) => expect(iamLike(p, v)).toBe(want));

  it.each<[string, string]>([
    [`https://${HP}`, HP],
    [`https://${HP}/`, HP],
    [PROVIDER, HP],
  ])('oidcHostPath(%s)', (x, want) => expect(oidcHostPath(x)).toBe(want));
});

describe('parsers', () => {
  it.each<[string | undefined, unknown]>([
    ['aws:///us-west-2c/i-0c3d4e5f6a7b89012', { cloud: 'aws', zone: 'us-west-2c', instance: 'i-0c3d4e5f6a7b89012' }],
    ['azure:///subscriptions/6f1c/resourceGroups/mc_rg_aks_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/x/virtualMachines/0', { cloud: 'azure', subscriptionId: '6f1c', resourceGroup: 'mc_rg_aks_eastus' }],
    ['gce://ml-prod-project/us-central1-a/gke-node-1', { cloud: 'gcp', project: 'ml-prod-project', zone: 'us-central1-a', instance: 'gke-node-1' }],
    ['kind://docker/kind/kind-control-plane', undefined],
    [undefined, undefined],
  ])('parseProviderId(%s)', (id, want) => expect(parseProviderId(id)).toEqual(want));

  it.each<[string | undefined, unknown]>([
    ['arn:aws:eks:us-west-2:123456789012:cluster/ml-serving-prod', { region: 'us-west-2', name: 'ml-serving-prod' }],
    ['snapshot fixtures/clusters/x', undefined],
    ['ml-aks', undefined],
  ])('parseEksClusterArn(%s)', (s, want) => expect(parseEksClusterArn(s)).toEqual(want));

  it.each<[string, unknown]>([
    ['arn:aws:iam::123456789012:role/llm-engine', { partition: 'aws', account: '123456789012', name: 'llm-engine' }],
    ['arn:aws-cn:iam::123456789012:role/team/ml/llm-engine', { partition: 'aws-cn', account: '123456789012', name: 'llm-engine' }],
    ['arn:aws:iam::1234:role/x', undefined],
  ])('parseRoleArn(%s)', (s, want) => expect(parseRoleArn(s)).toEqual(want));

  it('eksHints: the context ARN, then the configured cluster name; region from nodes', () => {
    const n = { metadata: { name: 'n', labels: { 'topology.kubernetes.io/region': 'eu-west-1' } } } as Node;
    expect(eksHints('arn:aws:eks:us-west-2:123456789012:cluster/prod', 'main_cluster', [n])).toEqual({ names: ['prod', 'main_cluster'], region: 'us-west-2' });
    expect(eksHints('snapshot x', 'main_cluster', [n])).toEqual({ names: ['main_cluster'], region: 'eu-west-1' });
  });
});

describe('annotations', () => {
  const sa = (annotations?: Record<string, string>, managedFields?: unknown[]): ServiceAccount => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'model-engine', namespace: 'model-engine', creationTimestamp: '2024-05-01T08:00:00Z', ...(annotations ? { annotations } : {}), ...(managedFields ? { managedFields } : {}) },
  });
  it.each<[string, string, string | undefined, string]>([
    ['aws', 'arn:aws:iam::123456789012:role/k8s-main-llm-engine', undefined, 'ok'],
    ['aws', 'arn:aws:iam::123456789012:role/path/to/role', undefined, 'ok'],
    ['aws', 'arn:aws-us-gov:iam::123456789012:role/llm', undefined, 'ok'],
    ['aws', 'arn:aws:iam::123456789012:user/llm', undefined, 'malformed'],
    ['aws', 'k8s-main-llm-engine', undefined, 'malformed'],
    ['aws', 'arn:aws:iam::123456789012:role/a', 'arn:aws:iam::123456789012:role/b', 'mismatch'],
    ['azure', '3F8E2A71-5C4D-4B9E-A2F0-6D1C8E7B9A45', '3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45', 'ok'],
    ['azure', 'my-managed-identity', undefined, 'malformed'],
    ['gcp', 'model-engine@my-project.iam.gserviceaccount.com', undefined, 'ok'],
    ['gcp', 'model-engine@my-project.iam.gserviceaccount', undefined, 'malformed'],
    ['gcp', 'model-engine@example.com', undefined, 'malformed'],
    ['gcp', '', undefined, 'missing'],
  ])('%s %s (values: %s) → %s', (cloud, value, expected, want) => {
    const p = MATRIX[cloud as 'aws'];
    const v = annotationVerdict(sa({ [p.serviceAccountAnnotation!]: value }), p.serviceAccountAnnotation!, p.identity!.annotationPattern, expected ? { value: expected, path: 'x' } : undefined);
    expect(v.state).toBe(want);
  });
  it('a missing service account', () => expect(annotationVerdict(undefined, 'k', /x/).state).toBe('missing-sa'));

  it('annotationChangedAt: the newest managedFields entry owning the key, else creation', () => {
    const owns = (time: string, key: string) => ({ manager: 'helm', operation: 'Update', time, fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${key}`]: {} } } } });
    const key = 'eks.amazonaws.com/role-arn';
    expect(annotationChangedAt(sa({ [key]: 'x' }, [owns('2024-05-02T00:00:00Z', key), owns('2024-06-01T00:00:00Z', key), owns('2024-07-01T00:00:00Z', 'other')]), key)).toEqual({ at: '2024-06-01T00:00:00Z', how: 'managedFields' });
    expect(annotationChangedAt(sa({ [key]: 'x' }), key)).toEqual({ at: '2024-05-01T08:00:00Z', how: 'creationTimestamp' });
  });

  it('valuesSnippet quotes keys and values YAML needs quoted', () => {
    expect(valuesSnippet(['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'], 'arn:aws:iam::1:role/x')).toBe('serviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/x"');
    expect(valuesSnippet(['azure', 'client_id'], '3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45')).toBe('azure:\n  client_id: "3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45"');
  });
});

describe('identitySubjects', () => {
  const ns = { controlPlane: 'model-engine', endpoint: 'llm-engine' };
  it('AWS: model-engine in each namespace, kaniko in default when builds are on, the inference SA', async () => {
    const values = await loadValuesFiles([], [
      'serviceAccount.namespaces={default,batch}',
      'imageBuilderServiceAccount.create=true',
      'serviceTemplate.serviceAccountName=inference',
      'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/cp',
    ]);
    const s = identitySubjects({ profile: MATRIX.aws, namespaces: ns, values });
    expect(s.map((x) => [`${x.namespace}/${x.name}`, x.roles.join('+'), x.expected?.value])).toEqual([
      ['model-engine/model-engine', 'control-plane', 'arn:aws:iam::123456789012:role/cp'],
      ['default/model-engine', 'control-plane', 'arn:aws:iam::123456789012:role/cp'],
      ['batch/model-engine', 'control-plane', 'arn:aws:iam::123456789012:role/cp'],
      ['default/kaniko', 'image-builder', undefined],
      ['llm-engine/inference', 'inference', undefined],
    ]);
  });
  it('Azure: one SA in a shared namespace serves both roles; inference_client_id wins for inference', async () => {
    const values = await loadValuesFiles([], ['azure.client_id=a', 'azure.inference_client_id=b', 'serviceIdentifier=blue']);
    const s = identitySubjects({ profile: MATRIX.azure, namespaces: { controlPlane: 'me', endpoint: 'me' }, values });
    expect(s).toEqual([{ namespace: 'me', name: 'model-engine-blue', roles: ['control-plane', 'inference'], expected: { value: 'a', path: 'azure.client_id' } }]);
    const split = identitySubjects({ profile: MATRIX.azure, namespaces: ns, values });
    expect(split[1]).toMatchObject({ roles: ['inference'], expected: { value: 'b', path: 'azure.inference_client_id' } });
  });
  it('without values: the SA endpoint pods run as; kaniko only if it exists', () => {
    const s = identitySubjects({ profile: MATRIX.aws, namespaces: ns, inferenceServiceAccount: 'llm-sa', kanikoInCluster: false });
    expect(s.map((x) => `${x.namespace}/${x.name}`)).toEqual(['model-engine/model-engine', 'llm-engine/llm-sa']);
  });
});

describe('pods', () => {
  const pod = (o: { env?: { name: string; value?: string }[]; volumes?: string[]; labels?: Record<string, string>; annotations?: Record<string, string>; created?: string; containers?: string[] }): Pod => ({
    metadata: { name: 'p', namespace: 'ns', creationTimestamp: o.created ?? '2024-06-01T00:00:00Z', labels: o.labels ?? {}, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { containers: (o.containers ?? ['main']).map((name) => ({ name, env: o.env ?? [] })), volumes: (o.volumes ?? []).map((name) => ({ name })) },
  });
  const irsa = [{ name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::1:role/a' }, { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' }];
  const wi = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_AUTHORITY_HOST'].map((name) => ({ name, value: 'x' }));
  it.each<[string, 'aws' | 'azure', Pod, string]>([
    ['IRSA injected', 'aws', pod({ env: irsa, volumes: ['aws-iam-token'] }), 'federated'],
    ['EKS Pod Identity', 'aws', pod({ env: [{ name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' }], volumes: ['eks-pod-identity-token'] }), 'pod-identity'],
    ['not mutated', 'aws', pod({}), 'not-mutated'],
    ['volume but a container without env', 'aws', pod({ env: [], volumes: ['aws-iam-token'] }), 'partial'],
    ['skip-containers honoured', 'aws', pod({ env: [], volumes: ['aws-iam-token'], containers: ['main'], annotations: { 'eks.amazonaws.com/skip-containers': 'main' } }), 'federated'],
    ['Azure without the pod label', 'azure', pod({}), 'label-missing'],
    ['Azure labelled but not mutated', 'azure', pod({ labels: { 'azure.workload.identity/use': 'true' } }), 'not-mutated'],
    ['Azure mutated', 'azure', pod({ env: wi, volumes: ['azure-identity-token'], labels: { 'azure.workload.identity/use': 'true' } }), 'federated'],
  ])('podFederation: %s', (_n, cloud, p, want) => {
    expect(podFederation(p, MATRIX[cloud]).state).toBe(want);
  });

  it('podFederation: an istio sidecar the webhook ran before is not a missing injection', () => {
    const p = pod({ env: wi, volumes: ['azure-identity-token'], labels: { 'azure.workload.identity/use': 'true' }, containers: ['main', 'istio-proxy'] });
    p.spec.containers[1]!.env = [];
    expect(podFederation(p, MATRIX.azure)).toEqual({ state: 'federated', identity: 'x' });
    p.spec.containers[0]!.env = [];
    expect(podFederation(p, MATRIX.azure)).toMatchObject({ state: 'partial', missing: [{ container: 'main' }] });
  });

  it.each<[string, Parameters<typeof judgePod>[1], string, string | undefined, string]>([
    ['same identity', { state: 'federated', identity: 'arn:a' }, 'arn:a', undefined, 'ok'],
    ['injected identity differs', { state: 'federated', identity: 'arn:old' }, 'arn:new', '2024-06-02T00:00:00Z', 'stale'],
    ['not mutated, created before the annotation', { state: 'not-mutated' }, 'arn:a', '2024-06-02T00:00:00Z', 'stale'],
    ['not mutated, created after it', { state: 'not-mutated' }, 'arn:a', '2024-05-01T00:00:00Z', 'not-mutated'],
  ])('judgePod: %s', (_n, fed, annotation, changedAt, want) => {
    expect(judgePod(pod({}), fed, annotation, changedAt).state).toBe(want);
  });

  it('judgePod on GKE judges the node', () => {
    const label = { key: 'iam.gke.io/gke-metadata-server-enabled', value: 'true' };
    expect(judgePod(pod({}), { state: 'not-mutated' }, '', undefined, { name: 'n', label, labels: { [label.key]: 'true' } }).state).toBe('ok');
    expect(judgePod(pod({}), { state: 'not-mutated' }, '', undefined, { name: 'n', label, labels: {} }).state).toBe('node-not-federated');
  });

  it('deploymentOf reads the ReplicaSet owner', () => {
    const p = pod({ labels: { 'pod-template-hash': '5b8c7d9f4' } });
    p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'model-engine-5b8c7d9f4' }];
    expect(deploymentOf(p)).toBe('model-engine');
  });
});

describe('cloud trust judgements', () => {
  const issuer = 'https://eastus.oic.prod-aks.azure.com/tenant/cluster/';
  const creds = [{ name: 'me', issuer, subject: SUB, audiences: ['api://AzureADTokenExchange'] }];
  it.each<[string, string | undefined, boolean]>([
    [SUB, issuer, true],
    [SUB, issuer.replace(/\/$/, ''), false],
    [SUB, issuer.toUpperCase(), false],
    [SUB, 'https://eastus.oic.prod-aks.azure.com/tenant/other/', false],
    ['system:serviceaccount:kube-system:keda-operator', issuer, false],
    [SUB, undefined, true],
  ])('findFederatedCredential(%s, %s)', (subject, iss, want) => expect(findFederatedCredential(creds, subject, iss) !== undefined).toBe(want));

  it.each<[string, string, string | undefined]>([
    ['legacy member', 'serviceAccount:ml-prod-project.svc.id.goog[llm-engine/model-engine]', 'subject'],
    ['principal identifier', 'principal://iam.googleapis.com/projects/482915736018/locations/global/workloadIdentityPools/ml-prod-project.svc.id.goog/subject/ns/llm-engine/sa/model-engine', 'subject'],
    ['principalSet of the namespace', 'principalSet://iam.googleapis.com/projects/482915736018/locations/global/workloadIdentityPools/ml-prod-project.svc.id.goog/namespace/llm-engine', 'namespace'],
    ['principalSet of a cluster', 'principalSet://iam.googleapis.com/projects/482915736018/locations/global/workloadIdentityPools/ml-prod-project.svc.id.goog/kubernetes.cluster/https://container.googleapis.com/v1/projects/ml-prod-project/locations/us-central1/clusters/ml', 'cluster'],
    ['principal of another namespace', 'principal://iam.googleapis.com/projects/482915736018/locations/global/workloadIdentityPools/ml-prod-project.svc.id.goog/subject/ns/default/sa/model-engine', undefined],
    ['principal of another project\'s pool', 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/other-project.svc.id.goog/subject/ns/llm-engine/sa/model-engine', undefined],
    ['principalSet of another namespace', 'principalSet://iam.googleapis.com/projects/482915736018/locations/global/workloadIdentityPools/ml-prod-project.svc.id.goog/namespace/default', undefined],
  ])('workloadIdentityGrant: %s', (_n, member, how) => {
    const g = workloadIdentityGrant({ bindings: [{ role: 'roles/iam.workloadIdentityUser', members: [member] }] }, 'ml-prod-project', { namespace: 'llm-engine', name: 'model-engine' });
    expect(g?.how).toBe(how);
  });

  it('workloadIdentityGrant prefers an unconditional grant and names a condition it cannot evaluate', () => {
    const m = 'serviceAccount:p-1234.svc.id.goog[ns/sa]';
    const cond = { role: 'roles/iam.workloadIdentityUser', members: [m], condition: { title: 'weekdays', expression: 'request.time…' } };
    expect(workloadIdentityGrant({ bindings: [cond] }, 'p-1234', { namespace: 'ns', name: 'sa' })).toEqual({ member: m, how: 'subject', condition: 'weekdays' });
    expect(workloadIdentityGrant({ bindings: [cond, { role: 'roles/iam.workloadIdentityUser', members: [m] }] }, 'p-1234', { namespace: 'ns', name: 'sa' })?.condition).toBeUndefined();
    expect(gsaProject('model-engine@ml-prod-project.iam.gserviceaccount.com')).toBe('ml-prod-project');
    expect(gsaProject('123456789-compute@developer.gserviceaccount.com')).toBeUndefined();
  });

  it('nearIssuerMiss names the credential Entra rejects with AADSTS700211', () => {
    expect(nearIssuerMiss(creds, SUB, issuer)).toBeUndefined();
    expect(nearIssuerMiss([{ ...creds[0]!, issuer: issuer.replace(/\/$/, '') }], SUB, issuer)?.name).toBe('me');
    expect(nearIssuerMiss(creds, SUB, 'https://elsewhere.example/')).toBeUndefined();
  });

  it('grantsWorkloadIdentityUser', () => {
    const member = gkeMember('ml-prod-project', { namespace: 'llm-engine', name: 'model-engine' });
    expect(member).toBe('serviceAccount:ml-prod-project.svc.id.goog[llm-engine/model-engine]');
    expect(grantsWorkloadIdentityUser({ bindings: [{ role: 'roles/iam.workloadIdentityUser', members: [member] }] }, member)).toBe(true);
    expect(grantsWorkloadIdentityUser({ bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [member] }] }, member)).toBe(false);
    expect(grantsWorkloadIdentityUser({}, member)).toBe(false);
  });

  it.each<[string, Parameters<typeof judgeTriggerAuth>[0], string | undefined, string]>([
    ['ok', { metadata: { name: 't' }, spec: { podIdentity: { provider: 'azure-workload', identityId: 'A' } } }, 'a', 'ok'],
    ['missing', undefined, 'a', 'missing'],
    ['old provider', { metadata: { name: 't' }, spec: { podIdentity: { provider: 'azure' } } }, 'a', 'wrong-provider'],
    ['no identity', { metadata: { name: 't' }, spec: { podIdentity: { provider: 'azure-workload' } } }, 'a', 'no-identity'],
    ['other identity', { metadata: { name: 't' }, spec: { podIdentity: { provider: 'azure-workload', identityId: 'b' } } }, 'a', 'wrong-identity'],
  ])('judgeTriggerAuth: %s', (_n, ta, expected, want) => expect(judgeTriggerAuth(ta, expected).state).toBe(want));

  it.each<[string, number, number, string]>([
    ['ready', 3, 3, 'ready'],
    ['degraded', 3, 2, 'degraded'],
    ['down', 3, 0, 'down'],
    ['scheduled nowhere', 0, 0, 'down'],
  ])('daemonSetHealth: %s', (_n, desired, ready, want) => {
    expect(daemonSetHealth({ metadata: { name: 'd' }, status: { desiredNumberScheduled: desired, numberReady: ready } }).state).toBe(want);
  });

  it('secretUses merges env, envFrom and volume references, keeping only names and keys', () => {
    const p: Pod = {
      metadata: { name: 'gw' },
      spec: {
        containers: [
          {
            name: 'main',
            env: [
              { name: 'ML_INFRA_DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'database_url' } } },
              { name: 'REDIS_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'redis', key: 'auth_token', optional: true } } },
            ],
            envFrom: [{ secretRef: { name: 'minio' } }],
          },
        ],
        volumes: [{ name: 'tls', secret: { secretName: 'redis', items: [{ key: 'ca.crt' }] } }],
      },
    };
    expect(secretUses([p])).toEqual([
      { secret: 'db', keys: [{ key: 'database_url', env: 'ML_INFRA_DATABASE_URL' }], whole: false, optional: false, users: ['gw/main'] },
      { secret: 'minio', keys: [], whole: true, optional: false, users: ['gw/main'] },
      { secret: 'redis', keys: [{ key: 'auth_token', env: 'REDIS_AUTH_TOKEN' }, { key: 'ca.crt' }], whole: false, optional: false, users: ['gw/main', 'gw/volume tls'] },
    ]);
  });
});

describe('identity-cloud sources', () => {
  it('classifies SDK service errors; anything else is not a service answer', () => {
    const sdkError = (name: string, message: string, status: number, code?: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, ...(code ? { Code: code } : {}) });
    const gone = awsServiceError(sdkError('NoSuchEntityException', 'The role with name x cannot be found.', 404, 'NoSuchEntity'));
    expect(gone).toEqual({ code: 'NoSuchEntity', message: 'The role with name x cannot be found.', status: 404 });
    expect(awsFailure('IAM GetRole', gone!)).toEqual({ state: 'not-found', via: 'IAM GetRole', detail: 'NoSuchEntity: The role with name x cannot be found.' });
    expect(awsFailure('IAM GetRole', awsServiceError(sdkError('AccessDenied', 'not authorized', 403, 'AccessDenied'))!)).toMatchObject({ state: 'unavailable', detail: 'AccessDenied: not authorized' });
    expect(awsFailure('EKS', awsServiceError(sdkError('ResourceNotFoundException', 'No cluster found', 404))!)).toMatchObject({ state: 'not-found' });
    expect(awsServiceError(new Error('Could not load credentials from any providers'))).toBeUndefined();
    expect(decodePolicyDocument(encodeURIComponent('{"Statement":[]}'))).toEqual({ Statement: [] });
  });

  it.each<[string, string, string]>([
    ['aws', 'https://iam.amazonaws.com', 'us-east-1'],
    ['aws-cn', 'https://iam.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['aws-us-gov', 'https://iam.us-gov.amazonaws.com', 'us-gov-west-1'],
  ])('IAM endpoint for partition %s', (p, url, region) => expect(iamEndpointFor(p)).toEqual({ url, region }));

  it('never follows an ARM nextLink to another host with the token', async () => {
    const seen: string[] = [];
    const fakeFetch = (async (u: string | URL) => {
      seen.push(String(u));
      return new Response(JSON.stringify({ value: [], nextLink: 'https://evil.example.com/steal' }), { status: 200 });
    }) as typeof fetch;
    const src = new AzureIdentitySource({ credential: { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) }, fetch: fakeFetch });
    const a = await src.federatedCredentials('sub', 'client', new AbortController().signal);
    expect(a).toMatchObject({ state: 'unavailable' });
    expect(a.state === 'unavailable' && a.detail).toContain('refusing to follow a link to https://evil.example.com');
    expect(seen.every((u) => u.startsWith('https://management.azure.com/'))).toBe(true);
  });

  it.each<['loopback' | 'none', 'aws' | 'azure' | 'gcp', string]>([
    ['loopback', 'aws', 'loopback addresses only'],
    ['loopback', 'azure', 'loopback addresses only'],
    ['loopback', 'gcp', 'loopback addresses only'],
    ['none', 'aws', 'network probes are disabled'],
  ])('network policy %s: %s lookups to the real endpoints are refused before any credential or connection', async (network, cloud, why) => {
    const port = createIdentityCloudPort({ network });
    const signal = new AbortController().signal;
    const a =
      cloud === 'aws'
        ? await port.awsRole('arn:aws:iam::123456789012:role/llm-engine', signal)
        : cloud === 'azure'
          ? await port.azureFederatedCredentials('sub', 'client', signal)
          : await port.gcpServiceAccountPolicy('me@p.iam.gserviceaccount.com', signal);
    expect(a).toMatchObject({ state: 'unavailable', detail: expect.stringContaining(why) });
  });

  it('network policy loopback: no default credential chain (it would reach IMDS or STS)', async () => {
    const a = await createIdentityCloudPort({ network: 'loopback', aws: { iamEndpoint: 'http://127.0.0.1:9' } }).awsRole('arn:aws:iam::123456789012:role/x', new AbortController().signal);
    expect(a).toMatchObject({ state: 'unavailable', detail: expect.stringContaining('default chain need the network') });
  });

  describe('over the recorded server', () => {
    let cloud: RecordedCloud;
    beforeAll(async () => {
      cloud = await startRecordedCloud(fixture('fixtures/cloud-identity'));
    });
    afterAll(async () => {
      await cloud.close();
    });

    it('a signature made with the wrong secret does not verify (the check of the checker)', async () => {
      const src = new AwsIdentitySource({ credentials: { ...TEST_AWS_CREDENTIALS, secretAccessKey: 'not-the-secret' }, iamEndpoint: `${cloud.url}/aws-healthy` });
      await src.role('arn:aws:iam::123456789012:role/llm-engine', new AbortController().signal);
      expect(cloud.requests.at(-1)?.sigv4).toBe('invalid');
    });

    it('reads a role\'s trust policy, and asks each question once per run', async () => {
      const port = createIdentityCloudPort({ aws: { credentials: TEST_AWS_CREDENTIALS, iamEndpoint: `${cloud.url}/aws-healthy` } });
      const before = cloud.requests.length;
      const signal = new AbortController().signal;
      const [a, b] = await Promise.all([port.awsRole('arn:aws:iam::123456789012:role/llm-engine', signal), port.awsRole('arn:aws:iam::123456789012:role/llm-engine', signal)]);
      expect(a).toBe(b);
      expect(cloud.requests.length - before).toBe(1);
      expect(a.state === 'found' && trustAdmits(a.value.trustPolicy, 'system:serviceaccount:llm-engine:model-engine', HP).admitted).toBe(true);
    });

    it.each<[string, string]>([
      ['aws-cn', 'cn-north-1'],
      ['aws-us-gov', 'us-gov-west-1'],
    ])('signs IAM calls for a role in partition %s with its region %s', async (partition, region) => {
      const src = new AwsIdentitySource({ credentials: TEST_AWS_CREDENTIALS, iamEndpoint: `${cloud.url}/aws-healthy` });
      const a = await src.role(`arn:${partition}:iam::123456789012:role/llm-engine`, new AbortController().signal);
      expect(a.state).toBe('found');
      const req = cloud.requests.at(-1)!;
      expect(req.sigv4).toBe('valid');
      expect(req.headers.authorization).toContain(`/${region}/iam/aws4_request`);
    });

    it('reports an unreachable endpoint as unavailable, with the socket error', async () => {
      const src = new AwsIdentitySource({ credentials: TEST_AWS_CREDENTIALS, eksEndpoint: 'http://127.0.0.1:9', timeoutMs: 2000 });
      const a = await src.eksIssuer('ml-serving-prod', 'us-west-2', new AbortController().signal);
      expect(a).toMatchObject({ state: 'unavailable', detail: expect.stringContaining('ECONNREFUSED') });
      expect(a.state === 'unavailable' && a.detail).not.toContain('AWS SDK error wrapper');
    });

    it('reports no credentials as unavailable, never as not found', async () => {
      const src = new AwsIdentitySource({
        credentials: async () => {
          throw new Error('Could not load credentials from any providers');
        },
        iamEndpoint: `${cloud.url}/aws-healthy`,
      });
      expect(await src.role('arn:aws:iam::123456789012:role/llm-engine', new AbortController().signal)).toEqual({
        state: 'unavailable',
        via: 'IAM GetRole',
        detail: 'Could not load credentials from any providers',
      });
    });
  });
});
