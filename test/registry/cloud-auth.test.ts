/**
 * Token flows against real docker-registry processes on loopback: the Bearer challenge (distribution's
 * `auth.token` with a loopback token server), ACR's Entra exchange (the Azure Instance Metadata Service's managed
 * identity token, recorded in fixtures/cloud-identity/metadata, through @azure/identity's DefaultAzureCredential at
 * AZURE_POD_IDENTITY_AUTHORITY_HOST), Artifact Registry's ADC token (the GCE metadata server, recorded in
 * fixtures/cloud-identity/computeMetadata, through google-auth-library at GCE_METADATA_HOST) and ECR's
 * GetAuthorizationToken / DescribeImages (recorded in fixtures/cloud-registry/ecr, through @aws-sdk/client-ecr at
 * AWS_ENDPOINT_URL_ECR, SigV4 verified). The recorded server (test/support/recorded-cloud.ts) answers only a request
 * whose method, path, query, recorded headers and body match a recording, and 501 otherwise. Cloud registry host
 * names reach the loopback registries through the port's address override; TLS still verifies those names.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultAzureCredential } from '@azure/identity';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistryPort } from '../../src/sources/registry/index.js';
import { fixture } from '../support/check-tester.js';
import { startRecordedCloud, TEST_ARM_TOKEN, TEST_AWS_CREDENTIALS, TEST_GCP_TOKEN, type RecordedCloud } from '../support/recorded-cloud.js';
import {
  basic,
  makeCa,
  pusher,
  signRegistryToken,
  startRegistry,
  startTokenServer,
  type TestCa,
  type TestRegistry,
  type TestTokenServer,
  type TokenReply,
} from '../support/registry.js';

const ECR = '123456789012.dkr.ecr.us-west-2.amazonaws.com';
const ACR = 'myreg.azurecr.io';
const GAR = 'us-docker.pkg.dev';
const SERVICE = ACR;
const ISSUER = 'med-test-issuer';
const USER = 'mirror-bot';
const PASS = 'pull-me-please';
/** Entra tokens IMDS hands out, per audience (fixtures/cloud-identity/metadata/token-{arm,acr}.http). */
const MSI_TOKEN = 'entra-access-token-for-tests';
const MSI_ACR_TOKEN = 'entra-acr-audience-token-for-tests';
/** The GCE metadata server's access token (fixtures/cloud-identity/computeMetadata/token.http). */
const GOOGLE_TOKEN = TEST_GCP_TOKEN;
const ACR_REFRESH = 'acr-refresh-token-1';
/** What the recorded Entra token endpoint answers for the ACR audience (fixtures/cloud-identity/<tenant>/token-acr.http). */
const WI_ACR_TOKEN = 'test-acr-token';
/** The projected service account token the workload identity webhook mounts (the recorded client_assertion). */
const FEDERATED_TOKEN =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJpc3MiOiJodHRwczovL2Vhc3R1cy5vaWMucHJvZC1ha3MuYXp1cmUuY29tLzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny80YjFmMmMzZC01ZTZmLTRhN2ItOGM5ZC0wZTFmMmEzYjRjNWQvIiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50Om1vZGVsLWVuZ2luZTptb2RlbC1lbmdpbmUiLCJhdWQiOlsiYXBpOi8vQXp1cmVBRFRva2VuRXhjaGFuZ2UiXX0.c2lnbmF0dXJl';
// What `aws ecr get-login-password` returns: base64 JSON with an expiration (shortened: bcrypt reads 72 bytes).
// fixtures/cloud-registry/ecr/GetAuthorizationToken.http answers base64("AWS:" + this).
const ECR_PASSWORD = Buffer.from(JSON.stringify({ expiration: 1_900_000_000 })).toString('base64');
const TAG = 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4';

