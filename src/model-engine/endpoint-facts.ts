/**
 * What the endpoint doctor reads about an endpoint, and how it reads it. Collection goes through the kube port
 * only (lists with label selectors, events field-selected per involved object, nodes once), so it costs a
 * bounded handful of API calls; the judgement over the collected facts is `diagnose` in `endpoint-diagnosis.ts`.
 *
 * Two collectors: `collectEndpointFacts` for one endpoint (the `endpoint` command) and `collectNamespaceFacts` +
 * `groupEndpointFacts` for every endpoint of the namespace at once (triage), whose call count does not grow with
 * the number of endpoints.
 */
import { abortError, ifUnreadable, type ApiError, type ForbiddenError } from '../engine/errors.js';
import { conformAs, num, str, type ConformedKind } from '../engine/safe.js';
import type { Deployment, KubeEvent, Node, Pod, ConfigMap } from '../engine/kube-types.js';
import type { GatewayAnswer, GatewayPort } from '../engine/ports/gateway.js';
import { ENDPOINT_ID, endpointIdOf, k8sNameOf } from './naming.js';
import type { CloudPort } from '../engine/ports/cloud.js';
import type { ImageProbe, RegistryPort } from '../engine/ports/registry.js';
import { asyncSpec, CELERY_FORWARDER, type AsyncSpec } from './celery.js';
import { candidateNodes } from './scheduling.js';
import type { Cloud, KubeObject, KubePort, NodePoolProfile } from '../engine/types.js';

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
  };
}

export interface ScaledObject extends KubeObject {
  spec?: {
    minReplicaCount?: number;
    maxReplicaCount?: number;
    scaleTargetRef?: { name?: string; kind?: string };
    triggers?: { type: string; metadata?: Record<string, string>; authenticationRef?: { name?: string; kind?: string } }[];
    fallback?: { failureThreshold?: number; replicas?: number };
  };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[]; lastActiveTime?: string };
}

/** The KEDA operator and metrics API server pods (any namespace: `keda`, or `kube-system` for the AKS add-on). */
export const KEDA_PODS = 'app in (keda-operator,keda-operator-metrics-apiserver)';

export interface HorizontalPodAutoscaler extends KubeObject {
  spec?: { minReplicas?: number; maxReplicas?: number };
  status?: { currentReplicas?: number; desiredReplicas?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: { storageClassName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } }; volumeName?: string };
  status?: { phase?: string };
}

export interface ContainerLog {
  pod: string;
  container: string;
  previous: boolean;
  text: string;
}

/**
 * The endpoint builder, read whenever the endpoint is not serving (was it built? did the build fail half-way?); its
 * previous run's log holds a build killed mid-task.
 */
export interface BuilderFacts extends ComponentFacts {
  /** The builder queue's depth, when the cloud port could be asked (`--cloud-api`). */
  queue?: BuilderQueue;
}

export interface BuilderQueue {
  broker: 'sqs' | 'servicebus';
  name: string;
  exists?: boolean;
  /** Messages waiting for a consumer. */
  waiting?: number;
  /** Messages taken by a consumer and not yet acknowledged. */
  inFlight?: number;
  /** Why it could not be read. */
  error?: string;
}

/** Install-wide facts remediations need; none of it is required. */
export interface EndpointHints {
  cloud?: Cloud;
  /** How nodes are grouped into pools on this cloud (`eks.amazonaws.com/nodegroup` …). */
  nodePool?: NodePoolProfile;
  /** The kube context (`arn:aws:eks:us-east-1:…:cluster/ml-prod`), to fill cluster names into commands. */
  context?: string;
  /** The gateway's base URL, when `--gateway-url` was given. */
  gatewayUrl?: string;
}

