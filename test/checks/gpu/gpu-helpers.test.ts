import { describe, expect, it } from '@jest/globals';
import { judgeType, migProblem } from '../../../checks/gpu/accelerator-labels.js';
import { judgeRow } from '../../../checks/gpu/capacity.js';
import { DEVICE_PLUGIN_DS, judgeNode, validatorFailure } from '../../../checks/gpu/device-plugin.js';
import { endpointTolerations, judgeTaints, tolerates, type Taint, type Toleration } from '../../../checks/gpu/taints.js';
import {
  closestGpuType,
  GPU_TYPE_TYPOS,
  gpuCapacity,
  gpuTypeForProduct,
  noGpuTypeReason,
  labelCommands,
  liveGpuDemands,
  matchesSelector,
  nodeProduct,
  podGpuRequest,
  productMismatch,
  valuesGpuDemands,
  type GpuCapacityRow,
  type NodeProduct,
} from '../../../src/model-engine/gpu.js';
import type { Node, Pod } from '../../../src/engine/index.js';
import { MATRIX } from '../../../src/matrix/index.js';

const ACC = 'k8s.amazonaws.com/accelerator';

function node(name: string, labels: Record<string, string>, o: { gpus?: number; alloc?: number; ready?: boolean; cordoned?: boolean; taints?: Taint[]; capacity?: Record<string, string> } = {}): Node {
  const cap: Record<string, string> = { cpu: '8', ...(o.capacity ?? {}) };
  const alloc: Record<string, string> = { cpu: '7910m' };
  if (o.gpus !== undefined) {
    cap['nvidia.com/gpu'] = String(o.gpus);
    alloc['nvidia.com/gpu'] = String(o.alloc ?? o.gpus);
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: { ...(o.cordoned ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: { capacity: cap, allocatable: alloc, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

function pod(name: string, o: { node?: string; phase?: string; accel?: string; gpus?: number; limitsOnly?: boolean; init?: number; labels?: Record<string, string> } = {}): Pod {
  const res = o.gpus === undefined ? {} : o.limitsOnly ? { limits: { 'nvidia.com/gpu': String(o.gpus) } } : { requests: { 'nvidia.com/gpu': String(o.gpus) }, limits: { 'nvidia.com/gpu': String(o.gpus) } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'llm-engine', labels: o.labels ?? {} },
    spec: {
      containers: [{ name: 'main', resources: res }, { name: 'http-forwarder', resources: { requests: { cpu: '1' } } }],
      ...(o.init ? { initContainers: [{ name: 'init', resources: { requests: { 'nvidia.com/gpu': String(o.init) } } }] } : {}),
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.accel ? { nodeSelector: { [ACC]: o.accel, 'node-lifecycle': 'normal' } } : {}),
    },
    status: { phase: o.phase ?? (o.node ? 'Running' : 'Pending') },
  };
}

describe('nodeProduct', () => {
  it.each<[string, Record<string, string>, Partial<NodeProduct> | undefined]>([
    ['GFD label wins', { 'nvidia.com/gpu.product': 'NVIDIA-A10G', 'node.kubernetes.io/instance-type': 'g4dn.xlarge' }, { product: 'NVIDIA-A10G', showsMig: true }],
    ['GKE accelerator', { 'cloud.google.com/gke-accelerator': 'nvidia-l4' }, { product: 'NVIDIA-L4', source: 'cloud.google.com/gke-accelerator', showsMig: false }],
    ['EKS instance family', { 'node.kubernetes.io/instance-type': 'p4de.24xlarge' }, { product: 'NVIDIA-A100-SXM4-80GB' }],
    ['AKS size naming its GPU', { 'node.kubernetes.io/instance-type': 'Standard_NC4as_T4_v3' }, { product: 'Tesla-T4' }],
    ['AKS size not naming it', { 'node.kubernetes.io/instance-type': 'Standard_NC6s_v3' }, undefined],
    ['CPU instance', { 'node.kubernetes.io/instance-type': 'm5.2xlarge' }, undefined],
  ])('%s', (_n, labels, want) => {
    const np = nodeProduct(node('n', labels));
    if (want === undefined) expect(np).toBeUndefined();
    else expect(np).toMatchObject(want);
  });
});

describe('productMismatch', () => {
  const gfd = (product: string): NodeProduct => ({ product, source: 'nvidia.com/gpu.product', value: product, showsMig: true });
  const inst = (product: string): NodeProduct => ({ product, source: 'node.kubernetes.io/instance-type', value: 'x', showsMig: false });
  it.each<[string, NodeProduct, string | undefined]>([
    ['nvidia-ampere-a10', gfd('NVIDIA-A10G'), undefined],
    ['nvidia-ampere-a10', gfd('NVIDIA-A10'), undefined],
    ['nvidia-ampere-a10', gfd('Tesla-T4'), 'is not NVIDIA A10/A10G'],
    ['nvidia-ampere-a10', gfd('NVIDIA-A100-SXM4-40GB'), 'is not NVIDIA A10/A10G'],
    ['nvidia-tesla-t4', gfd('Tesla-T4'), undefined],
    ['nvidia-ampere-a100', gfd('NVIDIA-A100-SXM4-40GB'), undefined],
    ['nvidia-ampere-a100e', gfd('NVIDIA-A100-SXM4-40GB'), 'is not NVIDIA A100 80GB'],
    ['nvidia-ampere-a100e', gfd('NVIDIA-A100-80GB-PCIe'), undefined],
    ['nvidia-hopper-h100', gfd('NVIDIA-H100-80GB-HBM3'), undefined],
    ['nvidia-hopper-h100', gfd('NVIDIA-H100-80GB-HBM3-MIG-1g.20gb'), 'expects whole GPUs'],
    ['nvidia-hopper-h100-1g20gb', gfd('NVIDIA-H100-80GB-HBM3-MIG-1g.20gb'), undefined],
    ['nvidia-hopper-h100-1g20gb', gfd('NVIDIA-H100-80GB-HBM3-MIG-3g.40gb'), 'is MIG profile 3g.40gb, not 1g.20gb'],
    ['nvidia-hopper-h100-3g40gb', gfd('NVIDIA-H100-80GB-HBM3'), 'shows no MIG partitioning'],
    // An instance type cannot show MIG: only the GPU model is judged.
    ['nvidia-hopper-h100-3g40gb', inst('NVIDIA-H100-80GB-HBM3'), undefined],
    ['not-a-type', gfd('Tesla-T4'), undefined],
  ])('%s on %j', (type, np, want) => {
    const got = productMismatch(type, np);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(want);
  });

  it.each<[string, string | undefined]>([
    ['Tesla-T4', 'nvidia-tesla-t4'],
    ['NVIDIA-A10G', 'nvidia-ampere-a10'],
    ['NVIDIA-A100-SXM4-80GB', 'nvidia-ampere-a100e'],
    ['NVIDIA-A100-SXM4-40GB', 'nvidia-ampere-a100'],
    ['NVIDIA-H100-80GB-HBM3-MIG-3g.40gb', 'nvidia-hopper-h100-3g40gb'],
    ['NVIDIA-L4', undefined],
  ])('gpuTypeForProduct(%s) = %s', (product, want) => {
    expect(gpuTypeForProduct(gfd(product))).toBe(want);
  });
});

describe('podGpuRequest', () => {
  it.each<[string, Pod, number]>([
    ['requests', pod('a', { gpus: 2 }), 2],
    ['limits only (request defaults to the limit)', pod('b', { gpus: 4, limitsOnly: true }), 4],
    ['no GPUs', pod('c'), 0],
    ['an init container asking for more', pod('d', { gpus: 1, init: 2 }), 2],
  ])('%s', (_n, p, want) => expect(podGpuRequest(p)).toBe(want));
});

describe('gpuCapacity', () => {
  const nodes = [
    node('a10-1', { [ACC]: 'nvidia-ampere-a10' }, { gpus: 1 }),
    node('a10-2', { [ACC]: 'nvidia-ampere-a10' }, { gpus: 4 }),
    node('a10-down', { [ACC]: 'nvidia-ampere-a10' }, { gpus: 4, ready: false }),
    node('a10-cordoned', { [ACC]: 'nvidia-ampere-a10' }, { gpus: 4, cordoned: true }),
    node('a10-sick', { [ACC]: 'nvidia-ampere-a10' }, { gpus: 1, alloc: 0 }),
    node('t4-unlabelled', { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' }, { gpus: 1 }),
    node('cpu', { 'node-lifecycle': 'normal' }),
  ];
  const pods = [
    pod('ep-1', { node: 'a10-2', gpus: 2, accel: 'nvidia-ampere-a10', labels: { endpoint_name: 'llama' } }),
    pod('done', { node: 'a10-2', gpus: 2, phase: 'Succeeded' }),
    pod('on-down', { node: 'a10-down', gpus: 4 }),
    pod('wait-a10', { accel: 'nvidia-ampere-a10', gpus: 4, labels: { endpoint_name: 'mixtral' } }),
    pod('wait-a10-b', { accel: 'nvidia-ampere-a10', gpus: 4, labels: { endpoint_name: 'mixtral' } }),
    pod('balloon', { accel: 'nvidia-ampere-a10', gpus: 1, labels: { product: 'common-warm-nodes' } }),
    pod('wait-h100', { accel: 'nvidia-hopper-h100', gpus: 8, labels: { app: 'launch-endpoint-id-end-abc' } }),
  ];
  const cap = gpuCapacity(nodes, pods);
  const a10 = cap.rows.find((r) => r.type === 'nvidia-ampere-a10')!;

  it('counts ready, schedulable nodes only', () => {
    expect(a10).toMatchObject({ nodes: 5, readyNodes: 3, allocatable: 5, requested: 2, free: 3, unhealthyNodes: ['a10-sick'] });
  });
  it('lists waiting pods by kind and endpoint', () => {
    expect(a10.waiting.map((w) => [w.pod.name, w.kind, w.gpus])).toEqual([
      ['wait-a10', 'endpoint', 4],
      ['wait-a10-b', 'endpoint', 4],
      ['balloon', 'balloon', 1],
    ]);
    expect(a10.waitingEndpoints).toEqual(['mixtral']);
  });
  it('has a row for a type only pods ask for, and lists unlabelled GPU nodes', () => {
    expect(cap.rows.map((r) => r.type)).toEqual(['nvidia-ampere-a10', 'nvidia-hopper-h100']);
    expect(cap.rows[1]).toMatchObject({ nodes: 0, readyNodes: 0, waitingEndpoints: ['launch-endpoint-id-end-abc'] });
    expect(cap.unlabelledGpuNodes).toEqual(['t4-unlabelled']);
  });
  it.each<[string, Partial<GpuCapacityRow>, string]>([
    ['nothing waits', { waiting: [] }, 'ok'],
    ['only balloons wait', { waiting: [{ pod: { kind: 'Pod', name: 'b' }, kind: 'balloon', gpus: 1 }] }, 'ok'],
    ['no nodes of the type', { readyNodes: 0, waiting: [{ pod: { kind: 'Pod', name: 'p' }, kind: 'endpoint', gpus: 1 }] }, 'no-capacity'],
    ['all taken', { readyNodes: 2, free: 0, waiting: [{ pod: { kind: 'Pod', name: 'p' }, kind: 'endpoint', gpus: 1 }] }, 'exhausted'],
    ['free but out of reach', { readyNodes: 2, free: 4, waiting: [{ pod: { kind: 'Pod', name: 'p' }, kind: 'other', gpus: 2 }] }, 'blocked'],
  ])('judgeRow: %s', (_n, row, want) => {
    expect(judgeRow({ ...a10, ...row } as GpuCapacityRow).state).toBe(want);
  });
});

describe('valuesGpuDemands', () => {
  it('reads balloons (not cpu) and image-cache devices, with the selectors each uses', () => {
    const d = valuesGpuDemands({
      balloons: [
        { acceleratorName: 'nvidia-ampere-a10', replicaCount: 0 },
        { acceleratorName: 'cpu', replicaCount: 1 },
        { acceleratorName: 'nvidia-tesla-t4', replicaCount: 2 },
      ],
      imageCacheDevices: [{ name: 'cpu', nodeSelector: { 'cpu-only': 'true' } }, { name: 'h100', nodeSelector: { [ACC]: 'nvidia-hopper-h100' } }],
      nodeSelector: { 'node-lifecycle': 'normal' },
      balloonNodeSelector: undefined,
    });
    expect(d.map((x) => [x.type, x.source, x.idle ?? false, x.selector])).toEqual([
      ['nvidia-ampere-a10', 'values balloons[0].acceleratorName', true, { [ACC]: 'nvidia-ampere-a10' }],
      ['nvidia-tesla-t4', 'values balloons[2].acceleratorName', false, { [ACC]: 'nvidia-tesla-t4' }],
      ['nvidia-hopper-h100', 'values imageCache.devices[1].nodeSelector', true, { [ACC]: 'nvidia-hopper-h100' }],
      ['nvidia-ampere-a10', 'values nodeSelector (endpoint pods)', true, { 'node-lifecycle': 'normal', [ACC]: 'nvidia-ampere-a10' }],
      ['nvidia-tesla-t4', 'values nodeSelector (endpoint pods)', true, { 'node-lifecycle': 'normal', [ACC]: 'nvidia-tesla-t4' }],
      ['nvidia-hopper-h100', 'values nodeSelector (endpoint pods)', true, { 'node-lifecycle': 'normal', [ACC]: 'nvidia-hopper-h100' }],
    ]);
  });

  it('judgeType: a selector label missing on every node of the type', () => {
    const nodes = [node('a', { [ACC]: 'nvidia-tesla-t4' }, { gpus: 1 })];
    const demands = valuesGpuDemands({ balloons: [{ acceleratorName: 'nvidia-tesla-t4', replicaCount: 0 }], nodeSelector: { 'node-lifecycle': 'normal' } });
    expect(judgeType('nvidia-tesla-t4', demands, nodes)).toMatchObject({ state: 'selector-unmatched', urgent: false, missing: { labels: ['node-lifecycle=normal'] } });
    expect(judgeType('nvidia-tesla-t4', demands, [node('b', { [ACC]: 'nvidia-tesla-t4', 'node-lifecycle': 'normal' }, { gpus: 1, ready: false })]).state).toBe('no-nodes');
  });

  it('each values demand names its key (evidence, the finding object)', () => {
    const d = valuesGpuDemands({
      balloons: [{ acceleratorName: 'nvidia-ampere-a10', replicaCount: 0 }],
      imageCacheDevices: [{ name: 'a10', nodeSelector: { [ACC]: 'nvidia-ampere-a10' } }],
      nodeSelector: { 'node-lifecycle': 'normal' },
    });
    expect(d.map((x) => [x.valuesPath, x.object])).toEqual([
      ['balloons[0].acceleratorName', { kind: 'HelmValues', name: 'balloons[0].acceleratorName' }],
      ['imageCache.devices[0].nodeSelector["k8s.amazonaws.com/accelerator"]', { kind: 'HelmValues', name: 'imageCache.devices[0].nodeSelector["k8s.amazonaws.com/accelerator"]' }],
      ['nodeSelector', { kind: 'HelmValues', name: 'nodeSelector' }],
    ]);
  });

  const t4 = (extra: Record<string, string> = {}) => node('t4', { [ACC]: 'nvidia-tesla-t4', ...extra }, { gpus: 1 });
  const live = (sel: Record<string, string>) => liveGpuDemands([{ ref: { kind: 'Pod', namespace: 'llm-engine', name: 'p' }, nodeSelector: { [ACC]: 'nvidia-tesla-t4', ...sel } }]);
  it.each<[string, ReturnType<typeof valuesGpuDemands>, Node[], string, string]>([
    ['no nodes, nothing uses it yet', valuesGpuDemands({ balloons: [{ acceleratorName: 'nvidia-tesla-t4', replicaCount: 0 }] }), [], 'no-nodes', 'medium'],
    ['no nodes, a balloon should run', valuesGpuDemands({ balloons: [{ acceleratorName: 'nvidia-tesla-t4', replicaCount: 1 }] }), [], 'no-nodes', 'high'],
    ['no nodes, a live pod waits', live({}), [], 'no-nodes', 'high'],
    ['nodes lack the endpoint nodeSelector', valuesGpuDemands({ balloons: [{ acceleratorName: 'nvidia-tesla-t4', replicaCount: 0 }], nodeSelector: { pool: 'gpu' } }), [t4()], 'selector-unmatched', 'high'],
    [
      'nodes lack only the image-cache selector',
      valuesGpuDemands({ imageCacheDevices: [{ nodeSelector: { [ACC]: 'nvidia-tesla-t4', cache: 'yes' } }] }),
      [t4()],
      'selector-unmatched',
      'medium',
    ],
    ['nodes lack what a live pod selects', live({ pool: 'gpu' }), [t4()], 'selector-unmatched', 'high'],
  ])('judgeType severity: %s', (_n, demands, nodes, state, severity) => {
    expect(judgeType('nvidia-tesla-t4', demands, nodes)).toMatchObject({ state, severity });
  });
});

describe('taints', () => {
  const gpu: Toleration[] = endpointTolerations([]);
  it.each<[Toleration, Taint, boolean]>([
    [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }, true],
    [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'nvidia.com/gpu', value: 'present', effect: 'NoExecute' }, false],
    [{ key: 'sku', operator: 'Equal', value: 'gpu' }, { key: 'sku', value: 'gpu', effect: 'NoSchedule' }, true],
    [{ key: 'sku', operator: 'Equal', value: 'cpu' }, { key: 'sku', value: 'gpu', effect: 'NoSchedule' }, false],
    [{ operator: 'Exists' }, { key: 'anything', effect: 'NoExecute' }, true],
  ])('tolerates(%j, %j) = %s', (t, taint, want) => expect(tolerates(t, taint)).toBe(want));

  it.each<[string, Taint[] | undefined, string[], string]>([
    ['GPU taint', [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }], [], 'ok'],
    ['no taints', undefined, [], 'untainted'],
    ['only PreferNoSchedule', [{ key: 'nvidia.com/gpu', effect: 'PreferNoSchedule' }], [], 'untainted'],
    ['AKS sku taint', [{ key: 'sku', value: 'gpu', effect: 'NoSchedule' }], [], 'untolerated'],
    ['sku taint in gpuTolerations', [{ key: 'sku', value: 'gpu', effect: 'NoSchedule' }, { key: 'nvidia.com/gpu', effect: 'NoSchedule' }], ['sku'], 'ok'],
    ['transient not-ready taint is ignored', [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], [], 'ok'],
  ])('judgeTaints: %s', (_n, taints, extra, want) => {
    const t = extra.length ? endpointTolerations(extra) : gpu;
    expect(judgeTaints(node('n', {}, { gpus: 1, ...(taints ? { taints } : {}) }), t).state).toBe(want);
  });
});

describe('device plugin', () => {
  const ready = (name: string, nodeName: string, ok = true): Pod => ({
    metadata: { name },
    spec: { containers: [{ name: 'c' }], nodeName },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ok ? 'True' : 'False' }], containerStatuses: [{ name: 'c', ready: ok, state: ok ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } } }] },
  });
  it.each<[string, Node, Pod[], string]>([
    ['healthy', node('n', {}, { gpus: 1 }), [ready('p', 'n')], 'ok'],
    ['no resource', node('n', { [ACC]: 'nvidia-tesla-t4' }), [ready('p', 'n')], 'no-resource'],
    ['unhealthy devices', node('n', {}, { gpus: 1, alloc: 0 }), [ready('p', 'n')], 'unhealthy'],
    ['plugin pod crash-looping', node('n', {}, { gpus: 1 }), [ready('p', 'n', false)], 'plugin-not-ready'],
    ['no plugin pod on the node', node('n', {}, { gpus: 1 }), [ready('p', 'other')], 'no-plugin-pod'],
    ['MIG mixed strategy', node('n', { [ACC]: 'x' }, { capacity: { 'nvidia.com/mig-3g.40gb': '16' } }), [ready('p', 'n')], 'mig-resources'],
  ])('judgeNode: %s', (_n, n, pods, want) => expect(judgeNode(n, pods).state).toBe(want));

  it.each<[string, boolean]>([
    ['nvidia-device-plugin-daemonset', true],
    ['nvdp-nvidia-device-plugin', true],
    ['nvidia-gpu-device-plugin-small-cos', true],
    ['nvidia-gpu-device-plugin', true],
    ['nvidia-device-plugin-mps-control-daemon', false],
    ['nvidia-operator-validator', false],
  ])('DEVICE_PLUGIN_DS matches %s: %s', (name, want) => expect(DEVICE_PLUGIN_DS.test(name)).toBe(want));

  it('names the failing validation step', () => {
    const p: Pod = {
      metadata: { name: 'v' },
      spec: { containers: [{ name: 'nvidia-operator-validator' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'driver-validation', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } },
          { name: 'toolkit-validation', state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    };
    expect(validatorFailure(p)).toBe('driver-validation: CrashLoopBackOff (last exit 1)');
  });
});

