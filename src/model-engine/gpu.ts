/**
 * NVIDIA GPU facts shared by the `gpu/*` checks, the endpoint doctor and triage: model-engine's GPU types, how a
 * node shows which GPU it has, how many GPUs pods request, and the per-type capacity table. All pure.
 */
import { withClusterName } from './cluster-name.js';
import type { NodePoolProfile, ObjectRef } from '../engine/types.js';
import { isNodeReady, type Node, type Pod } from '../engine/kube-types.js';
import { formatPath } from '../engine/values-path.js';

/** The node label model-engine selects GPU nodes by, on every cloud (facts §6.4, §7). */
export const ACCELERATOR_LABEL = 'k8s.amazonaws.com/accelerator';
/** The extended resource endpoint pods request. MIG types request it too (single strategy). */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** The taint endpoint pods tolerate (`nvidia.com/gpu Exists NoSchedule`). */
export const GPU_TAINT_KEY = 'nvidia.com/gpu';
export const NODE_LIFECYCLE_LABEL = 'node-lifecycle';

/** GPU feature discovery (NVIDIA GFD / GPU operator) labels. */
export const GFD = {
  product: 'nvidia.com/gpu.product',
  count: 'nvidia.com/gpu.count',
  driverMajor: 'nvidia.com/cuda.driver.major',
  present: 'nvidia.com/gpu.present',
  migStrategy: 'nvidia.com/mig.strategy',
  migConfig: 'nvidia.com/mig.config',
  migConfigState: 'nvidia.com/mig.config.state',
} as const;
export const GKE_ACCELERATOR_LABEL = 'cloud.google.com/gke-accelerator';
export const AKS_ACCELERATOR_LABEL = 'kubernetes.azure.com/accelerator';
export const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';
/** The instance-type label before Kubernetes 1.17; some node images still set only this one. */
export const BETA_INSTANCE_TYPE_LABEL = 'beta.kubernetes.io/instance-type';

export interface GpuTypeInfo {
  /** model-engine's `GpuType` value, used verbatim as the accelerator label. */
  type: string;
  /** The GPU it means, for people. */
  gpu: string;
  /** Matches the product name (GFD spelling, e.g. `NVIDIA-A10G`, `Tesla-T4`) without any MIG suffix. */
  product: RegExp;
  /** MIG profile the type needs (`1g.20gb`), for partitioned H100s. */
  mig?: string;
}

/** `GpuType` (`domain/entities/gpu_type.py`) in order; anything else is not a type model-engine knows. */
export const GPU_TYPES: readonly GpuTypeInfo[] = [
  { type: 'nvidia-tesla-t4', gpu: 'NVIDIA T4', product: /(^|-)T4($|-)/ },
  { type: 'nvidia-ampere-a10', gpu: 'NVIDIA A10/A10G', product: /(^|-)A10G?($|-)/ },
  { type: 'nvidia-ampere-a100', gpu: 'NVIDIA A100', product: /(^|-)A100($|-)/ },
  { type: 'nvidia-ampere-a100e', gpu: 'NVIDIA A100 80GB', product: /(^|-)A100-(.*-)?80GB/ },
  { type: 'nvidia-hopper-h100', gpu: 'NVIDIA H100', product: /(^|-)H100($|-)/ },
  { type: 'nvidia-hopper-h100-1g20gb', gpu: 'NVIDIA H100, MIG 1g.20gb', product: /(^|-)H100($|-)/, mig: '1g.20gb' },
  { type: 'nvidia-hopper-h100-3g40gb', gpu: 'NVIDIA H100, MIG 3g.40gb', product: /(^|-)H100($|-)/, mig: '3g.40gb' },
];

export function gpuTypeInfo(type: string): GpuTypeInfo | undefined {
  return GPU_TYPES.find((t) => t.type === type);
}

/**
 * The GpuType a misspelt accelerator name most likely meant (the docs' `nvidia-tesla-a10`, GKE's
 * `nvidia-h100-80gb`), from the GPU model it names; undefined when it names none of model-engine's GPUs.
 */
export function closestGpuType(name: string): string | undefined {
  const model = /(t4|a10g?|a100e|a100|h100-1g20gb|h100-3g40gb|h100)(?![\w])/i.exec(name)?.[1]?.toLowerCase().replace(/^a10g$/, 'a10');
  return model ? GPU_TYPES.find((t) => t.type.endsWith(`-${model}`))?.type : undefined;
}

