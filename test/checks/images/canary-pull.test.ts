/**
 * The canary port and `images/canary-pull` against the snapshot API server in writable mode, through the real
 * @kubernetes/client-node: create, watch, `mutate()` the pod as the kubelet would (ImagePullBackOff, Running,
 * Unschedulable), delete — also after Ctrl-C — and cleanup of leftovers from an interrupted run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import canaryPull, { canaryImages, canaryPlacement } from '../../../checks/images/canary-pull.js';
import type { KubeObject, Node, Pod } from '../../../src/engine/index.js';
import { imageSet } from '../../../src/model-engine/images.js';
import { CANARY_LABELS, type CanaryPort } from '../../../src/engine/ports/canary.js';
import { createCanaryPort } from '../../../src/sources/kube/canary.js';
import { startSnapshotServer, type SnapshotServer } from '../../../src/sources/server/api-server.js';
import { loadSnapshot, type Snapshot } from '../../../src/sources/snapshot/load.js';
import { fixture, runCase } from '../../support/check-tester.js';

const NS = 'llm-engine';
const ECR = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
let snapshot: Snapshot;
let server: SnapshotServer;
let denied: SnapshotServer;
let canary: CanaryPort;

const canaryPods = (s: SnapshotServer) => s.objects().filter((o) => o.kind === 'Pod' && o.metadata.labels?.['model-engine-doctor/canary'] === 'true');

async function waitFor<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Act as the kubelet on the next canary pod for `image`. */
async function kubelet(image: string, edit: (pod: KubeObject) => void): Promise<KubeObject> {
  const pod = await waitFor(() => canaryPods(server).find((p) => (p.spec as Pod['spec']).containers[0]?.image === image && !p.status?.['containerStatuses' as never]));
  server.mutate(NS, pod.metadata.name, edit);
  return pod;
}

const backoff = (message: string) => (p: KubeObject) => {
  p.status = {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True' }],
    containerStatuses: [{ name: 'pull', image: (p.spec as Pod['spec']).containers[0]!.image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message } } }],
  };
};
const completed = (p: KubeObject) => {
  const image = (p.spec as Pod['spec']).containers[0]!.image!;
  p.status = {
    phase: 'Succeeded',
    containerStatuses: [{ name: 'pull', image, imageID: `${image.split(':')[0]}@sha256:5f1c9e2a`, ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
  };
};

beforeAll(async () => {
  snapshot = await loadSnapshot(fixture('fixtures/clusters/healthy-aws'));
  server = await startSnapshotServer({ snapshot, writable: true });
  denied = await startSnapshotServer({ snapshot, writable: true, denials: [{ verb: 'create', resource: 'pods' }] });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  canary = createCanaryPort(kc);
});

afterAll(async () => {
  await Promise.all([server?.close(), denied?.close()]);
});

const request = (image: string, timeoutMs = 5000) => ({
  namespace: NS,
  image,
  serviceAccountName: 'model-engine',
  nodeSelector: { 'node-lifecycle': 'normal', 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  timeoutMs,
});

describe('canary port', () => {
  it('creates a labelled pod with the command replaced, reports ImagePullBackOff, then deletes the pod', async () => {
    const image = `${ECR}/vllm:0.7.0`;
    const outcome = canary.run(request(image), AbortSignal.timeout(10_000));
    const pod = await kubelet(image, backoff(`failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`));
    expect(pod.metadata.name).toMatch(/^med-canary-[0-9a-f]{10}$/);
    expect(pod.metadata.labels).toMatchObject(CANARY_LABELS);
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Never',
      serviceAccountName: 'model-engine',
      automountServiceAccountToken: false,
      nodeSelector: { 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' },
      containers: [{ name: 'pull', image, command: ['true'], imagePullPolicy: 'Always' }],
    });
    await expect(outcome).resolves.toMatchObject({ state: 'pull-failed', reason: 'ErrImagePull', message: expect.stringContaining('not found') });
    expect(canaryPods(server)).toEqual([]);
  });

  it('reports a pulled image when the container ran', async () => {
    const image = `${ECR}/vllm:0.6.1.post2`;
    const outcome = canary.run(request(image), AbortSignal.timeout(10_000));
    await kubelet(image, completed);
    await expect(outcome).resolves.toMatchObject({ state: 'pulled' });
    expect(canaryPods(server)).toEqual([]);
  });

  it('reports an unschedulable pod when no node fits before the timeout', async () => {
    const image = `${ECR}/vllm:0.6.1.post2-unschedulable`;
    const outcome = canary.run(request(image, 400), AbortSignal.timeout(10_000));
    await kubelet(image, (p) => {
      p.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/5 nodes are available: 5 node(s) didn\'t match Pod\'s node affinity/selector.' }] };
    });
    await expect(outcome).resolves.toMatchObject({ state: 'unschedulable', message: expect.stringContaining('node affinity/selector') });
    expect(canaryPods(server)).toEqual([]);
  });

  it('deletes its pod on Ctrl-C (the run signal aborts)', async () => {
    const controller = new AbortController();
    const outcome = canary.run(request(`${ECR}/model-engine:slow`, 30_000), controller.signal);
    await waitFor(() => canaryPods(server)[0]);
    controller.abort();
    await expect(outcome).rejects.toThrow();
    expect(canaryPods(server)).toEqual([]);
  });

  it('says forbidden when it may not create pods', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(denied.kubeconfig);
    await expect(createCanaryPort(kc).run(request(`${ECR}/vllm:1`), AbortSignal.timeout(5000))).resolves.toMatchObject({ state: 'forbidden' });
  });

  it('deletes leftovers of an interrupted run older than 10 minutes, and only those', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
    const { CoreV1Api } = await import('@kubernetes/client-node');
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of ['med-canary-0000000001', 'med-canary-0000000002']) {
      await core.createNamespacedPod({ namespace: NS, body: { metadata: { name, labels: { ...CANARY_LABELS } }, spec: { containers: [{ name: 'pull', image: 'x' }] } } });
    }
    server.mutate(NS, 'med-canary-0000000001', (p) => {
      p.metadata.creationTimestamp = new Date(snapshot.now.getTime() - 20 * 60_000).toISOString();
    });
    const deleted = await canary.cleanupLeftovers(NS, 10 * 60_000, snapshot.now);
    expect(deleted).toEqual(['med-canary-0000000001']);
    expect(canaryPods(server).map((p) => p.metadata.name)).toEqual(['med-canary-0000000002']);
    await core.deleteNamespacedPod({ name: 'med-canary-0000000002', namespace: NS });
  });
});

