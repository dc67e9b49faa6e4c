import { afterAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import check, { cacherAgeMinutes, restartCronJob, TOKEN_LIFETIME_MIN } from '../../../checks/redis/azure-token-refresh.js';
import type { Pod } from '../../../src/engine/index.js';
import { parseAllDocuments } from 'yaml';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';

testCheck(check, {
  valid: [{ name: 'cacher restarted 29 min ago', snapshot: 'fixtures/clusters/azure-healthy' }],
  invalid: [
    {
      name: 'cacher running 4 h with WRONGPASS since ~75 min after start',
      snapshot: 'fixtures/clusters/azure-cacher-token',
      errors: [{ messageId: 'expired', object: { kind: 'Pod', name: 'model-engine-cacher-6d8c7b5f9d-r5t6v' } }],
    },
    { name: 'not Azure: does not apply', snapshot: 'fixtures/clusters/demo-aws', errors: [{ messageId: 'notApplicable', status: 'skip' }] },
    {
      name: 'old cacher without readable logs: warn',
      snapshot: 'fixtures/clusters/azure-cacher-token',
      denials: [{ verb: 'get', resource: 'pods/log' }],
      errors: [{ messageId: 'oldNoLogs', status: 'warn' }],
    },
  ],
});

describe('redis/azure-token-refresh', () => {
  it('gives the restart now and a CronJob that applies as YAML', async () => {
    const [r] = await runCase(check, { name: 'detail', snapshot: 'fixtures/clusters/azure-cacher-token' });
    expect(r?.status).toBe('fail');
    if (r?.status !== 'fail') return;
    expect(r.remediation.commands?.[0]).toBe('kubectl -n model-engine rollout restart deploy/model-engine-cacher');
    const docs = parseAllDocuments(restartCronJob('model-engine')).map((d) => d.toJS() as { kind: string; spec?: { schedule?: string } });
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'CronJob']);
    expect(docs[3]?.spec?.schedule).toBe('*/45 * * * *');
  });

  it('computes the cacher age from the running container start', () => {
    const pod = { metadata: { name: 'c' }, spec: { containers: [] }, status: { containerStatuses: [{ name: 'model-engine-cacher', state: { running: { startedAt: '2026-04-10T08:00:02Z' } } }] } } as Pod;
    expect(cacherAgeMinutes(pod, new Date('2026-04-10T12:00:00Z'))).toBe(239);
    expect(TOKEN_LIFETIME_MIN).toBe(60);
  });
});

/**
 * The expiry window, to the minute either way: the cacher started at 08:00:02 (fixture azure-cacher-token), the token
 * lives at least TOKEN_LIFETIME_MIN = 60 min, so from 09:00:02 the cacher is past it, and only auth errors logged from
 * 09:00:02 on point at expiry. A copy of the fixture with one auth error line at a chosen time tells the window's edge.
 */
describe('redis/azure-token-refresh expiry window', () => {
  const FIXTURE = 'fixtures/clusters/azure-cacher-token';
  const CACHER_LOG = 'logs/model-engine/model-engine-cacher-6d8c7b5f9d-r5t6v/model-engine-cacher.log';
  const at = (t: string) => new Date(`2026-04-10T${t}Z`);
  const authError = (time: string) =>
    JSON.stringify({ message: 'Error in cache loop', time: `2026-04-10T${time}.000000+00:00`, level: 'ERROR', exc_info: 'redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.' });
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  /** The fixture with the cacher's log replaced by these lines. */
  function withCacherLog(lines: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'med-cacher-'));
    dirs.push(dir);
    cpSync(fixture(FIXTURE), dir, { recursive: true });
    writeFileSync(join(dir, CACHER_LOG), `${lines.join('\n')}\n`);
    return dir;
  }
  const verdict = async (snapshot: string, now: Date) => (await runCase(check, { name: 'window', snapshot, now })).map((r) => `${r.status} ${r.messageId}`);

  it.each([
    ['09:00:01', 'pass young'], // 59 min: within the lifetime
    ['09:00:02', 'fail expired'], // 60 min: past it (the errors at 09:14 count)
  ])('a cacher seen at %s is %s', async (now, want) => {
    expect(await verdict(FIXTURE, at(now))).toEqual([want]);
  });

  it.each([
    ['09:00:02', 'fail expired'], // logged as the token expired: counts
    ['09:00:01', 'pass oldButClean'], // logged a second before: an earlier failure, not expiry
    ['08:59:30', 'pass oldButClean'],
    ['09:00:40', 'fail expired'],
  ])('an auth error logged at %s (cacher seen at 12:00:02, 240 min old) → %s', async (time, want) => {
    const snapshot = withCacherLog([authError(time)]);
    expect(await verdict(snapshot, at('12:00:02'))).toEqual([want]);
  });
});

describe('redis/azure-token-refresh when there is nothing to judge', () => {
  it('the cacher pod is Pending (not scheduled, no container running): skip noCacher, naming the namespace', async () => {
    const base = await loadSnapshot(fixture('fixtures/clusters/azure-healthy'));
    const objects = base.objects.map((o) => {
      if (o.kind !== 'Pod' || !o.metadata.name.startsWith('model-engine-cacher-')) return o;
      const p = structuredClone(o) as Pod;
      p.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.' }],
      };
      return p;
    });
    const { context } = await resolveContext({ kube: new SnapshotKube({ ...base, objects }), namespace: 'model-engine', now: base.now });
    const rs = await runCheck(check, context, { timeoutMs: 20_000 });
    expect(rs.map((r) => [r.status, r.messageId, r.message])).toEqual([['skip', 'noCacher', 'No running cacher pod in model-engine']]);
  });

  it('--cloud azure with the wrong -n (no service ConfigMap there) and no values: skip noConfig', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: 'fixtures/clusters/azure-healthy', cloud: 'azure', namespace: 'llm-engine-staging' });
    expect(rs.map((r) => [r.status, r.messageId, r.message])).toEqual([['skip', 'noConfig', 'Neither the service ConfigMap nor helm values are available']]);
  });
});