export interface EndpointFacts {
  /** What the user asked for: an id (`end_…`), a name, or a `launch-endpoint-id-…` object name. */
  query: string;
  namespace: string;
  controlPlaneNamespace: string;
  /** ISO time the facts describe (the snapshot's collection time on snapshots). */
  now: string;
  deployments: Deployment[];
  leaderWorkerSets: KubeObject[];
  replicaSets: ReplicaSet[];
  pods: Pod[];
  hpas: HorizontalPodAutoscaler[];
  scaledObjects: ScaledObject[];
  services: KubeObject[];
  virtualServices: KubeObject[];
  configMaps: ConfigMap[];
  pvcs: PersistentVolumeClaim[];
  /** Events about the objects above (not the whole namespace). */
  events: KubeEvent[];
  nodes: Node[];
  /** Non-terminated pods bound to the nodes an unscheduled pod could use (any namespace); absent when not read. */
  nodePods?: Pod[];
  /** KEDA's operator and metrics API server pods, read when the endpoint has a ScaledObject; absent when not read. */
  kedaPods?: Pod[];
  /** The endpoint namespace's KEDA TriggerAuthentications, read when a trigger names one; absent when not read. */
  triggerAuthentications?: KubeObject[];
  /** The control plane's StatefulSets (the celery autoscaler), read for async endpoints; absent when not read. */
  statefulSets?: KubeObject[];
  /** The async endpoint's own queue depth, when the cloud port could be asked (`--cloud-api`, SQS or Service Bus). */
  queue?: BuilderQueue;
  logs: ContainerLog[];
  builder?: BuilderFacts;
  /** The cacher (`model-engine-cacher`), read when the API was asked: it writes what the API says about workers. */
  cacher?: ComponentFacts;
  api?: GatewayAnswer;
  imageProbes?: ImageProbe[];
  hints?: EndpointHints;
  /** What could not be read (RBAC, or the API failing), so a diagnosis can say what it did not see. */
  gaps: string[];
  /**
   * Reads of the endpoint's own objects that failed: with them unread, "no such objects" is not a finding, and the
   * diagnosis says it cannot see instead of guessing (NOT_FOUND, BUILD_PENDING).
   */
  unread?: { workload?: ForbiddenError | ApiError; pods?: ForbiddenError | ApiError };
}

export const BUILDER_DEPLOYMENT = 'model-engine-endpoint-builder';
export const CACHER_DEPLOYMENT = 'model-engine-cacher';

export { endpointIdOf, k8sNameOf } from './naming.js';

/** How to find an endpoint's objects from what the user typed. */
export function endpointSelector(query: string): { labelSelector: string; k8sName?: string; id?: string; name?: string } {
  const q = query.trim();
  const fromName = q.startsWith('launch-endpoint-id-') ? endpointIdOf(q) : undefined;
  const id = ENDPOINT_ID.test(q) || /^end_[0-9a-z]+$/.test(q) ? q : fromName;
  if (id) return { labelSelector: `endpoint_id=${id}`, k8sName: k8sNameOf(id), id };
  return { labelSelector: `endpoint_name=${q}`, name: q };
}

/** Custom resources as read: a CRD without a structural schema lets any field hold any type (src/engine/safe.ts). */
const asKind =
  <T extends KubeObject>(kind: ConformedKind) =>
  (objects: readonly KubeObject[]): T[] =>
    objects.map((o) => conformAs<T>(kind, o));

/** A read the cluster refused (RBAC) or failed (the API, retries spent) becomes a gap and an empty answer. */
function tolerant<T>(gaps: string[], what: string, fn: () => Promise<T>, empty: T, unread?: (reason: ForbiddenError | ApiError) => void): Promise<T> {
  return ifUnreadable(fn, (e) => {
    gaps.push(`${what}: ${e.message}`);
    unread?.(e);
    return empty;
  });
}

const controllerOf = (o: KubeObject) => o.metadata.ownerReferences?.find((r) => r.controller) ?? o.metadata.ownerReferences?.[0];
const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/** An endpoint's ReplicaSets, newest revision first. */
export function replicaSetsOf(workload: KubeObject | undefined, replicaSets: readonly ReplicaSet[]): ReplicaSet[] {
  return replicaSets
    .filter((rs) => !workload || controllerOf(rs)?.name === workload.metadata.name)
    .sort((a, b) => revisionOf(b) - revisionOf(a) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
}

/** Containers whose logs explain a crash or a slow/failed readiness, worst first (at most `max`). */
export function containersNeedingLogs(pods: readonly Pod[], max = 4): { pod: string; container: string; previous: boolean }[] {
  const out: { pod: string; container: string; previous: boolean; rank: number }[] = [];
  for (const p of pods) {
    // Native sidecars (init containers that keep running, e.g. istio-proxy) fail like app containers.
    const sidecars = new Set((p.spec.initContainers ?? []).filter((c) => str(c, 'restartPolicy') === 'Always').map((c) => c.name));
    for (const cs of [...(p.status?.initContainerStatuses ?? []).filter((c) => sidecars.has(c.name)), ...(p.status?.containerStatuses ?? [])]) {
      const crashed = (cs.restartCount ?? 0) > 0 || !!cs.lastState?.terminated || cs.state?.waiting?.reason === 'CrashLoopBackOff' || !!cs.state?.terminated;
      if (crashed) out.push({ pod: p.metadata.name, container: cs.name, previous: !!cs.lastState?.terminated, rank: cs.name === 'main' ? 0 : 1 });
      else if (cs.state?.running && !cs.ready) out.push({ pod: p.metadata.name, container: cs.name, previous: false, rank: cs.name === 'main' ? 2 : 3 });
    }
  }
  return out
    .sort((a, b) => a.rank - b.rank)
    .slice(0, max)
    .map(({ pod, container, previous }) => ({ pod, container, previous }));
}

export const isUnscheduledPod = (p: Pod) => p.status?.phase === 'Pending' && !p.spec.nodeName;

/** Images that fail to pull in these pods (`ErrImagePull`, `ImagePullBackOff`). */
export function failingImages(pods: readonly Pod[]): string[] {
  const out = new Set<string>();
  for (const p of pods) {
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      const reason = cs.state?.waiting?.reason;
      if (reason === 'ErrImagePull' || reason === 'ImagePullBackOff') {
        const spec = [...(p.spec.initContainers ?? []), ...p.spec.containers].find((c) => c.name === cs.name);
        const img = spec?.image ?? cs.image;
        if (img) out.add(img);
      }
    }
  }
  return [...out];
}

