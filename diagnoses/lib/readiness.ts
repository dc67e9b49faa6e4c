/** A container that runs but is not ready: shared by READINESS_FAILING and STARTING (the same facts, either side of the grace). */
import type { ContainerStatus, Evidence } from '../../src/engine/index.js';
import { podEvents, type EndpointView, type PodView } from '../../src/model-engine/endpoint-view.js';
import { ms } from '../../src/model-engine/format.js';
import { lastLines } from '../../src/model-engine/log-signatures.js';
import { eventEvidence, field, logEvidence } from './verdict.js';

/** What a not-ready container shows: its start, its last readiness failure, its last log lines. */
export function readinessContext(v: EndpointView, p: PodView, cs: ContainerStatus) {
  const ns = v.subject.namespace;
  const unhealthy = podEvents(v.facts, p.pod, cs.name).filter((e) => e.reason === 'Unhealthy' && /Readiness probe/i.test(e.message ?? ''));
  const log = v.facts.logs.find((l) => l.pod === p.name && l.container === cs.name);
  const tail = log ? lastLines(log.text, 3) : [];
  const evidence: Evidence[] = [
    field(p.pod, 'Pod', `status.containerStatuses[${cs.name}].ready`, false),
    ...(Number.isFinite(ms(cs.state?.running?.startedAt)) ? [field(p.pod, 'Pod', `status.containerStatuses[${cs.name}].state.running.startedAt`, cs.state!.running!.startedAt)] : []),
    ...unhealthy.slice(0, 1).map(eventEvidence),
    ...(log ? tail.map((t) => logEvidence(ns, log, t.line, t.lineNumber)) : []),
  ];
  return { unhealthy, log, tail, evidence, next: [`kubectl -n ${ns} logs ${p.name} -c ${cs.name} --tail=100`, `kubectl -n ${ns} describe pod ${p.name}`] };
}

