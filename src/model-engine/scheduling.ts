/**
 * Why a pod does not schedule, two ways: the scheduler's own message parsed into counts by reason, and the nodes
 * themselves (which match the pod's selector and affinity, which taints it tolerates, which have room). The
 * endpoint doctor trusts the node view for the root cause and keeps the scheduler's counts as evidence: the
 * scheduler reports each node's *first* failing filter, so "4 Insufficient nvidia.com/gpu, 8 didn't match" on a
 * cluster with no node of the requested type is still a selector problem. All pure.
 */
import type { Node, Pod } from '../engine/kube-types.js';
import { isNodeReady } from '../engine/kube-types.js';
import { records, str, strings } from '../engine/safe.js';

// ---------------------------------------------------------------------------------------------------------------
// The scheduler's message.

export type SchedulerReasonKind =
  | 'insufficient'
  | 'selector'
  | 'taint'
  | 'volume'
  | 'unschedulable'
  | 'affinity'
  | 'topology'
  | 'ports'
  | 'other';

export interface SchedulerReason {
  /** Nodes the reason applies to; undefined when the scheduler gives no count (it then applies to all). */
  count?: number;
  kind: SchedulerReasonKind;
  /** The clause as the scheduler wrote it. */
  text: string;
  /** `nvidia.com/gpu`, `cpu`, `memory`, `pods` for `insufficient`. */
  resource?: string;
  /** The taint for `taint`, as `{key: value}` in the message. */
  taint?: { key: string; value?: string };
  /** A PVC named by a `volume` reason. */
  claim?: string;
}

export interface SchedulerMessage {
  available?: number;
  total?: number;
  reasons: SchedulerReason[];
  /** The `preemption: …` tail, when present. */
  preemption?: string;
  raw: string;
}