describe('images/canary-pull', () => {
  it('is skipped unless --canary is given', async () => {
    const rs = await runCase(canaryPull, { name: 'x', snapshot: 'fixtures/clusters/healthy-aws' });
    expect(rs.map((r) => [r.status, r.messageId])).toEqual([['skip', 'needsCanary']]);
  });

  it('pulls the forwarder and vLLM images like an endpoint pod would, and fails the one the nodes cannot pull', async () => {
    const forwarder = `${ECR}/model-engine:a82369619a365b79a45e49ef6af1045653102615`;
    // The live ConfigMap (vllm: latest) decides the tag, not the values file: helm upgrade never updates it.
    const vllm = `${ECR}/vllm:latest`;
    const run = runCase(canaryPull, {
      name: 'x',
      snapshot: 'fixtures/clusters/healthy-aws',
      values: ['fixtures/values/images-ecr-mirrored.yaml'],
      options: { canary: true, extra: { canaryTimeoutMs: '8000' } },
      ports: { canary },
    });
    await Promise.all([
      kubelet(forwarder, backoff(`failed to pull and unpack image "${forwarder}": failed to resolve reference "${forwarder}": pulling from host ${ECR} failed with status code [manifests a8236961]: 401 Unauthorized`)),
      kubelet(vllm, completed),
    ]);
    const rs = await run;
    expect(rs.map((r) => [r.status, r.messageId, r.object?.name])).toEqual([
      ['fail', 'pullFailed', forwarder],
      ['pass', 'pulled', vllm],
    ]);
    expect(rs[0]!.message).toContain('unauthorized: 401 Unauthorized');
    expect(canaryPods(server)).toEqual([]);
  });
});

