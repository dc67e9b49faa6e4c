/**
 * redis/connectivity in preflight (issue 12): before the install, with the config taken from the helm values, the
 * Redis is probed when its host resolves and answers from here; a host that does not resolve from here is skipped
 * with the reason, never judged. And `--only redis` lists the checks that do not run in preflight instead of
 * dropping them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import check from '../../../checks/redis/connectivity.js';
import { checksForRun } from '../../../src/commands/run.js';
import { RedisSource } from '../../../src/sources/redis/probe.js';
import { runCase } from '../../support/check-tester.js';
import { lazy } from '../../support/cloud-fakes.js';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../support/redis-servers.js';

const AWS = ['fixtures/values/aws-good.yaml'];
const HOST = 'llm-engine-cache.internal.example';
const url = (auth = '') => [`config.values.launch.cache_redis_aws_url=redis://${auth}${HOST}:6379/15`, 'config.values.launch.cache_redis_aws_secret_name=null'];

describe('redis/connectivity runs in preflight', () => {
  it('is selected for preflight, and --only redis lists the triage-only checks as skipped, naming the command', async () => {
    const ids = checksForRun({ name: 'preflight', scope: 'preflight' }, {}, false).map((c) => c.meta.id);
    expect(ids).toContain('redis/connectivity');
    const only = checksForRun({ name: 'preflight', scope: 'preflight' }, { only: ['redis'] }, false);
    expect(only.map((c) => c.meta.id).sort()).toEqual(['redis/azure-token-refresh', 'redis/cache-url', 'redis/connectivity', 'redis/log-errors']);
    const [r] = await runCase(only.find((c) => c.meta.id === 'redis/log-errors')!, { name: 'x' });
    expect(r).toMatchObject({ status: 'skip', messageId: 'notInCommand' });
    expect(r!.message).toBe('Runs in triage and endpoint, not in preflight: rerun with model-engine-doctor triage --only redis/log-errors');
  });

  it('a host that does not resolve from here is skipped with the reason (resolver that knows no such name)', async () => {
    // A resolver that rejects every name, as a laptop outside the VPC does; no DNS query leaves the test.
    const redis = new RedisSource({ from: 'test', network: 'all', lookup: async (h) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' })) });
    const rs = await runCase(check, { name: 'x', values: AWS, set: url(), ports: { redis } });
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ status: 'skip', messageId: 'notResolvedHere' });
    expect(rs[0]!.message).toContain(`${HOST} does not resolve from test (ENOTFOUND), so it was not probed`);
  });
});

(HAVE_REDIS ? describe : describe.skip)('redis/connectivity in preflight against a real redis-server', () => {
  let server: RedisServer | undefined;
  const sources: Record<string, RedisSource> = {};
  beforeAll(async () => {
    server = await startRedis({ args: ['--requirepass', 'right-password-1'] });
    sources.cache = new RedisSource({ from: 'test', resolve: { [HOST]: { host: '127.0.0.1', port: server.port } } });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('the password in the values works: pass, from values alone', async () => {
    const [r] = await runCase(check, { name: 'x', values: AWS, set: url(':right-password-1@'), ports: { redis: lazy(() => sources.cache) } });
    expect(r).toMatchObject({ status: 'pass', messageId: 'reachable' });
  });

  it('a wrong password fails before the install does', async () => {
    const [r] = await runCase(check, { name: 'x', values: AWS, set: url(':wrong-password-1@'), ports: { redis: lazy(() => sources.cache) } });
    expect(r).toMatchObject({ status: 'fail', messageId: 'wrongPassword' });
    expect(JSON.stringify(r)).not.toContain('wrong-password-1');
  });
});
