/**
 * The causal chain the diagnosis shows beside its verdict: Deployment → ReplicaSet → Pod → Container → Event, the
 * Node (or the Scheduler with its reasons and the nodes of the requested type), ScaledObject/HPA, PVCs, the API
 * record, the builder. Pure: a tree of what the facts say, whatever the cause.
 */
import type { ChainNode } from '../engine/diagnosis.js';
import { isNodeReady, type ContainerStatus, type Deployment, type Node, type Pod } from '../engine/kube-types.js';
import { num } from '../engine/safe.js';
import type { KubeObject } from '../engine/types.js';
import { BUILDER_DEPLOYMENT, isUnscheduledPod, replicaSetsOf, type BuilderFacts, type EndpointFacts, type ReplicaSet } from './endpoint-facts.js';
import { eventCount, eventsAbout, podAgeMs, podEvents, statusesOf, type EventLike, type Subject } from './endpoint-view.js';
import { clip, formatAge, oneLine } from './format.js';
import { ACCELERATOR_LABEL, INSTANCE_TYPE_LABEL } from './gpu.js';
import { parseSchedulerMessage } from './scheduling.js';

function containerSummary(cs: ContainerStatus): { state: ChainNode['state']; summary: string } {
  const w = cs.state?.waiting;
  const restarts = cs.restartCount ? ` (restarts: ${cs.restartCount})` : '';
  if (w) return { state: w.reason === 'ContainerCreating' || w.reason === 'PodInitializing' ? 'warn' : 'fail', summary: `waiting: ${w.reason ?? '?'}${restarts}` };
  if (cs.state?.terminated) return { state: 'fail', summary: `terminated: ${cs.state.terminated.reason ?? '?'} (exit ${cs.state.terminated.exitCode ?? '?'})${restarts}` };
  if (cs.state?.running) return { state: cs.ready ? 'ok' : 'warn', summary: `running${cs.ready ? ', ready' : ', not ready'}${restarts}` };
  return { state: 'info', summary: 'no state' };
}

const eventNode = (e: EventLike): ChainNode => ({
  kind: 'Event',
  name: e.reason ?? 'Event',
  state: e.type === 'Warning' ? 'fail' : 'info',
  summary: `${e.reason ?? ''} ×${eventCount(e)}: ${clip(oneLine(e.message), 240)}`,
  children: [],
});

function nodeNode(n: Node): ChainNode {
  const l = n.metadata.labels ?? {};
  const gpus = n.status?.allocatable?.['nvidia.com/gpu'];
  const bits = [l[INSTANCE_TYPE_LABEL], l[ACCELERATOR_LABEL], gpus ? `${gpus} nvidia.com/gpu allocatable` : undefined, isNodeReady(n) ? undefined : 'NotReady', n.spec?.unschedulable ? 'cordoned' : undefined].filter(Boolean);
  return { kind: 'Node', name: n.metadata.name, state: isNodeReady(n) && !n.spec?.unschedulable ? 'info' : 'warn', summary: bits.join(', '), children: [] };
}

function schedulerNode(f: EndpointFacts, pod: Pod): ChainNode | undefined {
  const events = podEvents(f, pod).filter((e) => e.reason === 'FailedScheduling');
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const text = events[0]?.message ?? cond?.message;
  if (!text) return undefined;
  const parsed = parseSchedulerMessage(text);
  const children: ChainNode[] = parsed.reasons.map((r) => ({ kind: 'Reason', name: r.kind, state: 'fail', summary: `${r.count ?? 'all'} node(s): ${r.text}`, children: [] }));
  const sel = pod.spec.nodeSelector ?? {};
  const accel = sel[ACCELERATOR_LABEL];
  const sameType = accel ? f.nodes.filter((n) => n.metadata.labels?.[ACCELERATOR_LABEL] === accel) : [];
  children.push(...sameType.slice(0, 4).map(nodeNode));
  return {
    kind: 'Scheduler',
    name: 'default-scheduler',
    state: 'fail',
    summary: `${events[0] ? `FailedScheduling ×${eventCount(events[0])}: ` : ''}${parsed.available ?? '?'}/${parsed.total ?? '?'} nodes available`,
    children,
  };
}

/** Node lists indexed by name, once per list (every endpoint of a namespace shares one list of 5,000 nodes). */
const nodeIndex = new WeakMap<readonly Node[], Map<string, Node>>();
function nodeNamed(nodes: readonly Node[], name: string): Node | undefined {
  let index = nodeIndex.get(nodes);
  if (!index) {
    index = new Map();
    for (const n of nodes) if (!index.has(n.metadata.name)) index.set(n.metadata.name, n);
    nodeIndex.set(nodes, index);
  }
  return index.get(name);
}

