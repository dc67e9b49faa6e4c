import { describe, expect, it } from '@jest/globals';
import check, { cacherAgeMinutes, restartCronJob, TOKEN_LIFETIME_MIN } from '../../../checks/redis/azure-token-refresh.js';
import type { Pod } from '../../../src/engine/index.js';
import { parseAllDocuments } from 'yaml';
import { runCase, testCheck } from '../../support/check-tester.js';

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
