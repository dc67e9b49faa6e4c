/**
 * A real `docker-registry` (distribution 2.8, Debian's package) for the registry tests: TLS from a CA the test
 * makes with openssl, htpasswd or token auth, on a loopback ephemeral port, plus a tiny pusher that uploads blobs
 * and PUTs manifests through the registry API (single-platform images and multi-platform OCI indexes), and a
 * loopback token server that signs the JWTs distribution's `auth.token` verifies.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TestCa {
  dir: string;
  caPem: string;
  certFile: string;
  keyFile: string;
  /** The token-signing key and its self-signed certificate (distribution's `rootcertbundle`). */
  tokenKeyPem: string;
  tokenCertFile: string;
  tokenCertDer: Buffer;
}

/** A CA and a server certificate for 127.0.0.1, localhost and the given host names; plus a token-signing pair. */
export function makeCa(hosts: readonly string[] = []): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'med-reg-ca-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=med-test-ca');
  const san = ['IP:127.0.0.1', 'DNS:localhost', ...hosts.map((h) => `DNS:${h}`)].join(',');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'token.key', '-out', 'token.crt', '-days', '2', '-subj', '/CN=med-token-signer');
  const tokenCertPem = readFileSync(join(dir, 'token.crt'), 'utf8');
  return {
    dir,
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    tokenKeyPem: readFileSync(join(dir, 'token.key'), 'utf8'),
    tokenCertFile: join(dir, 'token.crt'),
    tokenCertDer: Buffer.from(new X509Certificate(tokenCertPem).raw),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RegistryAuth {
  htpasswd?: Record<string, string>;
  token?: { realm: string; service: string; issuer: string };
}

export interface TestRegistry {
  port: number;
  host: string;
  url: string;
  stop(): Promise<void>;
}

/** Start docker-registry with TLS (and auth) on a loopback ephemeral port; resolves when it answers. */
export async function startRegistry(ca: TestCa, auth: RegistryAuth = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'med-reg-'));
  mkdirSync(join(dir, 'data'));
  let authYaml = '';
  if (auth.htpasswd) {
    const lines = Object.entries(auth.htpasswd).map(([u, p]) => execFileSync('htpasswd', ['-Bbn', u, p], { encoding: 'utf8' }).trim());
    writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: med-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth.token) {
    authYaml = `auth:\n  token:\n    realm: ${auth.token.realm}\n    service: ${auth.token.service}\n    issuer: ${auth.token.issuer}\n    rootcertbundle: ${ca.tokenCertFile}\n`;
  }
  let lastErr: unknown;
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: ${randomBytes(8).toString('hex')}
  tls:
    certificate: ${ca.certFile}
    key: ${ca.keyFile}
${authYaml}`;
    writeFileSync(join(dir, 'config.yml'), config);
    const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitUntilUp(port, ca.caPem, child);
      return {
        port,
        host: `127.0.0.1:${port}`,
        url: `https://127.0.0.1:${port}`,
        stop: () => stopChild(child).then(() => rmSync(dir, { recursive: true, force: true })),
      };
    } catch (e) {
      lastErr = new Error(`${(e as Error).message}\n${stderr}`);
      await stopChild(child);
    }
  }
  throw lastErr;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function waitUntilUp(port: number, caPem: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const r = https.get({ host: '127.0.0.1', port, path: '/v2/', ca: caPem, agent: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      });
      r.on('error', () => resolve(false));
      r.on('timeout', () => r.destroy());
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('docker-registry did not start within 10 s');
}