function podNode(f: EndpointFacts, pod: Pod, now: number): ChainNode {
  const statuses = statusesOf(pod);
  const ready = statuses.filter(({ cs, init }) => !init && cs.ready).length;
  const total = pod.spec.containers.length;
  const phase = pod.status?.phase ?? '?';
  const age = formatAge(podAgeMs(pod, now));
  const containers: ChainNode[] = statuses.map(({ cs, init }) => {
    const { state, summary } = containerSummary(cs);
    // Warnings first, the most telling first: kubelet's "Failed to pull image …: not found" over "Error: ImagePullBackOff".
    const evs = podEvents(f, pod, cs.name)
      .filter((e) => e.type === 'Warning' || e.reason === 'Pulling')
      .sort((a, b) => Number(b.type === 'Warning') - Number(a.type === 'Warning') || Number(/^Error: /.test(a.message ?? '')) - Number(/^Error: /.test(b.message ?? '')));
    const seen = new Set<string>();
    const kids = evs.filter((e) => (seen.has(e.reason ?? '') ? false : (seen.add(e.reason ?? ''), true))).slice(0, 3).map(eventNode);
    return { kind: init ? 'InitContainer' : 'Container', name: cs.name, state, summary, children: kids };
  });
  if (statuses.length === 0) {
    for (const c of pod.spec.containers) containers.push({ kind: 'Container', name: c.name, state: 'info', summary: 'not created', children: [] });
  }
  const podLevel = podEvents(f, pod)
    .filter((e) => !(e.involvedObject.fieldPath ?? '').includes('spec.') && e.type === 'Warning' && e.reason !== 'FailedScheduling')
    .slice(0, 2)
    .map(eventNode);
  const node = pod.spec.nodeName ? nodeNamed(f.nodes, pod.spec.nodeName) : undefined;
  const sched = isUnscheduledPod(pod) ? schedulerNode(f, pod) : undefined;
  const healthy = phase === 'Running' && ready === total;
  return {
    kind: 'Pod',
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? f.namespace,
    state: healthy ? 'ok' : phase === 'Pending' || statuses.some(({ cs }) => cs.state?.waiting && cs.state.waiting.reason !== 'ContainerCreating') ? 'fail' : 'warn',
    summary: `${phase} for ${age}, ${ready}/${total} containers ready`,
    children: [...containers, ...podLevel, ...(sched ? [sched] : []), ...(node ? [nodeNode(node)] : pod.spec.nodeName ? [{ kind: 'Node', name: pod.spec.nodeName, state: 'info' as const, summary: 'not in the node list', children: [] }] : [])],
  };
}

function apiNode(f: EndpointFacts, s: Subject): ChainNode | undefined {
  const api = f.api;
  if (!api) return undefined;
  const rec = api.state === 'found' ? api.record : undefined;
  return {
    kind: 'Endpoint',
    name: s.name ?? s.id ?? f.query,
    state: rec ? (rec.status === 'READY' ? ((rec.deployment_state?.available_workers ?? 1) > 0 ? 'ok' : 'warn') : rec.status === 'UPDATE_FAILED' ? 'fail' : 'warn') : api.state === 'not-found' ? 'fail' : 'info',
    summary: rec
      ? `API: ${rec.status}${rec.status_reason ? ` (${rec.status_reason})` : ''}, ${rec.deployment_state?.available_workers ?? '?'} available / ${rec.deployment_state?.unavailable_workers ?? '?'} unavailable workers`
      : api.state === 'not-found'
        ? `API: not found (${api.detail})`
        : `API unreachable: ${api.state === 'unavailable' ? api.detail : ''}`,
    children: [],
  };
}

function replicaSetNode(f: EndpointFacts, s: Subject, rs: ReplicaSet, now: number): ChainNode {
  const pods = f.pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.name === rs.metadata.name));
  const failed = eventsAbout(f, rs.metadata.name).filter((e) => e.reason === 'FailedCreate');
  const want = rs.spec?.replicas ?? 0;
  const ready = rs.status?.readyReplicas ?? 0;
  return {
    kind: 'ReplicaSet',
    name: rs.metadata.name,
    namespace: s.namespace,
    state: failed.length ? 'fail' : ready >= want ? 'ok' : 'warn',
    summary: `${ready}/${want} ready, ${pods.length} pod(s)${failed.length ? `, FailedCreate ×${eventCount(failed[0]!)}` : ''}`,
    children: [...failed.slice(0, 1).map(eventNode), ...pods.slice(0, 5).map((p) => podNode(f, p, now))],
  };
}