let ca: TestCa;
let tokenReg: TestRegistry;
let basicReg: TestRegistry;
let tokens: TestTokenServer;
/** The recorded identity endpoints: IMDS (scenario `metadata`) and the GCE metadata server (`computeMetadata`). */
let identity: RecordedCloud;
/** The recorded ECR API (scenario `ecr`). */
let ecrApi: RecordedCloud;
let gar: RecordedCloud;
/** Which Entra audience the ACR token exchange accepts: `acr` only (azureADAuthenticationAsArmPolicy disabled), or ARM. */
let exchangeAccepts: 'acr' | 'arm' = 'acr';
/** When set, the token service answers anonymous requests with this (Docker Hub's per-IP pull limit). */
let anonymousReply: TokenReply | undefined;
let tmp: string;
const savedEnv: Record<string, string | undefined> = {};

function scopeRepo(scope: string | undefined): string {
  return /^repository:([^:]+):/.exec(scope ?? '')?.[1] ?? '';
}

/** What a recorded server answered since `before`, in one scenario: the recording's name, or why none answered. */
const answered = (cloud: RecordedCloud, scenario: string, before = 0) =>
  cloud.requests
    .slice(before)
    .filter((q) => q.scenario === scenario)
    .map((q) => q.file ?? `miss: ${q.miss}`);

function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in savedEnv)) savedEnv[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'med-cloud-'));
  ca = makeCa([ECR, ACR, GAR]);
  tokens = await startTokenServer((r) => {
    const grant = (name: string) => ({ token: signRegistryToken(ca, { issuer: ISSUER, service: SERVICE, subject: 'x', access: [{ type: 'repository', name, actions: ['pull'] }] }) });
    if (r.path === '/oauth2/exchange') {
      // The Entra token of the accepted audience, from the managed-identity endpoint or the workload-identity exchange.
      const wanted = exchangeAccepts === 'acr' ? [MSI_ACR_TOKEN, WI_ACR_TOKEN] : [MSI_TOKEN, TEST_ARM_TOKEN];
      return r.form?.grant_type === 'access_token' && wanted.includes(r.form.access_token ?? '') && r.form.service === SERVICE ? { refresh_token: ACR_REFRESH } : 401;
    }
    if (r.method === 'POST') {
      if (r.form?.grant_type !== 'refresh_token' || r.form.refresh_token !== ACR_REFRESH) return 401;
      return { access_token: grant(scopeRepo(r.form.scope)).token };
    }
    const repo = scopeRepo(r.query.scope);
    if (!r.authorization && anonymousReply) return anonymousReply;
    if (!r.authorization) {
      // Like Docker Hub: anonymous tokens for everyone, with pull access to public repositories only.
      return repo.startsWith('public/') ? grant(repo) : { token: signRegistryToken(ca, { issuer: ISSUER, service: SERVICE, subject: '', access: [] }) };
    }
    if (r.authorization === basic(USER, PASS) || r.authorization === basic('oauth2accesstoken', GOOGLE_TOKEN)) return grant(repo);
    return 401;
  });
  tokenReg = await startRegistry(ca, { token: { realm: `${tokens.url}/oauth2/token`, service: SERVICE, issuer: ISSUER } });
  basicReg = await startRegistry(ca, { htpasswd: { [USER]: PASS, AWS: ECR_PASSWORD } });

  const pushToken = pusher(tokenReg, ca, (repo) =>
    `Bearer ${signRegistryToken(ca, { issuer: ISSUER, service: SERVICE, subject: 'pusher', access: [{ type: 'repository', name: repo, actions: ['pull', 'push'] }] })}`,
  );
  await pushToken.pushImage('public/busybox', 'latest');
  await pushToken.pushImage('model-engine', TAG);
  await pushToken.pushIndex('my-project/my-repo/vllm', '0.6.3', [{ os: 'linux', architecture: 'amd64' }]);
  const pushBasic = pusher(basicReg, ca, () => basic(USER, PASS));
  await pushBasic.pushImage('model-engine', TAG);
  await pushBasic.pushImage('vllm', '0.6.2');

  identity = await startRecordedCloud(fixture('fixtures/cloud-identity'));
  ecrApi = await startRecordedCloud(fixture('fixtures/cloud-registry'));
  setEnv({
    AWS_ENDPOINT_URL_ECR: `${ecrApi.url}/ecr`,
    // The recorded server recomputes each request's SigV4 signature with these and compares.
    AWS_ACCESS_KEY_ID: TEST_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_AWS_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_REGION: 'us-west-2',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(tmp, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'aws-credentials'),
    AWS_PROFILE: undefined,
    // DefaultAzureCredential's managed identity, through MSAL's IMDS source: AZURE_POD_IDENTITY_AUTHORITY_HOST replaces
    // http://169.254.169.254 (and skips the availability ping). No other managed-identity source may be configured.
    AZURE_POD_IDENTITY_AUTHORITY_HOST: identity.url,
    IDENTITY_ENDPOINT: undefined,
    IDENTITY_HEADER: undefined,
    IDENTITY_SERVER_THUMBPRINT: undefined,
    AZURE_AUTHORITY_HOST: undefined,
    AZURE_CLIENT_ID: undefined,
    AZURE_TENANT_ID: undefined,
    AZURE_CLIENT_SECRET: undefined,
    AZURE_FEDERATED_TOKEN_FILE: undefined,
    MSI_ENDPOINT: undefined,
    IMDS_ENDPOINT: undefined,
    GCE_METADATA_HOST: new URL(identity.url).host,
    GCE_METADATA_IP: undefined,
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    CLOUDSDK_CONFIG: join(tmp, 'gcloud'),
    // Without it ADC runs `gcloud config config-helper`, a process the test network guard cannot see.
    GOOGLE_CLOUD_PROJECT: 'my-project',
  });
  // Artifact Registry's REST API, recorded; @google-cloud/artifact-registry reaches it through its fallback transport.
  gar = await startRecordedCloud(fixture('fixtures/cloud-registry'), { scenario: 'artifact-registry' });
  setEnv({ MED_GCP_ARTIFACT_REGISTRY_ENDPOINT: gar.url });
}, 60_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await Promise.all([tokenReg?.stop(), basicReg?.stop(), tokens?.stop(), gar?.close(), identity?.close(), ecrApi?.close()]);
  rmSync(tmp, { recursive: true, force: true });
  rmSync(ca.dir, { recursive: true, force: true });
});

