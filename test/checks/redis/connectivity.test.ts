import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import check from '../../../checks/redis/connectivity.js';
import { pickGatewayPod } from '../../../checks/redis/lib/model-engine-redis.js';
import type { Pod } from '../../../src/engine/index.js';
import type { ExecPort } from '../../../src/engine/ports/exec.js';
import { SecretString } from '../../../src/engine/ports/secret.js';
import { RedisSource } from '../../../src/sources/redis/probe.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { lazy } from '../../support/cloud-fakes.js';
import { HAVE_REDIS, freePort, makeCa, startRedis, startReplyingListener, startSilentListener, type RedisServer, type TestCa } from '../../support/redis-servers.js';

const ONPREM_HOST = 'redis-master.redis.svc.cluster.local';
const AZURE_HOST = 'ml-prod-cache.redis.cache.windows.net';
const OBJECT_ID = '8e1d2c3b-4a5f-4e6d-9b8c-7a6f5e4d3c2b';
const TOKEN = 'entra-tok-Vq3s9';

let open: RedisServer | undefined;
let locked: RedisServer | undefined;
let restricted: RedisServer | undefined;
let azure: RedisServer | undefined;
let ca: TestCa | undefined;
const sources: Record<string, RedisSource> = {};
const port = (name: string) => lazy(() => sources[name]);
const token = (t: string, expires = '2030-01-01T00:00:00Z') => ({ rawToken: async () => ({ token: new SecretString(t), expiresOn: new Date(expires) }) });

