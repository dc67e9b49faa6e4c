/**
 * Token flows against real docker-registry processes on loopback: the Bearer challenge (distribution's
 * `auth.token` with a loopback token server), ACR's Entra exchange (an App Service managed-identity endpoint on
 * loopback through @azure/identity), Artifact Registry's ADC token (a GCE metadata server on loopback through
 * google-auth-library) and ECR's GetAuthorizationToken / DescribeImages (recorded responses on loopback through
 * @aws-sdk/client-ecr with AWS_ENDPOINT_URL_ECR). Cloud registry host names reach the loopback registries through
 * the port's address override; TLS still verifies those names.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultAzureCredential } from '@azure/identity';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistryPort } from '../../src/sources/registry/index.js';
import { fixture } from '../support/check-tester.js';
import { startRecordedCloud, TEST_ARM_TOKEN, type RecordedCloud } from '../support/recorded-cloud.js';
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
/** Entra tokens the managed-identity endpoint hands out, per audience. */
const MSI_TOKEN = 'entra-access-token-for-tests';
const MSI_ACR_TOKEN = 'entra-acr-audience-token-for-tests';
const GOOGLE_TOKEN = 'ya29.test-access-token';
const ACR_REFRESH = 'acr-refresh-token-1';
/** What the recorded Entra token endpoint answers for the ACR audience (fixtures/cloud-identity/<tenant>/token-acr.http). */
const WI_ACR_TOKEN = 'test-acr-token';
/** The projected service account token the workload identity webhook mounts (the recorded client_assertion). */
const FEDERATED_TOKEN =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJpc3MiOiJodHRwczovL2Vhc3R1cy5vaWMucHJvZC1ha3MuYXp1cmUuY29tLzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny80YjFmMmMzZC01ZTZmLTRhN2ItOGM5ZC0wZTFmMmEzYjRjNWQvIiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50Om1vZGVsLWVuZ2luZTptb2RlbC1lbmdpbmUiLCJhdWQiOlsiYXBpOi8vQXp1cmVBRFRva2VuRXhjaGFuZ2UiXX0.c2lnbmF0dXJl';
// What `aws ecr get-login-password` returns: base64 JSON with an expiration (shortened: bcrypt reads 72 bytes).
const ECR_PASSWORD = Buffer.from(JSON.stringify({ expiration: 1_900_000_000 })).toString('base64');
const TAG = 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4';