/** Known mistakes people make in the accelerator value, with the type they meant (each agrees with `closestGpuType`). */
export const GPU_TYPE_TYPOS: Readonly<Record<string, string>> = {
  // docs/guides/self_hosting.md maps g5 to this (facts §7); the code's type is nvidia-ampere-a10.
  'nvidia-tesla-a10': 'nvidia-ampere-a10',
  'nvidia-tesla-a100': 'nvidia-ampere-a100',
  'nvidia-a100': 'nvidia-ampere-a100',
  'nvidia-h100': 'nvidia-hopper-h100',
  'nvidia-a10': 'nvidia-ampere-a10',
};

/**
 * GPU products of AWS instance families (the GPU AWS documents for each, as GFD spells the product). Instance
 * families with a suffix (`p6-b200.48xlarge`, `p6e-gb200.36xlarge`) keep it.
 */
const AWS_FAMILY_PRODUCT: Readonly<Record<string, string>> = {
  g4dn: 'Tesla-T4',
  g5: 'NVIDIA-A10G',
  g6: 'NVIDIA-L4',
  gr6: 'NVIDIA-L4',
  g6e: 'NVIDIA-L40S',
  p3: 'Tesla-V100-SXM2-16GB',
  p3dn: 'Tesla-V100-SXM2-32GB',
  p4d: 'NVIDIA-A100-SXM4-40GB',
  p4de: 'NVIDIA-A100-SXM4-80GB',
  p5: 'NVIDIA-H100-80GB-HBM3',
  p5e: 'NVIDIA-H200',
  p5en: 'NVIDIA-H200',
  'p6-b200': 'NVIDIA-B200',
  'p6e-gb200': 'NVIDIA-GB200',
};

/** GPU products of GKE accelerator names. */
const GKE_ACCELERATOR_PRODUCT: Readonly<Record<string, string>> = {
  'nvidia-tesla-t4': 'Tesla-T4',
  'nvidia-tesla-v100': 'Tesla-V100-SXM2-16GB',
  'nvidia-tesla-p100': 'Tesla-P100-PCIE-16GB',
  'nvidia-tesla-p4': 'Tesla-P4',
  'nvidia-l4': 'NVIDIA-L4',
  'nvidia-tesla-a100': 'NVIDIA-A100-SXM4-40GB',
  'nvidia-a100-80gb': 'NVIDIA-A100-SXM4-80GB',
  'nvidia-h100-80gb': 'NVIDIA-H100-80GB-HBM3',
  'nvidia-h100-mega-80gb': 'NVIDIA-H100-80GB-HBM3',
  'nvidia-h200-141gb': 'NVIDIA-H200',
  'nvidia-b200': 'NVIDIA-B200',
  'nvidia-gb200': 'NVIDIA-GB200',
};

/** Azure VM sizes that name their GPU (`Standard_NC4as_T4_v3`, `Standard_ND96isr_H200_v5`). */
const AZURE_SIZE_GPU = /_(T4|A10|A100|H100|H200|V100|GB200)_/;
/** Azure sizes whose name alone does not tell which GPU variant they carry (lowercased; patterns for series). */
const AZURE_SIZE_PRODUCT: readonly [RegExp, string][] = [
  [/^standard_nd96asr_v4$/, 'NVIDIA-A100-SXM4-40GB'],
  [/^standard_nd96amsr_a100_v4$/, 'NVIDIA-A100-SXM4-80GB'],
  // NC A100 v4 (NC24ads, NC48ads, NC96ads): A100 PCIe 80 GB — model-engine's nvidia-ampere-a100e, not a100.
  [/^standard_nc\d+ads_a100_v4$/, 'NVIDIA-A100-80GB-PCIe'],
  // NC H100 v5 (NC40ads, NC80adis): H100 NVL 94 GB.
  [/^standard_nc\d+adi?s_h100_v5$/, 'NVIDIA-H100-NVL'],
];

/** What a node's labels say its GPU is, from the most to the least specific source. */
export interface NodeProduct {
  product: string;
  /** The label it was read from. */
  source: string;
  value: string;
  /** Whether the source can show a MIG partition (only GPU feature discovery can). */
  showsMig: boolean;
}

