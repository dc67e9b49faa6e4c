import { describe, expect, it } from '@jest/globals';
import type { Node, Pod } from '../../src/engine/index.js';
import { candidateNodes, nodeFits, parseQuantity, parseSchedulerMessage, podRequests, reasonCount, schedulingVerdict, tolerates } from '../../src/model-engine/scheduling.js';

describe('parseSchedulerMessage', () => {
  it.each([
    [
      "0/12 nodes are available: 4 Insufficient nvidia.com/gpu, 8 node(s) didn't match Pod's node affinity/selector. preemption: 0/12 nodes are available: 4 No preemption victims found for incoming pod, 8 Preemption is not helpful for scheduling.",
      { available: 0, total: 12, reasons: [['insufficient', 4, 'nvidia.com/gpu'], ['selector', 8, undefined]], preemption: true },
    ],
    [
      '0/6 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated taint {nvidia.com/gpu: true}, 3 Insufficient cpu.',
      { available: 0, total: 6, reasons: [['taint', 1, undefined], ['taint', 2, undefined], ['insufficient', 3, 'cpu']], preemption: false },
    ],
    // Before Kubernetes 1.25 the taint clause read differently.
    ["0/3 nodes are available: 3 node(s) had taint {nvidia.com/gpu: true}, that the pod didn't tolerate.", { available: 0, total: 3, reasons: [['taint', 3, undefined]], preemption: false }],
    [
      '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
      { available: 0, total: 4, reasons: [['volume', undefined, undefined]], preemption: true },
    ],
    ["0/5 nodes are available: 1 node(s) had volume node affinity conflict, 4 node(s) didn't match Pod's node affinity/selector.", { available: 0, total: 5, reasons: [['volume', 1, undefined], ['selector', 4, undefined]], preemption: false }],
    ['0/3 nodes are available: 3 node(s) were unschedulable.', { available: 0, total: 3, reasons: [['unschedulable', 3, undefined]], preemption: false }],
    ['0/7 nodes are available: 2 Insufficient memory, 7 Too many pods.', { available: 0, total: 7, reasons: [['insufficient', 2, 'memory'], ['insufficient', 7, 'pods']], preemption: false }],
    ["0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.", { available: 0, total: 2, reasons: [['affinity', 2, undefined]], preemption: true }],
    ['0/4 nodes are available: 2 Insufficient cpu, 2 node(s) had untolerated taint {nvidia.com/gpu: true}. preemption: not eligible due to preemptionPolicy=Never.', { available: 0, total: 4, reasons: [['insufficient', 2, 'cpu'], ['taint', 2, undefined]], preemption: true }],
    ['0/3 nodes are available: persistentvolumeclaim "launch-endpoint-id-end-x-model-cache" not found.', { available: 0, total: 3, reasons: [['volume', undefined, undefined]], preemption: false }],
  ] as const)('%s', (message, want) => {
    const m = parseSchedulerMessage(message);
    expect(m.available).toBe(want.available);
    expect(m.total).toBe(want.total);
    expect(m.reasons.map((r) => [r.kind, r.count, r.resource])).toEqual(want.reasons);
    expect(m.preemption !== undefined).toBe(want.preemption);
  });

  it('keeps the taint key and value, and turns the unschedulable taint into node state', () => {
    const m = parseSchedulerMessage('0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: ml-training}, 3 node(s) had untolerated taint {node.kubernetes.io/unschedulable: }.');
    expect(m.reasons[0]).toMatchObject({ kind: 'taint', taint: { key: 'dedicated', value: 'ml-training' } });
    expect(m.reasons[1]!.kind).toBe('unschedulable');
  });

  it('names the claim of a missing PVC, and reads "no nodes available"', () => {
    expect(parseSchedulerMessage('0/3 nodes are available: persistentvolumeclaim "cache-x" not found.').reasons[0]).toMatchObject({ kind: 'volume', claim: 'cache-x' });
    expect(parseSchedulerMessage('no nodes available to schedule pods')).toMatchObject({ available: 0, total: 0, reasons: [] });
  });

  it('sums counts by kind and resource', () => {
    const m = parseSchedulerMessage('0/9 nodes are available: 2 Insufficient cpu, 3 Insufficient nvidia.com/gpu, 4 node(s) didn\'t match Pod\'s node affinity/selector.');
    expect(reasonCount(m, 'insufficient')).toBe(5);
    expect(reasonCount(m, 'insufficient', 'nvidia.com/gpu')).toBe(3);
    expect(reasonCount(m, 'selector')).toBe(4);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['7910m', 7.91],
    ['6', 6],
    ['24Gi', 24 * 1024 ** 3],
    ['62049724Ki', 62049724 * 1024],
    ['100M', 100e6],
    ['1e3', 1000],
    ['0.5', 0.5],
  ])('%s', (q, n) => expect(parseQuantity(q)).toBeCloseTo(n, 6));
  it('is NaN for garbage', () => expect(parseQuantity('lots')).toBeNaN());
});

