import type { Evidence } from '../src/engine/index.js';
import { defineEndpointCause, eventLast, eventsAbout, type EndpointView } from '../src/model-engine/endpoint-view.js';
import { formatAge, ms, oneLine } from '../src/model-engine/format.js';
import { failingCondition, kedaComponents, triggerProblems } from '../src/model-engine/keda.js';
import { apiUpdate } from './lib/commands.js';
import { zeroScaler } from './lib/scale.js';
import { eventEvidence, field, note, verdict } from './lib/verdict.js';

/** KEDA's trigger errors on the ScaledObject are recent when newer than this. */
const RECENT_MS = 30 * 60_000;

/** Why nothing will take the endpoint from zero to one replica, one reason per line; empty when scaling works. */
function blockers(v: EndpointView) {
  const so = zeroScaler(v)?.scaledObject;
  if (!so || v.situation !== 'scaled-to-zero') return undefined;
  const reasons: string[] = [];
  const evidence: Evidence[] = [];
  const keda = kedaComponents(v.facts.kedaPods);
  const operator = keda?.['keda-operator'];
  // Only pods that exist and are not ready count: KEDA installed under other labels (or a snapshot without its
  // namespace) shows no pods, which proves nothing.
  if (operator && operator.pods.length > 0 && operator.ready === 0) {
    reasons.push(`the KEDA operator has no ready pod (${operator.pods.map((p) => `${p.metadata.namespace}/${p.metadata.name} ${p.status?.phase ?? '?'}`).join(', ')})`);
    evidence.push(...operator.pods.slice(0, 2).map((p) => field(p, 'Pod', 'status.phase', p.status?.phase ?? null)));
  }
  const ready = failingCondition(so, 'Ready');
  if (ready) {
    reasons.push(`ScaledObject ${so.metadata.name} is not Ready (${ready.reason ?? ready.status}${ready.message ? `: ${oneLine(ready.message)}` : ''})`);
    evidence.push(field(so, 'ScaledObject', 'status.conditions[Ready]', `${ready.status} ${ready.reason ?? ''}: ${oneLine(ready.message)}`));
  }
  // Fallback=True: KEDA could not read the trigger for failureThreshold polls and uses fallback.replicas instead
  // (model-engine sets them to min_workers: 0 for an endpoint that scales to zero, so it stays at zero).
  const fallback = failingCondition(so, 'Fallback');
  if (fallback) {
    reasons.push(`KEDA is in fallback (${fallback.reason ?? 'Fallback'}${fallback.message ? `: ${oneLine(fallback.message)}` : ''}), holding fallback.replicas ${so.spec?.fallback?.replicas ?? 0}`);
    evidence.push(field(so, 'ScaledObject', 'status.conditions[Fallback]', `${fallback.status} ${fallback.reason ?? ''}: ${oneLine(fallback.message)}`));
  }
  // Active=Unknown: KEDA could not tell whether there is work (a trigger error), not "no traffic" (False).
  const active = so.status?.conditions?.find((c) => c.type === 'Active');
  if (active?.status === 'Unknown' && reasons.length > 0) evidence.push(field(so, 'ScaledObject', 'status.conditions[Active]', `Unknown ${active.reason ?? ''}: ${oneLine(active.message)}`));
  const failed = eventsAbout(v.facts, so.metadata.name).filter((e) => /^KEDA(ScalerFailed|ScaleTargetActivationFailed)$/.test(e.reason ?? '') && v.now - (ms(eventLast(e)) || 0) < RECENT_MS);
  if (failed[0]) {
    reasons.push(`its trigger fails: ${oneLine(failed[0].message)}`);
    evidence.push(...failed.slice(0, 2).map(eventEvidence));
  }
  for (const t of triggerProblems(so, v.facts.triggerAuthentications)) {
    reasons.push(`its ${t.trigger} trigger has ${t.problem}`);
    evidence.push(field(so, 'ScaledObject', t.path, t.problem));
  }
  const metrics = keda?.['keda-operator-metrics-apiserver'];
  if (reasons.length && metrics && metrics.pods.length > 0 && metrics.ready === 0) evidence.push(note('the KEDA metrics API server has no ready pod either: past the first replica the HPA gets no metrics'));
  if (reasons.length && (so.spec?.fallback?.replicas ?? 0) === 0) evidence.push(note('fallback.replicas is 0 (model-engine sets it to min_workers): a failing trigger falls back to zero replicas'));
  return { so, reasons, evidence, keda };
}

export default defineEndpointCause({
  meta: {
    code: 'SCALE_FROM_ZERO_BLOCKED',
    title: 'Scaled to zero, and nothing will scale it up',
    rank: 135,
    docs: 'docs/endpoint.md#scale-from-zero-blocked',
    reads: ['deployments', 'scaledObjects', 'events', 'kedaPods', 'triggerAuthentications'],
  },
  match(v) {
    const b = blockers(v);
    if (!b || b.reasons.length === 0) return undefined;
    const ns = v.subject.namespace;
    const since = b.so.status?.lastActiveTime ? ` (last active ${formatAge(v.now - ms(b.so.status.lastActiveTime))} ago)` : '';
    const operator = b.keda?.['keda-operator'];
    const operatorDown = !!operator && operator.pods.length > 0 && operator.ready === 0;
    return verdict(
      'SCALE_FROM_ZERO_BLOCKED',
      'endpoint',
      `${v.subject.workloadKind} ${v.workload?.metadata.name} is at 0 replicas${since} and will not scale up on the next request: ${b.reasons.join('; ')}.`,
      [field(b.so, 'ScaledObject', 'spec.minReplicaCount', b.so.spec?.minReplicaCount ?? 0), ...b.evidence],
      {
        summary: operatorDown
          ? 'Bring the KEDA operator back (it alone scales ScaledObjects from zero); the endpoint then scales on its next request. Until then, keep a warm worker with min_workers 1.'
          : 'Fix the failing trigger (the Prometheus address in infra.prometheus_server_address, the Redis TriggerAuthentication from redis.enableAuth/kedaSecretName), or keep a warm worker with min_workers 1.',
        commands: [
          `kubectl -n ${ns} describe scaledobject ${b.so.metadata.name}`,
          'kubectl get pods -A -l app=keda-operator',
          'kubectl logs -A -l app=keda-operator --tail=100 --prefix',
          apiUpdate(v.subject, { min_workers: 1 }),
        ],
      },
      [`kubectl -n ${ns} get scaledobject ${b.so.metadata.name} -o yaml`],
    );
  },
});
