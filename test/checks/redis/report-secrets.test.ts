/**
 * The whole JSON report of a run that probes Redis with a password and an Entra token contains neither:
 * not in messages, evidence, remediation, nor anywhere else.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { checks as broker } from '../../../checks/broker/index.js';
import { checks as redis } from '../../../checks/redis/index.js';
import type { EntraTokenSource } from '../../../src/engine/ports/cloud.js';
import { SecretString } from '../../../src/engine/ports/secret.js';
import { runChecks } from '../../../src/engine/runner.js';
import { render } from '../../../src/reporters/index.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { RedisSource } from '../../../src/sources/redis/probe.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import { fixture } from '../../support/check-tester.js';
import { HAVE_REDIS, makeCa, startRedis, type RedisServer, type TestCa } from '../../support/redis-servers.js';

const BROKER_TOKEN = 'ob6Jm2qV8xT4'; // fixtures/clusters/onprem-broker-mismatch Secret model-engine-redis-auth
const ENTRA_TOKEN = 'eyJ0eXAiOiJKV1QifQ.eyJvaWQiOiI4ZTFkIn0.entra-sig-Kp7';
const OBJECT_ID = '8e1d2c3b-4a5f-4e6d-9b8c-7a6f5e4d3c2b';

async function jsonReport(snapshotPath: string, ports: Record<string, unknown>): Promise<string> {
  const snapshot = await loadSnapshot(fixture(snapshotPath));
  const kube = new SnapshotKube(snapshot);
  const { context } = await resolveContext({ kube, ports, now: snapshot.now });
  const report = await runChecks({
    command: 'triage',
    toolVersion: 'test',
    checks: [...redis, ...broker],
    context,
    target: { mode: 'snapshot', snapshot: snapshotPath, namespaces: context.namespaces, valuesFiles: [] },
  });
  return render('json', report);
}

(HAVE_REDIS ? describe : describe.skip)('no password or token in the JSON report', () => {
  let brokerSrv: RedisServer;
  let azureSrv: RedisServer;
  let ca: TestCa;
  beforeAll(async () => {
    ca = makeCa();
    const onprem = ca.issue('onprem', ['DNS:redis-master.redis.svc.cluster.local']);
    const az = ca.issue('azure', ['DNS:ml-prod-cache.redis.cache.windows.net']);
    [brokerSrv, azureSrv] = await Promise.all([
      startRedis({ tls: { ...onprem, ca: ca.caCert }, args: ['--requirepass', BROKER_TOKEN] }),
      // WRONGPASS for the object id: the failure path echoes the most, so it is the one to check.
      startRedis({ tls: { ...az, ca: ca.caCert }, args: ['--user', OBJECT_ID, 'on', '>another-token', '~*', '+@all', '--user', 'default', 'off'] }),
    ]);
    const c = new Redis({ host: '127.0.0.1', port: brokerSrv.port, password: BROKER_TOKEN, tls: { rejectUnauthorized: false }, lazyConnect: true });
    await c.connect();
    await c.lpush('model-engine-service-builder', 'task');
    c.disconnect();
  }, 30_000);
  afterAll(async () => {
    await Promise.all([brokerSrv?.stop(), azureSrv?.stop()]);
    ca?.cleanup();
  });

  it('on-prem: REDIS_AUTH_TOKEN read from its Secret and used for AUTH and LLEN', async () => {
    const json = await jsonReport('fixtures/clusters/onprem-broker-mismatch', {
      redis: new RedisSource({ from: 'test', ca: ca.caPem, resolve: { 'redis-master.redis.svc.cluster.local': { host: '127.0.0.1', port: brokerSrv.port } } }),
    });
    const report = JSON.parse(json) as { results: { id: string; messageId: string; message: string }[] };
    // The token was really used: the broker probe authenticated and read the queue.
    expect(report.results.some((r) => r.id === 'broker/queues' && r.messageId === 'builderBacklog')).toBe(false); // 1 task: below the backlog threshold
    expect(report.results.find((r) => r.id === 'broker/queues' && r.messageId === 'builderQueue')?.message).toMatch(/LLEN model-engine-service-builder = 1/);
    expect(json).not.toContain(BROKER_TOKEN);
    expect(json).not.toContain(Buffer.from(BROKER_TOKEN).toString('base64'));
  });

  it('Azure: the Entra token goes into AUTH and nowhere else', async () => {
    let asked = 0;
    const tokens: EntraTokenSource = { rawToken: async () => (asked++, { token: new SecretString(ENTRA_TOKEN), expiresOn: new Date('2030-01-01T00:00:00Z') }) };
    const json = await jsonReport('fixtures/clusters/azure-cacher-token', {
      redis: new RedisSource({ from: 'test', ca: ca.caPem, tokens, resolve: { 'ml-prod-cache.redis.cache.windows.net': { host: '127.0.0.1', port: azureSrv.port } } }),
      commits: { isAncestor: async () => ({ answer: 'no', via: 'test' }) },
    });
    expect(asked).toBeGreaterThan(0);
    // The token's oid (8e1d) is not the pods' AZURE_OBJECT_ID: the operator's access was tested, and refused.
    expect(json).toContain('operatorTokenRejected');
    expect(json).not.toContain(ENTRA_TOKEN);
    expect(json).not.toContain('entra-sig-Kp7');
  });
});