describe('migProblem', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ['nvidia-hopper-h100-1g20gb', { 'nvidia.com/mig.strategy': 'single', 'nvidia.com/mig.config': 'all-1g.20gb', 'nvidia.com/mig.config.state': 'success' }, undefined],
    ['nvidia-hopper-h100-1g20gb', { 'nvidia.com/mig.strategy': 'mixed' }, 'strategy'],
    ['nvidia-hopper-h100-1g20gb', { 'nvidia.com/mig.config.state': 'failed' }, 'state'],
    ['nvidia-hopper-h100-3g40gb', { 'nvidia.com/mig.config': 'all-1g.20gb' }, 'config'],
    ['nvidia-hopper-h100', { 'nvidia.com/mig.strategy': 'mixed' }, undefined],
  ])('%s %j', (type, labels, want) => expect(migProblem(type, node('n', labels))?.what).toBe(want));
});

describe('labelCommands', () => {
  const n = (pool: string, key: string) => node(`n-${pool}`, { [key]: pool });
  const byHand = 'kubectl label node n-gpu-a10 k8s.amazonaws.com/accelerator=nvidia-ampere-a10 node-lifecycle=normal --overwrite';
  it.each<[string, string[]]>([
    ['aws', [byHand, "aws eks update-nodegroup-config --cluster-name <cluster> --nodegroup-name gpu-a10 --labels 'addOrUpdateLabels={k8s.amazonaws.com/accelerator=nvidia-ampere-a10,node-lifecycle=normal}'   # for scale-from-zero also tag the Auto Scaling group k8s.io/cluster-autoscaler/node-template/label/<key>=<value>; Karpenter: set the labels in the NodePool spec.template.metadata.labels"]],
    ['azure', [byHand, "az aks nodepool update --resource-group <resource-group> --cluster-name <cluster> --name gpu-a10 --labels k8s.amazonaws.com/accelerator=nvidia-ampere-a10 node-lifecycle=normal   # --labels replaces the pool's existing custom labels: list them all"]],
    ['gcp', [byHand, "gcloud container node-pools update gpu-a10 --cluster <cluster> --node-labels=k8s.amazonaws.com/accelerator=nvidia-ampere-a10,node-lifecycle=normal   # --node-labels replaces the pool's existing user labels: list them all"]],
    ['onprem', [byHand, '# and make your node provisioning keep them (kubelet --node-labels or your cluster tooling)']],
  ])('%s: by hand, then the pool (with its caveat)', (cloud, want) => {
    const profile = MATRIX[cloud as keyof typeof MATRIX];
    const key = profile.nodePool?.label ?? 'kubernetes.io/hostname';
    expect(labelCommands(profile.nodePool, [n('gpu-a10', key)], [`${ACC}=nvidia-ampere-a10`, 'node-lifecycle=normal'])).toEqual(want);
  });

  it('no nodes known: placeholders; on-prem has no node pools', () => {
    expect(labelCommands(MATRIX.onprem.nodePool, [], ['node-lifecycle=normal'])).toEqual([
      'kubectl label node <node> node-lifecycle=normal --overwrite',
      '# and make your node provisioning keep them (kubelet --node-labels or your cluster tooling)',
    ]);
    expect(labelCommands(MATRIX.aws.nodePool, [], ['a=b'])[1]).toMatch(/^aws eks update-nodegroup-config .* --nodegroup-name <pool> --labels 'addOrUpdateLabels=\{a=b\}'/);
  });

  it('by hand for at most five nodes of a pool, but one command per pool; every node where nodes are not pooled', () => {
    const key = MATRIX.aws.nodePool!.label;
    const pooled = Array.from({ length: 7 }, (_, i) => node(`n${i}`, { [key]: i < 4 ? 'gpu-a' : 'gpu-b' }));
    const cmds = labelCommands(MATRIX.aws.nodePool, pooled, ['a=b']);
    expect(cmds.filter((c) => c.startsWith('kubectl label node'))).toHaveLength(5);
    expect(cmds.filter((c) => c.startsWith('aws eks')).map((c) => /--nodegroup-name (\S+)/.exec(c)?.[1])).toEqual(['gpu-a', 'gpu-b']);
    expect(labelCommands(undefined, pooled, ['a=b']).filter((c) => c.startsWith('kubectl label node'))).toHaveLength(7);
  });
});

