/**
 * The registry probe against a real docker-registry over TLS with htpasswd auth: existence with digests,
 * missing tag vs missing repository, platforms of single images and OCI indexes, credentials from a docker
 * config and from pull secrets (including redacted and expired ones), TLS and network failures.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, KubePort } from '../../src/engine/index.js';
import { ForbiddenError } from '../../src/engine/errors.js';
import { createRegistryPort } from '../../src/sources/registry/index.js';
import { helperServerUrl } from '../../src/sources/registry/cred-helper.js';
import { credentialHelperFor, dockerConfigCredentialsForHost } from '../../src/sources/registry/credentials.js';
import { basic, freePort, makeCa, pusher, startRegistry, startRegistryProxy, type TestCa, type TestRegistry } from '../support/registry.js';

const USER = 'mirror-bot';
const PASS = 'pull-me-please';

let ca: TestCa;
let reg: TestRegistry;
let tmp: string;
let dockerConfig: string;
const digests: Record<string, string> = {};

const signal = () => AbortSignal.timeout(20_000);

/** A read-only KubePort holding a few Secrets (as `kubectl get secret -o yaml` prints them). */
function kubeWithSecrets(secrets: KubeObject[], forbidden: string[] = []): KubePort {
  return {
    target: 'test',
    requestCount: 0,
    async list() {
      return [];
    },
    async get<T extends KubeObject>(_resource: string, name: string, namespace?: string) {
      if (forbidden.includes(`${namespace}/${name}`)) throw new ForbiddenError('get', 'secrets', namespace);
      return secrets.find((s) => s.metadata.name === name && s.metadata.namespace === namespace) as T | undefined;
    },
    async logs() {
      return undefined;
    },
    async hasResource() {
      return true;
    },
  };
}

function pullSecret(ns: string, name: string, auths: Record<string, Record<string, string>>, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
  };
}