export function nodeProduct(node: Node): NodeProduct | undefined {
  const l = node.metadata.labels ?? {};
  const gfd = l[GFD.product];
  if (gfd) return { product: gfd, source: GFD.product, value: gfd, showsMig: true };
  const gke = l[GKE_ACCELERATOR_LABEL];
  if (gke && GKE_ACCELERATOR_PRODUCT[gke]) return { product: GKE_ACCELERATOR_PRODUCT[gke], source: GKE_ACCELERATOR_LABEL, value: gke, showsMig: false };
  const itLabel = l[INSTANCE_TYPE_LABEL] ? INSTANCE_TYPE_LABEL : BETA_INSTANCE_TYPE_LABEL;
  const it = l[itLabel];
  if (it) {
    const family = /^([a-z]+\d+[a-z]*(?:-[a-z]+\d+)?)\./.exec(it)?.[1];
    if (family && AWS_FAMILY_PRODUCT[family]) return { product: AWS_FAMILY_PRODUCT[family], source: itLabel, value: it, showsMig: false };
    const sized = AZURE_SIZE_PRODUCT.find(([re]) => re.test(it.toLowerCase()))?.[1];
    if (sized) return { product: sized, source: itLabel, value: it, showsMig: false };
    const az = AZURE_SIZE_GPU.exec(it)?.[1];
    if (az) return { product: az === 'T4' || az === 'V100' ? `Tesla-${az}` : `NVIDIA-${az}`, source: itLabel, value: it, showsMig: false };
  }
  return undefined;
}

/** Why a node's GPU product does not fit a GPU type, or undefined when it fits (or cannot be told). */
export function productMismatch(type: string, np: NodeProduct): string | undefined {
  const info = gpuTypeInfo(type);
  if (!info) return undefined;
  const migAt = np.product.indexOf('-MIG-');
  const base = migAt >= 0 ? np.product.slice(0, migAt) : np.product;
  const mig = migAt >= 0 ? np.product.slice(migAt + 5) : undefined;
  if (!info.product.test(base)) return `${np.source}=${np.value} is not ${info.gpu}`;
  if (!np.showsMig) return undefined;
  if (info.mig && mig !== info.mig) {
    return mig ? `${np.source}=${np.value} is MIG profile ${mig}, not ${info.mig}` : `${np.source}=${np.value} shows no MIG partitioning; ${type} needs MIG profile ${info.mig}`;
  }
  if (!info.mig && mig) return `${np.source}=${np.value} is a MIG partition (${mig}); ${type} expects whole GPUs`;
  return undefined;
}

/**
 * Why a GPU has no model-engine `GpuType` (H200, B200, L4, L40S, V100 …: `domain/entities/gpu_type.py` has T4, A10,
 * A100, A100 80GB, H100 and two H100 MIG profiles), or undefined when it has one.
 */
export function noGpuTypeReason(np: NodeProduct): string | undefined {
  if (gpuTypeForProduct(np)) return undefined;
  return `${np.product} has no model-engine GpuType (gpu_type.py knows ${GPU_TYPES.map((t) => t.type).join(', ')}), so no endpoint can ask for it`;
}

/** The model-engine GPU type a product is, if any (the most specific when several fit, e.g. A100 80GB → a100e). */
export function gpuTypeForProduct(np: NodeProduct): string | undefined {
  const fits = GPU_TYPES.filter((t) => productMismatch(t.type, np) === undefined);
  const mig = np.product.includes('-MIG-');
  const pool = fits.filter((t) => (mig ? !!t.mig : !t.mig));
  if (pool.some((t) => t.type === 'nvidia-ampere-a100e')) return 'nvidia-ampere-a100e';
  return pool[0]?.type;
}

/** A GPU count from a quantity string ("4"); GPUs are whole numbers, anything else counts as 0. */
export function gpuQuantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const n = typeof q === 'number' ? q : Number(q);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

export function nodeAccelerator(node: Node): string | undefined {
  return node.metadata.labels?.[ACCELERATOR_LABEL];
}

export function nodeGpuCapacity(node: Node): number {
  return gpuQuantity(node.status?.capacity?.[GPU_RESOURCE]);
}

