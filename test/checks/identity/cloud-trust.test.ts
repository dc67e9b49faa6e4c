import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import check from '../../../checks/identity/cloud-trust.js';
import { createIdentityCloudPort } from '../../../src/sources/cloud/identity.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';
import { startRecordedCloud, TEST_ARM_TOKEN, TEST_AWS_CREDENTIALS, TEST_GCP_TOKEN, type RecordedCloud } from '../../support/recorded-cloud.js';

const SCENARIOS = ['aws-healthy', 'aws-broken', 'aws-no-role', 'azure-healthy', 'azure-broken', 'azure-oidc-off', 'gcp-healthy', 'gcp-broken', 'gcp-denied'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** Filled in beforeAll, once the server has a port; the cases hold these objects by reference. */
const ports = Object.fromEntries(SCENARIOS.map((s) => [s, {} as Record<string, unknown>])) as Record<Scenario, Record<string, unknown>>;
let cloud: RecordedCloud;
const tokenRequests: string[] = [];

/** A fresh port on a scenario (ports memoise answers for a run, so each run gets its own). */
function portOn(s: Scenario) {
  return createIdentityCloudPort({
    aws: { credentials: TEST_AWS_CREDENTIALS, iamEndpoint: `${cloud.url}/${s}`, eksEndpoint: `${cloud.url}/${s}`, timeoutMs: 5000 },
    azure: {
      // A TokenCredential as @azure/identity's credentials implement it; the scope is ARM's.
      credential: {
        getToken: async (scopes) => {
          tokenRequests.push(String(scopes));
          return { token: TEST_ARM_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      },
      armEndpoint: `${cloud.url}/${s}`,
      scope: 'https://management.azure.com/.default',
      timeoutMs: 5000,
    },
    // No client given: google-auth-library's own ADC discovery finds the metadata server (GCE_METADATA_HOST, the
    // recorded server's computeMetadata scenario). The test network guard still blocks anything but loopback.
    gcp: { iamEndpoint: `${cloud.url}/${s}`, crmEndpoint: `${cloud.url}/${s}`, timeoutMs: 5000, network: 'all' },
  });
}
const fresh = (s: Scenario) => ({ identityCloud: portOn(s) });

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
  tmp = mkdtempSync(join(tmpdir(), 'med-trust-'));
  setEnv({
    GCE_METADATA_HOST: new URL(cloud.url).host,
    GCE_METADATA_IP: undefined,
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    CLOUDSDK_CONFIG: join(tmp, 'gcloud'),
  });
  for (const s of SCENARIOS) ports[s].identityCloud = portOn(s);
});
afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(tmp, { recursive: true, force: true });
  await cloud.close();
});

const opts = { options: { cloudApi: true } };
const aws = { snapshot: 'fixtures/clusters/identity-aws-healthy', namespace: 'model-engine', ...opts };
const azure = { snapshot: 'fixtures/clusters/identity-azure-healthy', namespace: 'model-engine', ...opts };
const gcp = { snapshot: 'fixtures/clusters/identity-gcp-healthy', namespace: 'model-engine', ...opts };

testCheck(check, {
  valid: [
    { name: 'AWS: roles trust their service accounts through the cluster issuer\'s provider', ...aws, ports: ports['aws-healthy'] },
    { name: 'Azure: federated credentials for the SA and the KEDA operator (identity on page 2)', ...azure, ports: ports['azure-healthy'] },
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
      name: 'AWS: roles deleted, one not readable',
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
    ]);
    expect(mine.every((r) => r.sigv4 === 'valid')).toBe(true);
    expect(mine.find((r) => r.file?.startsWith('eks-'))?.headers.authorization).toMatch(/\/us-west-2\/eks\/aws4_request/);
    expect(mine.find((r) => r.file?.startsWith('iam-'))?.headers.authorization).toMatch(/\/us-east-1\/iam\/aws4_request/);
    const cp = results.find((r) => r.object?.namespace === 'model-engine');
    expect(cp?.message).toContain("the cluster's issuer https://oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9");
  });

  it('says when the issuer could not be confirmed (EKS does not know the cluster name)', async () => {
    const results = await runCase(check, { name: 'aws', ...aws, ports: fresh('aws-no-role') });
    const skipped = results.find((r) => r.messageId === 'unavailable');
    expect(skipped?.message).toContain('AccessDenied');
  });

  it('follows ARM nextLink pages with the bearer token and the ARM scope', async () => {
    const before = cloud.requests.length;
    await runCase(check, { name: 'azure', ...azure, ports: fresh('azure-healthy') });
    const mine = cloud.requests.slice(before).filter((r) => r.scenario === 'azure-healthy');
    expect(mine.map((r) => r.file)).toEqual(
      expect.arrayContaining(['arm-managedClusters', 'arm-userAssignedIdentities', 'arm-userAssignedIdentities-page2', 'arm-federatedIdentityCredentials-ml-serving-llm-engine']),
    );
    expect(mine.every((r) => r.headers.authorization === `Bearer ${TEST_ARM_TOKEN}`)).toBe(true);
    expect(mine.every((r) => /api-version=\d{4}-\d{2}-\d{2}/.test(r.path))).toBe(true);
    expect(tokenRequests).toContain('https://management.azure.com/.default');
    // The identity is asked for once even though two subjects (model-engine and KEDA) use it.
    expect(mine.filter((r) => r.file === 'arm-userAssignedIdentities-page2')).toHaveLength(1);
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
    expect(cloud.misses.map((r) => r.miss)).toEqual([]);
  });
});