beforeAll(async () => {
  if (!HAVE_REDIS) return;
  ca = makeCa();
  const cert = ca.issue('azure-cache', [`DNS:${AZURE_HOST}`]);
  [open, locked, restricted, azure] = await Promise.all([
    startRedis(),
    startRedis({ args: ['--requirepass', 'onprem-pw-7'] }),
    startRedis({ args: ['--user', 'default', 'on', 'nopass', '~*', '&*', '+@all', '-lpush', '-brpop'] }),
    startRedis({ tls: { ...cert, ca: ca.caCert }, args: ['--user', OBJECT_ID, 'on', `>${TOKEN}`, '~*', '&*', '+@all', '--user', 'default', 'off'] }),
  ]);
  const onprem = (s: RedisServer) => ({ [ONPREM_HOST]: { host: '127.0.0.1', port: s.port } });
  const az = { [AZURE_HOST]: { host: '127.0.0.1', port: azure.port } };
  sources.open = new RedisSource({ from: 'test', resolve: onprem(open) });
  sources.locked = new RedisSource({ from: 'test', resolve: onprem(locked) });
  sources.restricted = new RedisSource({ from: 'test', resolve: onprem(restricted) });
  // A resolver that knows no cluster-internal names, as a laptop's does (no DNS query leaves the test).
  sources.unresolved = new RedisSource({ from: 'test', network: 'all', lookup: async (h) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' })) });
  sources.azure = new RedisSource({ from: 'test', ca: ca.caPem, resolve: az, tokens: token(TOKEN) });
  sources.azureNoToken = new RedisSource({ from: 'test', ca: ca.caPem, resolve: az });
  sources.azureExpired = new RedisSource({ from: 'test', ca: ca.caPem, resolve: az, tokens: token('expired-token-x', '2020-01-01T00:00:00Z') });
  sources.azurePlain = new RedisSource({ from: 'test', resolve: { [AZURE_HOST]: { host: '127.0.0.1', port: open.port } }, tokens: token(TOKEN) });
}, 30_000);
afterAll(async () => {
  await Promise.all([open, locked, restricted, azure].map((s) => s?.stop()));
  ca?.cleanup();
});

const ON = 'fixtures/clusters/onprem-redis-broker';
const AZ = 'fixtures/clusters/azure-healthy';
const gw = { kind: 'Deployment', name: 'model-engine' };

(HAVE_REDIS ? testCheck : () => undefined)(check, {
  valid: [
    { name: 'on-prem cache (db 15) and broker (db 0) answer every step', snapshot: ON, ports: { redis: port('open') } },
    { name: 'Azure cache over TLS with an Entra token as the object id', snapshot: AZ, ports: { redis: port('azure') } },
  ],
  invalid: [
    { name: 'Redis requires a password the config does not have', snapshot: ON, ports: { redis: port('locked') }, errors: [{ messageId: 'noAuth', severity: 'critical', object: gw }, { messageId: 'noAuth', severity: 'critical', object: gw }] },
    { name: 'ACL user lacks LPUSH/BRPOP', snapshot: ON, ports: { redis: port('restricted') }, errors: [{ messageId: 'aclDenied', severity: 'critical', object: gw }, { messageId: 'aclDenied', severity: 'critical', object: gw }] },
    { name: 'cluster-internal name from a laptop: skip and offer --exec', snapshot: ON, ports: { redis: port('unresolved') }, errors: [{ messageId: 'clusterOnly', status: 'skip', object: gw }, { messageId: 'clusterOnly', status: 'skip', object: gw }] },
    { name: 'Azure without a token source: skip, reachable so far', snapshot: AZ, ports: { redis: port('azureNoToken') }, errors: [{ messageId: 'tokenNeeded', status: 'skip' }] },
    { name: 'Azure rejects an expired token', snapshot: AZ, ports: { redis: port('azureExpired') }, errors: [{ messageId: 'tokenRejected' }] },
    { name: 'rediss:// to a plain port', snapshot: AZ, ports: { redis: port('azurePlain') }, errors: [{ messageId: 'portIsPlain' }] },
  ],
});

(HAVE_REDIS ? describe : describe.skip)('redis/connectivity details', () => {
  it('probes both Redis roles and says where it ran from', async () => {
    const rs = await runCase(check, { name: 'detail', snapshot: ON, ports: { redis: port('open') } });
    expect(rs.map((r) => `${r.status} ${r.messageId}`)).toEqual(['pass reachable', 'pass reachable']);
    expect(rs[0]?.message).toMatch(/^The cache Redis redis:\/\/redis-master\.redis\.svc\.cluster\.local:6379\/15 answers from test: dns, tcp, ping, select, acl, latency ok, median latency/);
    expect(rs[1]?.message).toMatch(/^The broker Redis redis:\/\/redis-master\.redis\.svc\.cluster\.local:6379\/0 answers from test/);
  });

  it('the Azure report shows the object id and token expiry, never the token', async () => {
    const rs = await runCase(check, { name: 'detail', snapshot: AZ, ports: { redis: port('azure') } });
    const json = JSON.stringify(rs);
    expect(json).toContain(OBJECT_ID);
    expect(json).toMatch(/Entra token expiring 2030-01-01/);
    expect(json).not.toContain(TOKEN);
  });
});

describe('redis/connectivity with --exec', () => {
  const inPod = (errorCode?: string): ExecPort => ({
    redisProbe: async (pod, which) => ({
      target: which === 'cache' ? `rediss://${OBJECT_ID}:REDACTED@${AZURE_HOST}:6380/0` : 'x',
      from: `pod ${pod.namespace}/${pod.pod}`,
      steps: [
        { name: 'dns', ok: true, ms: 1, detail: `${AZURE_HOST} resolved to 10.30.1.7` },
        { name: 'auth', ok: !errorCode, ms: 2, detail: errorCode ? 'AuthenticationError: invalid username-password pair or user is disabled.' : 'authenticated' },
      ],
      ...(errorCode ? { failedStep: 'auth' as const, errorCode } : { latencyMs: 0.8 }),
    }),
    pythonPackageVersion: async () => '7.14.3',
  });

  it('probes from the gateway pod and judges it as in-cluster (no "unreachable from here")', async () => {
    const rs = await runCase(check, { name: 'exec', snapshot: AZ, options: { exec: true }, ports: { redis: new RedisSource({ from: 'test' }), exec: inPod('WRONGPASS') } });
    expect(rs.map((r) => `${r.status} ${r.messageId}`)).toEqual(['fail tokenRejected']);
    expect(rs[0]?.message).toContain(OBJECT_ID);
    const ok = await runCase(check, { name: 'exec ok', snapshot: AZ, options: { exec: true }, ports: { redis: new RedisSource({ from: 'test' }), exec: inPod() } });
    expect(ok[0]?.message).toMatch(/answers from pod model-engine\/model-engine-7c9d8f6b4d-k2x9p/);
  });

  it('falls back to probing from here when exec fails, and says so', async () => {
    const broken: ExecPort = { redisProbe: async () => Promise.reject(new Error('forbidden: cannot create pods/exec in namespace model-engine')), pythonPackageVersion: async () => undefined };
    const closed = await freePort();
    const here = new RedisSource({ from: 'test', resolve: { [AZURE_HOST]: { host: '127.0.0.1', port: closed } } });
    const rs = await runCase(check, { name: 'exec denied', snapshot: AZ, options: { exec: true }, ports: { redis: here, exec: broken } });
    expect(rs.map((r) => r.messageId)).toEqual(['execFailed', 'connectionRefused']);
    expect(rs[0]?.message).toMatch(/forbidden: cannot create pods\/exec.*probed from test instead/);
  });
});

describe('pickGatewayPod', () => {
  const pod = (name: string, ready: boolean, phase = 'Running'): Pod => ({
    metadata: { name, labels: { app: 'model-engine' } },
    spec: { containers: [{ name: 'model-engine' }] },
    status: { phase, containerStatuses: [{ name: 'model-engine', ready }] },
  });
  it('picks the first ready, running gateway pod by name', () => {
    expect(pickGatewayPod([pod('model-engine-b', true), pod('model-engine-a', false), pod('model-engine-c', true)], 'ns')).toEqual({ namespace: 'ns', pod: 'model-engine-b', container: 'model-engine' });
    expect(pickGatewayPod([pod('model-engine-a', true, 'Pending')], 'ns')).toBeUndefined();
  });
});

/**
 * Every step the probe can fail at, each from a real loopback server in the state that yields it (facts §10 on
 * redis-py's connection steps; the Redis and Node TLS error texts are the servers' own). Config from the AWS helm
 * values (preflight: `cache_redis_aws_url`), or from the Azure snapshot for the Entra paths.
 */
(HAVE_REDIS ? describe : describe.skip)('redis/connectivity: each probe step that can fail, through the engine', () => {
  const AWS = ['fixtures/values/aws-good.yaml'];
  const HOST = 'llm-engine-cache.internal.example';
  const VALUES_OBJ = { kind: 'HelmValues', name: 'config.values.launch' };
  const OPERATOR_OID = '3f0b6a8e-91c4-4d7e-a2b5-6c1d9e8f7a60';
  // An Entra access token for the operator's user (payload claims as Entra issues them; the signature is not checked by Redis here).
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const OPERATOR_TOKEN = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ oid: OPERATOR_OID, idtyp: 'user', upn: 'oncall@contoso.example', aud: 'https://redis.azure.com' })}.c2lnbmF0dXJl`;
  const cacheUrl = (u: string) => [`config.values.launch.cache_redis_aws_url=${u}`, 'config.values.launch.cache_redis_aws_secret_name=null'];
  const servers: { stop(): Promise<void> }[] = [];
  const src: Record<string, RedisSource> = {};
  let tca: TestCa | undefined;
  let held: net.Socket | undefined;
  let heldTls: net.Socket | undefined;
  let blackhole: ChildProcess | undefined;

  /** A TCP pass-through to `port` that holds every client byte `ms` before sending it on (a slow WAN/VPN path). */
  async function startDelayProxy(port: number, ms: number) {
    const sockets = new Set<net.Socket>();
    const srv = net.createServer((c) => {
      const up = net.connect({ host: '127.0.0.1', port });
      for (const s of [c, up]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => (c.destroy(), up.destroy()));
      }
      c.on('data', (d: Buffer) => setTimeout(() => up.write(d), ms));
      up.on('data', (d: Buffer) => c.write(d));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return {
      port: (srv.address() as net.AddressInfo).port,
      stop: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), srv.close(() => r()))),
    };
  }

  /**
   * A port whose SYNs get no answer, as a security group that drops them: a child process listens with a backlog
   * of one and never accepts (its event loop is blocked), and two held connections fill the kernel's accept queue.
   */
  async function startBlackhole(): Promise<number> {
    const code = `const s=require('net').createServer();s.listen({host:'127.0.0.1',port:0,backlog:1},()=>{process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0)})`;
    blackhole = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
    const port = await new Promise<number>((r) => blackhole!.stdout!.once('data', (d: Buffer) => r(Number(String(d).trim()))));
    for (let i = 0; i < 3; i++) {
      const s = net.connect({ host: '127.0.0.1', port });
      s.on('error', () => undefined);
      servers.push({ stop: async () => void s.destroy() });
    }
    await new Promise((r) => setTimeout(r, 200));
    return port;
  }

  beforeAll(async () => {
    tca = makeCa();
    const good = tca.issue('cache', [`DNS:${HOST}`]);
    const otherName = tca.issue('cache-other', ['DNS:llm-engine-cache-old.internal.example']);
    const expired = tca.issue('cache-expired', [`DNS:${HOST}`], { expired: true });
    const tlsOf = (c: { cert: string; key: string }) => ({ ...c, ca: tca!.caCert });
    const [plain, fewDbs, full, tlsGood, tlsOther, tlsExpired, azureOp] = await Promise.all([
      startRedis(),
      startRedis({ args: ['--databases', '4'] }),
      startRedis({ args: ['--maxclients', '1'] }),
      startRedis({ tls: tlsOf(good) }),
      startRedis({ tls: tlsOf(otherName) }),
      startRedis({ tls: tlsOf(expired) }),
      startRedis({ tls: tlsOf(ca!.issue('azure-op', [`DNS:${AZURE_HOST}`])), args: ['--user', OPERATOR_OID, 'on', `>${OPERATOR_TOKEN}`, '~*', '&*', '+@all', '--user', 'default', 'off'] }),
    ]);
    servers.push(plain, fewDbs, full, tlsGood, tlsOther, tlsExpired, azureOp);
    // maxclients 1, and that one taken: the next client gets "-ERR max number of clients reached" and a close.
    held = net.connect({ host: '127.0.0.1', port: full.port });
    held.on('error', () => undefined);
    await new Promise((r) => held!.once('connect', r));
    // The same on a TLS port: the taken slot is a bare TCP connection; Redis cannot write its error over TLS yet.
    const fullTls = await startRedis({ tls: tlsOf(good), args: ['--maxclients', '1'] });
    servers.push(fullTls);
    heldTls = net.connect({ host: '127.0.0.1', port: fullTls.port });
    heldTls.on('error', () => undefined);
    await new Promise((r) => heldTls!.once('connect', r));
    const silent = await startSilentListener();
    const loading = await startReplyingListener('-LOADING Redis is loading the dataset in memory');
    servers.push({ stop: loading.close });
    const slow = await startDelayProxy(plain.port, 260);
    servers.push({ stop: silent.close }, slow);
    const hole = await startBlackhole();
    const at = (port: number, extra: Partial<ConstructorParameters<typeof RedisSource>[0]> = {}) => new RedisSource({ from: 'test', resolve: { [HOST]: { host: '127.0.0.1', port } }, ...extra });
    Object.assign(src, {
      plain: at(plain.port),
      fewDbs: at(fewDbs.port),
      full: at(full.port),
      fullTls: at(fullTls.port, { ca: tca.caPem }),
      silent: at(silent.port),
      loading: at(loading.port),
      slow: at(slow.port),
      hole: at(hole),
      untrusted: at(tlsGood.port),
      otherName: at(tlsOther.port, { ca: tca.caPem }),
      expired: at(tlsExpired.port, { ca: tca.caPem }),
      operator: new RedisSource({ from: 'test', ca: ca!.caPem, resolve: { [AZURE_HOST]: { host: '127.0.0.1', port: azureOp.port } }, tokens: token(OPERATOR_TOKEN) }),
      nowhere: new RedisSource({ from: 'test', network: 'all', lookup: async (h) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' })) }),
    });
  }, 60_000);
  afterAll(async () => {
    held?.destroy();
    heldTls?.destroy();
    blackhole?.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.stop()));
    tca?.cleanup();
  });

  interface StepCase {
    name: string;
    source: string;
    set?: string[];
    snapshot?: string;
    want: [status: string, messageId: string, severity: string];
    object?: object;
    message: RegExp;
    fix?: RegExp;
  }
  const cases: StepCase[] = [
    {
      name: 'the URL sends a password to a Redis that has none (redis-py: AuthenticationError)',
      source: 'plain',
      set: cacheUrl(`redis://:s3cret-pw@${HOST}:6379/15`),
      want: ['fail', 'authNotConfigured', 'critical'],
      message: /has no password configured, but the URL sends one/,
      fix: /Remove the password from the URL, or enable AUTH/,
    },
    {
      name: 'db 15 on a Redis with 4 databases (ERR DB index is out of range)',
      source: 'fewDbs',
      set: cacheUrl(`redis://${HOST}:6379/15`),
      want: ['fail', 'selectFailed', 'critical'],
      message: /refuses SELECT 15 \(DB_OUT_OF_RANGE\): SELECT 15: ERR DB index is out of range/,
      fix: /Use a database the server has/,
    },
    {
      name: 'a Redis at maxclients refuses each new connection: the server\'s own words, not "connection closed"',
      source: 'full',
      set: cacheUrl(`redis://${HOST}:6379/15`),
      want: ['fail', 'tooManyClients', 'critical'],
      message: /takes no new connections: it is at its client limit \(the server refused the connection: it sent "ERR max number of clients reached" and closed it\)/,
      fix: /a restarted model-engine pod cannot reconnect either.*raise maxclients/,
    },
    {
      name: 'a TLS Redis at maxclients closes each new connection before the handshake: not called a TLS setup problem',
      source: 'fullTls',
      set: cacheUrl(`rediss://${HOST}:6379/15`),
      want: ['fail', 'closedBeforeTls', 'critical'],
      message: /closes new connections before the TLS handshake finishes \(the server closed the connection before the TLS handshake finished, without a TLS alert .*\): it takes no new connections/,
      fix: /connection count first: at its client limit Redis closes each new TLS connection/,
    },
    {
      name: 'a Redis still loading its dataset after a restart (simulated: every command answered LOADING): the step and the server\'s words',
      source: 'loading',
      set: cacheUrl(`redis://${HOST}:6379/15`),
      want: ['fail', 'probeFailed', 'critical'],
      message: /failed at auth \(LOADING\): .*LOADING Redis is loading the dataset in memory/,
      fix: /loading its dataset into memory after a restart .*wait and rerun/,
    },
    {
      name: 'a port that accepts TCP and never answers (redis://)',
      source: 'silent',
      set: cacheUrl(`redis://${HOST}:6379/15`),
      want: ['fail', 'noReply', 'critical'],
      message: /accepts connections but never answers \(connected to 127\.0\.0\.1:\d+, but nothing came back within 3000 ms/,
      fix: /is not Redis \(or drops traffic\)/,
    },
    {
      name: 'a port that accepts TCP and never answers the TLS ClientHello (rediss://)',
      source: 'silent',
      set: cacheUrl(`rediss://${HOST}:6379/15`),
      want: ['fail', 'tlsFailed', 'critical'],
      message: /TLS to the cache Redis .* failed \(TLS_TIMEOUT\): TLS handshake with 127\.0\.0\.1:\d+: no answer within 3000 ms/,
      fix: /Check the TLS setup/,
    },
    {
      name: 'a certificate from a private CA this machine does not trust',
      source: 'untrusted',
      set: cacheUrl(`rediss://${HOST}:6379/15`),
      want: ['fail', 'tlsUntrusted', 'critical'],
      message: /certificate not trusted from test: certificate not trusted: self-signed certificate in certificate chain \(SELF_SIGNED_CERT_IN_CHAIN\)/,
      fix: /NODE_EXTRA_CA_CERTS=ca\.pem/,
    },
    {
      name: 'a certificate issued for another host name',
      source: 'otherName',
      set: cacheUrl(`rediss://${HOST}:6379/15`),
      want: ['fail', 'tlsHostname', 'critical'],
      message: /certificate for another host name: certificate does not match the host name: .*llm-engine-cache-old\.internal\.example/,
      fix: /the host name the certificate is issued for/,
    },
    {
      name: 'a certificate that expired in February 2025',
      source: 'expired',
      set: cacheUrl(`rediss://${HOST}:6379/15`),
      want: ['fail', 'tlsExpired', 'critical'],
      message: /expired \(or not yet valid\) certificate: certificate not valid now: certificate has expired \(CERT_HAS_EXPIRED\)/,
      fix: /Renew the Redis server certificate/,
    },
    {
      name: 'a median PING over 250 ms from here (a slow VPN path, 260 ms each way in): warn, and measure from the pod',
      source: 'slow',
      set: cacheUrl(`redis://${HOST}:6379/15`),
      want: ['warn', 'slow', 'medium'],
      message: /answers, but slowly: median PING (2[6-9]\d|[3-9]\d\d)(\.\d)? ms from test/,
      fix: /Latency from your machine includes the VPN\/network path/,
    },
    {
      name: 'SYNs dropped (no SYN-ACK): skipped as unreachable from here, not judged',
      source: 'hole',
      set: cacheUrl(`redis://${HOST}:6379/15`),
      want: ['skip', 'unreachableFromHere', 'critical'],
      message: /is not reachable from test \(TCP connect to 127\.0\.0\.1:\d+: no answer within 3000 ms .*\); llm-engine-cache\.internal\.example is not reachable from here, so this says nothing about the pods/,
    },
    {
      name: 'the Azure cache host does not resolve from here (a public name: warn, not a cluster-only skip)',
      source: 'nowhere',
      snapshot: AZ,
      want: ['warn', 'dnsFailed', 'medium'],
      object: gw,
      message: /host ml-prod-cache\.redis\.cache\.windows\.net does not resolve from test \(ENOTFOUND\)/,
      fix: /private DNS zone, probe from the gateway pod/,
    },
    {
      name: "Azure answers the operator's own Entra token: pass, saying it was not the pods' identity",
      source: 'operator',
      snapshot: AZ,
      want: ['pass', 'reachableAsYou', 'critical'],
      object: gw,
      message: new RegExp(`logged in as your Entra identity ${OPERATOR_OID} .* not as the pods' AZURE_OBJECT_ID ${OBJECT_ID}: rerun with --exec`),
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const rs = await runCase(check, { name: c.name, ...(c.snapshot ? { snapshot: c.snapshot } : { values: AWS, set: c.set ?? [] }), ports: { redis: lazy(() => src[c.source]) }, timeoutMs: 30_000 });
    expect(rs.map((r) => [r.status, r.messageId, r.severity])).toEqual([c.want]);
    const r = rs[0]!;
    expect(r.object).toMatchObject(c.object ?? VALUES_OBJ);
    expect(r.message).toMatch(c.message);
    if (r.status === 'fail' || r.status === 'warn') {
      expect(r.remediation.summary).toMatch(c.fix!);
      expect(r.evidence.some((e) => e.type === 'probe')).toBe(true);
    }
    expect(JSON.stringify(rs)).not.toMatch(/s3cret-pw|c2lnbmF0dXJl/);
  }, 40_000);

  it('--exec with no ready gateway pod yet (before the install): says so and probes from here', async () => {
    const unused: ExecPort = { redisProbe: async () => Promise.reject(new Error('not expected')), pythonPackageVersion: async () => undefined };
    const rs = await runCase(check, {
      name: 'no pod',
      snapshot: 'fixtures/clusters/healthy-aws',
      namespace: 'llm-engine-staging',
      values: AWS,
      set: cacheUrl(`redis://${HOST}:6379/15`),
      options: { exec: true },
      ports: { redis: lazy(() => src.plain), exec: unused },
    });
    expect(rs.map((r) => [r.status, r.messageId])).toEqual([
      ['skip', 'noGatewayPod'],
      ['pass', 'reachable'],
    ]);
    expect(rs[0]!.message).toBe('No ready gateway pod in llm-engine-staging to exec into; probed from test instead');
  });
});