/** Pods bound to `nodes`: per node when few (field selector), else one list of all non-terminated pods. */
export async function podsOnNodes(kube: KubePort, nodes: readonly string[], perNodeLimit = 8): Promise<Pod[]> {
  if (nodes.length === 0) return [];
  if (nodes.length <= perNodeLimit) {
    const lists = await Promise.all(nodes.map((n) => kube.list<Pod>('pods', { fieldSelector: `spec.nodeName=${n}`, project: 'placement' })));
    return lists.flat().filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }
  const wanted = new Set(nodes);
  const all = await kube.list<Pod>('pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', project: 'placement' });
  return all.filter((p) => p.spec.nodeName && wanted.has(p.spec.nodeName));
}

/** Serving: every desired worker available (and at least one desired). */
export function isServing(workload: Deployment | undefined): boolean {
  if (!workload) return false;
  const desired = workload.spec?.replicas ?? 1;
  const available = workload.status?.availableReplicas ?? num(workload, 'status', 'readyReplicas') ?? 0;
  return desired > 0 && available >= desired;
}

/**
 * Read the builder unless the endpoint serves and the API does not say an update is under way or failed: a build
 * that failed half-way (objects created, then an error) or never ran is only in the builder's log (facts §10.5).
 */
function needsBuilder(workload: Deployment | undefined, api: GatewayAnswer | undefined): boolean {
  const status = api?.state === 'found' ? api.record.status : undefined;
  return !isServing(workload) || status === 'UPDATE_FAILED' || status === 'UPDATE_PENDING' || status === 'UPDATE_IN_PROGRESS';
}

export interface CollectInput {
  kube: KubePort;
  query: string;
  namespace: string;
  controlPlaneNamespace: string;
  now: Date;
  signal: AbortSignal;
  gateway?: GatewayPort;
  registry?: RegistryPort;
  /** Cloud reads (`--cloud-api`): the builder queue's depth when an endpoint has no objects. */
  cloud?: CloudPort;
  hints?: EndpointHints;
  /** Milliseconds allowed for registry probes in total. */
  probeTimeoutMs?: number;
}

