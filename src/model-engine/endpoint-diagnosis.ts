/**
 * The endpoint doctor's judgement: `diagnoseWith(causes, facts)` builds the {@link EndpointView} of the facts, asks
 * every cause (`diagnoses/`, one file per cause code) whether it explains them, and reports the root cause — the
 * first verdict in the engine's order (faults before benign; endpoint, then ReplicaSet, then pod; then rank) —
 * with its evidence, fix and the causal chain. Pure: the facts come from `endpoint-facts.ts` (live cluster,
 * snapshot, or a test's hand-made objects) and the same facts always give the same diagnosis.
 *
 * model-engine has no `INITIALIZING` status (facts §6.6): "stuck initializing" is `READY` in the API with no
 * available worker, or `UPDATE_PENDING` that never moves. Both are decided from the cluster.
 */
import { benignCodes, causeDocs, judge, type Verdict } from '../engine/cause.js';
import type { Diagnosis, EndpointRow } from '../engine/diagnosis.js';
import { DeadlineError, type ApiError, type ForbiddenError } from '../engine/errors.js';
import type { Deployment } from '../engine/kube-types.js';
import type { GatewayEndpointRecord } from '../engine/ports/gateway.js';
import { num } from '../engine/safe.js';
import { redactEvidence, redactText } from '../engine/redact.js';
import type { ChainNode } from '../engine/diagnosis.js';
import { buildChain } from './endpoint-chain.js';
import { workloadEvidence } from './endpoint-evidence.js';
import { endpointSelector, type EndpointFacts } from './endpoint-facts.js';
import { endpointView, podServing, type EndpointCause, type EndpointView } from './endpoint-view.js';
import { ACCELERATOR_LABEL } from './gpu.js';

/** When no registered cause matched (a partial registry, as in a cause's own tests): say so rather than guess. */
const unexplained = (v: EndpointView): Verdict => ({
  cause: 'UNKNOWN',
  level: 'endpoint',
  summary: `No registered cause explains endpoint ${v.subject.id ?? v.subject.name ?? v.facts.query}.`,
  evidence: [],
  remediation: { summary: 'Read the causal chain; the doctor cannot tell the cause.', docs: causeDocs('UNKNOWN') },
  next: [],
});

/**
 * The root cause in words the situation calls for: while not serving, how many workers still serve and which other
 * pods fail differently ("Also: …"); while serving, that a pod fault belongs to a stuck rollout.
 */
function explain(v: EndpointView, judged: readonly Verdict[], benign: ReadonlySet<string>): Verdict {
  const top = judged[0] ?? unexplained(v);
  if (v.situation === 'serving' && top.level !== 'endpoint') {
    const serving = v.replicaSets.find((r) => (r.status?.availableReplicas ?? 0) > 0)?.metadata.name ?? 'the previous one';
    return { ...top, summary: `The endpoint still serves ${v.available}/${v.desired} worker(s) from ReplicaSet ${serving}, but its update is stuck: ${top.summary}` };
  }
  if (v.situation !== 'not-serving') return top;
  const partial = v.available > 0 ? `${v.available}/${v.desired} worker(s) available. ` : '';
  const others = judged
    .filter((y) => y.level === 'pod' && y !== top && y.cause !== top.cause && !benign.has(y.cause))
    .flatMap((y) => (y.pods ?? []).map((pod) => `${pod}: ${y.cause}`));
  return { ...top, summary: `${partial}${top.summary}${others.length ? ` Also: ${others.slice(0, 3).join(', ')}.` : ''}`, evidence: [...workloadEvidence(v), ...top.evidence] };
}

function redactChain(n: ChainNode): ChainNode {
  return { ...n, summary: redactText(n.summary), children: n.children.map(redactChain) };
}

function apiView(f: EndpointFacts): Diagnosis['api'] | undefined {
  const a = f.api;
  if (!a) return undefined;
  if (a.state === 'found') {
    const r: GatewayEndpointRecord = a.record;
    return {
      status: r.status,
      ...(r.status_reason ? { statusReason: r.status_reason } : {}),
      ...(typeof r.deployment_state?.available_workers === 'number' ? { availableWorkers: r.deployment_state.available_workers } : {}),
      ...(typeof r.deployment_state?.unavailable_workers === 'number' ? { unavailableWorkers: r.deployment_state.unavailable_workers } : {}),
    };
  }
  return { error: a.state === 'not-found' ? `not found (${a.detail})` : a.detail };
}