const CLAUSES: readonly { kind: SchedulerReasonKind; re: RegExp }[] = [
  { kind: 'insufficient', re: /^Insufficient (\S+)$/ },
  { kind: 'insufficient', re: /^Too many pods$/ },
  { kind: 'selector', re: /didn't match Pod's node affinity(\/selector)?|didn't match node selector|node\(s\) didn't match node selector/i },
  // Since 1.25 "had untolerated taint {k: v}"; before, "had taint {k: v}, that the pod didn't tolerate".
  { kind: 'taint', re: /had (?:untolerated )?taints? \{([^}]*)\}/ },
  {
    kind: 'volume',
    re: /unbound immediate PersistentVolumeClaims|persistentvolumeclaim "([^"]+)" (?:not found|is being deleted|bound to non-existent persistentvolume)|volume node affinity conflict|didn't find available persistent volumes to bind|exceed max volume count|waiting for ephemeral volume controller|unbound PersistentVolumeClaims|VolumeBinding|node\(s\) had no available volume zone/i,
  },
  { kind: 'unschedulable', re: /were unschedulable|node\(s\) (?:was|were) unschedulable|had untolerated taint \{node\.kubernetes\.io\/unschedulable/ },
  { kind: 'affinity', re: /pod affinity rules|pod anti-affinity rules|existing pods anti-affinity rules|didn't satisfy existing pods/i },
  { kind: 'topology', re: /topology spread constraints/i },
  { kind: 'ports', re: /free ports for the requested pod ports/i },
];

/** Split on commas that are not inside `{…}` (taints print as `{key: value}`). */
function splitClauses(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '{') depth++;
    if (ch === '}') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  // "had taint {k: v}, that the pod didn't tolerate" (before 1.25) is one clause with a comma in it.
  const merged: string[] = [];
  for (const c of out.map((x) => x.trim()).filter(Boolean)) {
    if (/^that the pod didn't tolerate/.test(c) && merged.length > 0) merged[merged.length - 1] += `, ${c}`;
    else merged.push(c);
  }
  return merged;
}

function classifyClause(text: string, count: number | undefined): SchedulerReason {
  for (const { kind, re } of CLAUSES) {
    const m = re.exec(text);
    if (!m) continue;
    // A not-ready or cordoned node shows as a taint; it is node state, not a taint to tolerate.
    if (kind === 'taint') {
      const [key, value] = (m[1] ?? '').split(':').map((x) => x.trim());
      if (key === 'node.kubernetes.io/unschedulable') return { count, kind: 'unschedulable', text };
      return { count, kind, text, taint: { key: key ?? '', ...(value ? { value } : {}) } };
    }
    if (kind === 'insufficient') return { count, kind, text, resource: m[1] ?? 'pods' };
    if (kind === 'volume' && m[1]) return { count, kind, text, claim: m[1] };
    return { count, kind, text };
  }
  return { count, kind: 'other', text };
}

/**
 * Parse a scheduler `FailedScheduling` message (or a pod's `PodScheduled` condition message), e.g.
 * `0/12 nodes are available: 4 Insufficient nvidia.com/gpu, 8 node(s) didn't match Pod's node affinity/selector.
 * preemption: 0/12 nodes are available: 4 No preemption victims found for incoming pod, 8 Preemption is not
 * helpful for scheduling.`
 */
export function parseSchedulerMessage(message: string): SchedulerMessage {
  const raw = message.replace(/\s+/g, ' ').trim();
  const pre = /\.?\s*preemption:\s*(.*)$/i.exec(raw);
  const main = pre ? raw.slice(0, pre.index) : raw;
  const head = /^(\d+)\/(\d+) nodes are available:?\s*(.*)$/i.exec(main);
  const out: SchedulerMessage = { reasons: [], raw, ...(pre ? { preemption: pre[1]!.replace(/\.$/, '') } : {}) };
  if (!head) {
    if (/no nodes available to schedule pods/i.test(main)) return { ...out, available: 0, total: 0 };
    const body = main.replace(/\.$/, '').trim();
    if (body) out.reasons.push(classifyClause(body, undefined));
    return out;
  }
  out.available = Number(head[1]);
  out.total = Number(head[2]);
  for (const clause of splitClauses((head[3] ?? '').replace(/\.$/, ''))) {
    const m = /^(\d+) (.*)$/.exec(clause);
    out.reasons.push(m ? classifyClause(m[2]!.replace(/\.$/, ''), Number(m[1])) : classifyClause(clause.replace(/\.$/, ''), undefined));
  }
  return out;
}

/** Nodes the scheduler rejected for `kind` (summed; a node may fail several resources). */
export function reasonCount(msg: SchedulerMessage, kind: SchedulerReasonKind, resource?: string): number {
  return msg.reasons
    .filter((r) => r.kind === kind && (resource === undefined || r.resource === resource))
    .reduce((s, r) => s + (r.count ?? msg.total ?? 0), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Quantities and requests.

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** A Kubernetes quantity (`7910m`, `24Gi`, `62049724Ki`, `1e3`) as a number; NaN when unreadable. */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined || q === null) return NaN;
  if (typeof q === 'number') return q;
  const m = /^([+-]?\d+(?:\.\d+)?)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(q.trim());
  if (!m) return NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return m[3] ? base * SUFFIX[m[3]]! : base;
}

export type Resources = Record<string, number>;

type ContainerLike = { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

function containerRequests(c: ContainerLike): Resources {
  const out: Resources = {};
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  // A missing request defaults to the limit (for every resource, extended ones included).
  for (const k of new Set([...Object.keys(req), ...Object.keys(lim)])) {
    const v = parseQuantity(req[k] ?? lim[k]);
    if (Number.isFinite(v)) out[k] = v;
  }
  return out;
}

/** What a pod asks of its node: the sum of its containers, or its largest init container, whichever is larger. */
export function podRequests(pod: Pod): Resources {
  const sum: Resources = {};
  for (const c of pod.spec.containers) for (const [k, v] of Object.entries(containerRequests(c))) sum[k] = (sum[k] ?? 0) + v;
  for (const c of pod.spec.initContainers ?? []) for (const [k, v] of Object.entries(containerRequests(c))) sum[k] = Math.max(sum[k] ?? 0, v);
  return sum;
}

// ---------------------------------------------------------------------------------------------------------------
// Node fit.

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** Whether one toleration tolerates a taint (the API server's rule). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  const op = t.operator ?? 'Equal';
  if (!t.key) return op === 'Exists';
  if (t.key !== taint.key) return false;
  return op === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** Taints the scheduler counts against this pod (`PreferNoSchedule` never blocks). */
export function untoleratedTaints(node: Node, tolerations: readonly Toleration[] | undefined): Taint[] {
  return (node.spec?.taints ?? []).filter((taint) => taint.effect !== 'PreferNoSchedule' && !(tolerations ?? []).some((t) => tolerates(t, taint)));
}

/** Taints that say a node is down or cordoned, not that it is reserved. */
export const NODE_STATE_TAINTS = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable', 'node.kubernetes.io/unschedulable', 'node.kubernetes.io/network-unavailable']);

interface MatchExpression {
  key: string;
  operator: string;
  values?: string[];
}

/** `requiredDuringSchedulingIgnoredDuringExecution` node selector terms (ORed); empty when none. */
function requiredTerms(pod: Pod): MatchExpression[][] {
  return records(pod.spec.affinity, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms').map((t) =>
    records(t, 'matchExpressions').flatMap((e): MatchExpression[] => {
      const key = str(e, 'key');
      const operator = str(e, 'operator');
      return key !== undefined && operator !== undefined ? [{ key, operator, values: strings(e, 'values') }] : [];
    }),
  );
}

function exprMatches(labels: Record<string, string>, e: MatchExpression): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, e.key);
  const v = labels[e.key];
  switch (e.operator) {
    case 'In':
      return has && (e.values ?? []).includes(v!);
    case 'NotIn':
      return !has || !(e.values ?? []).includes(v!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
      return has && Number(v) > Number(e.values?.[0]);
    case 'Lt':
      return has && Number(v) < Number(e.values?.[0]);
    default:
      return false;
  }
}

/** The `key=value` pairs of the pod's nodeSelector a node lacks, plus a note when required affinity fails. */
export function selectorMisses(pod: Pod, node: Node): string[] {
  const labels = node.metadata.labels ?? {};
  const misses = Object.entries(pod.spec.nodeSelector ?? {})
    .filter(([k, v]) => labels[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
  const terms = requiredTerms(pod);
  if (terms.length > 0 && !terms.some((exprs) => exprs.every((e) => exprMatches(labels, e)))) misses.push('required node affinity');
  return misses;
}

export interface NodeFit {
  node: string;
  /** Selector pairs (and required affinity) the node lacks; empty: it matches. */
  misses: string[];
  /** Reservation taints the pod does not tolerate. */
  taints: Taint[];
  ready: boolean;
  cordoned: boolean;
  /** Allocatable minus what the node's other pods request; undefined when the node's pods are unknown. */
  free?: Resources;
  allocatable: Resources;
  /** Resources the pod requests more of than the node has free (or allocatable, when free is unknown). */
  short: string[];
}

/** Resources the scheduler filters on; anything else a pod requests is ignored here. */
const FIT_RESOURCES = ['nvidia.com/gpu', 'cpu', 'memory', 'ephemeral-storage'];

function allocatableOf(node: Node): Resources {
  const out: Resources = {};
  for (const [k, v] of Object.entries(node.status?.allocatable ?? {})) {
    const n = parseQuantity(v);
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}

/**
 * How the pod fits each node. `nodePods` are the pods bound to the nodes (any namespace, not terminated); when
 * absent, free capacity is unknown and `short` compares against allocatable only (a request no node can ever hold).
 */
export function nodeFits(pod: Pod, nodes: readonly Node[], nodePods?: readonly Pod[]): NodeFit[] {
  const want = podRequests(pod);
  const used = new Map<string, Resources>();
  if (nodePods) {
    for (const p of nodePods) {
      const n = p.spec.nodeName;
      if (!n || p.metadata.uid === pod.metadata.uid || p.metadata.name === pod.metadata.name) continue;
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      const acc = used.get(n) ?? {};
      for (const [k, v] of Object.entries(podRequests(p))) acc[k] = (acc[k] ?? 0) + v;
      used.set(n, acc);
    }
  }
  return nodes.map((node) => {
    const allocatable = allocatableOf(node);
    const free = nodePods
      ? Object.fromEntries(Object.entries(allocatable).map(([k, v]) => [k, v - (used.get(node.metadata.name)?.[k] ?? 0)]))
      : undefined;
    const room = free ?? allocatable;
    const short = FIT_RESOURCES.filter((r) => (want[r] ?? 0) > 0 && (want[r] ?? 0) > (room[r] ?? 0) + 1e-9);
    return {
      node: node.metadata.name,
      misses: selectorMisses(pod, node),
      taints: untoleratedTaints(node, pod.spec.tolerations).filter((t) => !NODE_STATE_TAINTS.has(t.key)),
      ready: isNodeReady(node),
      cordoned: !!node.spec?.unschedulable,
      ...(free ? { free } : {}),
      allocatable,
      short,
    };
  });
}

/** Nodes whose labels match the pod and whose reservation taints it tolerates: where it could ever run. */
export function candidateNodes(pod: Pod, nodes: readonly Node[]): Node[] {
  return nodes.filter((n) => selectorMisses(pod, n).length === 0 && untoleratedTaints(n, pod.spec.tolerations).every((t) => NODE_STATE_TAINTS.has(t.key)));
}

export type SchedulingVerdict =
  | { cause: 'VOLUME'; detail: string; claim?: string }
  | { cause: 'NO_MATCHING_NODES'; detail: string; selector: Record<string, string>; labelCounts: { pair: string; nodes: number }[]; notReady?: string[] }
  | { cause: 'UNTOLERATED_TAINT'; detail: string; taints: { node: string; taint: Taint }[] }
  | { cause: 'INSUFFICIENT_GPU'; detail: string; requested: number; perNode: { node: string; free?: number; allocatable: number }[]; never: boolean }
  | { cause: 'INSUFFICIENT_RESOURCES'; detail: string; resources: string[]; perNode: { node: string; short: string[] }[]; never: boolean }
  | { cause: 'UNKNOWN'; detail: string };

const fmt = (resource: string, v: number | undefined): string => {
  if (v === undefined || !Number.isFinite(v)) return '?';
  if (resource === 'cpu') return Number.isInteger(v) ? String(v) : `${Math.round(v * 1000)}m`;
  if (resource === 'memory' || resource === 'ephemeral-storage') return `${Math.round((v / 1024 ** 3) * 10) / 10}Gi`;
  return String(Math.round(v * 100) / 100);
};
export const formatResource = fmt;

/**
 * The root cause of an unscheduled pod, from the nodes first and the scheduler's message second. Order: volumes
 * (binding happens before node fit), no node with the labels, taints, down or cordoned nodes, then room (GPUs
 * before cpu/memory). When the node view has no explanation, the message decides; failing that, UNKNOWN.
 */
export function schedulingVerdict(pod: Pod, nodes: readonly Node[], message: SchedulerMessage | undefined, nodePods?: readonly Pod[]): SchedulingVerdict {
  const volume = message?.reasons.find((r) => r.kind === 'volume');
  if (volume) return { cause: 'VOLUME', detail: volume.text, ...(volume.claim ? { claim: volume.claim } : {}) };

  const fits = nodeFits(pod, nodes, nodePods);
  const selector = pod.spec.nodeSelector ?? {};
  const matching = fits.filter((f) => f.misses.length === 0);
  if (nodes.length > 0 && matching.length === 0) {
    const labelCounts = Object.entries(selector).map(([k, v]) => ({ pair: `${k}=${v}`, nodes: nodes.filter((n) => n.metadata.labels?.[k] === v).length }));
    const absent = labelCounts.filter((c) => c.nodes === 0).map((c) => c.pair);
    const detail =
      absent.length > 0
        ? `no node has ${absent.join(' or ')}`
        : labelCounts.length > 0
          ? `no node has all of ${labelCounts.map((c) => `${c.pair} (${c.nodes} node(s))`).join(', ')} at once`
          : `no node satisfies the pod's required node affinity`;
    return { cause: 'NO_MATCHING_NODES', detail, selector, labelCounts };
  }
  if (nodes.length === 0) return { cause: 'NO_MATCHING_NODES', detail: 'the cluster has no nodes', selector, labelCounts: [] };

  const tolerated = matching.filter((f) => f.taints.length === 0);
  if (tolerated.length === 0) {
    const taints = matching.flatMap((f) => f.taints.map((taint) => ({ node: f.node, taint })));
    const keys = [...new Set(taints.map((t) => `${t.taint.key}${t.taint.value ? `=${t.taint.value}` : ''}:${t.taint.effect}`))];
    return { cause: 'UNTOLERATED_TAINT', detail: `every node that matches has a taint the pod does not tolerate: ${keys.join(', ')}`, taints };
  }
  const usable = tolerated.filter((f) => f.ready && !f.cordoned);
  if (usable.length === 0) {
    const down = tolerated.map((f) => `${f.node} (${f.ready ? 'cordoned' : 'NotReady'})`);
    return { cause: 'NO_MATCHING_NODES', detail: `the ${tolerated.length} node(s) that match are NotReady or cordoned: ${down.join(', ')}`, selector, labelCounts: [], notReady: tolerated.map((f) => f.node) };
  }

  const want = podRequests(pod);
  const gpus = want['nvidia.com/gpu'] ?? 0;
  // With the nodes' pods known, `short` is against free capacity; without, against allocatable (never fits).
  const known = nodePods !== undefined;
  const neverGpu = gpus > 0 && usable.every((f) => (f.allocatable['nvidia.com/gpu'] ?? 0) < gpus);
  const msgGpu = message ? reasonCount(message, 'insufficient', 'nvidia.com/gpu') : 0;
  // The scheduler reports only a node's first failing filter and checks resources after taints and affinity,
  // so "Insufficient nvidia.com/gpu" counts nodes that match: enough when the nodes' pods are unknown.
  if (gpus > 0 && (neverGpu || (known ? usable.every((f) => f.short.includes('nvidia.com/gpu')) : msgGpu > 0))) {
    const perNode = usable.map((f) => ({ node: f.node, allocatable: f.allocatable['nvidia.com/gpu'] ?? 0, ...(f.free ? { free: Math.max(0, f.free['nvidia.com/gpu'] ?? 0) } : {}) }));
    const maxAlloc = Math.max(0, ...perNode.map((p) => p.allocatable));
    const detail = neverGpu
      ? `the pod requests ${gpus} nvidia.com/gpu but the largest matching node has ${maxAlloc} allocatable: it can never fit`
      : known
        ? `the pod requests ${gpus} nvidia.com/gpu; free/allocatable on the ${usable.length} matching node(s): ${perNode.map((p) => `${p.node} ${p.free ?? '?'}/${p.allocatable}`).join(', ')}`
        : `the pod requests ${gpus} nvidia.com/gpu and the scheduler found ${msgGpu} matching node(s) without that many free`;
    return { cause: 'INSUFFICIENT_GPU', detail, requested: gpus, perNode, never: neverGpu };
  }
  const msgShort = message?.reasons.filter((r) => r.kind === 'insufficient' && r.resource !== 'nvidia.com/gpu') ?? [];
  const everyShort = usable.every((f) => f.short.length > 0);
  if (everyShort || (!known && msgShort.length > 0)) {
    const resources = [...new Set([...usable.flatMap((f) => f.short), ...msgShort.map((r) => r.resource ?? 'pods')])];
    const never = everyShort && usable.every((f) => f.short.some((r) => (want[r] ?? 0) > (f.allocatable[r] ?? 0)));
    const asked = resources.map((r) => `${fmt(r, want[r])} ${r}`).join(', ');
    const detail = never
      ? `the pod requests ${asked}; no matching node has that much allocatable, even empty`
      : `the pod requests ${asked}; none of the ${usable.length} matching node(s) has that much free`;
    return { cause: 'INSUFFICIENT_RESOURCES', detail, resources, perNode: usable.map((f) => ({ node: f.node, short: f.short })), never };
  }
  // The nodes look fine: trust the scheduler's words if they name something.
  if (message) {
    const kinds = new Set(message.reasons.map((r) => r.kind));
    if (kinds.has('taint')) {
      const taints = message.reasons.filter((r) => r.taint).map((r) => ({ node: '?', taint: { key: r.taint!.key, ...(r.taint!.value ? { value: r.taint!.value } : {}), effect: 'NoSchedule' } }));
      return { cause: 'UNTOLERATED_TAINT', detail: message.reasons.filter((r) => r.kind === 'taint').map((r) => r.text).join('; '), taints };
    }
    if (kinds.has('unschedulable')) return { cause: 'NO_MATCHING_NODES', detail: 'the matching nodes are cordoned (scheduler: node(s) were unschedulable)', selector, labelCounts: [] };
  }
  return { cause: 'UNKNOWN', detail: message ? `the scheduler says: ${message.raw}` : 'the pod is not scheduled and the scheduler left no message' };
}
