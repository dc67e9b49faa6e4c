import { describe, expect, it } from '@jest/globals';
import clusterPullErrors, { pullFailures } from '../../../checks/images/cluster-pull-errors.js';
import type { KubeEvent, Pod } from '../../../src/engine/index.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';

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

/**
 * The healthy cluster plus one endpoint pod stuck pulling, its waiting message what containerd/kubelet print for
 * each cause (messages as kubelet 1.28–1.31 with containerd 1.7 write them; model-engine-facts.md §10 on
 * image pulls). Run through the engine, one case per kind, asserting the whole finding.
 */
describe('images/cluster-pull-errors: each kubelet pull failure through the engine', () => {
  const ECR_HOST = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
  const HUB = 'docker.io/library/busybox:1.36';
  const wrap = (image: string, inner: string) => `Failed to pull image "${image}": rpc error: code = Unknown desc = failed to pull and unpack image "${image}": ${inner}`;
  const head = `Head "https://${ECR_HOST}/v2/vllm/manifests/0.6.3"`;
  const cases: { kind: string; image: string; message: string; detail: string; remedy: RegExp }[] = [
    { kind: 'dns', image: IMG, message: wrap(IMG, `failed to resolve reference "${IMG}": failed to do request: ${head}: dial tcp: lookup ${ECR_HOST} on 10.0.0.2:53: no such host`), detail: `lookup ${ECR_HOST} on 10.0.0.2:53: no such host`, remedy: /name resolution/ },
    { kind: 'platform', image: IMG, message: `Failed to pull image "${IMG}": rpc error: code = NotFound desc = failed to pull and unpack image "${IMG}": no match for platform in manifest: not found`, detail: 'no match for platform in manifest: not found', remedy: /skopeo copy --all/ },
    {
      kind: 'rateLimited',
      image: HUB,
      message: wrap(HUB, 'failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/busybox/manifests/sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit'),
      detail: '429 Too Many Requests',
      remedy: /Docker Hub limits anonymous pulls/,
    },
    { kind: 'timeout', image: IMG, message: wrap(IMG, `failed to resolve reference "${IMG}": failed to do request: ${head}: dial tcp 52.4.17.201:443: i/o timeout`), detail: 'i/o timeout', remedy: /Open egress from the nodes/ },
    {
      kind: 'tls',
      image: 'harbor.corp.example.com/ml/vllm:0.6.3',
      message: wrap('harbor.corp.example.com/ml/vllm:0.6.3', 'failed to resolve reference "harbor.corp.example.com/ml/vllm:0.6.3": failed to do request: Head "https://harbor.corp.example.com/v2/ml/vllm/manifests/0.6.3": tls: failed to verify certificate: x509: certificate signed by unknown authority'),
      detail: 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
      remedy: /trust the registry's CA/,
    },
    {
      // A node whose disk filled while unpacking: nothing the classifier knows, so the message itself is the detail.
      kind: 'unknown',
      image: IMG,
      message: wrap(IMG, 'failed to extract layer sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/112/fs/usr/lib/libcuda.so.1: no space left on device: unknown'),
      detail: '',
      remedy: /Read the kubelet message/,
    },
  ];
  it.each(cases.map((c) => [c.kind, c] as const))('%s', async (kind, c) => {
    const base = await loadSnapshot(fixture('fixtures/clusters/healthy-aws'));
    const stuck: Pod = { ...pod(POD, 'backoff', c.message), spec: { containers: [{ name: 'main', image: c.image }] } };
    stuck.status!.containerStatuses![0]!.image = c.image;
    stuck.status!.containerStatuses![0]!.state = { waiting: { reason: 'ErrImagePull', message: c.message } };
    const { context } = await resolveContext({ kube: new SnapshotKube({ ...base, objects: [...base.objects, stuck] }), namespace: 'model-engine', now: NOW });
    const rs = await runCheck(clusterPullErrors, context, { timeoutMs: 20_000 });
    expect(rs.map((r) => [r.status, r.messageId, r.severity, r.object])).toEqual([['fail', kind, 'high', { kind: 'Pod', namespace: 'llm-engine', name: POD }]]);
    const f = rs[0]!;
    if (f.status !== 'fail') throw new Error('expected a failure');
    expect(f.message).toContain(c.image);
    expect(f.message).toContain(c.detail || c.message.slice(0, 120));
    expect(f.evidence).toContainEqual(expect.objectContaining({ type: 'field', path: 'status.containerStatuses[main].state.waiting', value: `ErrImagePull: ${c.message}` }));
    expect(f.remediation.summary).toMatch(c.remedy);
    expect(f.remediation.commands).toContain(`kubectl -n llm-engine describe pod ${POD}`);
  });
});