describe('redis/connectivity with --exec: TCP blocked from the pod (simulated in-pod probe)', () => {
  it('judges it as the pods see it: tcpUnreachable, with the firewall as the fix', async () => {
    const inPod: ExecPort = {
      redisProbe: async (pod) => ({
        target: `rediss://${OBJECT_ID}:REDACTED@${AZURE_HOST}:6380/0`,
        from: `pod ${pod.namespace}/${pod.pod}`,
        steps: [
          { name: 'dns', ok: true, ms: 2, detail: `${AZURE_HOST} resolved to 10.30.1.7 (private)` },
          { name: 'tcp', ok: false, ms: 5001, detail: 'TimeoutError: timed out connecting to 10.30.1.7:6380' },
        ],
        addresses: ['10.30.1.7'],
        failedStep: 'tcp',
        errorCode: 'ETIMEDOUT',
      }),
      pythonPackageVersion: async () => '7.14.3',
    };
    const rs = await runCase(check, { name: 'blocked', snapshot: AZ, options: { exec: true }, ports: { redis: new RedisSource({ from: 'test' }), exec: inPod } });
    expect(rs.map((r) => [r.status, r.messageId, r.severity])).toEqual([['fail', 'tcpUnreachable', 'critical']]);
    const r = rs[0]!;
    if (r.status !== 'fail') throw new Error('expected a failure');
    expect(r.message).toBe(`The cache Redis rediss://${OBJECT_ID}:REDACTED@${AZURE_HOST}:6380/0 is unreachable from pod model-engine/model-engine-7c9d8f6b4d-k2x9p (ETIMEDOUT: TimeoutError: timed out connecting to 10.30.1.7:6380)`);
    expect(r.remediation.summary).toMatch(/firewall \/ security group \/ private endpoint/);
  });
});