const node = (name: string, labels: Record<string, string>, opts: { gpus?: number; cpu?: string; taints?: { key: string; value?: string; effect: string }[]; ready?: boolean; cordoned?: boolean } = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.cordoned ? { unschedulable: true } : {}) },
  status: {
    allocatable: { cpu: opts.cpu ?? '7910m', memory: '31369608Ki', ...(opts.gpus ? { 'nvidia.com/gpu': String(opts.gpus) } : {}) },
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});
const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' };
const a10 = (name: string, extra: Parameters<typeof node>[2] = {}) => node(name, { 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10', 'node-lifecycle': 'normal' }, { gpus: 1, taints: [GPU_TAINT], ...extra });
const cpuNode = (name: string) => node(name, { 'node-lifecycle': 'normal' }, { cpu: '15890m' });
const endpointPod = (selector: Record<string, string>, gpus: number, cpu = '6'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'launch-endpoint-id-end-x-abc-123', namespace: 'llm-engine', uid: 'u1' },
  spec: {
    containers: [
      { name: 'http-forwarder', resources: { requests: { cpu: '100m', memory: '100M' }, limits: { cpu: '1', memory: '2Gi' } } },
      { name: 'main', resources: { requests: { cpu, memory: '24Gi', ...(gpus ? { 'nvidia.com/gpu': String(gpus) } : {}) }, limits: { cpu, memory: '24Gi', ...(gpus ? { 'nvidia.com/gpu': String(gpus) } : {}) } } },
    ],
    nodeSelector: selector,
    ...(gpus ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } : {}),
  },
  status: { phase: 'Pending' },
});
const holder = (nodeName: string, gpus: number): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `holder-${nodeName}`, namespace: 'other', uid: `h-${nodeName}` }, spec: { nodeName, containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }] }, status: { phase: 'Running' } });

describe('tolerations and requests', () => {
  it.each([
    [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, GPU_TAINT, true],
    [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'false', effect: 'NoSchedule' }, GPU_TAINT, false],
    [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }, GPU_TAINT, false],
    [{ operator: 'Exists' }, { key: 'anything', effect: 'NoExecute' }, true],
    [{ key: 'dedicated', operator: 'Exists' }, GPU_TAINT, false],
  ])('%j tolerates %j: %s', (t, taint, want) => expect(tolerates(t, taint)).toBe(want));

  it('adds containers, takes the larger init container, and defaults a request to its limit', () => {
    const p = endpointPod({}, 2);
    p.spec.initContainers = [{ name: 'init', resources: { limits: { cpu: '12' } } }];
    expect(podRequests(p)).toMatchObject({ cpu: 12, 'nvidia.com/gpu': 2 });
  });
});

