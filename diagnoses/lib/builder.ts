/**
 * The endpoint builder (`model-engine-endpoint-builder`), read when an endpoint has no Kubernetes objects: its
 * Deployment, its log for the endpoint's build task, its queue, and the API's record. `BUILD_FAILED`,
 * `BUILD_PENDING`, `UNKNOWN` (objects gone) and `NOT_FOUND` read the same context.
 */
import type { Evidence } from '../../src/engine/index.js';
import type { BuildLog } from '../../src/model-engine/builder-log.js';
import { errorGist } from '../../src/model-engine/builder-log.js';
import { BUILDER_DEPLOYMENT } from '../../src/model-engine/endpoint-facts.js';
import type { EndpointView } from '../../src/model-engine/endpoint-view.js';
import { field, note } from './verdict.js';

export interface BuilderContext {
  /** `model-engine/model-engine-endpoint-builder`. */
  builderName: string;
  desired: number;
  available: number;
  /** Missing, scaled to 0, or without an available replica (never when its Deployment could not be read). */
  builderDown: boolean;
  builderEvidence: Evidence[];
  /** The API's status (with `--gateway-url`). */
  apiEvidence: Evidence[];
  queueEvidence: Evidence[];
  /** ` 3 build task(s) wait in queue model-engine-service-builder.` or empty. */
  queueText: string;
  /** `kubectl -n <cp> logs deploy/model-engine-endpoint-builder --tail=500`. */
  builderLogs: string;
  /** `name (id)`, or whichever is known. */
  who: string;
  look: string[];
}

/** The builder log lines of a task, errors as one readable line each (at most four). */
export function buildLogEvidence(v: EndpointView, o: BuildLog): Evidence[] {
  const log = v.buildLog;
  if (!log) return [];
  const container = log.previous ? `${log.container} (previous)` : log.container;
  return o.lines.slice(0, 4).map((l) => ({ type: 'log', namespace: v.subject.cpNamespace, pod: log.pod, container, line: l.line.startsWith('{') ? errorGist(l.line) : l.line, lineNumber: l.lineNumber }));
}

export function builderContext(v: EndpointView): BuilderContext {
  const s = v.subject;
  const f = v.facts;
  const b = f.builder;
  const builderName = `${s.cpNamespace}/${BUILDER_DEPLOYMENT}`;
  const desired = b?.deployment ? (b.deployment.spec.replicas ?? 1) : 0;
  const available = b?.deployment?.status?.availableReplicas ?? 0;
  const record = v.record;
  const q = b?.queue;
  const builderLogs = `kubectl -n ${s.cpNamespace} logs deploy/${BUILDER_DEPLOYMENT} --tail=500`;
  return {
    builderName,
    desired,
    available,
    // A builder Deployment that could not be read is not a missing one.
    builderDown: !b?.unread && (!b?.deployment || desired === 0 || available === 0),
    builderEvidence: b?.deployment
      ? [field(b.deployment, 'Deployment', 'status.availableReplicas', available), ...(desired === 0 ? [field(b.deployment, 'Deployment', 'spec.replicas', 0)] : [])]
      : b?.unread
        ? [note(`Deployment ${builderName} not readable: ${b.unread.message}`)]
        : b
          ? [note(`no Deployment ${builderName}`)]
          : [],
    apiEvidence: record && f.api?.state === 'found' ? [{ type: 'probe', target: f.api.url, detail: `status ${record.status}${record.status_reason ? `, status_reason: ${record.status_reason}` : ''}` }] : [],
    queueEvidence: q
      ? [{ type: 'probe', target: `${q.broker} queue ${q.name}`, detail: q.error ? `not read: ${q.error}` : q.exists === false ? 'does not exist' : `${q.waiting ?? '?'} waiting${q.inFlight !== undefined ? `, ${q.inFlight} taken by a worker` : ''}` }]
      : [],
    queueText: q && !q.error && q.exists !== false && q.waiting !== undefined ? ` ${q.waiting} build task(s) wait in queue ${q.name}.` : '',
    builderLogs,
    who: s.name && s.id ? `${s.name} (${s.id})` : (s.id ?? s.name ?? f.query),
    look: [`kubectl -n ${s.namespace} get deploy,rs,pods,scaledobjects,hpa -l ${s.selector}`, builderLogs],
  };
}

/** An ISO time the API wrote without a zone is UTC. */
export const apiTime = (t: string): number => Date.parse(/Z$|[+-]\d\d:\d\d$/.test(t) ? t : `${t}Z`);