function workloadNode(f: EndpointFacts, s: Subject, w: Deployment | KubeObject, now: number): ChainNode {
  const d = w as Deployment;
  const desired = d.spec?.replicas ?? 1;
  const available = d.status?.availableReplicas ?? num(d, 'status', 'readyReplicas') ?? 0;
  const rss = replicaSetsOf(w, f.replicaSets).filter((rs, i) => i === 0 || (rs.status?.replicas ?? 0) > 0).slice(0, 3);
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  // Pods not owned by a listed ReplicaSet (LWS StatefulSets, or a snapshot without ReplicaSets).
  const owned = new Set(rss.map((r) => r.metadata.name));
  const loose = f.pods.filter((p) => !p.metadata.ownerReferences?.some((o) => owned.has(o.name))).slice(0, 5).map((p) => podNode(f, p, now));
  return {
    kind: s.workloadKind,
    name: w.metadata.name,
    namespace: s.namespace,
    state: desired === 0 ? 'info' : available >= desired ? 'ok' : available === 0 ? 'fail' : 'warn',
    summary: `${available}/${desired} available${progressing?.reason === 'ProgressDeadlineExceeded' ? ', ProgressDeadlineExceeded' : ''}`,
    children: [...rss.map((rs) => replicaSetNode(f, s, rs, now)), ...loose],
  };
}

function scalerNodes(f: EndpointFacts, s: Subject): ChainNode[] {
  return [
    ...f.scaledObjects.map((so): ChainNode => ({
      kind: 'ScaledObject',
      name: so.metadata.name,
      namespace: s.namespace,
      state: 'info',
      summary: `KEDA, min ${so.spec?.minReplicaCount ?? 0} / max ${so.spec?.maxReplicaCount ?? '?'}${so.spec?.triggers?.length ? `, triggers: ${so.spec.triggers.map((t) => t.type).join(', ')}` : ''}`,
      children: [],
    })),
    ...f.hpas.map((h): ChainNode => ({ kind: 'HorizontalPodAutoscaler', name: h.metadata.name, namespace: s.namespace, state: 'info', summary: `min ${h.spec?.minReplicas ?? 1} / max ${h.spec?.maxReplicas ?? '?'}, current ${h.status?.currentReplicas ?? '?'}`, children: [] })),
  ];
}

function pvcNodes(f: EndpointFacts, s: Subject): ChainNode[] {
  return f.pvcs.map((p) => ({
    kind: 'PersistentVolumeClaim',
    name: p.metadata.name,
    namespace: s.namespace,
    state: p.status?.phase === 'Bound' ? 'ok' : 'fail',
    summary: `${p.status?.phase ?? '?'}, ${p.spec?.storageClassName ?? 'default class'}, ${(p.spec?.accessModes ?? []).join(',')}`,
    children: eventsAbout(f, p.metadata.name).filter((e) => e.type === 'Warning').slice(0, 1).map(eventNode),
  }));
}

function builderNode(f: EndpointFacts, b: BuilderFacts, now: number): ChainNode {
  const d = b.deployment;
  return {
    kind: 'Deployment',
    name: BUILDER_DEPLOYMENT,
    namespace: b.namespace,
    state: d && (d.status?.availableReplicas ?? 0) > 0 ? 'ok' : 'fail',
    summary: d ? `${d.status?.availableReplicas ?? 0}/${d.spec.replicas ?? 1} available (the endpoint builder)` : 'missing (the endpoint builder)',
    children: [
      ...b.pods.slice(0, 3).map((p) => podNode(f, p, now)),
      { kind: 'Queue', name: 'model-engine-service-builder', state: 'info', summary: 'build tasks wait here until the builder takes them', children: [] },
    ],
  };
}

/** The causal tree of an endpoint: its API record, workload → ReplicaSets → pods → containers → events, nodes, scalers, PVCs, the builder. */
export function buildChain(f: EndpointFacts, s: Subject, now: number): ChainNode[] {
  const w = s.workload;
  const api = apiNode(f, s);
  return [
    ...(api ? [api] : []),
    ...(w ? [workloadNode(f, s, w, now)] : f.pods.slice(0, 5).map((p) => podNode(f, p, now))),
    ...scalerNodes(f, s),
    ...pvcNodes(f, s),
    ...(!w && f.pods.length === 0 && f.builder ? [builderNode(f, f.builder, now)] : []),
  ];
}
