import { describe, expect, it } from '@jest/globals';
import check, { availability, podTrouble } from '../../../checks/control-plane/deployments-available.js';
import type { Deployment, Pod } from '../../../src/engine/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { byName, runMutated } from './mutated-snapshot.js';

testCheck(check, {
  valid: [{ name: 'healthy install: gateway 2/2, builder 1/1, cacher 1/1', snapshot: 'fixtures/clusters/healthy-aws' }],
  invalid: [
    {
      name: 'demo: the cacher crash-loops on Redis AUTH',
      snapshot: 'fixtures/clusters/demo-aws',
      errors: [{ messageId: 'unavailable', status: 'fail', object: { kind: 'Deployment', namespace: 'model-engine', name: 'model-engine-cacher' } }],
    },
    {
      name: 'renamed service-config key: nothing starts',
      snapshot: 'fixtures/clusters/cp-renamed-config-key',
      errors: [
        { messageId: 'unavailable', object: { namespace: 'model-engine', name: 'model-engine' } },
        { messageId: 'unavailable', object: { namespace: 'model-engine', name: 'model-engine-endpoint-builder' } },
        { messageId: 'unavailable', object: { namespace: 'model-engine', name: 'model-engine-cacher' } },
      ],
    },
    {
      name: 'wrong namespace: no control plane there',
      snapshot: 'fixtures/clusters/demo-aws',
      namespace: 'llm-engine',
      errors: [
        // No gateway means no API at all, no builder means no endpoint can be created: critical; the cacher, high.
        { messageId: 'missing', status: 'fail', severity: 'critical', object: { kind: 'Deployment', namespace: 'llm-engine', name: 'model-engine' } },
        { messageId: 'missing', status: 'fail', severity: 'critical', object: { name: 'model-engine-endpoint-builder' } },
        { messageId: 'missing', status: 'fail', severity: 'high', object: { name: 'model-engine-cacher' } },
      ],
    },
  ],
});

describe('control-plane/deployments-available on the demo', () => {
  it('passes the gateway and builder and fails only the cacher, with the pod state as evidence', async () => {
    const results = await runCase(check, { name: 'demo', snapshot: 'fixtures/clusters/demo-aws' });
    expect(results.map((r) => [r.object?.name, r.status])).toEqual([
      ['model-engine', 'pass'],
      ['model-engine-endpoint-builder', 'pass'],
      ['model-engine-cacher', 'fail'],
    ]);
    const cacher = results[2]!;
    // Not critical: the API still answers without the cacher, but endpoint status goes stale.
    expect(cacher.severity).toBe('high');
    expect(cacher.message).toBe(
      'Deployment model-engine-cacher (the cacher (endpoint status cache)) has 0/1 replicas available (Deployment does not have minimum availability.)',
    );
    const waiting = cacher.evidence.find((e) => e.type === 'field' && e.path.endsWith('.state.waiting'));
    expect(waiting).toMatchObject({ object: { kind: 'Pod', namespace: 'model-engine' }, value: expect.stringMatching(/^CrashLoopBackOff: back-off 5m0s .*\(restarts: 9\)$/) });
  });

  it('rates an unavailable gateway critical', async () => {
    const results = await runCase(check, { name: 'renamed', snapshot: 'fixtures/clusters/cp-renamed-config-key' });
    expect(results.find((r) => r.object?.name === 'model-engine')).toMatchObject({ status: 'fail', severity: 'critical' });
  });

  it('warns when only some gateway replicas are available', async () => {
    const results = await runMutated(check, 'fixtures/clusters/healthy-aws', (objects) => {
      const gw = byName(objects, 'Deployment', 'model-engine', 'model-engine') as Deployment;
      gw.status = { ...gw.status, availableReplicas: 1, readyReplicas: 1, unavailableReplicas: 1 };
    });
    expect(results.find((r) => r.object?.name === 'model-engine')).toMatchObject({ status: 'warn', messageId: 'degraded', severity: 'medium' });
  });
});

const dep = (replicas: number | undefined, available: number | undefined, cond?: { status: string; message?: string }): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'model-engine', namespace: 'model-engine' },
  spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers: [] } } },
  status: {
    ...(available === undefined ? {} : { availableReplicas: available }),
    ...(cond ? { conditions: [{ type: 'Available', ...cond }] } : {}),
  },
});

describe('availability', () => {
  it.each([
    ['no Deployment', undefined, { state: 'missing' }],
    ['all replicas available', dep(2, 2, { status: 'True' }), { state: 'available', ready: 2, desired: 2 }],
    ['replicas defaulted to 1', dep(undefined, 1), { state: 'available', ready: 1, desired: 1 }],
    ['some replicas available', dep(2, 1, { status: 'True' }), { state: 'degraded', ready: 1, desired: 2 }],
    ['scaled to zero', dep(0, undefined), { state: 'unavailable', ready: 0, desired: 0, reason: 'scaled to 0 replicas' }],
    [
      'no replica available, with the controller message',
      dep(1, undefined, { status: 'False', message: 'Deployment does not have minimum availability.' }),
      { state: 'unavailable', ready: 0, desired: 1, reason: 'Deployment does not have minimum availability.' },
    ],
    ['Available=False wins over a stale count', dep(2, 2, { status: 'False' }), { state: 'unavailable', ready: 2, desired: 2 }],
  ] as const)('%s', (_name, d, expected) => {
    expect(availability(d as Deployment | undefined)).toEqual(expected);
  });
});

const pod = (status: Pod['status']): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p-1', namespace: 'model-engine' },
  spec: { containers: [{ name: 'c' }] },
  status,
});

describe('podTrouble', () => {
  it.each([
    [
      'a crash-looping container',
      pod({
        phase: 'Running',
        containerStatuses: [{ name: 'c', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s' } } }],
      }),
      [{ path: 'status.containerStatuses[c].state.waiting', value: 'CrashLoopBackOff: back-off 1m20s (restarts: 4)' }],
    ],
    [
      'a container that exited and is not ready',
      pod({ phase: 'Running', containerStatuses: [{ name: 'c', ready: false, state: { running: {} }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] }),
      [{ path: 'status.containerStatuses[c].lastState.terminated', value: 'OOMKilled (exit 137)' }],
    ],
    [
      'an unschedulable pod',
      pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/6 nodes are available' }] }),
      [{ path: 'status.conditions[PodScheduled]', value: 'Unschedulable: 0/6 nodes are available' }],
    ],
    ['a healthy pod', pod({ phase: 'Running', containerStatuses: [{ name: 'c', ready: true, state: { running: {} } }] }), []],
  ] as const)('%s', (_name, p, expected) => {
    expect(podTrouble([p as Pod])).toEqual(expected.map((e) => ({ type: 'field', object: { kind: 'Pod', namespace: 'model-engine', name: 'p-1' }, ...e })));
  });

  it('keeps at most five items', () => {
    const crashing = pod({ containerStatuses: [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
    expect(podTrouble(Array.from({ length: 8 }, () => crashing))).toHaveLength(5);
  });
});
