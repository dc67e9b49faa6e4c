/**
 * An unscheduled pod past its grace, judged by the node view (`schedulingVerdict`): which nodes match its selector,
 * tolerate it, are Ready and have room. `VOLUME`, `NO_MATCHING_NODES`, `UNTOLERATED_TAINT`, `INSUFFICIENT_GPU`,
 * `INSUFFICIENT_RESOURCES` and `UNKNOWN` each claim the pods whose node view names them.
 */
import type { Evidence } from '../../src/engine/index.js';
import { schedulingOf, type EndpointView, type PodView } from '../../src/model-engine/endpoint-view.js';
import { formatAge, oneLine } from '../../src/model-engine/format.js';
import { ACCELERATOR_LABEL, INSTANCE_TYPE_LABEL, NODE_LIFECYCLE_LABEL } from '../../src/model-engine/gpu.js';
import type { SchedulingVerdict } from '../../src/model-engine/scheduling.js';
import { isStarting } from './grace.js';
import { eventEvidence, field, note } from './verdict.js';

export type SchedulingCause = SchedulingVerdict['cause'];

/** Whether the node view of this unscheduled pod (past its grace) names `cause`. */
export const unscheduledAs = (v: EndpointView, p: PodView, cause: SchedulingCause): boolean =>
  p.state.kind === 'unscheduled' && !isStarting(v, p) && schedulingOf(v, p).cause === cause;

export interface UnscheduledContext<C extends SchedulingCause> {
  verdict: Extract<SchedulingVerdict, { cause: C }>;
  /** The scheduler's event (or the PodScheduled condition) and the autoscaler's refusal. */
  evidence: Evidence[];
  /** The node view beside the scheduler's counts. */
  cross: Evidence;
  /** `Pod x has been Pending for 3h 05m`. */
  pending: string;
  next: string[];
}

/** The scheduler's event (or the PodScheduled condition) and the cluster autoscaler's refusal. */
export function schedulerEvidence(p: PodView): Evidence[] {
  const st = p.state.kind === 'unscheduled' ? p.state : undefined;
  return [
    ...(st?.failedScheduling
      ? [eventEvidence(st.failedScheduling)]
      : st?.condition
        ? [field(p.pod, 'Pod', 'status.conditions[PodScheduled]', `${st.condition.reason ?? ''}: ${oneLine(st.condition.message)}`)]
        : []),
    ...(st?.noScaleUp ? [eventEvidence(st.noScaleUp)] : []),
  ];
}

export const schedulerNext = (v: EndpointView, p: PodView): string[] => [
  `kubectl -n ${v.subject.namespace} describe pod ${p.name}`,
  `kubectl get nodes -L ${ACCELERATOR_LABEL},${NODE_LIFECYCLE_LABEL},${INSTANCE_TYPE_LABEL}`,
];

export function unscheduledContext<C extends SchedulingCause>(v: EndpointView, p: PodView, _cause: C): UnscheduledContext<C> {
  const sv = schedulingOf(v, p) as Extract<SchedulingVerdict, { cause: C }>;
  const parsed = p.state.kind === 'unscheduled' ? p.state.scheduler : undefined;
  const schedulerSays = parsed ? `the scheduler says ${parsed.available ?? '?'}/${parsed.total ?? '?'} nodes are available (${parsed.reasons.map((r) => `${r.count ?? 'all'} ${r.text}`).join(', ')})` : '';
  return {
    verdict: sv,
    evidence: schedulerEvidence(p),
    cross: parsed ? note(`node view: ${sv.detail}; ${schedulerSays}`) : note(`node view: ${sv.detail}`),
    pending: `Pod ${p.name} has been Pending for ${formatAge(p.ageMs)}`,
    next: schedulerNext(v, p),
  };
}
