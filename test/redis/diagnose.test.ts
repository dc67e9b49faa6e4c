import { describe, expect, it } from '@jest/globals';
import { diagnoseProbe, PROBE_MESSAGES } from '../../checks/redis/lib/diagnose.js';
import type { RedisProbeResult, RedisStepName, RedisTarget } from '../../src/engine/ports/redis.js';
import { SecretString } from '../../src/engine/ports/secret.js';

const target = (over: Partial<RedisTarget> = {}): RedisTarget => ({
  host: 'master.ml-prod.x7k2pq.use1.cache.amazonaws.com',
  port: 6379,
  tls: true,
  verifyCertificate: true,
  db: 15,
  credential: { kind: 'password', password: new SecretString('pw-never-shown') },
  display: 'rediss://:REDACTED@master.ml-prod.x7k2pq.use1.cache.amazonaws.com:6379/15',
  ...over,
});

function result(failedStep: RedisStepName | undefined, errorCode?: string, extra: Partial<RedisProbeResult> = {}): RedisProbeResult {
  const order: RedisStepName[] = ['dns', 'tcp', 'tls', 'auth', 'ping', 'select', 'acl', 'latency'];
  const upTo = failedStep ? order.indexOf(failedStep) : order.length - 1;
  return {
    target: 'rediss://:REDACTED@host:6379/15',
    from: 'this machine (laptop)',
    steps: order.slice(0, upTo + 1).map((name) => ({ name, ok: name !== failedStep, ms: 1, detail: name === failedStep ? `${name} failed` : `${name} ok` })),
    ...(failedStep ? { failedStep, errorCode: errorCode ?? 'ERROR' } : { latencyMs: 0.4 }),
    ...extra,
  };
}

const ctx = (over: Partial<Parameters<typeof diagnoseProbe>[1]> = {}) => ({
  role: 'cache' as const,
  target: target(),
  local: true,
  namespace: 'model-engine',
  object: { kind: 'Deployment', namespace: 'model-engine', name: 'model-engine' },
  ...over,
});