let ca: TestCa;
let tokenReg: TestRegistry;
let basicReg: TestRegistry;
let tokens: TestTokenServer;
let msi: { server: http.Server; requests: { url: string; header?: string }[] };
let metadata: { server: http.Server; requests: string[] };
let ecrApi: { server: http.Server; targets: string[] };
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

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

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

  const m = await listen((req, res) => {
    msi.requests.push({ url: req.url ?? '', ...(req.headers['x-identity-header'] ? { header: String(req.headers['x-identity-header']) } : {}) });
    res.writeHead(200, { 'content-type': 'application/json' });
    // App Service managed identity protocol: ?resource=<audience>&api-version=2019-08-01.
    const resource = new URL(req.url ?? '/', 'http://x').searchParams.get('resource') ?? '';
    const token = resource === 'https://containerregistry.azure.net' ? MSI_ACR_TOKEN : MSI_TOKEN;
    res.end(JSON.stringify({ access_token: token, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource, token_type: 'Bearer' }));
  });
  msi = { server: m.server, requests: [] };

  const g = await listen((req, res) => {
    metadata.requests.push(req.url ?? '');
    res.setHeader('Metadata-Flavor', 'Google');
    if ((req.url ?? '').startsWith('/computeMetadata/v1/instance/service-accounts/default/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: GOOGLE_TOKEN, expires_in: 3599, token_type: 'Bearer' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('');
  });
  metadata = { server: g.server, requests: [] };

  const e = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      ecrApi.targets.push(target);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { repositoryName?: string; imageIds?: unknown[] };
      const json = (status: number, o: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'test' });
        res.end(JSON.stringify(o));
      };
      if (target.endsWith('.GetAuthorizationToken')) {
        return json(200, {
          authorizationData: [{ authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64'), expiresAt: 1_900_000_000, proxyEndpoint: `https://${ECR}` }],
        });
      }
      if (target.endsWith('.DescribeImages')) {
        if (body.repositoryName !== 'vllm') {
          return json(400, { __type: 'RepositoryNotFoundException', message: `The repository with name '${body.repositoryName}' does not exist in the registry with id '123456789012'` });
        }
        if (body.imageIds) {
          return json(400, { __type: 'ImageNotFoundException', message: "The image with imageId {imageDigest:'null', imageTag:'0.7.0'} does not exist within the repository with name 'vllm'" });
        }
        return json(200, {
          imageDetails: [
            { registryId: '123456789012', repositoryName: 'vllm', imageDigest: 'sha256:aa', imageTags: ['0.6.2'], imagePushedAt: 1_700_000_000 },
            { registryId: '123456789012', repositoryName: 'vllm', imageDigest: 'sha256:bb', imageTags: ['0.6.3'], imagePushedAt: 1_710_000_000 },
          ],
        });
      }
      json(400, { __type: 'UnknownOperationException' });
    });
  });
  ecrApi = { server: e.server, targets: [] };

  setEnv({
    AWS_ENDPOINT_URL_ECR: `http://127.0.0.1:${e.port}`,
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'us-west-2',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(tmp, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'aws-credentials'),
    AWS_PROFILE: undefined,
    IDENTITY_ENDPOINT: `http://127.0.0.1:${m.port}/msi/token`,
    IDENTITY_HEADER: 'test-identity-header',
    AZURE_CLIENT_ID: undefined,
    AZURE_TENANT_ID: undefined,
    AZURE_CLIENT_SECRET: undefined,
    AZURE_FEDERATED_TOKEN_FILE: undefined,
    MSI_ENDPOINT: undefined,
    IMDS_ENDPOINT: undefined,
    GCE_METADATA_HOST: `127.0.0.1:${g.port}`,
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
  await Promise.all([tokenReg?.stop(), basicReg?.stop(), tokens?.stop(), gar?.close()]);
  for (const s of [msi?.server, metadata?.server, ecrApi?.server]) await new Promise((r) => (s ? s.close(r) : r(undefined)));
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
  it('ACR: asks for a token for the registry audience first (all a registry with azureADAuthenticationAsArmPolicy disabled accepts), exchanges it, and says which worked', async () => {
    exchangeAccepts = 'acr';
    const before = msi.requests.length;
    const r = await port().probe({ ref: `${ACR}/model-engine:${TAG}` }, signal());
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe('Entra token for https://containerregistry.azure.net (your Azure identity), exchanged at ACR /oauth2/exchange');
    expect(msi.requests[before]).toMatchObject({ header: 'test-identity-header', url: expect.stringContaining('resource=https%3A%2F%2Fcontainerregistry.azure.net') });
    // The ARM audience was not needed, so it was not asked for.
    expect(msi.requests.slice(before).some((q) => q.url.includes('management.azure.com'))).toBe(false);
    const paths = tokens.requests.filter((x) => x.method === 'POST').map((x) => x.path);
    expect(paths).toEqual(expect.arrayContaining(['/oauth2/exchange', '/oauth2/token']));
    expect(JSON.stringify(r)).not.toContain(MSI_ACR_TOKEN);
  });

  it('ACR: falls back to the ARM audience when the registry refuses the registry-audience token, and says so', async () => {
    exchangeAccepts = 'arm';
    try {
      const r = await port().probe({ ref: `${ACR}/model-engine:${TAG}` }, signal());
      expect(r.status).toBe('exists');
      expect(r.answeredBy).toBe('Entra token for https://management.azure.com (your Azure identity), exchanged at ACR /oauth2/exchange');
      expect(r.checkedWith.map((c) => `${c.label.split(' (')[0]}: ${c.outcome}`)).toEqual([
        'anonymous: rejected',
        'Entra token for https://containerregistry.azure.net: rejected',
        'Entra token for https://management.azure.com: answered',
      ]);
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
    const msiBefore = msi.requests.length;
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
      expect(msi.requests.length).toBe(msiBefore);
    } finally {
      exchangeAccepts = 'acr';
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await entra.close();
    }
  });

  it('Artifact Registry: uses the ADC access token as oauth2accesstoken', async () => {
    const r = await port().probe({ ref: `${GAR}/my-project/my-repo/vllm:0.6.3`, architectures: ['amd64'] }, signal());
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe('Google ADC access token (your Google identity)');
    expect(metadata.requests.some((u) => u.startsWith('/computeMetadata/v1/instance/service-accounts/default/token'))).toBe(true);
    expect(tokens.requests).toContainEqual(expect.objectContaining({ authorization: basic('oauth2accesstoken', GOOGLE_TOKEN) }));
  });

  it('ECR: logs in with GetAuthorizationToken and reports when that token expires', async () => {
    const r = await port().probe({ ref: `${ECR}/model-engine:${TAG}` }, signal());
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe('ECR GetAuthorizationToken (your AWS credentials)');
    expect(r.checkedWith.at(-1)?.expiresAt).toBe(new Date(1_900_000_000 * 1000).toISOString());
    expect(ecrApi.targets).toContain('AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    expect(JSON.stringify(r)).not.toContain(ECR_PASSWORD);
  });

  it('ECR with --cloud-api: DescribeImages tells a missing tag (with the tags that exist) from a missing repository', async () => {
    const p = port({ cloudApi: true });
    const tag = await p.probe({ ref: `${ECR}/vllm:0.7.0` }, signal());
    expect(tag).toMatchObject({ status: 'missing-tag', cloudApi: 'ECR DescribeImages', tags: ['0.6.3', '0.6.2'] });
    const repo = await p.probe({ ref: `${ECR}/tensorrt-llm:latest` }, signal());
    expect(repo).toMatchObject({ status: 'missing-repository', cloudApi: 'ECR DescribeImages' });
    expect(ecrApi.targets.filter((t) => t.endsWith('.DescribeImages')).length).toBeGreaterThanOrEqual(3);
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
