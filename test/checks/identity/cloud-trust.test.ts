import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import check from '../../../checks/identity/cloud-trust.js';
import { createIdentityCloudPort } from '../../../src/sources/cloud/identity.js';
import { groupIncidents } from '../../../src/engine/incidents.js';
import { fixture, runCase, testCheck, type ExpectedFinding } from '../../support/check-tester.js';
import { startRecordedCloud, TEST_ARM_TOKEN, TEST_AWS_CREDENTIALS, TEST_GCP_TOKEN, type RecordedCloud } from '../../support/recorded-cloud.js';
import { makeCa, type TestCa } from '../../support/redis-servers.js';
import { derivedSnapshot } from '../../support/derived-snapshot.js';
import { createServer } from 'node:net';

const SCENARIOS = ['aws-healthy', 'aws-broken', 'aws-no-role', 'aws-cross-account', 'aws-trust', 'aws-pod-identity', 'azure-healthy', 'azure-broken', 'azure-oidc-off', 'azure-issuer-slash', 'azure-audience', 'azure-app-registration', 'azure-identity-missing', 'aws-provider-audience', 'gcp-healthy', 'gcp-broken', 'gcp-denied'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** Filled in beforeAll, once the server has a port; the cases hold these objects by reference. */
const ports = Object.fromEntries(SCENARIOS.map((s) => [s, {} as Record<string, unknown>])) as Record<Scenario, Record<string, unknown>>;
let cloud: RecordedCloud;
/** Entra ID's token endpoint (HTTPS with a test CA: MSAL accepts only an https authority). */
let entra: RecordedCloud;
let ca: TestCa;
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** The projected service account token the workload identity webhook mounts (AZURE_FEDERATED_TOKEN_FILE). */
const FEDERATED_TOKEN =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJpc3MiOiJodHRwczovL2Vhc3R1cy5vaWMucHJvZC1ha3MuYXp1cmUuY29tLzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny80YjFmMmMzZC01ZTZmLTRhN2ItOGM5ZC0wZTFmMmEzYjRjNWQvIiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50Om1vZGVsLWVuZ2luZTptb2RlbC1lbmdpbmUiLCJhdWQiOlsiYXBpOi8vQXp1cmVBRFRva2VuRXhjaGFuZ2UiXX0.c2lnbmF0dXJl';

/** A fresh port on a scenario (ports memoise answers for a run, so each run gets its own). */
function portOn(s: Scenario) {
  return createIdentityCloudPort({
    aws: { credentials: TEST_AWS_CREDENTIALS, iamEndpoint: `${cloud.url}/${s}`, eksEndpoint: `${cloud.url}/${s}`, stsEndpoint: `${cloud.url}/${s}`, timeoutMs: 5000 },
    azure: {
      // No credential given: the source makes DefaultAzureCredential, which takes the workload identity path
      // (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID) to the recorded Entra token endpoint at
      // AZURE_AUTHORITY_HOST. Node's NODE_EXTRA_CA_CERTS is read at start only, so the test CA goes in as a
      // transport option; instance discovery would ask login.microsoftonline.com about the loopback authority.
      credentialOptions: { tlsOptions: { ca: ca.caPem }, disableInstanceDiscovery: true } as never,
      armEndpoint: `${cloud.url}/${s}`,
      graphEndpoint: `${cloud.url}/${s}`,
      scope: 'https://management.azure.com/.default',
      timeoutMs: 5000,
      network: 'all',
    },
    // No client given: google-auth-library's own ADC discovery finds the metadata server (GCE_METADATA_HOST, the
    // recorded server's computeMetadata scenario). The test network guard still blocks anything but loopback.
    gcp: { iamEndpoint: `${cloud.url}/${s}`, crmEndpoint: `${cloud.url}/${s}`, timeoutMs: 5000, network: 'all' },
  });
}
const fresh = (s: Scenario) => ({ identityCloud: portOn(s) });

/** A loopback port nothing listens on (bound, then closed): connections to it are refused. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
/**
 * aws-no-role's IAM answers, with STS unreachable (a VPC whose firewall lets the IAM endpoint through but not STS):
 * GetRole says NoSuchEntity, and nothing says which account the credentials are for.
 */
const stsUnreachable: Record<string, unknown> = {};
let stsClosed = 0;
/** identity-azure-healthy with the client-id annotation taken off the control plane's service account. */
const AZURE_UNANNOTATED = derivedSnapshot('fixtures/clusters/identity-azure-healthy', {
  'serviceaccounts.yaml': (t) => t.replace('      azure.workload.identity/client-id: 3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45\n', ''),
});

const savedEnv: Record<string, string | undefined> = {};
let tmp: string;
function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in savedEnv)) savedEnv[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

beforeAll(async () => {
  cloud = await startRecordedCloud(fixture('fixtures/cloud-identity'));
  ca = makeCa('entra test CA');
  const { cert, key } = ca.issue('entra', ['IP:127.0.0.1', 'DNS:localhost']);
  entra = await startRecordedCloud(fixture('fixtures/cloud-identity'), { tls: { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') } });
  tmp = mkdtempSync(join(tmpdir(), 'med-trust-'));
  writeFileSync(join(tmp, 'azure-identity-token'), FEDERATED_TOKEN);
  setEnv({
    AZURE_CLIENT_ID: '3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45',
    AZURE_TENANT_ID: TENANT,
    AZURE_FEDERATED_TOKEN_FILE: join(tmp, 'azure-identity-token'),
    AZURE_AUTHORITY_HOST: entra.url,
    AZURE_CLIENT_SECRET: undefined,
    AZURE_CLIENT_CERTIFICATE_PATH: undefined,
    AZURE_USERNAME: undefined,
    IDENTITY_ENDPOINT: undefined,
    MSI_ENDPOINT: undefined,
    GCE_METADATA_HOST: new URL(cloud.url).host,
    GCE_METADATA_IP: undefined,
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    CLOUDSDK_CONFIG: join(tmp, 'gcloud'),
    // Without a project in the environment ADC runs `gcloud config config-helper` (a process the test network
    // guard cannot see) to find one.
    GOOGLE_CLOUD_PROJECT: 'ml-prod-project',
  });
  for (const s of SCENARIOS) ports[s].identityCloud = portOn(s);
  stsClosed = await closedPort();
  stsUnreachable.identityCloud = createIdentityCloudPort({
    aws: { credentials: TEST_AWS_CREDENTIALS, iamEndpoint: `${cloud.url}/aws-no-role`, eksEndpoint: `${cloud.url}/aws-no-role`, stsEndpoint: `http://127.0.0.1:${stsClosed}`, timeoutMs: 5000 },
  });
});
afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(tmp, { recursive: true, force: true });
  await Promise.all([cloud.close(), entra.close()]);
  ca.cleanup();
});

const opts = { options: { cloudApi: true } };
/** The three service accounts of identity-aws-healthy, each with its own role. */
const AWS_SUBJECTS = [
  { namespace: 'model-engine', name: 'model-engine' },
  { namespace: 'default', name: 'kaniko' },
  { namespace: 'llm-engine', name: 'model-engine' },
];
const onEveryAwsSubject = (e: Omit<ExpectedFinding, 'object'>): ExpectedFinding[] => AWS_SUBJECTS.map((object) => ({ ...e, object }));
const aws = { snapshot: 'fixtures/clusters/identity-aws-healthy', namespace: 'model-engine', ...opts };
const azure = { snapshot: 'fixtures/clusters/identity-azure-healthy', namespace: 'model-engine', ...opts };
const gcp = { snapshot: 'fixtures/clusters/identity-gcp-healthy', namespace: 'model-engine', ...opts };

testCheck(check, {
  valid: [
    { name: 'AWS: roles trust their service accounts through the cluster issuer\'s provider', ...aws, ports: ports['aws-healthy'] },
    { name: 'Azure: federated credentials for the SA and the KEDA operator (identity on page 2)', ...azure, ports: ports['azure-healthy'] },
    { name: 'Azure: the client id is an app registration whose credentials are in Microsoft Graph', ...azure, ports: ports['azure-app-registration'] },
    { name: 'GCP: one GSA grants a principal:// member, the other inherits the grant from its project', ...gcp, ports: ports['gcp-healthy'] },
  ],
  invalid: [
    {
      name: 'AWS: old issuer, kaniko trusted in the wrong namespace, provider deleted',
      ...aws,
      ports: ports['aws-broken'],
      errors: [
        { messageId: 'trustDenies', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'trustDenies', object: { namespace: 'default', name: 'kaniko' } },
        { messageId: 'providerMissing', object: { namespace: 'llm-engine', name: 'model-engine' } },
      ],
    },
    {
      name: 'AWS: roles in another account than the credentials (STS GetCallerIdentity) are "cannot verify from this account", never missing',
      ...aws,
      ports: ports['aws-cross-account'],
      errors: onEveryAwsSubject({ messageId: 'otherAccount', status: 'skip' }),
    },
    {
      name: 'AWS: a glob under StringEquals, the API-server audience in :aud, an explicit Deny for the namespace',
      ...aws,
      ports: ports['aws-trust'],
      errors: [
        { messageId: 'trustDenies', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'trustDenies', object: { namespace: 'default', name: 'kaniko' } },
        { messageId: 'trustDenies', object: { namespace: 'llm-engine', name: 'model-engine' } },
      ],
    },
    {
      name: 'AWS: EKS Pod Identity association whose role lacks sts:TagSession',
      snapshot: 'fixtures/clusters/identity-aws-pod-identity',
      namespace: 'model-engine',
      ...opts,
      ports: ports['aws-pod-identity'],
      errors: [{ messageId: 'podIdentityTrustDenies', object: { namespace: 'llm-engine', name: 'model-engine' } }],
    },
    {
      name: 'AWS: roles deleted (in the account STS confirms), one not readable',
      ...aws,
      ports: ports['aws-no-role'],
      errors: [
        { messageId: 'roleMissing', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'roleMissing', object: { namespace: 'llm-engine', name: 'model-engine' } },
        { messageId: 'unavailable', status: 'skip', object: { namespace: 'default', name: 'kaniko' } },
      ],
    },
    {
      name: 'Azure: credentials for the old cluster\'s issuer, none for KEDA',
      ...azure,
      ports: ports['azure-broken'],
      errors: [
        { messageId: 'noFederatedCredential', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'noFederatedCredential', object: { namespace: 'kube-system', name: 'keda-operator' } },
      ],
    },
    {
      name: 'Azure: a credential whose issuer lacks the trailing slash (Entra compares exactly: AADSTS700211)',
      ...azure,
      ports: ports['azure-issuer-slash'],
      errors: [{ messageId: 'issuerMismatch', object: { namespace: 'model-engine', name: 'model-engine' } }],
    },
    {
      name: 'Azure: a credential whose audience is not api://AzureADTokenExchange (copied from IRSA: AADSTS700212)',
      ...azure,
      ports: ports['azure-audience'],
      errors: [{ messageId: 'audience', object: { namespace: 'model-engine', name: 'model-engine' } }],
    },
    {
      name: 'AWS: GetRole finds no role but STS is unreachable: "cannot tell missing from another account", never missing',
      ...aws,
      ports: stsUnreachable,
      errors: [
        { messageId: 'roleUnverified', status: 'skip', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'roleUnverified', status: 'skip', object: { namespace: 'llm-engine', name: 'model-engine' } },
        { messageId: 'unavailable', status: 'skip', object: { namespace: 'default', name: 'kaniko' } },
      ],
    },
    {
      name: 'AWS: the IAM OIDC provider lists the API server audience, not sts.amazonaws.com',
      ...aws,
      ports: ports['aws-provider-audience'],
      errors: onEveryAwsSubject({ messageId: 'providerAudience', status: 'warn', severity: 'high' }),
    },
    {
      name: 'Azure: the client id is neither a managed identity of the subscription nor an app registration (Graph 404)',
      ...azure,
      ports: ports['azure-identity-missing'],
      errors: [
        { messageId: 'identityMissing', status: 'warn', severity: 'high', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'identityMissing', status: 'warn', severity: 'high', object: { namespace: 'kube-system', name: 'keda-operator' } },
      ],
    },
    {
      name: 'Azure: the control plane\'s service account has no client-id annotation: nothing to ask the cloud about it',
      ...azure,
      snapshot: AZURE_UNANNOTATED,
      ports: ports['azure-healthy'],
      errors: [{ messageId: 'notAnnotated', status: 'skip', object: { namespace: 'model-engine', name: 'model-engine' } }],
    },
    { name: 'Azure: OIDC issuer disabled', ...azure, ports: ports['azure-oidc-off'], errors: [{ messageId: 'oidcDisabled', object: { kind: 'ManagedCluster', name: 'ml-aks' } }] },
    {
      name: 'GCP: GSA deleted (403, then 404 on the account), binding for the wrong namespace on the GSA and none on the project',
      ...gcp,
      ports: ports['gcp-broken'],
      errors: [
        { messageId: 'gsaMissing', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'notGranted', object: { namespace: 'llm-engine', name: 'model-engine' } },
      ],
    },
    {
      name: 'GCP: PERMISSION_DENIED on policy and account is "could not ask", never "GSA missing"',
      ...gcp,
      ports: ports['gcp-denied'],
      errors: [
        { messageId: 'unavailable', status: 'skip', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'unavailable', status: 'skip', object: { namespace: 'llm-engine', name: 'model-engine' } },
      ],
    },
    { name: 'without --cloud-api', snapshot: aws.snapshot, namespace: 'model-engine', errors: [{ messageId: 'needsCloudApi', status: 'skip' }] },
  ],
});

describe('identity/cloud-trust over the recorded APIs', () => {
  it('signs every AWS request with SigV4 that verifies, and resolves the issuer through EKS', async () => {
    const before = cloud.requests.length;
    const results = await runCase(check, { name: 'aws', ...aws, ports: fresh('aws-healthy') });
    const mine = cloud.requests.slice(before).filter((r) => r.scenario === 'aws-healthy');
    expect(mine.map((r) => r.file).sort()).toEqual([
      'eks-DescribeCluster-ml-serving-prod',
      'iam-GetOpenIDConnectProvider-oidc.eks.us-west-2.amazonaws.com_id_0A1B2C3D4E5F60718293A4B5C6D7E8F9',
      'iam-GetRole-k8s-main-llm-engine',
      'iam-GetRole-k8s-main-llm-engine-image-builder',
      'iam-GetRole-llm-engine',
      'sts-GetCallerIdentity',
    ]);
    expect(mine.every((r) => r.sigv4 === 'valid')).toBe(true);
    expect(mine.find((r) => r.file === 'sts-GetCallerIdentity')?.headers.authorization).toMatch(/\/us-east-1\/sts\/aws4_request/);
    expect(mine.find((r) => r.file?.startsWith('eks-'))?.headers.authorization).toMatch(/\/us-west-2\/eks\/aws4_request/);
    expect(mine.find((r) => r.file?.startsWith('iam-'))?.headers.authorization).toMatch(/\/us-east-1\/iam\/aws4_request/);
    const cp = results.find((r) => r.object?.namespace === 'model-engine');
    expect(cp?.message).toContain("the cluster's issuer https://oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9");
  });

  it('roleUnverified says why STS could not answer; providerAudience and identityMissing give the command that fixes or checks it', async () => {
    const unverified = (await runCase(check, { name: 'x', ...aws, ports: stsUnreachable })).find((r) => r.messageId === 'roleUnverified' && r.object?.namespace === 'model-engine');
    expect(unverified?.message).toMatch(/^IAM GetRole found no role arn:aws:iam::123456789012:role\/k8s-main-llm-engine for model-engine\/model-engine, but STS could not say which account your credentials are for \(.*ECONNREFUSED.*\)/);
    expect(unverified?.remediation?.commands?.[0]).toMatch(/^aws sts get-caller-identity/);
    const audience = (await runCase(check, { name: 'y', ...aws, ports: fresh('aws-provider-audience') })).find((r) => r.messageId === 'providerAudience');
    expect(audience?.message).toBe('IAM OIDC provider arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9 does not list client id sts.amazonaws.com (it lists https://kubernetes.default.svc)');
    expect(audience?.remediation?.commands?.[0]).toContain('aws iam add-client-id-to-open-id-connect-provider');
    const missing = (await runCase(check, { name: 'z', ...azure, ports: fresh('azure-identity-missing') })).find((r) => r.messageId === 'identityMissing');
    expect(missing?.message).toBe("no user-assigned managed identity (ARM, subscription 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f, the cluster's) and no app registration (Microsoft Graph) has client id 3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45");
    expect(missing?.evidence[0]).toMatchObject({ type: 'probe', detail: expect.stringContaining('Request_ResourceNotFound') });
  });

  it('reports one OIDC provider without the sts.amazonaws.com audience as one incident, however many service accounts trust it', async () => {
    const results = await runCase(check, { name: 'y', ...aws, ports: fresh('aws-provider-audience') });
    const rows = results.filter((r) => r.messageId === 'providerAudience');
    expect(rows.length).toBeGreaterThan(1);
    const incidents = groupIncidents(results).filter((i) => i.members.some((m) => results[m]!.messageId === 'providerAudience'));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.members.map((m) => results[m]!.messageId).filter((id) => id === 'providerAudience')).toHaveLength(rows.length);
    expect(incidents[0]!.keys).toEqual([expect.stringMatching(/^oidc-provider:arn:aws:iam::123456789012:oidc-provider\//)]);
  });

  it('names the accounts when a role is in another account, and never calls it missing', async () => {
    const results = await runCase(check, { name: 'aws', ...aws, ports: fresh('aws-cross-account') });
    expect(results.map((r) => r.messageId)).not.toContain('roleMissing');
    const r = results.find((x) => x.object?.namespace === 'model-engine');
    expect(r?.message).toBe(
      'IAM role arn:aws:iam::123456789012:role/k8s-main-llm-engine of model-engine/model-engine is in account 123456789012, and your credentials are for account 111122223333 (arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/alice): its trust cannot be verified from this account',
    );
    expect(r?.remediation?.commands?.[0]).toBe('aws sts get-caller-identity');
  });

  it('says why each trust policy refuses: StringEquals is literal, :aud must be sts.amazonaws.com, an explicit Deny wins', async () => {
    const results = await runCase(check, { name: 'aws', ...aws, ports: fresh('aws-trust') });
    const why = (ns: string, name: string) => results.find((r) => r.object?.namespace === ns && r.object.name === name)?.message ?? '';
    expect(why('model-engine', 'model-engine')).toContain('compares "system:serviceaccount:model-engine:*" literally');
    expect(why('default', 'kaniko')).toContain(':aud" allows "https://kubernetes.default.svc", not "sts.amazonaws.com"');
    expect(why('llm-engine', 'model-engine')).toContain('explicit Deny in statement "NotInferenceNamespaces" wins over any Allow');
    const fix = results.find((r) => r.object?.name === 'kaniko')?.remediation;
    expect(JSON.parse(fix?.values ?? '{}')).toMatchObject({
      Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9' },
      Condition: { StringEquals: { 'oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:aud': 'sts.amazonaws.com' } },
    });
  });

  it('judges EKS Pod Identity associations through their role (aws:SourceAccount and aws:SourceArn of the cluster)', async () => {
    const before = cloud.requests.length;
    const results = await runCase(check, { name: 'pia', snapshot: 'fixtures/clusters/identity-aws-pod-identity', namespace: 'model-engine', ...opts, ports: fresh('aws-pod-identity') });
    const ok = results.find((r) => r.object?.namespace === 'model-engine');
    expect(ok).toMatchObject({ status: 'pass', messageId: 'podIdentityTrusted' });
    expect(ok?.message).toContain('role arn:aws:iam::123456789012:role/model-engine-pod-identity');
    const bad = results.find((r) => r.object?.namespace === 'llm-engine');
    expect(bad?.message).toContain('no statement allows pods.eks.amazonaws.com sts:TagSession');
    expect(JSON.parse(bad?.remediation?.values ?? '{}')).toEqual({ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    const mine = cloud.requests.slice(before).filter((r) => r.scenario === 'aws-pod-identity');
    expect(mine.every((r) => r.sigv4 === 'valid')).toBe(true);
    expect(mine.some((r) => r.path === '/clusters/ml-serving-prod/pod-identity-associations?namespace=llm-engine&serviceAccount=model-engine')).toBe(true);
  });

  it('says when the issuer could not be confirmed (EKS does not know the cluster name)', async () => {
    const results = await runCase(check, { name: 'aws', ...aws, ports: fresh('aws-no-role') });
    const skipped = results.find((r) => r.messageId === 'unavailable');
    expect(skipped?.message).toContain('AccessDenied');
  });

  it('follows ARM nextLink pages with the token DefaultAzureCredential got through the workload identity file', async () => {
    const before = cloud.requests.length;
    const entraBefore = entra.requests.length;
    await runCase(check, { name: 'azure', ...azure, ports: fresh('azure-healthy') });
    const mine = cloud.requests.slice(before).filter((r) => r.scenario === 'azure-healthy');
    expect(mine.map((r) => r.file)).toEqual(
      expect.arrayContaining(['arm-managedClusters', 'arm-userAssignedIdentities', 'arm-userAssignedIdentities-page2', 'arm-federatedIdentityCredentials-ml-serving-llm-engine']),
    );
    expect(mine.map((r) => `${r.path} ${r.headers.authorization}`).filter((x) => !x.endsWith(`Bearer ${TEST_ARM_TOKEN}`))).toEqual([]);
    // The token came from Entra's token endpoint with the projected token as client_assertion, ARM's scope.
    const token = entra.requests.slice(entraBefore).find((r) => r.file === 'token-arm');
    expect(new URLSearchParams(token?.body).get('client_assertion')).toBe(FEDERATED_TOKEN);
    // The identity is asked for once even though two subjects (model-engine and KEDA) use it.
    expect(mine.filter((r) => r.file === 'arm-userAssignedIdentities-page2')).toHaveLength(1);
  });

  it('finds an identity past any number of pages (no cap that turns into "not found")', async () => {
    // 25 pages of user-assigned identities, the one wanted on the last: the old 20-page cap reported it missing.
    const root = join(tmp, 'paged');
    mkdirSync(join(root, 'azure-paged'), { recursive: true });
    const SUBID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
    const list = `/subscriptions/${SUBID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2023-01-31`;
    const healthy = join(fixture('fixtures/cloud-identity'), 'azure-healthy');
    for (const f of ['arm-managedClusters.http', 'arm-federatedIdentityCredentials-ml-serving-llm-engine.http']) writeFileSync(join(root, 'azure-paged', f), readFileSync(join(healthy, f)));
    const wanted = JSON.parse(readFileSync(join(healthy, 'arm-userAssignedIdentities-page2.http'), 'utf8').split('\r\n\r\n').at(-1)!) as { value: unknown[] };
    for (let i = 0; i < 25; i++) {
      const value = i === 24 ? wanted.value : [{ id: `/subscriptions/${SUBID}/resourcegroups/rg-${i}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-${i}`, name: `id-${i}`, properties: { clientId: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}` } }];
      const body = JSON.stringify({ value, ...(i < 24 ? { nextLink: `{{base}}${list}&%24skiptoken=page${i + 1}` } : {}) });
      const req = i === 0 ? list : `${list}&%24skiptoken=page${i}`;
      const text = ['# _source: https://learn.microsoft.com/en-us/rest/api/managedidentity/user-assigned-identities/list-by-subscription', `> GET ${req}`, '', 'HTTP/1.1 200 OK', 'Content-Type: application/json; charset=utf-8', '', body].join('\r\n');
      writeFileSync(join(root, 'azure-paged', `arm-userAssignedIdentities-${i}.http`), text);
    }
    const paged = await startRecordedCloud(root);
    try {
      const port = createIdentityCloudPort({
        azure: { credentialOptions: { tlsOptions: { ca: ca.caPem }, disableInstanceDiscovery: true } as never, armEndpoint: `${paged.url}/azure-paged`, scope: 'https://management.azure.com/.default', timeoutMs: 5000, network: 'all' },
      });
      const results = await runCase(check, { name: 'azure', ...azure, ports: { identityCloud: port } });
      expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
      expect(paged.requests.filter((r) => r.path.includes('userAssignedIdentities?'))).toHaveLength(25);
      expect(paged.misses).toEqual([]);
    } finally {
      await paged.close();
    }
  });

  it('looks up an app registration in Microsoft Graph (with a Graph token) when no managed identity has the client id', async () => {
    const before = cloud.requests.length;
    const results = await runCase(check, { name: 'azure', ...azure, ports: fresh('azure-app-registration') });
    const graph = cloud.requests.slice(before).filter((r) => r.path.startsWith('/v1.0/'));
    expect(graph.map((r) => r.file)).toEqual(['graph-application', 'graph-federatedIdentityCredentials']);
    expect(graph.every((r) => r.headers.authorization === 'Bearer test-graph-token')).toBe(true);
    expect(results.find((r) => r.object?.namespace === 'model-engine')?.message).toBe(
      'app registration ml-serving-llm-engine has federated credential model-engine for system:serviceaccount:model-engine:model-engine',
    );
  });

  it('says why a trailing slash matters, and gives the exact issuer back', async () => {
    const results = await runCase(check, { name: 'azure', ...azure, ports: fresh('azure-issuer-slash') });
    const r = results.find((x) => x.messageId === 'issuerMismatch');
    expect(r?.message).toContain('AADSTS700211');
    expect(r?.remediation?.commands?.[0]).toBe(
      'az identity federated-credential update --name model-engine --identity-name ml-serving-llm-engine --resource-group ml-identities --issuer https://eastus.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/4b1f2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/ --subject system:serviceaccount:model-engine:model-engine --audiences api://AzureADTokenExchange',
    );
  });

  it('names the audience a credential accepts, and gives the update that sets api://AzureADTokenExchange', async () => {
    const results = await runCase(check, { name: 'azure', ...azure, ports: fresh('azure-audience') });
    const r = results.find((x) => x.messageId === 'audience');
    expect(r?.message).toContain('federated credential model-engine of ml-serving-llm-engine does not accept audience api://AzureADTokenExchange (it accepts sts.amazonaws.com)');
    expect(r?.remediation?.commands?.[0]).toBe(
      'az identity federated-credential update --name model-engine --identity-name ml-serving-llm-engine --resource-group ml-identities --issuer https://eastus.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/4b1f2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/ --subject system:serviceaccount:model-engine:model-engine --audiences api://AzureADTokenExchange',
    );
    // The KEDA operator's credential, in the same list, is fine.
    expect(results.find((x) => x.object?.namespace === 'kube-system')?.messageId).toBe('azureTrusted');
  });

  it('asks GCP IAM for policy v3 in the query with an empty body, through google-auth-library\'s ADC (metadata server)', async () => {
    const before = cloud.requests.length;
    const results = await runCase(check, { name: 'gcp', ...gcp, ports: fresh('gcp-healthy') });
    const mine = cloud.requests.slice(before).filter((r) => r.scenario === 'gcp-healthy');
    const iam = mine.filter((r) => r.path.includes(':getIamPolicy') && r.path.startsWith('/v1/projects/-/'));
    expect(iam).toHaveLength(2);
    expect(iam.every((r) => r.method === 'POST' && r.body === '' && r.path.endsWith('?options.requestedPolicyVersion=3'))).toBe(true);
    expect(mine.every((r) => r.headers.authorization === `Bearer ${TEST_GCP_TOKEN}`)).toBe(true);
    // The token came from the metadata server through ADC discovery, not from an injected client.
    expect(cloud.requests.some((r) => r.scenario === 'computeMetadata' && r.path.startsWith('/v1/instance/service-accounts/default/token'))).toBe(true);
    const inherited = results.find((r) => r.object?.namespace === 'llm-engine');
    expect(inherited?.message).toContain('inherited from project ml-prod-project');
    const principal = results.find((r) => r.object?.namespace === 'model-engine');
    expect(principal?.message).toContain('principal://iam.googleapis.com/projects/482915736018/locations/global/workloadIdentityPools/ml-prod-project.svc.id.goog/subject/ns/model-engine/sa/model-engine');
  });

  it('says why a 403 is not "missing": IAM answers PERMISSION_DENIED for a missing account and for one you may not read', async () => {
    const results = await runCase(check, { name: 'gcp', ...gcp, ports: fresh('gcp-denied') });
    expect(results.map((r) => r.message).join('\n')).toMatch(/PERMISSION_DENIED: Permission 'iam.serviceAccounts.getIamPolicy' denied.*both when .* does not exist and when your identity may not read it/);
    const missing = await runCase(check, { name: 'gcp', ...gcp, ports: fresh('gcp-broken') });
    expect(missing.find((r) => r.messageId === 'gsaMissing')?.evidence).toContainEqual(expect.objectContaining({ detail: expect.stringContaining('NOT_FOUND: Unknown service account') }));
  });

  it('never prints a token or a key', async () => {
    const all = [
      ...(await runCase(check, { name: 'aws', ...aws, ports: fresh('aws-broken') })),
      ...(await runCase(check, { name: 'azure', ...azure, ports: fresh('azure-broken') })),
      ...(await runCase(check, { name: 'gcp', ...gcp, ports: fresh('gcp-broken') })),
    ];
    const text = JSON.stringify(all);
    for (const secret of [TEST_ARM_TOKEN, TEST_GCP_TOKEN, TEST_AWS_CREDENTIALS.secretAccessKey]) expect(text).not.toContain(secret);
  });

  // Last: every request of this file was answered by a recording (method, path, query and body all matched).
  it('every request matched a recording', () => {
    expect([...cloud.misses, ...entra.misses].map((r) => r.miss)).toEqual([]);
  });
});
