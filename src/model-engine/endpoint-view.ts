/**
 * The facts a diagnosis cause reads: the collected {@link EndpointFacts} plus what follows from them without any
 * judgement — who the endpoint is, which situation it is in (no objects, scaled to zero, serving, not serving), the
 * ReplicaSet that cannot create pods, and where each pod is stuck (unscheduled, pulling, crash-looping, …). Built
 * once per diagnosis by {@link endpointView}; every cause under `diagnoses/` reads the same view.
 */
import { defineCause, type Cause } from '../engine/cause.js';
import type { ApiError, ForbiddenError } from '../engine/errors.js';
import type { GatewayEndpointRecord } from '../engine/ports/gateway.js';
import { eventTime, type ContainerStatus, type Deployment, type KubeEvent, type Pod } from '../engine/kube-types.js';
import { num } from '../engine/safe.js';
import type { KubeObject } from '../engine/types.js';
import { buildOutcome, type BuildLog } from './builder-log.js';
import { endpointIdOf, endpointSelector, isUnscheduledPod, k8sNameOf, replicaSetsOf, type EndpointFacts, type ReplicaSet } from './endpoint-facts.js';
import { ms } from './format.js';
import { ACCELERATOR_LABEL } from './gpu.js';
import { imageInPullMessage } from './image-pull.js';
import { unreadySidecar } from './istio.js';
import { classifyFailedCreate, missingConfigRef, type FailedCreate, type MissingConfigRef } from './k8s-messages.js';
import { parseSchedulerMessage, podRequests, schedulingVerdict, type SchedulerMessage, type SchedulingVerdict } from './scheduling.js';

// ---------------------------------------------------------------------------------------------------------------
// Events.

/** An event as either API version serves it (`events.k8s.io/v1` series or `v1` count). */
export type EventLike = KubeEvent & { series?: { count?: number; lastObservedTime?: string } };
export const eventCount = (e: EventLike): number => e.series?.count ?? e.count ?? 1;
export const eventLast = (e: EventLike): string | undefined => e.series?.lastObservedTime ?? eventTime(e);
export const eventFirst = (e: EventLike): string | undefined => e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
const byNewest = (a: EventLike, b: EventLike) => (ms(eventLast(b)) || 0) - (ms(eventLast(a)) || 0);

/** The events about a pod (and, for one container, those whose fieldPath names it), newest first. */
export function podEvents(f: EndpointFacts, pod: Pod, container?: string): EventLike[] {
  return (f.events as EventLike[])
    .filter((e) => e.involvedObject?.name === pod.metadata.name && (!container || (e.involvedObject.fieldPath ?? '').includes(`{${container}}`)))
    .sort(byNewest);
}

/** The events about the object named `name`, newest first. */
export const eventsAbout = (f: EndpointFacts, name: string): EventLike[] => (f.events as EventLike[]).filter((e) => e.involvedObject?.name === name).sort(byNewest);

export const statusesOf = (p: Pod): { cs: ContainerStatus; init: boolean }[] => [
  ...(p.status?.initContainerStatuses ?? []).map((cs) => ({ cs, init: true })),
  ...(p.status?.containerStatuses ?? []).map((cs) => ({ cs, init: false })),
];

export function podAgeMs(p: Pod, now: number): number {
  return now - (ms(p.metadata.creationTimestamp) || ms(p.status?.startTime) || now);
}

// ---------------------------------------------------------------------------------------------------------------
// Who the endpoint is.

export interface Subject {
  id?: string;
  name?: string;
  namespace: string;
  k8sName: string;
  workload?: Deployment | KubeObject;
  workloadKind: 'Deployment' | 'LeaderWorkerSet';
  /** Commands refer to the endpoint by this (`-l endpoint_id=…`). */
  selector: string;
  cpNamespace: string;
  gatewayUrl: string;
  gpus: number;
  gpuType?: string;
}

