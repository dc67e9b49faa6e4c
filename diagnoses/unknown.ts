/**
 * Everything was collected and no other cause explains it — never a guess. The summary says what is known, the
 * evidence holds it, the commands say where to look next. At every level of the walk: objects that could not be
 * read, objects gone, a workload at zero that nothing scales, a workload without pods, a ReplicaSet refused for a
 * reason no cause knows, a pod stuck where no cause looks.
 */
import type { Verdict } from '../src/engine/index.js';
import { defineEndpointCause, podEvents, type EndpointView, type PodView } from '../src/model-engine/endpoint-view.js';
import { formatAge, oneLine } from '../src/model-engine/format.js';
import { apiUpdate } from './lib/commands.js';
import { buildLogEvidence, builderContext } from './lib/builder.js';
import { creationEvidence, creationFailed, creationNext } from './lib/creation.js';
import { isStarting } from './lib/grace.js';
import { zeroScaler } from './lib/scale.js';
import { unscheduledAs, unscheduledContext } from './lib/unscheduled.js';
import { field, forFirstPod, note, verdict, waitingField } from './lib/verdict.js';

/**
 * The endpoint's own objects could not be read (RBAC, or the API failing): a failing endpoint cannot be told from a
 * missing one, so the verdict names the read instead of resting on absence (never NOT_FOUND or BUILD_PENDING).
 */
function unseen(v: EndpointView): Verdict | undefined {
  const why = v.unseen;
  if (!why) return undefined;
  const s = v.subject;
  const ns = s.namespace;
  return verdict(
    'UNKNOWN',
    'endpoint',
    `The doctor cannot see the objects of ${s.name ?? s.id ?? v.facts.query} in ${ns}, so it cannot tell a failing endpoint from a missing one: ${why.message}.`,
    [note(`not readable: ${why.message}`)],
    {
      summary: `Let the doctor read deployments, replicasets, pods and events in ${ns} (RBAC get/list; docs/rbac.md), or rerun once the API server answers (docs/faults.md).`,
      commands: [`kubectl auth can-i list pods -n ${ns}`, `kubectl auth can-i list deployments.apps -n ${ns}`],
    },
  );
}

/** The API or the builder says it was built, yet nothing is labelled with it. */
function objectsGone(v: EndpointView): Verdict | undefined {
  if (!(v.record?.status === 'READY' || v.build?.state === 'succeeded')) return undefined;
  const s = v.subject;
  const b = builderContext(v);
  return verdict(
    'UNKNOWN',
    'endpoint',
    `${v.record ? `The API says ${b.who} is ${v.record.status}` : `The builder built ${b.who}`}, but no Kubernetes objects labelled ${s.selector} exist in ${s.namespace}: they were deleted, or the endpoints live in another namespace (--endpoint-namespace).`,
    [...b.apiEvidence, ...(v.build ? buildLogEvidence(v, v.build) : []), note(`no objects labelled ${s.selector} in ${s.namespace}`)],
    { summary: 'Find the endpoint objects (another namespace?), or update the endpoint so the builder re-creates them.', commands: [`kubectl get deploy -A -l ${s.selector}`, apiUpdate(s, {})] },
    b.look,
  );
}

function scaledByHand(v: EndpointView): Verdict | undefined {
  if (zeroScaler(v)) return undefined;
  const kind = v.subject.workloadKind;
  const w = v.workload;
  return verdict(
    'UNKNOWN',
    'endpoint',
    `${kind} ${w?.metadata.name} has 0 replicas and nothing scales it (no KEDA ScaledObject with minReplicaCount 0, no min_workers 0): someone scaled it down by hand.`,
    w ? [field(w, kind, 'spec.replicas', 0)] : [],
    { summary: 'Scale it back, or update the endpoint so the builder re-applies its replica count.', commands: [`kubectl -n ${v.subject.namespace} scale deploy ${w?.metadata.name} --replicas=1`, apiUpdate(v.subject, {})] },
  );
}

