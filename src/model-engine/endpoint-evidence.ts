/** Evidence items of the endpoint doctor: an event, a field of an object, a log line, a note. */
import type { ContainerStatus, Evidence, KubeObject, ObjectRef, Pod } from '../engine/index.js';
import type { ContainerLog } from './endpoint-facts.js';
import { eventCount, eventLast, type EndpointView, type EventLike } from './endpoint-view.js';
import { oneLine } from './format.js';

export function eventEvidence(e: EventLike): Evidence {
  const last = eventLast(e);
  return {
    type: 'event',
    object: { kind: e.involvedObject?.kind ?? 'Object', name: e.involvedObject?.name ?? '?', ...(e.involvedObject?.namespace ? { namespace: e.involvedObject.namespace } : {}) },
    reason: e.reason ?? '',
    message: oneLine(e.message),
    ...(e.type ? { eventType: e.type } : {}),
    count: eventCount(e),
    ...(last ? { lastSeen: last.replace(/\.\d+Z$/, 'Z') } : {}),
  };
}

export const ref = (o: KubeObject, kind: string): ObjectRef => ({ kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
export const field = (o: KubeObject, kind: string, path: string, value: unknown): Evidence => ({ type: 'field', object: ref(o, kind), path, value });
export const note = (text: string): Evidence => ({ type: 'note', text });
export const logEvidence = (ns: string, l: ContainerLog, line: string, lineNumber?: number): Evidence => ({
  type: 'log',
  namespace: ns,
  pod: l.pod,
  container: l.previous ? `${l.container} (previous)` : l.container,
  line,
  ...(lineNumber !== undefined ? { lineNumber } : {}),
});

/** `status.containerStatuses[c].state.waiting` as `Reason: message`. */
export const waitingField = (pod: Pod, cs: ContainerStatus): Evidence =>
  field(pod, 'Pod', `status.containerStatuses[${cs.name}].state.waiting`, `${cs.state?.waiting?.reason ?? '?'}${cs.state?.waiting?.message ? `: ${oneLine(cs.state.waiting.message)}` : ''}`);

/** The workload's available and desired replicas. */
export function workloadEvidence(v: EndpointView): Evidence[] {
  const kind = v.subject.workloadKind;
  return v.workload ? [field(v.workload, kind, 'status.availableReplicas', v.available), field(v.workload, kind, 'spec.replicas', v.desired)] : [];
}