/** Diagnose one endpoint from its collected facts with these causes (`diagnoses/index.ts` binds the registry). Pure. */
export function diagnoseWith(causes: readonly EndpointCause[], f: EndpointFacts): Diagnosis {
  const view = endpointView(f);
  const s = view.subject;
  const v = explain(view, judge(causes, view), benignCodes(causes));
  const evidence = [...v.evidence];
  const record = view.record;
  if (record && f.api?.state === 'found' && v.cause !== 'BUILD_FAILED' && v.cause !== 'BUILD_PENDING') {
    const aw = record.deployment_state?.available_workers;
    evidence.push({ type: 'probe', target: f.api.url, detail: `API status ${record.status}${typeof aw === 'number' ? `, ${aw} available worker(s)` : ''}${record.status_reason ? `, status_reason: ${record.status_reason}` : ''}` });
  }
  if (f.gaps.length > 0) evidence.push({ type: 'note', text: `not readable: ${[...new Set(f.gaps)].slice(0, 4).join('; ')}` });
  const api = apiView(f);
  const next = [...new Set([...v.next, ...(s.workload ? [`kubectl -n ${s.namespace} get deploy,rs,pods -l ${s.selector} -o wide`] : [])])];
  return {
    endpoint: { ...(s.id ? { id: s.id } : {}), ...(s.name ? { name: s.name } : {}), namespace: s.namespace },
    cause: v.cause,
    summary: redactText(v.summary),
    evidence: evidence.map(redactEvidence),
    remediation: {
      ...v.remediation,
      summary: redactText(v.remediation.summary),
      ...(v.remediation.commands ? { commands: v.remediation.commands.map(redactText) } : {}),
      ...(v.remediation.values ? { values: redactText(v.remediation.values) } : {}),
    },
    next: next.map(redactText),
    chain: buildChain(f, s, view.now).map(redactChain),
    ...(api ? { api } : {}),
  };
}

/**
 * The diagnosis of an endpoint whose facts could not be collected at all (the API failed past its retries, RBAC
 * refused a read the collection cannot do without, or the --deadline passed): UNKNOWN, naming the read, never a
 * missing report and never a guess.
 */
export function undiagnosed(query: string, namespace: string, why: ApiError | DeadlineError | ForbiddenError): Diagnosis {
  const sel = endpointSelector(query);
  const reason = redactText(why.message);
  return {
    endpoint: { ...(sel.id ? { id: sel.id } : {}), ...(sel.name ? { name: sel.name } : {}), namespace },
    cause: 'UNKNOWN',
    summary: `The endpoint could not be diagnosed: ${reason}.`,
    evidence: [{ type: 'note', text: `not readable: ${reason}` }],
    remediation: {
      summary: why instanceof DeadlineError ? 'Rerun with a longer --deadline.' : 'Rerun once the API server answers; docs/faults.md says what is retried and how each failure looks.',
      docs: 'docs/faults.md',
    },
    next: [`kubectl -n ${namespace} get deploy,rs,pods -l ${sel.labelSelector}`],
    chain: [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Triage's row.

/** How model-engine deployed it: async (celery forwarder), streaming, or sync. */
export function endpointType(f: EndpointFacts): EndpointRow['type'] {
  const d = f.deployments[0];
  const spec = d?.spec?.template?.spec ?? f.pods[0]?.spec;
  if (!spec && !f.leaderWorkerSets[0]) return 'unknown';
  if (f.leaderWorkerSets[0]) return 'streaming';
  if (d?.metadata.annotations?.['celery.scaleml.autoscaler/queue'] || spec?.containers.some((c) => c.name === 'celery-forwarder')) return 'async';
  const fwd = spec?.containers.find((c) => c.name === 'http-forwarder');
  if (fwd && [...(fwd.command ?? []), ...(fwd.args ?? [])].some((a) => a.startsWith('forwarder.stream.predict_route'))) return 'streaming';
  return fwd ? 'sync' : 'unknown';
}

export function endpointRow(f: EndpointFacts, d: Diagnosis): EndpointRow {
  const w = (f.deployments[0] ?? f.leaderWorkerSets[0]) as Deployment | undefined;
  const spec = w?.spec?.template?.spec ?? f.pods[0]?.spec;
  const gpuType = spec?.nodeSelector?.[ACCELERATOR_LABEL];
  return {
    ...(d.endpoint.id ? { id: d.endpoint.id } : {}),
    ...(d.endpoint.name ? { name: d.endpoint.name } : {}),
    namespace: d.endpoint.namespace,
    type: endpointType(f),
    ...(gpuType ? { gpuType } : {}),
    desired: w?.spec?.replicas ?? f.pods.length,
    // Without the workload (not read), the pods that serve are the ready ones.
    ready: w ? (w.status?.availableReplicas ?? num(w, 'status', 'readyReplicas') ?? 0) : f.pods.filter(podServing).length,
    cause: d.cause,
    summary: d.summary,
  };
}