function noPods(v: EndpointView): Verdict | undefined {
  if (v.pods.length > 0 || v.creation) return undefined;
  const kind = v.subject.workloadKind;
  const w = v.workload;
  const current = v.replicaSets[0];
  const progressing = w?.status?.conditions?.find((c) => c.type === 'Progressing');
  return verdict(
    'UNKNOWN',
    'endpoint',
    `${kind} ${w?.metadata.name} wants ${v.desired} replica(s) but has no pods${current ? ` (ReplicaSet ${current.metadata.name} records no failure)` : ' and no ReplicaSet'}${progressing?.message ? `: ${oneLine(progressing.message)}` : ''}.`,
    progressing ? [field(w!, kind, 'status.conditions[Progressing]', `${progressing.reason}: ${oneLine(progressing.message)}`)] : [],
    { summary: 'Describe the Deployment and its ReplicaSet; check the controller-manager.', commands: [`kubectl -n ${v.subject.namespace} describe deploy ${w?.metadata.name}`] },
  );
}

function refused(v: EndpointView): Verdict | undefined {
  const c = creationFailed(v, 'other');
  if (!c) return undefined;
  const next = creationNext(v, c);
  return verdict(
    'UNKNOWN',
    'replica-set',
    `ReplicaSet ${c.replicaSet.metadata.name} cannot create pods: ${c.failure.detail}`,
    creationEvidence(c),
    { summary: 'An admission policy or controller rejected the pods; read the message and fix what it names.', commands: next },
    next,
  );
}

const podUnknown = (v: EndpointView, p: PodView): boolean =>
  unscheduledAs(v, p, 'UNKNOWN') || (p.state.kind === 'waiting' && !p.state.sandbox && !isStarting(v, p)) || p.state.kind === 'other';

function podVerdict(v: EndpointView, p: PodView): Verdict {
  const ns = v.subject.namespace;
  const st = p.state;
  if (st.kind === 'unscheduled') {
    const u = unscheduledContext(v, p, 'UNKNOWN');
    return verdict('UNKNOWN', 'pod', `${u.pending}: ${u.verdict.detail}.`, [...u.evidence, u.cross], { summary: 'Read the scheduler message and the nodes; the doctor cannot tell the cause.', commands: u.next }, u.next);
  }
  if (st.kind === 'waiting') {
    const cs = st.container;
    const events = podEvents(v.facts, p.pod);
    const next = [`kubectl -n ${ns} describe pod ${p.name}`];
    return verdict(
      'UNKNOWN',
      'pod',
      `Container ${cs.name} of pod ${p.name} has been ${cs.state?.waiting?.reason ?? 'waiting'} for ${formatAge(p.ageMs)}${events.length === 0 ? ' and no events about the pod remain (the API server keeps events for an hour)' : ''}.`,
      [waitingField(p.pod, cs), ...(events.length === 0 ? [note(`no events for pod ${p.name} in ${ns}`)] : [])],
      {
        summary: "Look at the node's kubelet and container runtime: the pod is stuck before its containers start.",
        commands: [...next, `kubectl describe node ${p.pod.spec.nodeName ?? '<node>'}`, `kubectl get events -n ${ns} --field-selector involvedObject.name=${p.name}`],
      },
      next,
    );
  }
  const status = p.pod.status;
  return verdict(
    'UNKNOWN',
    'pod',
    `Pod ${p.name} is ${status?.phase ?? 'in an unknown phase'}${status?.reason ? ` (${status.reason}${status.message ? `: ${oneLine(status.message)}` : ''})` : ''}.`,
    [field(p.pod, 'Pod', 'status.phase', status?.phase ?? null)],
    { summary: 'Describe the pod and its node.', commands: [`kubectl -n ${ns} describe pod ${p.name}`] },
  );
}

export default defineEndpointCause({
  meta: {
    code: 'UNKNOWN',
    title: 'Collected, and no known cause explains it',
    rank: 150,
    docs: 'docs/endpoint.md#unknown',
    reads: ['deployments', 'replicaSets', 'pods', 'events', 'nodes', 'scaledObjects', 'builder', 'api', 'unread'],
  },
  match(v) {
    switch (v.situation) {
      case 'unseen':
        return unseen(v);
      case 'absent':
        return objectsGone(v);
      case 'scaled-to-zero':
        return scaledByHand(v);
      case 'serving':
        return forFirstPod(v, (p) => podUnknown(v, p), (p) => podVerdict(v, p));
      case 'not-serving':
        return noPods(v) ?? refused(v) ?? forFirstPod(v, (p) => podUnknown(v, p), (p) => podVerdict(v, p));
    }
  },
});