const dedupe = <T extends KubeObject>(objs: T[]): T[] => {
  const seen = new Set<string>();
  return objs.filter((o) => {
    const k = o.metadata.uid ?? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}/${str(o, 'reason') ?? ''}/${str(o, 'message') ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

/** The builder's queue and broker, from its Deployment (`--queues=…`, `SERVICEBUS_NAMESPACE`, `AWS_REGION`). */
export function builderQueueOf(d: Deployment | undefined, cloud: Cloud | undefined): { broker: 'sqs' | 'servicebus'; name: string; namespace?: string; region?: string } | undefined {
  const c = d?.spec.template.spec.containers[0];
  const args = [...(c?.command ?? []), ...(c?.args ?? [])];
  const name = args.map((a) => /^--queues=(.+)$/.exec(a)?.[1]).find(Boolean) ?? 'model-engine-service-builder';
  const env = (k: string) => c?.env?.find((e) => e.name === k)?.value;
  if (cloud === 'azure') {
    const ns = env('SERVICEBUS_NAMESPACE');
    return ns ? { broker: 'servicebus', name, namespace: ns } : undefined;
  }
  if (cloud === 'aws') {
    const region = env('AWS_REGION') ?? env('AWS_DEFAULT_REGION');
    return { broker: 'sqs', name, ...(region ? { region } : {}) };
  }
  return undefined;
}

async function readQueue(port: CloudPort, q: NonNullable<ReturnType<typeof builderQueueOf>>, signal: AbortSignal): Promise<BuilderQueue> {
  try {
    if (q.broker === 'servicebus') {
      const info = await port.serviceBusQueue(q.namespace!, q.name, { signal });
      return { broker: q.broker, name: q.name, exists: info.exists, ...(info.activeMessageCount !== undefined ? { waiting: info.activeMessageCount } : {}) };
    }
    const info = await port.sqsQueue(q.name, { signal, ...(q.region ? { region: q.region } : {}) });
    return { broker: q.broker, name: q.name, exists: info.exists, ...(info.visible !== undefined ? { waiting: info.visible } : {}), ...(info.notVisible !== undefined ? { inFlight: info.notVisible } : {}) };
  } catch (e) {
    if (signal.aborted) throw abortError(signal);
    return { broker: q.broker, name: q.name, error: (e as Error).message.split('\n')[0] ?? 'error' };
  }
}

/** The async endpoint's queue depth through the cloud port: SQS (`--sqs-url` names queue and region) or Service Bus. */
async function endpointQueue(port: CloudPort, a: AsyncSpec, signal: AbortSignal): Promise<BuilderQueue | undefined> {
  if (!a.queue) return undefined;
  if (a.brokerType === 'sqs') {
    const region = /^https:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com\//.exec(a.sqsUrl ?? '')?.[1];
    return readQueue(port, { broker: 'sqs', name: a.queue, ...(region ? { region } : {}) }, signal);
  }
  const sb = a.env.SERVICEBUS_NAMESPACE;
  if (a.brokerType === 'servicebus' && sb) return readQueue(port, { broker: 'servicebus', name: a.queue, namespace: sb }, signal);
  return undefined;
}

/** A control-plane component as the doctor reads it: its Deployment, pods, and one pod's log (the ready one first). */
export interface ComponentFacts {
  namespace: string;
  deployment?: Deployment;
  pods: Pod[];
  log?: { pod: string; container: string; text: string };
  /** The log of that container's previous run, when it restarted. */
  previousLog?: { pod: string; container: string; text: string };
  /** Why its Deployment could not be read (then whether it runs is unknown, not "missing"). */
  unread?: ForbiddenError | ApiError;
}

/** Read a control-plane component (`app=<name>`): two lists, one log read, one more when it restarted. */
export async function collectComponent(kube: KubePort, namespace: string, name: string, gaps: string[], tailLines: number): Promise<ComponentFacts> {
  let unread: ForbiddenError | ApiError | undefined;
  const [deployments, pods] = await Promise.all([
    tolerant(gaps, `get deployment ${namespace}/${name}`, () => kube.list<Deployment>('deployments.apps', { namespace, fieldSelector: `metadata.name=${name}` }), [] as Deployment[], (r) => (unread = r)),
    tolerant(gaps, `list pods in ${namespace}`, () => kube.list<Pod>('pods', { namespace, labelSelector: `app=${name}` }), [] as Pod[]),
  ]);
  const pod = [...pods].sort((a, b) => Number(!!b.status?.containerStatuses?.[0]?.ready) - Number(!!a.status?.containerStatuses?.[0]?.ready))[0];
  let log: ComponentFacts['log'];
  let previousLog: ComponentFacts['previousLog'];
  if (pod) {
    const container = pod.spec.containers.find((c) => c.name === name)?.name ?? pod.spec.containers[0]?.name;
    if (container) {
      const read = (previous: boolean) =>
        tolerant(gaps, `read logs of ${namespace}/${pod.metadata.name}`, () => kube.logs(namespace, pod.metadata.name, container, { tailLines, ...(previous ? { previous } : {}) }), undefined);
      const text = await read(false);
      if (text !== undefined) log = { pod: pod.metadata.name, container, text };
      const restarted = (pod.status?.containerStatuses?.find((c) => c.name === container)?.restartCount ?? 0) > 0;
      const prev = restarted ? await read(true) : undefined;
      if (prev !== undefined) previousLog = { pod: pod.metadata.name, container, text: prev };
    }
  }
  return { namespace, ...(deployments[0] ? { deployment: deployments[0] } : {}), pods, ...(log ? { log } : {}), ...(previousLog ? { previousLog } : {}), ...(unread ? { unread } : {}) };
}

/** Read the builder: its Deployment, pods and recent log (three calls, four when it restarted), and its queue with the cloud port. */
export async function collectBuilder(kube: KubePort, namespace: string, gaps: string[], queue?: { port: CloudPort; cloud: Cloud | undefined; signal: AbortSignal }): Promise<BuilderFacts> {
  const component = await collectComponent(kube, namespace, BUILDER_DEPLOYMENT, gaps, 1000);
  const q = queue ? builderQueueOf(component.deployment, queue.cloud) : undefined;
  const depth = q && queue ? await readQueue(queue.port, q, queue.signal) : undefined;
  return { ...component, ...(depth ? { queue: depth } : {}) };
}

/**
 * Everything about one endpoint: about a dozen lists with the endpoint's label selector, events for at most
 * eight objects, nodes once, pods on at most eight candidate nodes (or one list), logs of at most four
 * containers, and the builder whenever the endpoint is not serving (or the API says an update is under way).
 */
export async function collectEndpointFacts(input: CollectInput): Promise<EndpointFacts> {
  const { kube, namespace: ns } = input;
  const gaps: string[] = [];
  const unread: NonNullable<EndpointFacts['unread']> = {};
  const sel = endpointSelector(input.query);
  const byLabel = <T extends KubeObject>(resource: string, core?: keyof typeof unread) =>
    tolerant(gaps, `list ${resource} in ${ns}`, () => kube.list<T>(resource, { namespace: ns, labelSelector: sel.labelSelector }), [] as T[], core && ((r) => (unread[core] ??= r)));
  const [deployments0, leaderWorkerSets, replicaSets, pods, hpas, scaledObjects, services, virtualServices, configMaps, pvcs, nodes, api] = await Promise.all([
    byLabel<Deployment>('deployments.apps', 'workload'),
    byLabel<KubeObject>('leaderworkersets.leaderworkerset.x-k8s.io', 'workload').then(asKind('LeaderWorkerSet')),
    byLabel<ReplicaSet>('replicasets.apps'),
    byLabel<Pod>('pods', 'pods'),
    byLabel<HorizontalPodAutoscaler>('horizontalpodautoscalers.autoscaling'),
    byLabel<KubeObject>('scaledobjects.keda.sh').then(asKind<ScaledObject>('ScaledObject')),
    byLabel<KubeObject>('services'),
    byLabel<KubeObject>('virtualservices.networking.istio.io'),
    byLabel<ConfigMap>('configmaps'),
    byLabel<PersistentVolumeClaim>('persistentvolumeclaims'),
    tolerant(gaps, 'list nodes', () => kube.list<Node>('nodes'), [] as Node[]),
    input.gateway ? input.gateway.endpoint(input.query, input.signal) : Promise.resolve(undefined),
  ]);
  let deployments = deployments0;
  // Labels can be edited away; the object name cannot. One more call, only when the label found nothing.
  if (deployments.length === 0 && sel.k8sName) {
    const d = await tolerant(gaps, `get deployment ${ns}/${sel.k8sName}`, () => kube.get<Deployment>('deployments.apps', sel.k8sName!, ns), undefined);
    if (d) deployments = [d];
  }

  const workload = deployments[0] ?? leaderWorkerSets[0];
  const rsNewest = replicaSetsOf(workload, replicaSets).slice(0, 2);
  const podsByWorst = [...pods].sort((a, b) => podTroubleRank(a) - podTroubleRank(b)).slice(0, 5);
  const eventNames = [...new Set([...deployments, ...leaderWorkerSets].map((o) => o.metadata.name).concat(rsNewest.map((r) => r.metadata.name), podsByWorst.map((p) => p.metadata.name), pvcs.slice(0, 2).map((p) => p.metadata.name)))].slice(0, 8);
  const eventLists = await Promise.all(
    eventNames.map((name) => tolerant(gaps, `list events in ${ns}`, () => kube.list<KubeEvent>('events', { namespace: ns, fieldSelector: `involvedObject.name=${name}` }), [] as KubeEvent[])),
  );
  const events = dedupe(eventLists.flat());

  const unscheduled = pods.filter(isUnscheduledPod);
  let nodePods: Pod[] | undefined;
  if (unscheduled.length > 0 && nodes.length > 0) {
    const candidates = [...new Set(unscheduled.flatMap((p) => candidateNodes(p, nodes).map((n) => n.metadata.name)))];
    nodePods = await tolerant(gaps, 'list pods on the candidate nodes', () => podsOnNodes(kube, candidates), undefined);
  }

  const keda = await collectKeda(kube, ns, scaledObjects, gaps);
  // What the API says about workers comes from the cacher's Redis cache: when the API was asked, read the cacher too.
  const cacher = api?.state === 'found' ? await collectComponent(kube, input.controlPlaneNamespace, CACHER_DEPLOYMENT, gaps, 200) : undefined;
  const async = asyncSpec(workload as Deployment | undefined);
  const statefulSets = async ? await tolerant(gaps, `list statefulsets.apps in ${input.controlPlaneNamespace}`, () => kube.list<KubeObject>('statefulsets.apps', { namespace: input.controlPlaneNamespace }), undefined) : undefined;
  const queue = async && input.cloud ? await endpointQueue(input.cloud, async, input.signal) : undefined;
  const logs: ContainerLog[] = [];
  for (const want of containersNeedingLogs(pods)) {
    let text = await tolerant(gaps, `read logs of ${ns}/${want.pod}`, () => kube.logs(ns, want.pod, want.container, { previous: want.previous, tailLines: 50 }), undefined);
    let previous = want.previous;
    if (text === undefined && want.previous) {
      text = await tolerant(gaps, `read logs of ${ns}/${want.pod}`, () => kube.logs(ns, want.pod, want.container, { tailLines: 50 }), undefined);
      previous = false;
    }
    if (text !== undefined) logs.push({ pod: want.pod, container: want.container, previous, text });
  }
  // A Ready async pod that never consumes says why only in its forwarder's log: read one.
  const consumer = async ? pods.find((p) => p.status?.containerStatuses?.some((c) => c.name === CELERY_FORWARDER && c.ready)) : undefined;
  if (consumer && !logs.some((l) => l.pod === consumer.metadata.name && l.container === CELERY_FORWARDER)) {
    const text = await tolerant(gaps, `read logs of ${ns}/${consumer.metadata.name}`, () => kube.logs(ns, consumer.metadata.name, CELERY_FORWARDER, { tailLines: 50 }), undefined);
    if (text !== undefined) logs.push({ pod: consumer.metadata.name, container: CELERY_FORWARDER, previous: false, text });
  }

  const builder =
    needsBuilder(workload as Deployment | undefined, api)
      ? await collectBuilder(kube, input.controlPlaneNamespace, gaps, input.cloud ? { port: input.cloud, cloud: input.hints?.cloud, signal: input.signal } : undefined)
      : undefined;

  let imageProbes: ImageProbe[] | undefined;
  const images = failingImages(pods).slice(0, 2);
  if (input.registry && images.length > 0) {
    const registry = input.registry;
    const signal = AbortSignal.any([input.signal, AbortSignal.timeout(input.probeTimeoutMs ?? 20_000)]);
    const archs = [...new Set(nodes.map((n) => n.metadata.labels?.['kubernetes.io/arch']).filter((a): a is string => !!a))];
    const settled = await Promise.allSettled(images.map((ref) => registry.probe({ ref, architectures: archs }, signal)));
    if (input.signal.aborted) throw abortError(input.signal);
    imageProbes = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  return {
    query: input.query,
    namespace: ns,
    controlPlaneNamespace: input.controlPlaneNamespace,
    now: input.now.toISOString(),
    deployments,
    leaderWorkerSets,
    replicaSets,
    pods,
    hpas,
    scaledObjects,
    services,
    virtualServices,
    configMaps,
    pvcs,
    events,
    nodes,
    ...(nodePods ? { nodePods } : {}),
    ...keda,
    ...(statefulSets ? { statefulSets } : {}),
    ...(queue ? { queue } : {}),
    logs,
    ...(builder ? { builder } : {}),
    ...(cacher ? { cacher } : {}),
    ...(api ? { api } : {}),
    ...(imageProbes ? { imageProbes } : {}),
    ...(input.hints ? { hints: input.hints } : {}),
    gaps,
    ...(unread.workload || unread.pods ? { unread } : {}),
  };
}

/**
 * What scale-from-zero depends on, when some endpoint has a ScaledObject: KEDA's pods (one list across namespaces)
 * and, when a trigger names one, the namespace's TriggerAuthentications (one list).
 */
async function collectKeda(kube: KubePort, ns: string, scaledObjects: readonly ScaledObject[], gaps: string[]): Promise<Pick<EndpointFacts, 'kedaPods' | 'triggerAuthentications'>> {
  if (scaledObjects.length === 0) return {};
  const named = scaledObjects.some((so) => so.spec?.triggers?.some((t) => t.authenticationRef?.name));
  const [kedaPods, triggerAuthentications] = await Promise.all([
    tolerant(gaps, 'list pods in all namespaces', () => kube.list<Pod>('pods', { labelSelector: KEDA_PODS }), undefined),
    named ? tolerant(gaps, `list triggerauthentications.keda.sh in ${ns}`, async () => asKind('TriggerAuthentication')(await kube.list<KubeObject>('triggerauthentications.keda.sh', { namespace: ns })), undefined) : Promise.resolve(undefined),
  ]);
  return { ...(kedaPods ? { kedaPods } : {}), ...(triggerAuthentications ? { triggerAuthentications } : {}) };
}

/** Lower is worse: which pods' events to read first. */
function podTroubleRank(p: Pod): number {
  if (p.status?.phase === 'Pending') return 0;
  const cs = p.status?.containerStatuses ?? [];
  if (cs.some((c) => c.state?.waiting)) return 1;
  if (cs.some((c) => !c.ready)) return 2;
  return 3;
}

// ---------------------------------------------------------------------------------------------------------------
// Every endpoint of a namespace, from a constant number of lists.

/** The same facts for a whole namespace; its `events` are the namespace's Warning events, from one list. */
export type NamespaceFacts = Omit<EndpointFacts, 'query' | 'services' | 'virtualServices' | 'configMaps' | 'api' | 'imageProbes' | 'queue' | 'cacher'>;

/** The selector every endpoint object carries (facts §6.3). */
export const ENDPOINT_OBJECTS = 'endpoint_id';
/** Crash-looping containers whose logs triage reads, across all endpoints (the rest say "see logs"). */
export const TRIAGE_LOG_BUDGET = 5;

/**
 * The namespace's endpoint objects in nine lists (plus one list of pods on candidate nodes when some endpoint pod
 * is unscheduled, the builder once when some endpoint is not serving, and at most {@link TRIAGE_LOG_BUDGET} log
 * reads): the same count for 5 endpoints or 5,000.
 */
export async function collectNamespaceFacts(input: { kube: KubePort; namespace: string; controlPlaneNamespace: string; now: Date; hints?: EndpointHints }): Promise<NamespaceFacts> {
  const { kube, namespace: ns } = input;
  const gaps: string[] = [];
  const unread: NonNullable<EndpointFacts['unread']> = {};
  const byLabel = <T extends KubeObject>(resource: string, core?: keyof typeof unread) =>
    tolerant(gaps, `list ${resource} in ${ns}`, () => kube.list<T>(resource, { namespace: ns, labelSelector: ENDPOINT_OBJECTS }), [] as T[], core && ((r) => (unread[core] ??= r)));
  const [deployments, leaderWorkerSets, replicaSets, pods, hpas, scaledObjects, pvcs, events, nodes] = await Promise.all([
    byLabel<Deployment>('deployments.apps', 'workload'),
    byLabel<KubeObject>('leaderworkersets.leaderworkerset.x-k8s.io', 'workload').then(asKind('LeaderWorkerSet')),
    byLabel<ReplicaSet>('replicasets.apps'),
    byLabel<Pod>('pods', 'pods'),
    byLabel<HorizontalPodAutoscaler>('horizontalpodautoscalers.autoscaling'),
    byLabel<KubeObject>('scaledobjects.keda.sh').then(asKind<ScaledObject>('ScaledObject')),
    byLabel<PersistentVolumeClaim>('persistentvolumeclaims'),
    tolerant(gaps, `list events in ${ns}`, () => kube.list<KubeEvent>('events', { namespace: ns, fieldSelector: 'type=Warning' }), [] as KubeEvent[]),
    tolerant(gaps, 'list nodes', () => kube.list<Node>('nodes'), [] as Node[]),
  ]);
  let nodePods: Pod[] | undefined;
  const unscheduled = pods.filter(isUnscheduledPod);
  if (unscheduled.length > 0 && nodes.length > 0) {
    const candidates = new Set(unscheduled.flatMap((p) => candidateNodes(p, nodes).map((n) => n.metadata.name)));
    if (candidates.size > 0) {
      // One list whatever the number of candidates: triage must not make a call per node.
      nodePods = await tolerant(
        gaps,
        'list pods in all namespaces',
        async () => (await kube.list<Pod>('pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', project: 'placement' })).filter((p) => p.spec.nodeName && candidates.has(p.spec.nodeName)),
        undefined,
      );
    }
  }
  // Scale-from-zero facts, only when some endpoint sits at zero with a ScaledObject (two lists at most).
  const atZero = scaledObjects.filter((so) => deployments.some((d) => d.metadata.name === (so.spec?.scaleTargetRef?.name ?? so.metadata.name) && d.spec?.replicas === 0));
  const keda = await collectKeda(kube, ns, atZero, gaps);
  // The celery autoscaler, once, when some endpoint is async.
  const anyAsync = deployments.some((d) => asyncSpec(d));
  const statefulSets = anyAsync ? await tolerant(gaps, `list statefulsets.apps in ${input.controlPlaneNamespace}`, () => kube.list<KubeObject>('statefulsets.apps', { namespace: input.controlPlaneNamespace }), undefined) : undefined;
  // One read of the builder for the whole namespace when some endpoint is not serving: its log tells which builds failed.
  const notServing = [...deployments, ...leaderWorkerSets].some((w) => !isServing(w as Deployment));
  const builder = notServing ? await collectBuilder(kube, input.controlPlaneNamespace, gaps) : undefined;
  const logs: ContainerLog[] = [];
  const crashed = containersNeedingLogs(pods.filter((p) => (p.status?.containerStatuses ?? []).some((c) => (c.restartCount ?? 0) > 0)), TRIAGE_LOG_BUDGET).filter((c) => c.previous);
  for (const want of crashed) {
    const text = await tolerant(gaps, `read logs of ${ns}/${want.pod}`, () => kube.logs(ns, want.pod, want.container, { previous: true, tailLines: 50 }), undefined);
    if (text !== undefined) logs.push({ ...want, text });
  }
  return {
    namespace: ns,
    controlPlaneNamespace: input.controlPlaneNamespace,
    now: input.now.toISOString(),
    deployments,
    leaderWorkerSets,
    replicaSets,
    pods,
    hpas,
    scaledObjects,
    pvcs,
    events,
    nodes,
    ...(nodePods ? { nodePods } : {}),
    ...keda,
    ...(statefulSets ? { statefulSets } : {}),
    logs,
    ...(builder ? { builder } : {}),
    ...(input.hints ? { hints: input.hints } : {}),
    gaps,
    ...(unread.workload || unread.pods ? { unread } : {}),
  };
}

/**
 * The namespace's events of each endpoint, in their order: those about one of its objects by name, or named by its
 * Kubernetes name (`launch-endpoint-id-end-…`, alone or followed by `-…`). One pass over the events.
 */
function eventsByEndpoint(nf: NamespaceFacts, ids: ReadonlySet<string>, idOf: (o: KubeObject) => string | undefined): Map<string, KubeEvent[]> {
  const byName = new Map<string, Set<string>>();
  const byPrefix = new Map<string, Set<string>>();
  const note = (m: Map<string, Set<string>>, key: string, id: string) => {
    const at = m.get(key);
    if (at) at.add(id);
    else m.set(key, new Set([id]));
  };
  for (const list of [nf.deployments, nf.leaderWorkerSets, nf.replicaSets, nf.pods, nf.pvcs] as readonly (readonly KubeObject[])[]) {
    for (const o of list) {
      const id = idOf(o);
      if (id !== undefined && ids.has(id)) note(byName, o.metadata.name, id);
    }
  }
  for (const id of ids) note(byPrefix, k8sNameOf(id), id);
  const out = new Map<string, KubeEvent[]>();
  for (const e of nf.events) {
    const n = e.involvedObject?.name ?? '';
    const matched = new Set(byName.get(n));
    for (const id of byPrefix.get(n) ?? []) matched.add(id);
    // Every `-` of the name ends a candidate prefix: n.startsWith(`${prefix}-`).
    for (let i = n.indexOf('-'); i > 0; i = n.indexOf('-', i + 1)) for (const id of byPrefix.get(n.slice(0, i)) ?? []) matched.add(id);
    for (const id of matched) {
      const at = out.get(id);
      if (at) at.push(e);
      else out.set(id, [e]);
    }
  }
  return out;
}

/** Split namespace facts into one {@link EndpointFacts} per endpoint id, sorted by endpoint name. */
export function groupEndpointFacts(nf: NamespaceFacts): EndpointFacts[] {
  const ids = new Set<string>();
  const idOf = (o: KubeObject) => o.metadata.labels?.[ENDPOINT_OBJECTS];
  for (const o of [...nf.deployments, ...nf.leaderWorkerSets, ...nf.pods]) {
    const id = idOf(o);
    if (id) ids.add(id);
  }
  // Each list grouped by endpoint once (in its own order): a filter per endpoint was endpoints × pods.
  const groups = new Map<readonly KubeObject[], Map<string, KubeObject[]>>();
  const pick = <T extends KubeObject>(list: readonly T[], id: string): T[] => {
    let g = groups.get(list);
    if (!g) {
      groups.set(list, (g = new Map()));
      for (const o of list) {
        const key = idOf(o);
        if (key === undefined) continue;
        const at = g.get(key);
        if (at) at.push(o);
        else g.set(key, [o]);
      }
    }
    return [...((g.get(id) as T[] | undefined) ?? [])];
  };
  const eventsOf = eventsByEndpoint(nf, ids, idOf);
  const out: EndpointFacts[] = [];
  for (const id of ids) {
    const pods = pick(nf.pods, id);
    const replicaSets = pick(nf.replicaSets, id);
    const pvcs = pick(nf.pvcs, id);
    const deployments = pick(nf.deployments, id);
    const leaderWorkerSets = pick(nf.leaderWorkerSets, id);
    out.push({
      query: id,
      namespace: nf.namespace,
      controlPlaneNamespace: nf.controlPlaneNamespace,
      now: nf.now,
      deployments,
      leaderWorkerSets,
      replicaSets,
      pods,
      hpas: pick(nf.hpas, id),
      scaledObjects: pick(nf.scaledObjects, id),
      services: [],
      virtualServices: [],
      configMaps: [],
      pvcs,
      events: eventsOf.get(id) ?? [],
      nodes: nf.nodes,
      ...(nf.nodePods ? { nodePods: nf.nodePods } : {}),
      logs: nf.logs.filter((l) => pods.some((p) => p.metadata.name === l.pod)),
      ...(nf.builder ? { builder: nf.builder } : {}),
      ...(nf.kedaPods ? { kedaPods: nf.kedaPods } : {}),
      ...(nf.statefulSets ? { statefulSets: nf.statefulSets } : {}),
      ...(nf.triggerAuthentications ? { triggerAuthentications: nf.triggerAuthentications } : {}),
      ...(nf.hints ? { hints: nf.hints } : {}),
      gaps: nf.gaps,
      ...(nf.unread ? { unread: nf.unread } : {}),
    });
  }
  const nameOf = (f: EndpointFacts) => (f.deployments[0] ?? f.leaderWorkerSets[0] ?? f.pods[0])?.metadata.labels?.endpoint_name ?? f.query;
  return out.sort((a, b) => nameOf(a).localeCompare(nameOf(b)) || a.query.localeCompare(b.query));
}