describe('diagnoseProbe: the first failing step decides the message', () => {
  it.each<[string, RedisProbeResult, Partial<Parameters<typeof diagnoseProbe>[1]>, string, string]>([
    ['all steps ok', result(undefined), {}, 'pass', 'reachable'],
    ['slow from the pod', result(undefined, undefined, { latencyMs: 80 }), { local: false }, 'warn', 'slow'],
    ['80 ms from a laptop is fine', result(undefined, undefined, { latencyMs: 80 }), {}, 'pass', 'reachable'],
    ['cluster-only name from a laptop', result('dns', 'ENOTFOUND'), { target: target({ host: 'redis.ns.svc.cluster.local' }) }, 'skip', 'clusterOnly'],
    ['public name that does not resolve, from a laptop', result('dns', 'ENOTFOUND'), {}, 'warn', 'dnsFailed'],
    ['name that does not resolve in the pod', result('dns', 'ENOTFOUND'), { local: false }, 'fail', 'dnsFailed'],
    ['private address unreachable from a laptop is not an auth failure', result('tcp', 'ETIMEDOUT', { addresses: ['10.0.3.7'] }), {}, 'skip', 'unreachableFromHere'],
    ['unreachable from the pod', result('tcp', 'ETIMEDOUT'), { local: false }, 'fail', 'tcpUnreachable'],
    ['refused', result('tcp', 'ECONNREFUSED'), {}, 'fail', 'connectionRefused'],
    ['untrusted CA', result('tls', 'CERT_UNTRUSTED'), {}, 'fail', 'tlsUntrusted'],
    ['hostname mismatch', result('tls', 'CERT_HOSTNAME_MISMATCH'), {}, 'fail', 'tlsHostname'],
    ['expired certificate', result('tls', 'CERT_EXPIRED'), {}, 'fail', 'tlsExpired'],
    ['rediss:// to a plain port', result('tls', 'PORT_IS_PLAIN'), {}, 'fail', 'portIsPlain'],
    ['redis:// to a TLS port', result('tls', 'PORT_EXPECTS_TLS'), {}, 'fail', 'portExpectsTls'],
    ['TLS timeout', result('tls', 'TLS_TIMEOUT'), {}, 'fail', 'tlsFailed'],
    ['silent server', result('ping', 'NO_REPLY'), {}, 'fail', 'noReply'],
    ['wrong password', result('auth', 'WRONGPASS'), {}, 'fail', 'wrongPassword'],
    ['Entra token rejected', result('auth', 'WRONGPASS'), { target: target({ credential: { kind: 'entra-token', username: 'oid', scope: 's' } }) }, 'fail', 'tokenRejected'],
    [
      "the operator's Entra token rejected from a laptop says nothing about the pods'",
      result('auth', 'WRONGPASS', { entraIdentity: { objectId: 'operator-oid', kind: 'user', podObjectId: 'pod-oid' } }),
      { target: target({ credential: { kind: 'entra-token', username: 'pod-oid', scope: 's' } }) },
      'skip',
      'operatorTokenRejected',
    ],
    [
      "the pods' own identity rejected (probed as the same principal)",
      result('auth', 'WRONGPASS', { entraIdentity: { objectId: 'pod-oid', podObjectId: 'pod-oid' } }),
      { target: target({ credential: { kind: 'entra-token', username: 'pod-oid', scope: 's' } }) },
      'fail',
      'tokenRejected',
    ],
    [
      'the pod rejects its own token (--exec)',
      result('auth', 'WRONGPASS'),
      { local: false, target: target({ credential: { kind: 'entra-token', username: 'pod-oid', scope: 's' } }) },
      'fail',
      'tokenRejected',
    ],
    ["logged in as the operator's identity", result(undefined, undefined, { entraIdentity: { objectId: 'operator-oid', podObjectId: 'pod-oid' } }), {}, 'pass', 'reachableAsYou'],
    ['no token in this run', result('auth', 'TOKEN_UNAVAILABLE'), {}, 'skip', 'tokenNeeded'],
    ['NOAUTH', result('auth', 'NOAUTH'), {}, 'fail', 'noAuth'],
    ['AUTH to a server without a password', result('auth', 'AUTH_NOT_CONFIGURED'), {}, 'fail', 'authNotConfigured'],
    ['SELECT out of range', result('select', 'DB_OUT_OF_RANGE'), {}, 'fail', 'selectFailed'],
    ['ACL denies LPUSH', result('acl', 'NOPERM', { acl: [{ command: 'LPUSH', allowed: false, detail: 'ACL DRYRUN: no' }] }), {}, 'fail', 'aclDenied'],
  ])('%s', (_name, r, over, status, messageId) => {
    const f = diagnoseProbe(r, ctx(over));
    expect([f.status, f.messageId]).toEqual([status, messageId]);
    expect(Object.keys(PROBE_MESSAGES)).toContain(f.messageId);
    if (f.status === 'fail' || f.status === 'warn') expect(f.remediation.summary.length).toBeGreaterThan(10);
    expect(JSON.stringify(f)).not.toContain('pw-never-shown');
  });

  it('offers --exec when a laptop cannot reach a private Redis', () => {
    const f = diagnoseProbe(result('tcp', 'ETIMEDOUT', { addresses: ['10.0.3.7'] }), ctx());
    expect(f.remediation?.commands?.[0]).toMatch(/--exec/);
    expect(f.data?.where).toBe('a private address (10.0.3.7)');
  });
});

describe('Azure Redis with Entra ID: whose access was tested', () => {
  it("names the operator's oid and the pods' AZURE_OBJECT_ID, never blaming the pods' data-access policy", () => {
    const f = diagnoseProbe(result('auth', 'WRONGPASS', { entraIdentity: { objectId: 'aaaa-operator', kind: 'user', podObjectId: 'bbbb-pod' } }), ctx({ target: target({ credential: { kind: 'entra-token', username: 'bbbb-pod', scope: 's' } }) }));
    expect(f.data).toMatchObject({ oid: 'aaaa-operator', podOid: 'bbbb-pod' });
    expect(PROBE_MESSAGES.operatorTokenRejected).toContain('not the pods');
    expect(f.remediation?.commands?.[0]).toContain('--exec');
    expect(f.remediation?.commands?.[1]).toContain('--object-id aaaa-operator');
  });
});
