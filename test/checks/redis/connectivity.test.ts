import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import check from '../../../checks/redis/connectivity.js';
import { pickGatewayPod } from '../../../checks/redis/lib/model-engine-redis.js';
import type { Pod } from '../../../src/engine/index.js';
import type { ExecPort } from '../../../src/engine/ports/exec.js';
import { SecretString } from '../../../src/engine/ports/secret.js';
import { RedisSource } from '../../../src/sources/redis/probe.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { lazy } from '../../support/cloud-fakes.js';
import { HAVE_REDIS, freePort, makeCa, startRedis, type RedisServer, type TestCa } from '../../support/redis-servers.js';

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