describe('schedulingVerdict: the nodes decide, the message corroborates', () => {
  const msg = (s: string) => parseSchedulerMessage(s);

  it('no node has the GPU type → NO_MATCHING_NODES, even when the scheduler also says Insufficient nvidia.com/gpu', () => {
    const pod = endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-hopper-h100', 'node-lifecycle': 'normal' }, 4);
    const v = schedulingVerdict(pod, [a10('g1'), a10('g2'), cpuNode('c1')], msg("0/3 nodes are available: 2 Insufficient nvidia.com/gpu, 1 node(s) didn't match Pod's node affinity/selector."));
    expect(v).toMatchObject({ cause: 'NO_MATCHING_NODES', detail: 'no node has k8s.amazonaws.com/accelerator=nvidia-hopper-h100' });
  });

  it('both labels exist but never together → NO_MATCHING_NODES naming both', () => {
    const gpu = node('g1', { 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' }, { gpus: 1, taints: [GPU_TAINT] });
    const v = schedulingVerdict(endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10', 'node-lifecycle': 'normal' }, 1), [gpu, cpuNode('c1')], undefined);
    expect(v.cause).toBe('NO_MATCHING_NODES');
    expect(v.detail).toContain('at once');
  });

  it('matching nodes all carry an untolerated taint → UNTOLERATED_TAINT with the taint', () => {
    const extra = { taints: [GPU_TAINT, { key: 'dedicated', value: 'ml-training', effect: 'NoSchedule' }] };
    const v = schedulingVerdict(endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' }, 1), [a10('g1', extra), a10('g2', extra)], undefined);
    expect(v).toMatchObject({ cause: 'UNTOLERATED_TAINT' });
    expect(v.detail).toContain('dedicated=ml-training:NoSchedule');
  });

  it('matching nodes NotReady or cordoned → NO_MATCHING_NODES that says so', () => {
    const v = schedulingVerdict(endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' }, 1), [a10('g1', { ready: false }), a10('g2', { cordoned: true })], undefined);
    expect(v.cause).toBe('NO_MATCHING_NODES');
    expect(v.detail).toContain('g1 (NotReady)');
    expect(v.detail).toContain('g2 (cordoned)');
  });

  it('every matching GPU in use → INSUFFICIENT_GPU with free/allocatable per node', () => {
    const v = schedulingVerdict(endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' }, 1), [a10('g1'), a10('g2'), cpuNode('c1')], undefined, [holder('g1', 1), holder('g2', 1)]);
    expect(v).toMatchObject({ cause: 'INSUFFICIENT_GPU', never: false });
    expect(v.detail).toContain('g1 0/1');
  });

  it('one matching node has a free GPU → not a GPU shortage', () => {
    const v = schedulingVerdict(endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' }, 1), [a10('g1'), a10('g2')], undefined, [holder('g1', 1)]);
    expect(v.cause).not.toBe('INSUFFICIENT_GPU');
  });

  it('without the nodes\' pods, trusts the scheduler\'s Insufficient nvidia.com/gpu count', () => {
    const v = schedulingVerdict(endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' }, 1), [a10('g1'), a10('g2')], msg('0/2 nodes are available: 2 Insufficient nvidia.com/gpu.'));
    expect(v.cause).toBe('INSUFFICIENT_GPU');
  });

  it('more GPUs than any node has → INSUFFICIENT_GPU that can never fit', () => {
    const v = schedulingVerdict(endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' }, 8), [a10('g1'), a10('g2')], undefined);
    expect(v).toMatchObject({ cause: 'INSUFFICIENT_GPU', never: true });
  });

  it('a CPU endpoint too large for the untainted nodes → INSUFFICIENT_RESOURCES (GPU nodes are not candidates)', () => {
    const pod = endpointPod({ 'node-lifecycle': 'normal' }, 0, '16');
    expect(candidateNodes(pod, [a10('g1'), cpuNode('c1')]).map((n) => n.metadata.name)).toEqual(['c1']);
    const v = schedulingVerdict(pod, [a10('g1'), cpuNode('c1')], msg('0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {nvidia.com/gpu: true}.'));
    expect(v).toMatchObject({ cause: 'INSUFFICIENT_RESOURCES', resources: ['cpu'], never: true });
  });

  it('unbound PVC → VOLUME before anything else', () => {
    const v = schedulingVerdict(endpointPod({}, 0), [cpuNode('c1')], msg('0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.'));
    expect(v.cause).toBe('VOLUME');
  });

  it('nodeFits reports per-node misses, taints and shortages', () => {
    const fits = nodeFits(endpointPod({ 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10', 'node-lifecycle': 'normal' }, 1), [a10('g1'), cpuNode('c1')], [holder('g1', 1)]);
    expect(fits.find((f) => f.node === 'g1')).toMatchObject({ misses: [], taints: [], short: ['nvidia.com/gpu'] });
    expect(fits.find((f) => f.node === 'c1')!.misses).toEqual(['k8s.amazonaws.com/accelerator=nvidia-ampere-a10']);
  });
});