describe('GPU type from node labels (gpuTypeForProduct ∘ nodeProduct)', () => {
  it.each<[Record<string, string>, string | undefined]>([
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' }, 'nvidia-ampere-a100'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-a100-80gb' }, 'nvidia-ampere-a100e'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-h100-80gb' }, 'nvidia-hopper-h100'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' }, 'nvidia-tesla-t4'],
    [{ 'nvidia.com/gpu.product': 'NVIDIA-A10G' }, 'nvidia-ampere-a10'],
    [{ 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, 'nvidia-hopper-h100'],
    [{ 'node.kubernetes.io/instance-type': 'g5.12xlarge' }, 'nvidia-ampere-a10'],
    [{ 'node.kubernetes.io/instance-type': 'g4dn.xlarge' }, 'nvidia-tesla-t4'],
    [{ 'node.kubernetes.io/instance-type': 'p4d.24xlarge' }, 'nvidia-ampere-a100'],
    [{ 'node.kubernetes.io/instance-type': 'p4de.24xlarge' }, 'nvidia-ampere-a100e'],
    [{ 'node.kubernetes.io/instance-type': 'p5.48xlarge' }, 'nvidia-hopper-h100'],
    [{ 'beta.kubernetes.io/instance-type': 'p5.48xlarge' }, 'nvidia-hopper-h100'],
    // NC A100 v4 carries the A100 PCIe 80 GB: model-engine's a100e, not a100.
    [{ 'node.kubernetes.io/instance-type': 'Standard_NC24ads_A100_v4' }, 'nvidia-ampere-a100e'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_NC96ads_A100_v4' }, 'nvidia-ampere-a100e'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_NC40ads_H100_v5' }, 'nvidia-hopper-h100'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_ND96isr_H200_v5' }, undefined],
    [{ 'node.kubernetes.io/instance-type': 'p5e.48xlarge' }, undefined],
    [{ 'node.kubernetes.io/instance-type': 'p5en.48xlarge' }, undefined],
    [{ 'node.kubernetes.io/instance-type': 'p5.4xlarge' }, 'nvidia-hopper-h100'],
    [{ 'node.kubernetes.io/instance-type': 'p6-b200.48xlarge' }, undefined],
    [{ 'node.kubernetes.io/instance-type': 'g6.12xlarge' }, undefined],
    [{ 'node.kubernetes.io/instance-type': 'g6e.2xlarge' }, undefined],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-h200-141gb' }, undefined],
    [{ 'node.kubernetes.io/instance-type': 'Standard_ND96asr_v4' }, 'nvidia-ampere-a100'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_ND96amsr_A100_v4' }, 'nvidia-ampere-a100e'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_ND96isr_H100_v5' }, 'nvidia-hopper-h100'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_NV36ads_A10_v5' }, 'nvidia-ampere-a10'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_NC4as_T4_v3' }, 'nvidia-tesla-t4'],
    [{ 'node.kubernetes.io/instance-type': 'm5.2xlarge' }, undefined],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-l4' }, undefined],
  ])('%p', (labels, want) => {
    const np = nodeProduct(node('n', labels));
    expect(np ? gpuTypeForProduct(np) : undefined).toBe(want);
  });
});

