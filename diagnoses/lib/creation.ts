/**
 * The newest ReplicaSet cannot create its pods (`FailedCreate`): the API server or an admission controller refused
 * them. Nothing below can explain a missing pod, so these verdicts are at the ReplicaSet level.
 */
import type { Evidence } from '../../src/engine/index.js';
import type { CreationFailure, EndpointView } from '../../src/model-engine/endpoint-view.js';
import type { FailedCreateKind } from '../../src/model-engine/k8s-messages.js';
import { oneLine } from '../../src/model-engine/format.js';
import { eventEvidence, field } from './verdict.js';

/** The creation failure, when its message is of one of `kinds`. */
export const creationFailed = (v: EndpointView, ...kinds: FailedCreateKind[]): CreationFailure | undefined => (v.creation && kinds.includes(v.creation.failure.kind) ? v.creation : undefined);

/** The two newest `FailedCreate` events and the `ReplicaFailure` condition. */
export function creationEvidence(c: CreationFailure): Evidence[] {
  return [...c.events.slice(0, 2).map(eventEvidence), ...(c.condition ? [field(c.replicaSet, 'ReplicaSet', 'status.conditions[ReplicaFailure].message', oneLine(c.condition.message))] : [])];
}

export function creationNext(v: EndpointView, c: CreationFailure): string[] {
  const ns = v.subject.namespace;
  const rs = c.replicaSet.metadata.name;
  return [`kubectl -n ${ns} describe replicaset ${rs}`, `kubectl -n ${ns} get events --field-selector involvedObject.name=${rs}`];
}