// --- pushing ---------------------------------------------------------------------------------

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function call(reg: TestRegistry, ca: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Res> {
  const url = new URL(path, reg.url);
  return new Promise((resolve, reject) => {
    const r = https.request({ host: '127.0.0.1', port: reg.port, method, path: `${url.pathname}${url.search}`, headers, ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    if (body) r.write(body);
    r.end();
  });
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface Pusher {
  /** Push a single-platform image; returns its manifest digest. */
  pushImage(repository: string, tag: string, platform?: { os: string; architecture: string; variant?: string }): Promise<string>;
  /** Push a multi-platform OCI index over per-platform images. */
  pushIndex(repository: string, tag: string, platforms: { os: string; architecture: string; variant?: string }[]): Promise<string>;
}

/** Push through the registry API with the given Authorization header (Basic, or a Bearer token with push scope). */
export function pusher(reg: TestRegistry, ca: TestCa, authorization: (repository: string) => string | undefined): Pusher {
  const auth = (repo: string): Record<string, string> => {
    const a = authorization(repo);
    return a ? { authorization: a } : {};
  };
  async function blob(repo: string, content: Buffer): Promise<string> {
    const digest = sha(content);
    const start = await call(reg, ca.caPem, 'POST', `/v2/${repo}/blobs/uploads/`, { ...auth(repo), 'content-length': '0' });
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${start.body.toString()}`);
    const loc = new URL(String(start.headers.location), reg.url);
    loc.searchParams.set('digest', digest);
    const put = await call(reg, ca.caPem, 'PUT', `${loc.pathname}${loc.search}`, {
      ...auth(repo),
      'content-type': 'application/octet-stream',
      'content-length': String(content.length),
    }, content);
    if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${put.body.toString()}`);
    return digest;
  }
  async function manifest(repo: string, ref: string, mediaType: string, body: Buffer): Promise<string> {
    const res = await call(reg, ca.caPem, 'PUT', `/v2/${repo}/manifests/${ref}`, { ...auth(repo), 'content-type': mediaType, 'content-length': String(body.length) }, body);
    if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${res.body.toString()}`);
    return String(res.headers['docker-content-digest'] ?? sha(body));
  }
  async function image(repo: string, ref: string, platform: { os: string; architecture: string; variant?: string }): Promise<{ digest: string; size: number }> {
    const layer = Buffer.from(`layer ${repo} ${platform.architecture} ${randomBytes(4).toString('hex')}`);
    const layerDigest = await blob(repo, layer);
    const config = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [layerDigest] }, config: {} }));
    const configDigest = await blob(repo, config);
    const m = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
      }),
    );
    const digest = await manifest(repo, ref, 'application/vnd.oci.image.manifest.v1+json', m);
    return { digest, size: m.length };
  }
  return {
    async pushImage(repository, tag, platform = { os: 'linux', architecture: 'amd64' }) {
      return (await image(repository, tag, platform)).digest;
    },
    async pushIndex(repository, tag, platforms) {
      const entries = [];
      for (const p of platforms) {
        const m = await image(repository, `${tag}-${p.architecture}${p.variant ?? ''}`, p);
        entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: m.digest, size: m.size, platform: p });
      }
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
      return manifest(repository, tag, 'application/vnd.oci.image.index.v1+json', index);
    },
  };
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

// --- token server ----------------------------------------------------------------------------

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Sign a distribution registry token (RS256, x5c = the signing certificate in `rootcertbundle`). */
export function signRegistryToken(
  ca: TestCa,
  claims: { issuer: string; service: string; subject: string; access: { type: string; name: string; actions: string[] }[] },
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', x5c: [ca.tokenCertDer.toString('base64')] };
  const payload = {
    iss: claims.issuer,
    sub: claims.subject,
    aud: claims.service,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomBytes(8).toString('hex'),
    access: claims.access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = cryptoSign('RSA-SHA256', Buffer.from(input), createPrivateKey(ca.tokenKeyPem));
  return `${input}.${b64url(sig)}`;
}

export interface TokenRequestLog {
  method: string;
  path: string;
  authorization?: string;
  form?: Record<string, string>;
  query: Record<string, string>;
}

export interface TestTokenServer {
  url: string;
  port: number;
  requests: TokenRequestLog[];
  stop(): Promise<void>;
}

/** A whole answer from the token server: status, headers and JSON body (a 429 with its rate-limit headers …). */
export interface TokenReply {
  reply: { status: number; headers?: Record<string, string>; body?: unknown };
}

/**
 * A loopback token server. `decide` gets each request (GET with Basic/anonymous, POST with a form) and returns
 * the JSON to answer with (status 200), a status number, or a whole {@link TokenReply}. Records every request for
 * the tests' assertions.
 */
export async function startTokenServer(decide: (r: TokenRequestLog) => Record<string, unknown> | number | TokenReply): Promise<TestTokenServer> {
  const requests: TokenRequestLog[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const log: TokenRequestLog = {
        method: req.method ?? 'GET',
        path: url.pathname,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(body ? { form: Object.fromEntries(new URLSearchParams(body)) } : {}),
        query: Object.fromEntries(url.searchParams),
      };
      requests.push(log);
      const out = decide(log);
      if (typeof out === 'object' && 'reply' in out) {
        const r = (out as TokenReply).reply;
        res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
        res.end(JSON.stringify(r.body ?? {}));
        return;
      }
      if (typeof out === 'number') {
        res.writeHead(out, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'denied by test token server' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface RegistryProxy {
  host: string;
  port: number;
  /** Every request the proxy saw: method and path. */
  log: { method: string; path: string }[];
  stop(): Promise<void>;
}

/**
 * A TLS proxy (the test CA's certificate) in front of a registry, standing in for what sits between clients and
 * real registries: `answer` may reply itself (a 429 from a rate limiter), `stripDigestOnHead` drops
 * `Docker-Content-Digest` from HEAD answers as some proxies and older registries do.
 */
export async function startRegistryProxy(
  ca: TestCa,
  upstream: TestRegistry,
  opts: { stripDigestOnHead?: boolean; answer?: (req: { method: string; path: string; authorization?: string }) => { status: number; headers?: Record<string, string>; body?: string } | undefined } = {},
): Promise<RegistryProxy> {
  const log: { method: string; path: string }[] = [];
  const server = https.createServer({ cert: readFileSync(ca.certFile), key: readFileSync(ca.keyFile) }, (req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    log.push({ method, path });
    const own = opts.answer?.({ method, path, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (own) {
      res.writeHead(own.status, own.headers ?? {});
      res.end(method === 'HEAD' ? undefined : own.body);
      return;
    }
    const up = https.request({ host: '127.0.0.1', port: upstream.port, method, path, headers: { ...req.headers, host: upstream.host }, ca: ca.caPem, agent: false }, (ur) => {
      const headers = { ...ur.headers };
      if (opts.stripDigestOnHead && method === 'HEAD') delete headers['docker-content-digest'];
      res.writeHead(ur.statusCode ?? 502, headers);
      ur.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    port,
    log,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