describe('GPU products the tables know, and GPUs model-engine has no type for', () => {
  it.each<[Record<string, string>, string]>([
    [{ 'node.kubernetes.io/instance-type': 'Standard_NC24ads_A100_v4' }, 'NVIDIA-A100-80GB-PCIe'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_ND96isr_H200_v5' }, 'NVIDIA-H200'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_ND128isr_NDR_GB200_v6' }, 'NVIDIA-GB200'],
    [{ 'node.kubernetes.io/instance-type': 'p5.48xlarge' }, 'NVIDIA-H100-80GB-HBM3'],
    [{ 'node.kubernetes.io/instance-type': 'p5e.48xlarge' }, 'NVIDIA-H200'],
    [{ 'node.kubernetes.io/instance-type': 'p5en.48xlarge' }, 'NVIDIA-H200'],
    [{ 'node.kubernetes.io/instance-type': 'p6-b200.48xlarge' }, 'NVIDIA-B200'],
    [{ 'node.kubernetes.io/instance-type': 'p6e-gb200.36xlarge' }, 'NVIDIA-GB200'],
    [{ 'node.kubernetes.io/instance-type': 'g6.xlarge' }, 'NVIDIA-L4'],
    [{ 'node.kubernetes.io/instance-type': 'gr6.4xlarge' }, 'NVIDIA-L4'],
    [{ 'node.kubernetes.io/instance-type': 'g6e.12xlarge' }, 'NVIDIA-L40S'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-h200-141gb' }, 'NVIDIA-H200'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-b200' }, 'NVIDIA-B200'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-l4' }, 'NVIDIA-L4'],
  ])('%p → %s', (labels, product) => expect(nodeProduct(node('n', labels))?.product).toBe(product));

  it('says when a GPU has no model-engine GpuType (and not for one that has)', () => {
    expect(noGpuTypeReason(nodeProduct(node('n', { 'node.kubernetes.io/instance-type': 'p5e.48xlarge' }))!)).toMatch(/^NVIDIA-H200 has no model-engine GpuType \(gpu_type\.py knows nvidia-tesla-t4, /);
    expect(noGpuTypeReason(nodeProduct(node('n', { 'node.kubernetes.io/instance-type': 'p4de.24xlarge' }))!)).toBeUndefined();
  });

  it('counts a node that lost some of its GPUs (allocatable below capacity)', () => {
    const cap = gpuCapacity([node('p4de', { [ACC]: 'nvidia-ampere-a100e' }, { gpus: 8, alloc: 6 })], []);
    expect(cap.rows[0]).toMatchObject({ allocatable: 6, unhealthyNodes: [], degradedNodes: [{ name: 'p4de', capacity: 8, allocatable: 6 }] });
  });
});

