import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/redis/log-errors.js';
import { REDIS_AUTH_RE } from '../../../checks/redis/lib/logs.js';
import { runCase, testCheck } from '../../support/check-tester.js';

testCheck(check, {
  valid: [
    { name: 'healthy AWS control plane', snapshot: 'fixtures/clusters/healthy-aws' },
    { name: 'healthy Azure control plane', snapshot: 'fixtures/clusters/azure-healthy' },
  ],
  invalid: [
    { name: 'demo cluster: the cacher is refused by ElastiCache', snapshot: 'fixtures/clusters/demo-aws', errors: [{ messageId: 'authErrors', object: { kind: 'Deployment', name: 'model-engine-cacher' } }] },
    { name: 'Azure cacher with an expired token', snapshot: 'fixtures/clusters/azure-cacher-token', errors: [{ messageId: 'authErrors', object: { kind: 'Deployment', name: 'model-engine-cacher' } }] },
    {
      name: 'RBAC forbids pods/log: skip naming it',
      snapshot: 'fixtures/clusters/demo-aws',
      denials: [{ verb: 'get', resource: 'pods/log' }],
      errors: ['model-engine', 'model-engine-endpoint-builder', 'model-engine-cacher'].map((name) => ({ messageId: 'noLogs', status: 'skip' as const, object: { name } })),
    },
  ],
});

describe('redis/log-errors evidence', () => {
  it('counts, spans and quotes the lines, in the cacher only', async () => {
    const rs = await runCase(check, { name: 'detail', snapshot: 'fixtures/clusters/azure-cacher-token' });
    const bad = rs.find((r) => r.status === 'fail')!;
    expect(bad.message).toBe('4 Redis authentication error(s) in the cacher logs (model-engine-cacher-6d8c7b5f9d-r5t6v), 2026-04-10T09:14:07.411Z … 2026-04-10T11:59:46.220Z');
    expect(bad.evidence.some((e) => e.type === 'log' && /AuthenticationError: invalid username-password pair/.test(e.line))).toBe(true);
    expect(rs.filter((r) => r.status === 'pass').map((r) => r.object?.name)).toEqual(['model-engine', 'model-engine-endpoint-builder']);
  });

  it.each([
    ['redis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.', true],
    ['WRONGPASS invalid username-password pair or user is disabled.', true],
    ['NOAUTH Authentication required.', true],
    ['consumer: Cannot connect to redis://:**@redis:6379/0: Authentication required..', false],
    ['Wrote 3 endpoints to the cache', false],
  ])('REDIS_AUTH_RE: %s', (line, want) => {
    expect(REDIS_AUTH_RE.test(line)).toBe(want);
  });
});