describe('images/canary-pull: when the canary cannot say "pulled" or "failed"', () => {
  const FORWARDER = `${ECR}/model-engine:a82369619a365b79a45e49ef6af1045653102615`;
  const VLLM = `${ECR}/vllm:latest`;
  const run = (timeoutMs: string, canaryPort: CanaryPort | null = canary, more: { namespace?: string; endpointNamespace?: string; values?: string[] } = { values: ['fixtures/values/images-ecr-mirrored.yaml'] }) =>
    runCase(canaryPull, { name: 'x', snapshot: 'fixtures/clusters/healthy-aws', ...more, options: { canary: true, extra: { canaryTimeoutMs: timeoutMs } }, ...(canaryPort ? { ports: { canary: canaryPort } } : {}) });

  it('no node fits the endpoint placement (PodScheduled False, Unschedulable): a warning per image, the scheduler quoted', async () => {
    const message = "0/6 nodes are available: 3 node(s) didn't match Pod's node affinity/selector, 3 node(s) had untolerated taint {nvidia.com/gpu: true}. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.";
    const unschedulable = (p: KubeObject) => {
      p.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] };
    };
    const rs = run('1500');
    await Promise.all([kubelet(FORWARDER, unschedulable), kubelet(VLLM, unschedulable)]);
    const results = await rs;
    expect(results.map((r) => [r.status, r.messageId, r.severity, r.object?.name])).toEqual([
      ['warn', 'unschedulable', 'critical', FORWARDER],
      ['warn', 'unschedulable', 'critical', VLLM],
    ]);
    const f = results[0]!;
    if (f.status !== 'warn') throw new Error('expected a warning');
    expect(f.message).toBe(`The canary pod for ${FORWARDER} could not be scheduled (${message}): endpoint pods with the same placement would not schedule either`);
    expect(f.remediation.commands).toEqual(['kubectl get nodes -L k8s.amazonaws.com/accelerator,node-lifecycle,kubernetes.io/arch']);
    expect(canaryPods(server)).toEqual([]);
  });

  it('the vLLM image still downloading when the canary timeout ends: a timeout warning for it, the forwarder pulled', async () => {
    const pulling = (p: KubeObject) => {
      p.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
        containerStatuses: [{ name: 'pull', image: VLLM, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
      };
    };
    const rs = run('1500');
    await Promise.all([kubelet(FORWARDER, completed), kubelet(VLLM, pulling)]);
    const results = await rs;
    expect(results.map((r) => [r.status, r.messageId, r.severity, r.object?.name])).toEqual([
      ['pass', 'pulled', 'critical', FORWARDER],
      ['warn', 'timeout', 'critical', VLLM],
    ]);
    const f = results[1]!;
    if (f.status !== 'warn') throw new Error('expected a warning');
    expect(f.message).toBe(`The canary pod for ${VLLM} had no pull result in time: no pull result within 2 s (a large image may still be downloading)`);
    expect(f.remediation.summary).toMatch(/longer --timeout for large framework images/);
    expect(canaryPods(server)).toEqual([]);
  });

  it('RBAC refuses creating pods in the endpoint namespace: skipped per image, naming the refusal', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(denied.kubeconfig);
    const results = await run('3000', createCanaryPort(kc));
    expect(results.map((r) => [r.status, r.messageId, r.object?.name])).toEqual([
      ['skip', 'forbidden', FORWARDER],
      ['skip', 'forbidden', VLLM],
    ]);
    expect(results[0]!.message).toBe('The canary could not run: cannot create pods in namespace llm-engine');
  });

  it('--canary on a snapshot (no live cluster to create pods in): not run, saying why', async () => {
    const results = await run('3000', null);
    expect(results.map((r) => [r.status, r.messageId, r.message])).toEqual([['skip', 'unavailable', 'Not run: canary pods need a live cluster (not a snapshot)']]);
  });

  it('--canary before the install without values (no forwarder or vLLM image known): not run, saying what to pass', async () => {
    const results = await run('3000', canary, { namespace: 'ml-serving', endpointNamespace: 'ml-serving-endpoints' });
    expect(results.map((r) => [r.status, r.messageId, r.message])).toEqual([['skip', 'noImages', 'Not run: the forwarder and vLLM images are not known (pass -f values.yaml, or install the release)']]);
  });
});

describe('canary placement and images', () => {
  const nodes = (accelerators: (string | undefined)[]): Node[] =>
    accelerators.map((a, i) => ({ metadata: { name: `n${i}`, labels: { 'kubernetes.io/arch': 'amd64', ...(a ? { 'k8s.amazonaws.com/accelerator': a } : {}) } } }));
  const values = (o: Record<string, unknown>) => ({ get: (p: string) => o[p] });

  it.each([
    ['values nodeSelector + the GPU nodes\' accelerator', values({ nodeSelector: { 'node-lifecycle': 'normal' }, gpuTolerations: [{ key: 'dedicated' }] }), [undefined, 'nvidia-tesla-t4'], { 'node-lifecycle': 'normal', 'k8s.amazonaws.com/accelerator': 'nvidia-tesla-t4' }, ['nvidia.com/gpu', 'dedicated']],
    ['CPU-only cluster', values({ nodeSelector: { 'node-lifecycle': 'normal' } }), [undefined], { 'node-lifecycle': 'normal' }, []],
    ['nodeSelector: null removes the default', values({ nodeSelector: null }), ['nvidia-ampere-a10'], { 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' }, ['nvidia.com/gpu']],
  ])('%s', (_n, v, accels, selector, tolerationKeys) => {
    const p = canaryPlacement(v, [], nodes(accels));
    expect(p.nodeSelector).toEqual(selector);
    expect(p.tolerations.map((t) => t.key)).toEqual(tolerationKeys);
  });

  it('copies a running endpoint pod\'s placement when there is one', () => {
    const pods = snapshot.objects.filter((o) => o.kind === 'Pod') as Pod[];
    const p = canaryPlacement(undefined, pods, []);
    expect(p.from).toMatch(/^endpoint pod llm-engine\/launch-endpoint-id-/);
    expect(p.nodeSelector['k8s.amazonaws.com/accelerator']).toBe('nvidia-ampere-a10');
    expect(p.tolerations.some((t) => t.key === 'node.kubernetes.io/not-ready')).toBe(false);
  });

  it('canaries the forwarder and the vLLM image', () => {
    const set = imageSet({ values: { get: (k: string) => ({ tag: 't', 'image.forwarderRepository': `${ECR}/model-engine`, 'config.values.infra.docker_repo_prefix': ECR, 'inferenceFramework.vllm': '0.6.3' } as Record<string, unknown>)[k] } });
    expect(canaryImages(set.images).map((e) => e.ref)).toEqual([`${ECR}/model-engine:t`, `${ECR}/vllm:0.6.3`]);
  });
});