export function subjectOf(f: EndpointFacts): Subject {
  const sel = endpointSelector(f.query);
  const k8s = sel.k8sName;
  const workload =
    f.deployments.find((d) => d.metadata.name === k8s) ?? f.deployments[0] ?? f.leaderWorkerSets.find((d) => d.metadata.name === k8s) ?? f.leaderWorkerSets[0];
  const labelled = [workload, ...f.pods, ...f.replicaSets, ...f.scaledObjects, ...f.hpas].find((o) => o?.metadata.labels?.endpoint_id);
  const apiRecord = f.api?.state === 'found' ? f.api.record : undefined;
  const id = labelled?.metadata.labels?.endpoint_id ?? sel.id ?? apiRecord?.id ?? (workload ? endpointIdOf(workload.metadata.name) : undefined);
  // Without objects, the builder's log may still name it: "Building endpoint end_… (<name>)".
  const fromLog = id && f.builder?.log ? new RegExp(`${id} \\(([\\w.-]+)\\)`).exec(f.builder.log.text)?.[1] : undefined;
  const name = labelled?.metadata.labels?.endpoint_name ?? sel.name ?? apiRecord?.name ?? fromLog;
  const template = (workload as Deployment | undefined)?.spec?.template?.spec ?? f.pods[0]?.spec;
  const gpus = template ? podRequests({ metadata: { name: 'template' }, spec: template } as Pod)['nvidia.com/gpu'] ?? 0 : 0;
  const gpuType = template?.nodeSelector?.[ACCELERATOR_LABEL];
  return {
    ...(id ? { id } : {}),
    ...(name ? { name } : {}),
    namespace: f.namespace,
    k8sName: workload?.metadata.name ?? (id ? k8sNameOf(id) : (k8s ?? f.query)),
    ...(workload ? { workload } : {}),
    workloadKind: workload && f.leaderWorkerSets.includes(workload) ? 'LeaderWorkerSet' : 'Deployment',
    selector: id ? `endpoint_id=${id}` : `endpoint_name=${name ?? f.query}`,
    cpNamespace: f.controlPlaneNamespace,
    gatewayUrl: f.hints?.gatewayUrl ?? `http://model-engine.${f.controlPlaneNamespace}.svc.cluster.local`,
    gpus,
    ...(gpuType ? { gpuType } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Where each pod is stuck.

/** The first thing that keeps a pod from serving, in the order the kubelet meets them. */
export type PodState =
  | {
      kind: 'unscheduled';
      /** The newest `FailedScheduling` event, or else the `PodScheduled=False` condition. */
      failedScheduling?: EventLike;
      condition?: { reason?: string; message?: string };
      /** The scheduler's message parsed into counts by reason. */
      scheduler?: SchedulerMessage;
      scaleUp?: EventLike;
      noScaleUp?: EventLike;
    }
  /** `ErrImagePull`, `ImagePullBackOff`, `InvalidImageName`, `ErrImageNeverPull`. */
  | { kind: 'image-pull'; container: ContainerStatus }
  /** `CreateContainerConfigError`, `CreateContainerError`. */
  | { kind: 'config'; container: ContainerStatus }
  | { kind: 'crash'; container: ContainerStatus }
  /** Waiting, with `FailedMount`/`FailedAttachVolume` events; `missing` when the message names a ConfigMap/Secret/key. */
  | { kind: 'mount-failed'; container: ContainerStatus; events: EventLike[]; missing?: MissingConfigRef }
  /** Waiting while the kubelet pulls an image (a `Pulling` event with no later `Pulled`). */
  | { kind: 'pulling'; container: ContainerStatus; event: EventLike; sinceMs: number; image: string }
  /** Waiting for anything else (`ContainerCreating`, `PodInitializing`), with the sandbox failure if there is one. */
  | { kind: 'waiting'; container: ContainerStatus; sandbox?: EventLike }
  /** The `istio-proxy` sidecar started and is not ready (the app containers wait for it). */
  | { kind: 'sidecar'; container: ContainerStatus }
  | { kind: 'not-ready'; container: ContainerStatus }
  | { kind: 'ready' }
  | { kind: 'other' };

export interface PodView {
  pod: Pod;
  name: string;
  ageMs: number;
  state: PodState;
}

const mainFirst = (a: { cs: ContainerStatus }, b: { cs: ContainerStatus }) => Number(b.cs.name === 'main') - Number(a.cs.name === 'main');

function waitingState(f: EndpointFacts, pod: Pod, cs: ContainerStatus, now: number): PodState {
  const events = podEvents(f, pod);
  const mountFail = events.filter((e) => e.reason === 'FailedMount' || e.reason === 'FailedAttachVolume');
  if (mountFail.length > 0) {
    const missing = missingConfigRef(mountFail[0]!.message ?? '');
    return { kind: 'mount-failed', container: cs, events: mountFail, ...(missing ? { missing } : {}) };
  }
  const pulling = podEvents(f, pod, cs.name).find((e) => e.reason === 'Pulling');
  const pulled = podEvents(f, pod, cs.name).find((e) => e.reason === 'Pulled' && (ms(eventLast(e)) || 0) >= (ms(eventLast(pulling ?? e)) || 0));
  if (pulling && !pulled) {
    const image = imageInPullMessage(pulling.message ?? '') ?? pod.spec.containers.find((c) => c.name === cs.name)?.image ?? '?';
    return { kind: 'pulling', container: cs, event: pulling, sinceMs: now - (ms(eventFirst(pulling)) || now), image };
  }
  const sandbox = events.find((e) => e.reason === 'FailedCreatePodSandBox');
  return { kind: 'waiting', container: cs, ...(sandbox ? { sandbox } : {}) };
}

/** Where one pod is stuck: the first of unscheduled, image pull, config, an unready Istio sidecar, crash, waiting, not ready; else ready. */
export function podState(f: EndpointFacts, pod: Pod, now: number): PodState {
  if (isUnscheduledPod(pod)) {
    const events = podEvents(f, pod);
    const fs = events.find((e) => e.reason === 'FailedScheduling');
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    const text = fs?.message ?? cond?.message;
    const scaleUp = events.find((e) => e.reason === 'TriggeredScaleUp');
    const noScaleUp = events.find((e) => e.reason === 'NotTriggerScaleUp');
    return {
      kind: 'unscheduled',
      ...(fs ? { failedScheduling: fs } : {}),
      ...(cond ? { condition: cond } : {}),
      ...(text ? { scheduler: parseSchedulerMessage(text) } : {}),
      ...(scaleUp ? { scaleUp } : {}),
      ...(noScaleUp ? { noScaleUp } : {}),
    };
  }
  const all = statusesOf(pod);
  const pull = all.find(({ cs }) => ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'].includes(cs.state?.waiting?.reason ?? ''));
  if (pull) return { kind: 'image-pull', container: pull.cs };
  const cfg = all.find(({ cs }) => cs.state?.waiting?.reason === 'CreateContainerConfigError' || cs.state?.waiting?.reason === 'CreateContainerError');
  if (cfg) return { kind: 'config', container: cfg.cs };
  // The Istio sidecar holds the app containers until it is ready, so its failure comes before theirs.
  const sidecar = unreadySidecar(pod);
  if (sidecar) return { kind: 'sidecar', container: sidecar };
  const crash = all
    .filter(({ cs }) => cs.state?.waiting?.reason === 'CrashLoopBackOff' || cs.state?.waiting?.reason === 'RunContainerError' || ((cs.restartCount ?? 0) > 0 && !cs.ready) || (cs.state?.terminated && cs.state.terminated.exitCode !== 0))
    .sort(mainFirst)[0];
  if (crash) return { kind: 'crash', container: crash.cs };
  const waiting = all.filter(({ cs }) => cs.state?.waiting).sort(mainFirst)[0];
  if (waiting) return waitingState(f, pod, waiting.cs, now);
  const notReady = all.filter(({ cs, init }) => !init && cs.state?.running && !cs.ready).sort(mainFirst)[0];
  if (notReady) return { kind: 'not-ready', container: notReady.cs };
  if (pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded') return { kind: 'ready' };
  return { kind: 'other' };
}

const schedulingMemo = new WeakMap<PodView, SchedulingVerdict>();

/** The node view of an unscheduled pod (which nodes match, tolerate, fit), computed once per pod. */
export function schedulingOf(v: EndpointView, p: PodView): SchedulingVerdict {
  let s = schedulingMemo.get(p);
  if (!s) {
    s = schedulingVerdict(p.pod, v.facts.nodes, p.state.kind === 'unscheduled' ? p.state.scheduler : undefined, v.facts.nodePods);
    schedulingMemo.set(p, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// The endpoint as a whole.

/**
 * - `unseen`: the endpoint's pods could not be read (RBAC, or the API failing), or its workload could not and no pod
 *   was seen: nothing can be said from their absence, so no cause rests on it (`unseen` says why);
 * - `absent`: no Deployment, LeaderWorkerSet or pod (was it ever built?);
 * - `scaled-to-zero`: the workload wants 0 replicas;
 * - `serving`: every desired worker is available;
 * - `not-serving`: some are not.
 */
export type Situation = 'unseen' | 'absent' | 'scaled-to-zero' | 'serving' | 'not-serving';

/**
 * A pod serving as far as its statuses say: running, with app containers, every one ready. A Pending pod has no
 * container statuses, and "all of none are ready" is not serving. (Counts workers where the workload was not read.)
 */
export const podServing = (p: Pod): boolean =>
  p.status?.phase === 'Running' && statusesOf(p).some(({ init }) => !init) && statusesOf(p).every(({ cs, init }) => init || cs.ready);

/** The current ReplicaSet has fewer pods than it wants and says why (`FailedCreate`, `ReplicaFailure`). */
export interface CreationFailure {
  replicaSet: ReplicaSet;
  /** Its `FailedCreate` events, newest first. */
  events: EventLike[];
  condition?: { type: string; status: string; reason?: string; message?: string };
  message: string;
  failure: FailedCreate;
}

export interface EndpointView {
  facts: EndpointFacts;
  /** Milliseconds since the epoch of `facts.now`. */
  now: number;
  subject: Subject;
  situation: Situation;
  /** Why the endpoint's objects are `unseen`: the read that was refused or failed. */
  unseen?: ForbiddenError | ApiError;
  /** The Deployment (or LeaderWorkerSet) read as a Deployment. */
  workload?: Deployment;
  desired: number;
  available: number;
  /** The workload's ReplicaSets, newest revision first. */
  replicaSets: ReplicaSet[];
  /** While not serving, or while serving during a rollout (the new ReplicaSet is refused). */
  creation?: CreationFailure;
  /**
   * The pods whose state can explain the endpoint: while not serving, the newest ReplicaSet's (or all); while
   * serving, those of a rollout under way (more than one ReplicaSet); otherwise none.
   */
  pods: PodView[];
  /** model-engine's record of the endpoint (`--gateway-url`). */
  record?: GatewayEndpointRecord;
  /** What the builder's log says about the endpoint's last build task, when it was read and mentions it. */
  build?: BuildLog;
  /** Which log said it: the builder container's current run or its previous one (it restarted since). */
  buildLog?: { pod: string; container: string; previous: boolean };
}

function creationFailure(f: EndpointFacts, rs: ReplicaSet): CreationFailure | undefined {
  const events = eventsAbout(f, rs.metadata.name).filter((e) => e.reason === 'FailedCreate');
  const condition = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const message = events[0]?.message ?? condition?.message;
  if (!message) return undefined;
  return { replicaSet: rs, events, ...(condition ? { condition } : {}), message, failure: classifyFailedCreate(message) };
}

/** The view of one endpoint's facts that every cause reads. Pure. */
export function endpointView(f: EndpointFacts): EndpointView {
  const now = Date.parse(f.now);
  const subject = subjectOf(f);
  const record = f.api?.state === 'found' ? f.api.record : undefined;
  const keys = [subject.id, subject.name, f.query].filter((k): k is string => !!k);
  // The builder's current log first; a build killed mid-task is in the previous one.
  const runs = [f.builder?.log && { ...f.builder.log, previous: false }, f.builder?.previousLog && { ...f.builder.previousLog, previous: true }];
  let build: BuildLog | undefined;
  let buildLog: EndpointView['buildLog'];
  for (const run of runs) {
    if (!run || build) continue;
    build = buildOutcome(run.text, [...new Set(keys)]);
    if (build) buildLog = { pod: run.pod, container: run.container, previous: run.previous };
  }
  const base = { facts: f, now, subject, ...(record ? { record } : {}), ...(build ? { build, buildLog } : {}) };
  const w = subject.workload;
  // Unread is not empty: with the pods (or, seeing no pod, the workload) not read, no verdict may rest on absence.
  const unseen = f.pods.length === 0 ? (f.unread?.pods ?? (w ? undefined : f.unread?.workload)) : undefined;
  if (unseen) return { ...base, situation: 'unseen', unseen, desired: 0, available: 0, replicaSets: [], pods: [] };
  if (!w && f.pods.length === 0) return { ...base, situation: 'absent', desired: 0, available: 0, replicaSets: [], pods: [] };
  const d = w as Deployment | undefined;
  const desired = d ? (d.spec?.replicas ?? 1) : f.pods.length;
  const available = d ? (d.status?.availableReplicas ?? num(d, 'status', 'readyReplicas') ?? 0) : f.pods.filter(podServing).length;
  const replicaSets = replicaSetsOf(w, f.replicaSets);
  const workload = { ...(d ? { workload: d } : {}), desired, available, replicaSets };
  if (desired === 0) return { ...base, ...workload, situation: 'scaled-to-zero', pods: [] };
  const current = replicaSets[0];
  const currentPods = current ? f.pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.name === current.metadata.name)) : f.pods;
  const pods = (currentPods.length > 0 ? currentPods : f.pods).map((pod) => ({ pod, name: pod.metadata.name, ageMs: podAgeMs(pod, now), state: podState(f, pod, now) }));
  const creation = current && currentPods.length < (current.spec?.replicas ?? desired) ? creationFailure(f, current) : undefined;
  if (available >= desired) {
    // Serving: only a rollout under way (a newer ReplicaSet beside the serving one) can be stuck.
    const rollout = replicaSets.length > 1;
    return { ...base, ...workload, situation: 'serving', ...(rollout && creation ? { creation } : {}), pods: rollout ? pods : [] };
  }
  return { ...base, ...workload, situation: 'not-serving', ...(creation ? { creation } : {}), pods };
}

// ---------------------------------------------------------------------------------------------------------------
// The cause contract, for this view.

/** The collected facts a cause can read (`meta.reads`). */
export type EndpointFact = keyof EndpointFacts;

/** A cause of the endpoint doctor: judges an {@link EndpointView}. `Code` is its code as a literal type. */
export type EndpointCause<Code extends string = string> = Cause<EndpointView, EndpointFact, Code>;

/**
 * Gives a cause file its types: `export default defineEndpointCause({ meta, match })`. The code stays a literal type,
 * so the registry's `CauseCode` is the union of what its causes declare.
 */
export const defineEndpointCause = <const Code extends string>(cause: EndpointCause<Code>): EndpointCause<Code> => defineCause(cause);

/** The container a pod state is about (absent for unscheduled, ready and other pods). */
export const stuckContainer = (p: PodView): ContainerStatus | undefined => ('container' in p.state ? p.state.container : undefined);