describe('closestGpuType (moved from values/scheduling)', () => {
  it.each<[string, string | undefined]>([
    ['nvidia-tesla-a10', 'nvidia-ampere-a10'],
    ['nvidia-a10g', 'nvidia-ampere-a10'],
    ['nvidia-tesla-a100', 'nvidia-ampere-a100'],
    ['nvidia-a100e', 'nvidia-ampere-a100e'],
    ['nvidia-h100-80gb', 'nvidia-hopper-h100'],
    ['h100-3g40gb', 'nvidia-hopper-h100-3g40gb'],
    ['nvidia-tesla-t4', 'nvidia-tesla-t4'],
    ['nvidia-l4', undefined],
  ])('closestGpuType(%s)', (name, want) => expect(closestGpuType(name)).toBe(want));

  it('agrees with every entry of GPU_TYPE_TYPOS', () => {
    for (const [typo, meant] of Object.entries(GPU_TYPE_TYPOS)) expect([typo, closestGpuType(typo)]).toEqual([typo, meant]);
  });
});

describe('matchesSelector', () => {
  it('needs every key', () => {
    const nodes = [node('a', { a: '1' }), node('ab', { a: '1', b: '2' }), node('b', { b: '2' })];
    expect(nodes.filter((n) => matchesSelector(n, { a: '1', b: '2' })).map((x) => x.metadata.name)).toEqual(['ab']);
    expect(nodes.filter((n) => matchesSelector(n, {}))).toHaveLength(3);
  });
});