const signal = () => AbortSignal.timeout(20_000);

function port(extra: Parameters<typeof createRegistryPort>[0] = {}) {
  const tokenAddr = { host: '127.0.0.1', port: tokenReg.port };
  const basicAddr = { host: '127.0.0.1', port: basicReg.port };
  return createRegistryPort({
    dockerConfig: join(tmp, 'no-docker-config.json'),
    certsDir: join(tmp, 'no-certs'),
    ca: { [tokenReg.host]: [ca.caPem], [ACR]: [ca.caPem], [GAR]: [ca.caPem], [ECR]: [ca.caPem] },
    connectTo: { [ACR]: tokenAddr, [GAR]: tokenAddr, [ECR]: basicAddr },
    ...extra,
  });
}

describe('Bearer token challenge', () => {
  it('gets an anonymous token for a public repository, with the service and scope of the challenge', async () => {
    const before = tokens.requests.length;
    const r = await port().probe({ ref: `${tokenReg.host}/public/busybox:latest` }, signal());
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe('anonymous');
    expect(tokens.requests.slice(before)).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/oauth2/token', query: { service: SERVICE, scope: 'repository:public/busybox:pull' } }),
    );
  });

  it('is unauthorized anonymously for a private repository and exists with docker config credentials', async () => {
    const anon = await port().probe({ ref: `${tokenReg.host}/model-engine:${TAG}` }, signal());
    expect(anon.status).toBe('unauthorized');
    const cfg = join(tmp, 'docker.json');
    writeFileSync(cfg, JSON.stringify({ auths: { [tokenReg.host]: { username: USER, password: PASS } } }));
    const withCfg = await port({ dockerConfig: cfg }).probe({ ref: `${tokenReg.host}/model-engine:${TAG}` }, signal());
    expect(withCfg.status).toBe('exists');
    expect(withCfg.checkedWith.map((c) => c.outcome)).toEqual(['rejected', 'answered']);
  });

  it('reports rejected credentials when the token service refuses them', async () => {
    const cfg = join(tmp, 'docker-bad.json');
    writeFileSync(cfg, JSON.stringify({ auths: { [tokenReg.host]: { username: USER, password: 'wrong' } } }));
    const r = await port({ dockerConfig: cfg }).probe({ ref: `${tokenReg.host}/model-engine:${TAG}` }, signal());
    expect(r.status).toBe('unauthorized');
    expect(r.checkedWith[1]).toMatchObject({ outcome: 'rejected', detail: expect.stringContaining('token service 127.0.0.1') });
  });
});

