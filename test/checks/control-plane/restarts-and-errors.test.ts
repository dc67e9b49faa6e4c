import { describe, expect, it } from '@jest/globals';
import check, { componentHealth, logsToRead } from '../../../checks/control-plane/restarts-and-errors.js';
import type { Pod } from '../../../src/engine/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';

testCheck(check, {
  valid: [{ name: 'healthy install: no restarts, clean logs', snapshot: 'fixtures/clusters/healthy-aws' }],
  invalid: [
    {
      name: 'demo: the cacher crash-loops on Redis AUTH',
      snapshot: 'fixtures/clusters/demo-aws',
      errors: [{ messageId: 'crashLooping', status: 'fail', object: { kind: 'Deployment', namespace: 'model-engine', name: 'model-engine-cacher' } }],
    },
    {
      name: 'a failed build leaves a traceback in the builder log',
      snapshot: 'fixtures/clusters/endpoint-build-failed',
      errors: [{ messageId: 'errors', status: 'warn', object: { name: 'model-engine-endpoint-builder' } }],
    },
  ],
});

describe('control-plane/restarts-and-errors on the demo', () => {
  it('names the Redis AUTH failure with the log line and the restart count, and passes the others', async () => {
    const results = await runCase(check, { name: 'demo', snapshot: 'fixtures/clusters/demo-aws' });
    expect(results.map((r) => [r.object?.name, r.status])).toEqual([
      ['model-engine', 'pass'],
      ['model-engine-endpoint-builder', 'pass'],
      ['model-engine-cacher', 'fail'],
      ['celery-autoscaler-sqs', 'pass'],
    ]);
    const cacher = results[2]!;
    expect(cacher.severity).toBe('medium');
    expect(cacher.message).toBe('model-engine-cacher (cacher) is crash-looping: 9 restart(s) — Redis authentication failed: AuthenticationError: invalid username-password pair or user is disabled.');
    expect(cacher.evidence).toContainEqual(expect.objectContaining({ type: 'log', container: 'model-engine-cacher (previous)', line: expect.stringContaining('AuthenticationError') }));
    expect(cacher.evidence).toContainEqual(expect.objectContaining({ type: 'field', value: 'restarts 9, CrashLoopBackOff' }));
    expect(cacher.remediation?.commands?.[0]).toBe('kubectl -n model-engine logs model-engine-cacher-ntxpc95s7g-78q5b --tail=200 --previous');
    // Log lines are redacted: the cache URL's password never reaches the report.
    expect(JSON.stringify(results)).not.toMatch(/rediss:\/\/:[^R@]/);
  });

  it('reports the builder traceback with the exception, as a warning (it is still running)', async () => {
    const results = await runCase(check, { name: 'build-failed', snapshot: 'fixtures/clusters/endpoint-build-failed' });
    const builder = results.find((r) => r.object?.name === 'model-engine-endpoint-builder')!;
    expect(builder).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(builder.message).toMatch(/^model-engine-endpoint-builder \(endpoint builder\): 0 restart\(s\) and \d+ error line\(s\) in its recent logs$/);
    expect(builder.evidence.some((e) => e.type === 'log' && e.line.includes('raised unexpected: EndpointResourceInfraException'))).toBe(true);
  });
});

describe('componentHealth and logsToRead', () => {
  const pod = (name: string, restarts: number, waiting?: string): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'model-engine' }] },
    status: {
      containerStatuses: [
        {
          name: 'model-engine',
          restartCount: restarts,
          ...(waiting ? { state: { waiting: { reason: waiting } } } : { state: { running: { startedAt: '2026-11-20T09:00:00Z' } } }),
          ...(restarts ? { lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: `2026-11-20T09:0${restarts}:00Z` } } } : {}),
        },
      ],
    },
  });

  it('reads current and previous logs of the pods that restarted most, at most two pods', () => {
    expect(logsToRead([pod('a', 0), pod('b', 3, 'CrashLoopBackOff'), pod('c', 1)])).toEqual([
      { pod: 'b', container: 'model-engine', previous: true },
      { pod: 'c', container: 'model-engine', previous: false },
      { pod: 'c', container: 'model-engine', previous: true },
    ]);
  });

  it('sums restarts, finds the latest termination, error lines and the known cause', () => {
    const h = componentHealth([pod('a', 2), pod('b', 5, 'CrashLoopBackOff')], [
      { pod: 'b', container: 'model-engine', previous: true, text: 'INFO ok\nTraceback (most recent call last):\nTypeError: HostedModelInferenceServiceConfig.__init__() missing 1 required positional argument: \'cloud_file_llm_fine_tune_repository\'\n' },
    ]);
    expect(h).toMatchObject({ restarts: 7, crashLooping: true, lastTermination: { pod: 'b', reason: 'Error', exitCode: 1 } });
    expect(h.errors.map((e) => e.lineNumber)).toEqual([2, 3]);
    expect(h.signature?.match.signature.id).toBe('missing-config-field');
  });
});