beforeAll(async () => {
  ca = makeCa();
  reg = await startRegistry(ca, { htpasswd: { [USER]: PASS } });
  const push = pusher(reg, ca, () => basic(USER, PASS));
  digests.me = await push.pushImage('model-engine', 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4');
  digests.vllm = await push.pushIndex('vllm', '0.6.3', [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
  ]);
  await push.pushImage('vllm', '0.6.2');
  await push.pushImage('arm-only', '1.0', { os: 'linux', architecture: 'arm64' });
  await push.pushIndex('llm-engine/batch-infer-vllm', '0.17.1-batch', [{ os: 'linux', architecture: 'arm64' }]);
  tmp = mkdtempSync(join(tmpdir(), 'med-probe-'));
  dockerConfig = join(tmp, 'config.json');
  writeFileSync(dockerConfig, JSON.stringify({ auths: { [`https://${reg.host}`]: { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') } } }));
}, 60_000);

afterAll(async () => {
  await reg?.stop();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(ca.dir, { recursive: true, force: true });
});

describe('registry probe (htpasswd over TLS)', () => {
  const port = (extra: Parameters<typeof createRegistryPort>[0] = {}) =>
    createRegistryPort({ ca: { [reg.host]: [ca.caPem] }, dockerConfig, certsDir: join(tmp, 'no-certs'), ...extra });

  it('finds an image with the docker config credentials and reports its digest and who answered', async () => {
    const r = await port().probe({ ref: `${reg.host}/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4` }, signal());
    expect(r.status).toBe('exists');
    expect(r.digest).toBe(digests.me);
    expect(r.answeredBy).toBe(`docker config ${dockerConfig}`);
    expect(r.checkedWith.map((c) => [c.label, c.outcome])).toEqual([
      ['anonymous', 'rejected'],
      [`docker config ${dockerConfig}`, 'answered'],
    ]);
    expect(JSON.stringify(r)).not.toContain(PASS);
  });

  it('says unauthorized when no credential is accepted', async () => {
    const r = await port({ dockerConfig: join(tmp, 'missing.json') }).probe({ ref: `${reg.host}/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4` }, signal());
    expect(r.status).toBe('unauthorized');
    expect(r.httpStatus).toBe(401);
    expect(r.checkedWith).toEqual([expect.objectContaining({ label: 'anonymous', outcome: 'rejected' })]);
  });

  it('tells a missing tag (listing the existing tags) from a missing repository', async () => {
    const p = port();
    const tag = await p.probe({ ref: `${reg.host}/vllm:latest` }, signal());
    expect(tag.status).toBe('missing-tag');
    expect([...(tag.tags ?? [])].sort()).toEqual(['0.6.2', '0.6.3', '0.6.3-amd64', '0.6.3-arm64v8']);
    const repo = await p.probe({ ref: `${reg.host}/tensorrt-llm:latest` }, signal());
    expect(repo.status).toBe('missing-repository');
    expect(repo.errorCode).toBe('NAME_UNKNOWN');
  });

  it.each([
    ['a multi-platform index covering both node architectures', 'vllm:0.6.3', ['amd64', 'arm64'], 'exists', []],
    ['a single arm64 image on amd64 nodes', 'arm-only:1.0', ['amd64'], 'platform-missing', ['linux/amd64']],
    ['an arm64-only index on amd64 nodes', 'llm-engine/batch-infer-vllm:0.17.1-batch', ['amd64'], 'platform-missing', ['linux/amd64']],
    ['a single amd64 image on amd64 nodes', 'vllm:0.6.2', ['amd64'], 'exists', []],
  ])('platforms: %s', async (_name, ref, archs, status, missing) => {
    const r = await port().probe({ ref: `${reg.host}/${ref}`, architectures: archs }, signal());
    expect(r.status).toBe(status);
    expect(r.missingPlatforms ?? []).toEqual(missing);
    expect(r.platforms?.length).toBeGreaterThan(0);
  });

  it('uses the pull secrets of the service accounts, and says when they are redacted, expired, missing or unreadable', async () => {
    const expired = Buffer.from(JSON.stringify({ payload: 'x', datakey: 'y', version: '2', type: 'DATA_KEY', expiration: 1_700_000_000 })).toString('base64');
    const kube = kubeWithSecrets([
      pullSecret('llm-engine', 'redacted', { [reg.host]: { username: USER, password: 'REDACTED' } }, { 'model-engine-doctor/redacted': 'true' }),
      pullSecret('llm-engine', 'ecr-old', { [reg.host]: { username: 'AWS', password: expired } }),
      pullSecret('llm-engine', 'other-host', { 'ghcr.io': { username: 'x', password: 'y' } }),
      pullSecret('llm-engine', 'good', { [reg.host]: { username: USER, password: PASS } }),
    ], ['llm-engine/hidden']);
    const r = await port({ kube, dockerConfig: join(tmp, 'missing.json') }).probe(
      {
        ref: `${reg.host}/vllm:0.6.3`,
        pullSecrets: ['redacted', 'ecr-old', 'other-host', 'absent', 'hidden', 'good'].map((name) => ({ namespace: 'llm-engine', name })),
      },
      signal(),
    );
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe('pull secret llm-engine/good');
    const byLabel = Object.fromEntries(r.checkedWith.map((c) => [c.label, c]));
    expect(byLabel['pull secret llm-engine/redacted']).toMatchObject({ outcome: 'redacted', detail: expect.stringContaining('credentials redacted in snapshot') });
    expect(byLabel['pull secret llm-engine/ecr-old']).toMatchObject({ outcome: 'expired', expiresAt: '2023-11-14T22:13:20.000Z' });
    expect(byLabel['pull secret llm-engine/other-host']).toMatchObject({ outcome: 'unavailable', detail: `has no credentials for ${reg.host}` });
    expect(byLabel['pull secret llm-engine/absent']?.detail).toMatch(/does not exist in namespace llm-engine/);
    expect(byLabel['pull secret llm-engine/hidden']?.detail).toMatch(/forbidden: cannot get secrets/);
    expect(JSON.stringify(r)).not.toContain(PASS);
    expect(JSON.stringify(r)).not.toContain(expired);
  });

  it('reports a TLS error when the registry certificate is not trusted', async () => {
    const r = await createRegistryPort({ dockerConfig, certsDir: join(tmp, 'none') }).probe({ ref: `${reg.host}/vllm:0.6.3` }, signal());
    expect(r.status).toBe('tls-error');
    expect(r.errorCode).toMatch(/CERT|SIGNED|VERIFY/);
  });

  it('trusts a CA found in <certs.d>/<host>/ca.crt, as docker does', async () => {
    const certsDir = join(tmp, 'certs.d');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(certsDir, reg.host), { recursive: true });
    writeFileSync(join(certsDir, reg.host, 'ca.crt'), ca.caPem);
    const r = await createRegistryPort({ dockerConfig, certsDir }).probe({ ref: `${reg.host}/vllm:0.6.3` }, signal());
    expect(r.status).toBe('exists');
  });

  it('reports an unreachable registry with the network error code', async () => {
    const closed = await freePort();
    const r = await port({ timeoutMs: 2000 }).probe({ ref: `127.0.0.1:${closed}/vllm:0.6.3` }, signal());
    expect(r.status).toBe('unreachable');
    expect(r.errorCode).toBe('ECONNREFUSED');
  });

  it('contacts nothing the network policy forbids, and says so', async () => {
    const none = await port({ network: 'none' }).probe({ ref: `${reg.host}/vllm:0.6.3` }, signal());
    expect(none).toMatchObject({ status: 'not-probed', detail: expect.stringContaining('network probes are disabled') });
    const loopbackOnly = await port({ network: 'loopback' }).probe({ ref: 'registry.example.com/vllm:0.6.3' }, signal());
    expect(loopbackOnly).toMatchObject({ status: 'not-probed', detail: expect.stringContaining('registry.example.com was not contacted') });
  });

  it('memoises a probe per run and honours an aborted signal', async () => {
    const p = port();
    const req = { ref: `${reg.host}/vllm:0.6.2`, architectures: ['amd64'] };
    expect(p.probe(req, signal())).toBe(p.probe({ ...req }, signal()));
    const aborted = AbortSignal.abort();
    await expect(port().probe({ ref: `${reg.host}/vllm:0.6.3` }, aborted)).rejects.toThrow();
  });
});

describe('docker credential helpers (credsStore / credHelpers), run as the docker CLI runs them', () => {
  let bin: string;
  let helperLog: string;
  const savedPath = process.env.PATH;
  beforeAll(() => {
    bin = join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    helperLog = join(tmp, 'helper.log');
    // A real helper speaking the documented protocol: `get`, the server URL on stdin, JSON on stdout; exit 1 with
    // "credentials not found in native keychain" when it has none.
    writeFileSync(
      join(bin, 'docker-credential-medtest'),
      [
        '#!/bin/sh',
        '[ "$1" = get ] || exit 2',
        'read -r url',
        `echo "$url" >> '${helperLog}'`,
        'case "$url" in',
        `  ${reg.host}) printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASS}"}' "$url" ;;`,
        '  *) echo "credentials not found in native keychain"; exit 1 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'docker-credential-medtest'), 0o755);
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
  });

  it('credsStore: the auths entry is an empty placeholder; the helper gives the credentials', async () => {
    const cfg = join(tmp, 'helper-store.json');
    writeFileSync(cfg, JSON.stringify({ auths: { [reg.host]: {} }, credsStore: 'medtest' }));
    const r = await createRegistryPort({ dockerConfig: cfg, ca: { [reg.host]: [ca.caPem] }, certsDir: join(tmp, 'none') }).probe({ ref: `${reg.host}/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4` }, signal());
    expect(r.status).toBe('exists');
    expect(r.answeredBy).toBe(`docker-credential-medtest (docker config ${cfg})`);
    expect(readFileSync(helperLog, 'utf8').trim().split('\n').at(-1)).toBe(reg.host);
    expect(JSON.stringify(r)).not.toContain(PASS);
  });

  it('credHelpers: a per-registry helper keyed by any spelling of the host', async () => {
    const cfg = join(tmp, 'helper-per-host.json');
    writeFileSync(cfg, JSON.stringify({ credHelpers: { [`https://${reg.host}/`]: 'medtest' } }));
    const r = await createRegistryPort({ dockerConfig: cfg, ca: { [reg.host]: [ca.caPem] }, certsDir: join(tmp, 'none') }).probe({ ref: `${reg.host}/vllm:0.6.2` }, signal());
    expect(r.status).toBe('exists');
  });

  it('a helper with no credentials for the host, or missing from PATH, is named as such', async () => {
    const cfg = join(tmp, 'helper-missing.json');
    writeFileSync(cfg, JSON.stringify({ credHelpers: { [reg.host]: 'nosuchhelper' } }));
    const r = await createRegistryPort({ dockerConfig: cfg, ca: { [reg.host]: [ca.caPem] }, certsDir: join(tmp, 'none') }).probe({ ref: `${reg.host}/vllm:0.6.2` }, signal());
    expect(r.status).toBe('unauthorized');
    expect(r.checkedWith.at(-1)).toMatchObject({ outcome: 'error', detail: 'docker-credential-nosuchhelper is not on PATH' });
  });
});

describe('manifest requests: HEAD unless the platforms must be read', () => {
  it('a registry that leaves the digest off HEAD answers still gets no manifest GET when no platform is needed (GETs cost Docker Hub quota)', async () => {
    const proxy = await startRegistryProxy(ca, reg, { stripDigestOnHead: true });
    try {
      const cfg = join(tmp, 'proxy-head.json');
      writeFileSync(cfg, JSON.stringify({ auths: { [proxy.host]: { username: USER, password: PASS } } }));
      const p = createRegistryPort({ dockerConfig: cfg, ca: { [proxy.host]: [ca.caPem] }, certsDir: join(tmp, 'none') });
      const r = await p.probe({ ref: `${proxy.host}/model-engine:e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4` }, signal());
      expect(r.status).toBe('exists');
      expect(proxy.log.filter((l) => l.path.includes('/manifests/')).map((l) => l.method)).not.toContain('GET');
      // With the nodes' platforms to check, the manifest must be read.
      const withArch = await p.probe({ ref: `${proxy.host}/vllm:0.6.3`, architectures: ['amd64'] }, signal());
      expect(withArch.status).toBe('exists');
      expect(proxy.log.filter((l) => l.method === 'GET' && l.path.includes('/manifests/0.6.3'))).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  });

  it('a registry whose JSON is broken or of the wrong shape gets a plain answer, never JavaScript internals', async () => {
    // Someone else's JSON (issue 17): a tag list that is not JSON or whose tags are a number, a manifest that is not
    // JSON or lists platforms of the wrong type. Each is read as absent, as a missing field would be.
    const cases: Record<string, { status: number; headers?: Record<string, string>; body?: string }> = {
      '/v2/vllm/manifests/no-such-tag': { status: 404, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}' },
      '/v2/vllm/tags/list?n=1000': { status: 200, headers: { 'content-type': 'application/json' }, body: '{"name":"vllm","tags":42}' },
      '/v2/lightllm/manifests/x': { status: 404, headers: { 'content-type': 'application/json' }, body: '{"errors":5}' },
      '/v2/lightllm/tags/list?n=1000': { status: 200, headers: { 'content-type': 'application/json' }, body: '<html>not json' },
      '/v2/broken/manifests/1': { status: 200, headers: { 'content-type': 'application/vnd.oci.image.index.v1+json', 'content-length': '21' }, body: '{"manifests":"lots"}\n' },
      '/v2/garbled/manifests/1': { status: 200, headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'content-length': '9' }, body: 'not json!' },
    };
    const proxy = await startRegistryProxy(ca, reg, { answer: (q) => cases[q.path] });
    try {
      const cfg = join(tmp, 'proxy-broken.json');
      writeFileSync(cfg, JSON.stringify({ auths: { [proxy.host]: { username: USER, password: PASS } } }));
      const p = createRegistryPort({ dockerConfig: cfg, ca: { [proxy.host]: [ca.caPem] }, certsDir: join(tmp, 'none') });
      const internals = /is not a function|Unexpected token|Cannot read|is not iterable|JSON/;
      const tags = await p.probe({ ref: `${proxy.host}/vllm:no-such-tag` }, signal());
      expect(tags).toMatchObject({ status: 'missing-tag', tags: [] });
      expect(tags.detail).toBe(`tag no-such-tag does not exist in ${proxy.host}/vllm (0 other tags)`);
      const html = await p.probe({ ref: `${proxy.host}/lightllm:x` }, signal());
      expect(html).toMatchObject({ status: 'missing-tag', tags: [] });
      for (const ref of ['broken:1', 'garbled:1']) {
        const r = await p.probe({ ref: `${proxy.host}/${ref}`, architectures: ['amd64'] }, signal());
        expect(r.status).toBe('exists');
        expect(r.detail).toContain('exists for unknown platform');
        expect(r.detail).not.toMatch(internals);
      }
      for (const r of [tags, html]) expect(r.detail).not.toMatch(internals);
    } finally {
      await proxy.stop();
    }
  });

  it('a 429 from the registry is "rate-limited" with its headers, and other credentials are still tried', async () => {
    // Anonymous requests are rate-limited (as Docker Hub limits them per IP); the docker config login is not.
    const proxy = await startRegistryProxy(ca, reg, {
      answer: (q) =>
        q.authorization
          ? undefined
          : {
              status: 429,
              headers: { 'content-type': 'application/json', 'retry-after': '60', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
              body: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] }),
            },
    });
    try {
      const cfg = join(tmp, 'proxy-config.json');
      writeFileSync(cfg, JSON.stringify({ auths: { [proxy.host]: { username: USER, password: PASS } } }));
      const ok = await createRegistryPort({ dockerConfig: cfg, ca: { [proxy.host]: [ca.caPem] }, certsDir: join(tmp, 'none') }).probe({ ref: `${proxy.host}/vllm:0.6.2` }, signal());
      expect(ok.status).toBe('exists');
      expect(ok.checkedWith.map((c) => c.outcome)).toEqual(['rate-limited', 'answered']);
      const limited = await createRegistryPort({ dockerConfig: join(tmp, 'none.json'), ca: { [proxy.host]: [ca.caPem] }, certsDir: join(tmp, 'none') }).probe({ ref: `${proxy.host}/vllm:0.6.2` }, signal());
      expect(limited).toMatchObject({ status: 'rate-limited', httpStatus: 429, rateLimit: { retryAfter: '60', limit: '100;w=21600', remaining: '0;w=21600' } });
    } finally {
      await proxy.stop();
    }
  });
});

describe('Docker Hub names, for credentials', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const auth = Buffer.from('hubuser:hub-pw').toString('base64');
  const asked: string[] = [];
  const ask = async (helper: string, url: string) => (asked.push(`${helper} ${url}`), { state: 'found' as const, username: 'hubuser', secret: 'hub-pw' });

  it.each(['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'])('a docker config key %s holds the credentials for docker.io images', async (key) => {
    const creds = await dockerConfigCredentialsForHost({ auths: { [key]: { auth } } }, 'docker.io', 'cfg', now, ask);
    expect(creds).toMatchObject([{ kind: 'basic', username: 'hubuser' }]);
  });

  it('asks the helper about Docker Hub by its legacy index URL, as the docker CLI does, and skips the empty placeholder', async () => {
    asked.length = 0;
    const creds = await dockerConfigCredentialsForHost({ auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'desktop' }, 'docker.io', 'cfg', now, ask);
    expect(asked).toEqual(['desktop https://index.docker.io/v1/']);
    expect(creds).toMatchObject([{ kind: 'basic', label: 'docker-credential-desktop (cfg)', username: 'hubuser' }]);
    expect(helperServerUrl('123456789012.dkr.ecr.us-east-1.amazonaws.com')).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com');
  });

  it('credHelpers wins over credsStore; a <token> user name is an identity token', async () => {
    expect(credentialHelperFor({ credsStore: 'desktop', credHelpers: { 'us-docker.pkg.dev': 'gcloud' } }, 'us-docker.pkg.dev')).toBe('gcloud');
    expect(credentialHelperFor({ credsStore: 'desktop', credHelpers: { 'us-docker.pkg.dev': 'gcloud' } }, 'ghcr.io')).toBe('desktop');
    const creds = await dockerConfigCredentialsForHost({ credHelpers: { 'myreg.azurecr.io': 'acr' } }, 'myreg.azurecr.io', 'cfg', now, async () => ({ state: 'found', username: '<token>', secret: 'refresh-xyz' }));
    expect(creds).toMatchObject([{ kind: 'refresh-token', refreshToken: 'refresh-xyz' }]);
  });
});