describe('cloud registry logins', () => {
  it('ACR: asks IMDS (recorded) for a token for the registry audience first (all a registry with azureADAuthenticationAsArmPolicy disabled accepts), exchanges it, and says which worked', async () => {
    exchangeAccepts = 'acr';
    const before = identity.requests.length;
    const r = await port().probe({ ref: `${ACR}/model-engine:${TAG}` }, signal());
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe('Entra token for https://containerregistry.azure.net (your Azure identity), exchanged at ACR /oauth2/exchange');
    // One IMDS request, answered by the recording of GET /metadata/identity/oauth2/token?api-version=2018-02-01
    // &resource=https://containerregistry.azure.net with Metadata: true; the ARM audience was not needed, so not asked.
    expect(answered(identity, 'metadata', before)).toEqual(['token-acr']);
    const paths = tokens.requests.filter((x) => x.method === 'POST').map((x) => x.path);
    expect(paths).toEqual(expect.arrayContaining(['/oauth2/exchange', '/oauth2/token']));
    expect(JSON.stringify(r)).not.toContain(MSI_ACR_TOKEN);
  });

  it('ACR: falls back to the ARM audience (IMDS, recorded) when the registry refuses the registry-audience token, and says so', async () => {
    exchangeAccepts = 'arm';
    try {
      const before = identity.requests.length;
      const r = await port().probe({ ref: `${ACR}/model-engine:${TAG}` }, signal());
      expect(r.status).toBe('exists');
      expect(r.answeredBy).toBe('Entra token for https://management.azure.com (your Azure identity), exchanged at ACR /oauth2/exchange');
      expect(r.checkedWith.map((c) => `${c.label.split(' (')[0]}: ${c.outcome}`)).toEqual([
        'anonymous: rejected',
        'Entra token for https://containerregistry.azure.net: rejected',
        'Entra token for https://management.azure.com: answered',
      ]);
      // IMDS was asked for the ARM audience once. The registry audience may come from MSAL's managed-identity token
      // cache, which is process-wide (@azure/msal-node ManagedIdentityApplication's static nodeStorage), so IMDS sees
      // it only when no earlier test asked for it; nothing else was asked and nothing missed.
      const asked = answered(identity, 'metadata', before);
      expect(asked.filter((f) => f === 'token-arm')).toEqual(['token-arm']);
      expect(asked.every((f) => f === 'token-arm' || f === 'token-acr')).toBe(true);
      expect(JSON.stringify(r)).not.toContain(MSI_TOKEN);
    } finally {
      exchangeAccepts = 'acr';
    }
  });

  it('ACR through the workload-identity token file (AZURE_FEDERATED_TOKEN_FILE): asks Entra for the registry audience, then falls back to ARM (recorded Entra token endpoint)', async () => {
    // DefaultAzureCredential as defaultCloudLogins makes it, given only the test CA (MSAL wants an https authority
    // and NODE_EXTRA_CA_CERTS is read at process start): env-driven, it takes the WorkloadIdentityCredential path and
    // POSTs client_assertion = the token file to <AZURE_AUTHORITY_HOST>/<tenant>/oauth2/v2.0/token.
    const entra = await startRecordedCloud(fixture('fixtures/cloud-identity'), { tls: { cert: readFileSync(ca.certFile, 'utf8'), key: readFileSync(ca.keyFile, 'utf8') } });
    const tokenFile = join(tmp, 'azure-identity-token');
    writeFileSync(tokenFile, FEDERATED_TOKEN);
    const saved = Object.fromEntries(['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_AUTHORITY_HOST', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER'].map((k) => [k, process.env[k]]));
    Object.assign(process.env, { AZURE_CLIENT_ID: '3f8e2a71-5c4d-4b9e-a2f0-6d1c8e7b9a45', AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', AZURE_FEDERATED_TOKEN_FILE: tokenFile, AZURE_AUTHORITY_HOST: entra.url });
    delete process.env.IDENTITY_ENDPOINT;
    delete process.env.IDENTITY_HEADER;
    const credential = new DefaultAzureCredential({ tlsOptions: { ca: ca.caPem }, disableInstanceDiscovery: true } as ConstructorParameters<typeof DefaultAzureCredential>[0]);
    const azureToken = async (scope: string, s: AbortSignal) => (await credential.getToken(scope, { abortSignal: s })).token;
    const imdsBefore = identity.requests.length;
    try {
      for (const accepts of ['acr', 'arm'] as const) {
        exchangeAccepts = accepts;
        const before = entra.requests.length;
        const r = await port({ logins: { azureToken } }).probe({ ref: `${ACR}/model-engine:${TAG}` }, signal());
        expect(r.status).toBe('exists');
        const audience = accepts === 'acr' ? 'https://containerregistry.azure.net' : 'https://management.azure.com';
        expect(r.answeredBy).toBe(`Entra token for ${audience} (your Azure identity), exchanged at ACR /oauth2/exchange`);
        const asked = entra.requests.slice(before).filter((q) => q.path.includes('/oauth2/v2.0/token')).map((q) => `${q.file ?? `miss: ${q.miss}`} ${new URLSearchParams(q.body).get('scope')}`);
        // MSAL caches the token per scope: the second run asks only for what it did not ask before.
        expect(asked).toEqual(accepts === 'acr' ? ['token-acr https://containerregistry.azure.net/.default'] : ['token-arm https://management.azure.com/.default']);
        expect(JSON.stringify(r)).not.toContain(accepts === 'acr' ? WI_ACR_TOKEN : TEST_ARM_TOKEN);
      }
      expect(entra.misses).toEqual([]);
      // The workload identity answered; IMDS was never asked.
      expect(answered(identity, 'metadata', imdsBefore)).toEqual([]);
    } finally {
      exchangeAccepts = 'acr';
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await entra.close();
    }
  });

  it('Artifact Registry: uses the ADC access token (GCE metadata server, recorded) as oauth2accesstoken', async () => {
    const before = identity.requests.length;
    const r = await port().probe({ ref: `${GAR}/my-project/my-repo/vllm:0.6.3`, architectures: ['amd64'] }, signal());
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe('Google ADC access token (your Google identity)');
    // google-auth-library's ADC found the metadata server (GET /computeMetadata/v1/instance) and asked it for the
    // default service account's token for the cloud-platform scope, each with Metadata-Flavor: Google.
    expect(answered(identity, 'computeMetadata', before)).toEqual(['instance', 'token']);
    expect(tokens.requests).toContainEqual(expect.objectContaining({ authorization: basic('oauth2accesstoken', GOOGLE_TOKEN) }));
  });

  it('ECR: logs in with GetAuthorizationToken (recorded, SigV4 verified) and reports when that token expires', async () => {
    const before = ecrApi.requests.length;
    const r = await port().probe({ ref: `${ECR}/model-engine:${TAG}` }, signal());
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe('ECR GetAuthorizationToken (your AWS credentials)');
    expect(r.checkedWith.at(-1)?.expiresAt).toBe(new Date(1_900_000_000 * 1000).toISOString());
    // POST / with X-Amz-Target …GetAuthorizationToken, application/x-amz-json-1.1 and body {}, signed for ecr in us-west-2.
    expect(answered(ecrApi, 'ecr', before)).toEqual(['GetAuthorizationToken']);
    expect(ecrApi.requests.slice(before).map((q) => q.sigv4)).toEqual(['valid']);
    expect(ecrApi.requests[before]?.headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/ecr\/aws4_request/);
    expect(JSON.stringify(r)).not.toContain(ECR_PASSWORD);
  });

  it('ECR with --cloud-api: DescribeImages (recorded) tells a missing tag (with the tags that exist) from a missing repository', async () => {
    const before = ecrApi.requests.length;
    const p = port({ cloudApi: true });
    const tag = await p.probe({ ref: `${ECR}/vllm:0.7.0` }, signal());
    expect(tag).toMatchObject({ status: 'missing-tag', cloudApi: 'ECR DescribeImages', tags: ['0.6.3', '0.6.2'] });
    const repo = await p.probe({ ref: `${ECR}/tensorrt-llm:latest` }, signal());
    expect(repo).toMatchObject({ status: 'missing-repository', cloudApi: 'ECR DescribeImages' });
    const described = answered(ecrApi, 'ecr', before).filter((f) => f !== 'GetAuthorizationToken');
    expect(described).toEqual(['DescribeImages-vllm-0.7.0', 'DescribeImages-vllm-tagged', 'DescribeImages-tensorrt-llm-latest']);
    expect(ecrApi.requests.slice(before).every((q) => q.sigv4 === 'valid')).toBe(true);
  });

  it('Artifact Registry with --cloud-api: @google-cloud/artifact-registry over its REST fallback transport on loopback tells a missing tag and lists the tags', async () => {
    const before = gar.requests.length;
    const p = port({ cloudApi: true });
    const r = await p.probe({ ref: `${GAR}/my-project/my-repo/llm-engine/batch-infer-vllm:0.9.9` }, signal());
    expect(r).toMatchObject({ status: 'missing-tag', cloudApi: 'Artifact Registry tags', tags: ['0.6.3', '0.7.0'] });
    const mine = gar.requests.slice(before);
    expect(mine.map((q) => q.file)).toEqual(['getTag-batch-infer-vllm-0.9.9', 'listTags-batch-infer-vllm']);
    expect(mine.every((q) => q.headers.authorization === `Bearer ${GOOGLE_TOKEN}`)).toBe(true);
    const repo = await p.probe({ ref: `${GAR}/my-project/my-repo/tensorrt-llm:1.0` }, signal());
    expect(repo).toMatchObject({ status: 'missing-repository', cloudApi: 'Artifact Registry tags' });
    expect(gar.misses).toEqual([]);
  });

  it('says so when no cloud credentials are available', async () => {
    const r = await port({ logins: { ecr: () => Promise.reject(new Error('Could not load credentials from any providers')) } }).probe({ ref: `${ECR}/model-engine:${TAG}` }, signal());
    expect(r.status).toBe('unauthorized');
    expect(r.checkedWith.at(-1)).toMatchObject({ label: 'ECR GetAuthorizationToken', outcome: 'unavailable', detail: expect.stringContaining('Could not load credentials') });
  });
});

describe('the recorded IMDS, GCE metadata and ECR endpoints', () => {
  // Fresh servers on the same recordings, so these misses do not mix with the requests the tests above count.
  it.each<[string, 'identity' | 'registry', string, RequestInit, RegExp]>([
    [
      'IMDS without the Metadata: true header',
      'identity',
      '/metadata/identity/oauth2/token/?api-version=2018-02-01&resource=https%3A%2F%2Fcontainerregistry.azure.net',
      {},
      /header differed: metadata got \(none\), recorded true \(token-acr\)/,
    ],
    [
      'IMDS with another api-version',
      'identity',
      '/metadata/identity/oauth2/token/?api-version=2019-08-01&resource=https%3A%2F%2Fcontainerregistry.azure.net',
      { headers: { Metadata: 'true' } },
      /query differed: got api-version=2019-08-01&resource=https:\/\/containerregistry\.azure\.net/,
    ],
    ['IMDS for an audience nobody recorded', 'identity', '/metadata/identity/oauth2/token/?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net', { headers: { Metadata: 'true' } }, /query differed/],
    ['IMDS at another path', 'identity', '/metadata/identity/oauth2/tokens/?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com', { headers: { Metadata: 'true' } }, /no recording has path/],
    [
      'the GCE token without Metadata-Flavor: Google',
      'identity',
      '/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform',
      {},
      /header differed: metadata-flavor got \(none\), recorded Google \(token\)/,
    ],
    [
      'the GCE token with another Metadata-Flavor',
      'identity',
      '/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform',
      { headers: { 'Metadata-Flavor': 'Amazon' } },
      /header differed: metadata-flavor got Amazon, recorded Google/,
    ],
    ['the GCE token as POST', 'identity', '/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform', { method: 'POST', headers: { 'Metadata-Flavor': 'Google' } }, /method differed/],
    ['an identity token instead of an access token', 'identity', '/computeMetadata/v1/instance/service-accounts/default/identity?audience=x', { headers: { 'Metadata-Flavor': 'Google' } }, /no recording has path/],
    [
      'ECR with another X-Amz-Target',
      'registry',
      '/ecr/',
      { method: 'POST', headers: { 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories', 'Content-Type': 'application/x-amz-json-1.1' }, body: '{}' },
      /header differed: .*x-amz-target got AmazonEC2ContainerRegistry_V20150921\.DescribeRepositories, recorded AmazonEC2ContainerRegistry_V20150921\.GetAuthorizationToken \(GetAuthorizationToken\)/,
    ],
    [
      'ECR as JSON 1.0',
      'registry',
      '/ecr/',
      { method: 'POST', headers: { 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'Content-Type': 'application/x-amz-json-1.0' }, body: '{}' },
      /header differed: .*content-type got application\/x-amz-json-1\.0, recorded application\/x-amz-json-1\.1/,
    ],
    [
      'GetAuthorizationToken for another registry',
      'registry',
      '/ecr/',
      { method: 'POST', headers: { 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'Content-Type': 'application/x-amz-json-1.1' }, body: '{"registryIds":["999999999999"]}' },
      /body differed: got \{"registryIds":\["999999999999"\]\}, recorded \{\} \(GetAuthorizationToken\)/,
    ],
    [
      'DescribeImages for a tag nobody recorded',
      'registry',
      '/ecr/',
      {
        method: 'POST',
        headers: { 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeImages', 'Content-Type': 'application/x-amz-json-1.1' },
        body: '{"registryId":"123456789012","repositoryName":"vllm","imageIds":[{"imageTag":"0.6.3"}]}',
      },
      /body differed/,
    ],
    ['ECR as GET', 'registry', '/ecr/', { headers: { 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' } }, /method differed/],
  ])('refuse %s with 501 and say what differed', async (_name, root, path, init, why) => {
    const cloud = await startRecordedCloud(fixture(root === 'identity' ? 'fixtures/cloud-identity' : 'fixtures/cloud-registry'));
    try {
      const res = await fetch(`${cloud.url}${path}`, init);
      expect(res.status).toBe(501);
      expect(await res.text()).toMatch(why);
      expect(cloud.misses.map((q) => q.miss)).toEqual([expect.stringMatching(why)]);
    } finally {
      await cloud.close();
    }
  });

  it('answer the documented requests themselves (the shape the refusals above depart from)', async () => {
    const [id, reg] = await Promise.all([startRecordedCloud(fixture('fixtures/cloud-identity')), startRecordedCloud(fixture('fixtures/cloud-registry'))]);
    try {
      const imds = await fetch(`${id.url}/metadata/identity/oauth2/token/?resource=https%3A%2F%2Fcontainerregistry.azure.net&api-version=2018-02-01`, { headers: { Metadata: 'true' } });
      expect(imds.status).toBe(200);
      expect(await imds.json()).toMatchObject({ access_token: MSI_ACR_TOKEN, resource: 'https://containerregistry.azure.net', token_type: 'Bearer', expires_in: '86399' });
      const gce = await fetch(`${id.url}/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform`, { headers: { 'Metadata-Flavor': 'Google' } });
      expect(gce.status).toBe(200);
      expect(gce.headers.get('metadata-flavor')).toBe('Google');
      expect(await gce.json()).toEqual({ access_token: GOOGLE_TOKEN, expires_in: 3599, token_type: 'Bearer' });
      const ecr = await fetch(`${reg.url}/ecr/`, {
        method: 'POST',
        headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'content-type': 'application/x-amz-json-1.1' },
        body: '{ }',
      });
      expect(ecr.status).toBe(200);
      const data = ((await ecr.json()) as { authorizationData: { authorizationToken: string }[] }).authorizationData[0]!;
      expect(Buffer.from(data.authorizationToken, 'base64').toString('utf8')).toBe(`AWS:${ECR_PASSWORD}`);
      expect([...id.misses, ...reg.misses]).toEqual([]);
    } finally {
      await Promise.all([id.close(), reg.close()]);
    }
  });

  it('ACR: under the loopback-only network policy, a managed identity whose IMDS host is the real 169.254.169.254 is not asked', async () => {
    const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = 'http://169.254.169.254';
    const before = identity.requests.length;
    try {
      const r = await port().probe({ ref: `${ACR}/model-engine:${TAG}` }, signal());
      expect(r.status).toBe('unauthorized');
      expect(r.checkedWith.at(-1)).toMatchObject({ outcome: 'unavailable', detail: 'this run may reach loopback addresses only; no cloud login was attempted' });
      expect(identity.requests.length).toBe(before);
    } finally {
      process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved;
    }
  });

  it('ECR: a GetAuthorizationToken that no recording answers (another endpoint) is an unusable login, never "exists"', async () => {
    const cloud = await startRecordedCloud(fixture('fixtures/cloud-registry'));
    const saved = process.env.AWS_ENDPOINT_URL_ECR;
    // The same SDK call, sent where only the Artifact Registry recordings are: path / has no recording there.
    process.env.AWS_ENDPOINT_URL_ECR = `${cloud.url}/artifact-registry`;
    try {
      const r = await port().probe({ ref: `${ECR}/model-engine:${TAG}` }, signal());
      expect(r.status).toBe('unauthorized');
      expect(r.answeredBy).toBeUndefined();
      expect(r.checkedWith.at(-1)).toMatchObject({ label: 'ECR GetAuthorizationToken', outcome: 'unavailable' });
      expect(cloud.misses.map((q) => q.miss)).toEqual([expect.stringMatching(/^POST \/: no recording has path \//)]);
    } finally {
      process.env.AWS_ENDPOINT_URL_ECR = saved;
      await cloud.close();
    }
  });
});

describe('rate limits and failing token services', () => {
  it('a 429 from the token service is "rate-limited" for that credential (with the limit the headers give), and the next credential is still tried', async () => {
    anonymousReply = {
      reply: {
        status: 429,
        headers: { 'retry-after': '3600', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600', 'docker-ratelimit-source': '203.0.113.7' },
        body: { errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] },
      },
    };
    try {
      const cfg = join(tmp, 'docker-rl.json');
      writeFileSync(cfg, JSON.stringify({ auths: { [tokenReg.host]: { username: USER, password: PASS } } }));
      const ok = await port({ dockerConfig: cfg }).probe({ ref: `${tokenReg.host}/public/busybox:latest` }, signal());
      expect(ok.status).toBe('exists');
      expect(ok.checkedWith.map((c) => c.outcome)).toEqual(['rate-limited', 'answered']);
      const only = await port().probe({ ref: `${tokenReg.host}/public/busybox:latest` }, signal());
      expect(only).toMatchObject({ status: 'rate-limited', httpStatus: 429, rateLimit: { retryAfter: '3600', limit: '100;w=21600', remaining: '0;w=21600', source: '203.0.113.7' } });
      expect(only.detail).toContain('limit 100 per 21600 s, 0 left, retry after 3600 s');
      expect(only.checkedWith[0]?.detail).not.toContain('refused');
    } finally {
      anonymousReply = undefined;
    }
  });

  it('a 5xx from the token service is a registry error, not "credentials rejected"', async () => {
    anonymousReply = { reply: { status: 503, body: { errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] } } };
    try {
      const r = await port().probe({ ref: `${tokenReg.host}/public/busybox:latest` }, signal());
      expect(r).toMatchObject({ status: 'registry-error', httpStatus: 503 });
      expect(r.checkedWith[0]).toMatchObject({ outcome: 'registry-error', detail: expect.stringContaining('answered HTTP 503') });
    } finally {
      anonymousReply = undefined;
    }
  });
});