export function nodeGpuAllocatable(node: Node): number {
  return gpuQuantity(node.status?.allocatable?.[GPU_RESOURCE]);
}

/** A node that has, or is meant to have, NVIDIA GPUs. */
export function isGpuNode(node: Node): boolean {
  const l = node.metadata.labels ?? {};
  const accel = l[ACCELERATOR_LABEL];
  return (
    (accel !== undefined && accel !== '' && accel !== 'cpu') ||
    nodeGpuCapacity(node) > 0 ||
    l[GFD.present] === 'true' ||
    GKE_ACCELERATOR_LABEL in l ||
    l[AKS_ACCELERATOR_LABEL] === 'nvidia'
  );
}

/** Ready and not cordoned: the scheduler may place pods there. */
export function isSchedulable(node: Node): boolean {
  return isNodeReady(node) && !node.spec?.unschedulable;
}

const containerGpus = (c: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }) =>
  // For extended resources the request defaults to the limit when only the limit is set.
  gpuQuantity(c.resources?.requests?.[GPU_RESOURCE] ?? c.resources?.limits?.[GPU_RESOURCE]);

/** GPUs a pod holds on its node: the larger of its containers' sum and its largest init container. */
export function podGpuRequest(pod: Pod): number {
  const main = pod.spec.containers.reduce((s, c) => s + containerGpus(c), 0);
  const init = (pod.spec.initContainers ?? []).reduce((m, c) => Math.max(m, containerGpus(c)), 0);
  return Math.max(main, init);
}

export function podAccelerator(pod: Pod): string | undefined {
  return pod.spec.nodeSelector?.[ACCELERATOR_LABEL];
}

export function isTerminated(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Waiting to be scheduled: Pending with no node yet. */
export function isUnscheduled(pod: Pod): boolean {
  return pod.status?.phase === 'Pending' && !pod.spec.nodeName;
}

export type WaitingKind = 'endpoint' | 'balloon' | 'other';

/** Endpoint pods carry `endpoint_name` (facts §6.3); balloons `product: common-warm-nodes` (facts §7). */
export function waitingKind(pod: Pod): WaitingKind {
  const l = pod.metadata.labels ?? {};
  if (l.endpoint_name || l.endpoint_id || l.app?.startsWith('launch-endpoint-id-')) return 'endpoint';
  if (l.product === 'common-warm-nodes') return 'balloon';
  return 'other';
}

export interface WaitingPod {
  pod: ObjectRef;
  kind: WaitingKind;
  /** The endpoint's name (label `endpoint_name`, else the `app` label). */
  endpoint?: string;
  gpus: number;
}

export interface GpuCapacityRow {
  type: string;
  nodes: number;
  /** Ready and not cordoned. */
  readyNodes: number;
  /** `nvidia.com/gpu` allocatable on the ready nodes. */
  allocatable: number;
  /** Requested by non-terminated pods on the ready nodes. */
  requested: number;
  free: number;
  /** Ready nodes that advertise GPU capacity but none allocatable (unhealthy device plugin). */
  unhealthyNodes: string[];
  /** Ready nodes that lost some GPUs: 0 < allocatable < capacity (the device plugin marked some unhealthy). */
  degradedNodes: { name: string; capacity: number; allocatable: number }[];
  /** Unscheduled pods selecting this type. */
  waiting: WaitingPod[];
  /** Endpoints with unscheduled pods selecting this type (sorted, unique). */
  waitingEndpoints: string[];
}

export interface GpuCapacity {
  rows: GpuCapacityRow[];
  /** GPU nodes without the accelerator label: model-engine never schedules onto them. */
  unlabelledGpuNodes: string[];
}

/**
 * GPU capacity per accelerator type. `pods` should be the cluster's non-terminated pods (one list with
 * `status.phase!=Succeeded,status.phase!=Failed`); terminated ones are ignored anyway.
 */
export function gpuCapacity(nodes: readonly Node[], pods: readonly Pod[]): GpuCapacity {
  const rows = new Map<string, GpuCapacityRow>();
  const row = (type: string): GpuCapacityRow => {
    let r = rows.get(type);
    if (!r) {
      r = { type, nodes: 0, readyNodes: 0, allocatable: 0, requested: 0, free: 0, unhealthyNodes: [], degradedNodes: [], waiting: [], waitingEndpoints: [] };
      rows.set(type, r);
    }
    return r;
  };
  const readyTypeOf = new Map<string, string>();
  const unlabelled: string[] = [];
  for (const n of nodes) {
    const type = nodeAccelerator(n);
    if (!type || type === 'cpu') {
      if (isGpuNode(n)) unlabelled.push(n.metadata.name);
      continue;
    }
    const r = row(type);
    r.nodes++;
    if (!isSchedulable(n)) continue;
    r.readyNodes++;
    r.allocatable += nodeGpuAllocatable(n);
    const capacity = nodeGpuCapacity(n);
    const allocatable = nodeGpuAllocatable(n);
    if (capacity > 0 && allocatable === 0) r.unhealthyNodes.push(n.metadata.name);
    else if (allocatable > 0 && allocatable < capacity) r.degradedNodes.push({ name: n.metadata.name, capacity, allocatable });
    readyTypeOf.set(n.metadata.name, type);
  }
  for (const p of pods) {
    if (isTerminated(p)) continue;
    const onType = p.spec.nodeName ? readyTypeOf.get(p.spec.nodeName) : undefined;
    if (onType) {
      row(onType).requested += podGpuRequest(p);
      continue;
    }
    const wants = podAccelerator(p);
    if (wants && isUnscheduled(p)) {
      const l = p.metadata.labels ?? {};
      const kind = waitingKind(p);
      const endpoint = kind === 'endpoint' ? (l.endpoint_name ?? l.app) : undefined;
      row(wants).waiting.push({
        pod: { kind: 'Pod', name: p.metadata.name, ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}) },
        kind,
        ...(endpoint ? { endpoint } : {}),
        gpus: podGpuRequest(p),
      });
    }
  }
  for (const r of rows.values()) {
    r.free = Math.max(0, r.allocatable - r.requested);
    r.waitingEndpoints = [...new Set(r.waiting.flatMap((w) => (w.endpoint ? [w.endpoint] : [])))].sort();
  }
  return { rows: [...rows.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)), unlabelledGpuNodes: unlabelled.sort() };
}

