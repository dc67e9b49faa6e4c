import { describe, expect, it } from '@jest/globals';
import clusterPullErrors, { pullFailures } from '../../../checks/images/cluster-pull-errors.js';
import type { KubeEvent, Pod } from '../../../src/engine/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const POD = 'launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg-chddfkjdzw-8nplw';

testCheck(clusterPullErrors, {
  valid: [{ name: 'every pod pulled its images', snapshot: 'fixtures/clusters/healthy-aws' }],
  invalid: [
    {
      name: 'an endpoint pod in ImagePullBackOff on a vLLM tag the mirror lacks',
      snapshot: 'fixtures/clusters/demo-aws',
      errors: [{ messageId: 'notFound', object: { kind: 'Pod', namespace: 'llm-engine', name: POD } }],
    },
  ],
});

const IMG = '111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3';

function pod(name: string, state: 'backoff' | 'running', message = `Back-off pulling image "${IMG}"`): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'llm-engine', labels: { endpoint_id: 'end_ct4p8uhn2ojg00a4qkgg' } },
    spec: { containers: [{ name: 'main', image: IMG }] },
    status: {
      phase: state === 'running' ? 'Running' : 'Pending',
      containerStatuses: [
        state === 'running'
          ? { name: 'main', image: IMG, imageID: `${IMG.split(':')[0]}@sha256:ab`, ready: true, state: { running: { startedAt: '2026-11-20T09:00:00Z' } } }
          : { name: 'main', image: IMG, imageID: '', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message } } },
      ],
    },
  };
}

function event(podName: string, message: string, at: string, reason = 'Failed'): KubeEvent {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${podName}.18e9b4fd6b620609`, namespace: 'llm-engine' },
    involvedObject: { kind: 'Pod', name: podName, namespace: 'llm-engine', fieldPath: 'spec.containers{main}' },
    reason,
    message,
    type: 'Warning',
    count: 12,
    lastTimestamp: at,
  };
}

const NOW = new Date('2026-11-20T09:30:00Z');
const unauthorized = `Failed to pull image "${IMG}": failed to resolve reference "${IMG}": pulling from host 111122223333.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests 0.6.3]: 401 Unauthorized`;

describe('pullFailures', () => {
  it('classifies by the most specific message (the event), not the bare back-off, and groups pods per image', () => {
    const fs = pullFailures([pod('a', 'backoff'), pod('b', 'backoff')], [event('a', unauthorized, '2026-11-20T09:29:00Z'), event('b', `Back-off pulling image "${IMG}"`, '2026-11-20T09:29:30Z', 'BackOff')], NOW);
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ image: IMG, kind: 'unauthorized', detail: '401 Unauthorized' });
    expect(fs[0]!.pods.map((p) => p.name)).toEqual(['a', 'b']);
  });

  it('ignores pods that have since pulled the image and events older than an hour', () => {
    expect(pullFailures([pod('a', 'running')], [event('a', unauthorized, '2026-11-20T09:20:00Z')], NOW)).toEqual([]);
    const gone = pullFailures([pod('c', 'running'), pod('d', 'running')], [event('d', unauthorized, '2026-11-20T08:00:00Z')], NOW);
    expect(gone).toEqual([]);
  });

  it('reads the waiting message alone when there are no events (newer kubelets put the error there)', () => {
    const fs = pullFailures([pod('a', 'backoff', `Back-off pulling image "${IMG}": ErrImagePull: failed to pull and unpack image: no match for platform in manifest: not found`)], [], NOW);
    expect(fs[0]).toMatchObject({ kind: 'platform' });
  });
});

describe('images/cluster-pull-errors on the demo cluster', () => {
  it('names the image, the cause and the commands to look further', async () => {
    const rs = await runCase(clusterPullErrors, { name: 'demo', snapshot: 'fixtures/clusters/demo-aws' });
    const f = rs.find((r) => r.messageId === 'notFound');
    expect(f?.message).toContain(IMG);
    expect(f?.severity).toBe('high');
    if (f?.status !== 'fail') throw new Error('expected a failure');
    expect(f.remediation.commands).toContain(`kubectl -n llm-engine describe pod ${POD}`);
    expect(f.evidence.some((e) => e.type === 'event' && e.reason === 'Failed')).toBe(true);
  });
});