/** The capacity table as aligned text lines (header first), for evidence and terminals. */
export function formatGpuCapacity(cap: GpuCapacity): string[] {
  const header = ['TYPE', 'NODES READY/TOTAL', 'ALLOCATABLE', 'REQUESTED', 'FREE', 'WAITING'];
  const body = cap.rows.map((r) => [
    r.type,
    `${r.readyNodes}/${r.nodes}`,
    String(r.allocatable),
    String(r.requested),
    String(r.free),
    r.waiting.length === 0 ? '-' : `${r.waiting.length} pod(s)${r.waitingEndpoints.length ? `: ${r.waitingEndpoints.join(', ')}` : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [header, ...body].map((cols) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

/** Where the install asks for a GPU type, and the node labels that request needs besides the accelerator. */
export interface GpuDemand {
  type: string;
  /** Every node label the pods select (accelerator included). */
  selector: Record<string, string>;
  /** Where it comes from: a values key or an object. */
  source: string;
  /** True for objects in the cluster (pods, Deployments, DaemonSets); false for values only. */
  live: boolean;
  /** Values-only demands that cost nothing until used (balloons at 0 replicas, image-cache entries). */
  idle?: boolean;
  /** What a finding about it is about: the values key (`HelmValues`) or the live object. */
  object?: ObjectRef;
  /** For values demands: the key that asks for the type, for `ctx.values.evidence`. */
  valuesPath?: string;
}

export interface ValuesGpuInput {
  balloons?: unknown;
  imageCacheDevices?: unknown;
  /** `.Values.nodeSelector` after merge (undefined: cleared with null). */
  nodeSelector?: unknown;
  balloonNodeSelector?: unknown;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const stringMap = (x: unknown): Record<string, string> =>
  isRecord(x) ? Object.fromEntries(Object.entries(x).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)])) : {};

const valuesObject = (path: string) => ({ object: { kind: 'HelmValues', name: path }, valuesPath: path });

/** GPU types the values ask for: `balloons[].acceleratorName` and `imageCache.devices[].nodeSelector`. */
export function valuesGpuDemands(v: ValuesGpuInput): GpuDemand[] {
  const out: GpuDemand[] = [];
  const endpointSelector = stringMap(v.nodeSelector);
  const balloonSelector = stringMap(v.balloonNodeSelector);
  if (Array.isArray(v.balloons)) {
    v.balloons.forEach((b, i) => {
      if (!isRecord(b) || typeof b.acceleratorName !== 'string' || b.acceleratorName === 'cpu') return;
      const replicas = typeof b.replicaCount === 'number' ? b.replicaCount : 0;
      const path = `balloons[${i}].acceleratorName`;
      out.push({
        type: b.acceleratorName,
        selector: { ...balloonSelector, [ACCELERATOR_LABEL]: b.acceleratorName },
        source: `values ${path}`,
        live: false,
        ...(replicas > 0 ? {} : { idle: true }),
        ...valuesObject(path),
      });
    });
  }
  if (Array.isArray(v.imageCacheDevices)) {
    v.imageCacheDevices.forEach((d, i) => {
      if (!isRecord(d)) return;
      const sel = stringMap(d.nodeSelector);
      const type = sel[ACCELERATOR_LABEL];
      if (!type) return;
      // Image-cache DaemonSets use the device's own selector, not .Values.nodeSelector.
      const path = formatPath(['imageCache', 'devices', String(i), 'nodeSelector', ACCELERATOR_LABEL]);
      out.push({ type, selector: sel, source: `values imageCache.devices[${i}].nodeSelector`, live: false, idle: true, ...valuesObject(path) });
    });
  }
  // Endpoints get .Values.nodeSelector plus the accelerator; record it once per type already named.
  for (const type of new Set(out.map((d) => d.type))) {
    if (Object.keys(endpointSelector).length > 0) {
      out.push({ type, selector: { ...endpointSelector, [ACCELERATOR_LABEL]: type }, source: 'values nodeSelector (endpoint pods)', live: false, idle: true, ...valuesObject('nodeSelector') });
    }
  }
  return out;
}

/** GPU types live objects ask for: pod specs with an accelerator nodeSelector. */
export function liveGpuDemands(objects: readonly { ref: ObjectRef; nodeSelector?: Record<string, string> }[]): GpuDemand[] {
  const out: GpuDemand[] = [];
  for (const o of objects) {
    const type = o.nodeSelector?.[ACCELERATOR_LABEL];
    if (!type || type === 'cpu') continue;
    out.push({ type, selector: { ...o.nodeSelector }, source: `${o.ref.kind} ${o.ref.namespace ? `${o.ref.namespace}/` : ''}${o.ref.name}`, live: true, object: o.ref });
  }
  return out;
}

/** Whether a node's labels satisfy a nodeSelector. */
export function matchesSelector(node: Node, selector: Record<string, string>): boolean {
  const l = node.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** The `key=value` pairs of a selector a node lacks. */
export function missingLabels(node: Node, selector: Record<string, string>): string[] {
  const l = node.metadata.labels ?? {};
  return Object.entries(selector)
    .filter(([k, v]) => l[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
}

/**
 * Commands that add `labels` to nodes: by hand with kubectl on the given nodes (up to five where nodes are
 * pooled; every one where they are not), then, where the cloud pools nodes (matrix `nodePool`), on each of their
 * pools so nodes the autoscaler adds carry the labels too. With no nodes known, node and pool are placeholders.
 */
export function labelCommands(pool: NodePoolProfile | undefined, nodes: readonly Node[], labels: readonly string[], cluster?: string): string[] {
  const pairs = labels.join(' ');
  const shown = pool ? nodes.slice(0, 5) : nodes;
  const byHand = (shown.length > 0 ? shown.map((n) => n.metadata.name) : ['<node>']).map((n) => `kubectl label node ${n} ${pairs} --overwrite`);
  if (!pool) return [...byHand, '# and make your node provisioning keep them (kubelet --node-labels or your cluster tooling)'];
  const pools = [...new Set(nodes.map((n) => n.metadata.labels?.[pool.label]).filter((p): p is string => !!p))];
  const poolCmds = (pools.length > 0 ? pools : ['<pool>']).map(
    (p) => `${withClusterName(pool.labelCommand, cluster).replaceAll('{pool}', p).replaceAll('{labels}', labels.join(pool.labelSeparator))}${pool.note ? `   # ${pool.note}` : ''}`,
  );
  return [...byHand, ...poolCmds];
}
