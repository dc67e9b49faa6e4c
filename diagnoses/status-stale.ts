import type { Evidence } from '../src/engine/index.js';
import { defineEndpointCause, type EndpointView } from '../src/model-engine/endpoint-view.js';
import { CACHER_DEPLOYMENT, type ComponentFacts } from '../src/model-engine/endpoint-facts.js';
import { formatAge, ms } from '../src/model-engine/format.js';
import { matchLogSignature } from '../src/model-engine/log-signatures.js';
import { field, note, verdict } from './lib/verdict.js';

/** What the API says about workers, against the cluster; undefined when they agree (or the API was not asked). */
function disagreement(v: EndpointView): { api: string; cluster: string } | undefined {
  const r = v.record;
  if (!r || (v.situation !== 'serving' && v.situation !== 'scaled-to-zero')) return undefined;
  const aw = r.deployment_state?.available_workers;
  const cluster = `${v.available}/${v.desired} available in the cluster`;
  if (typeof aw === 'number') return (aw === 0) !== (v.available === 0) ? { api: `${aw} available worker(s)`, cluster } : undefined;
  // infra_state is null when the cacher's entry for the endpoint is missing or expired (TTL 60 s).
  return r.status === 'READY' ? { api: 'no worker counts at all (deployment_state empty)', cluster } : undefined;
}

/** The cacher was not read, or its Deployment could not be read and no pod of it was seen: its state is unknown. */
const cacherUnseen = (c: ComponentFacts | undefined): boolean => !c || (!c.deployment && !!c.unread && c.pods.length === 0);

/** The cacher's state: down, or failing to write the cache (the log line that says why). */
function cacherTrouble(v: EndpointView): { summary: string; evidence: Evidence[]; auth: boolean; startedMs?: number } | undefined {
  const c = v.facts.cacher;
  if (!c || cacherUnseen(c)) return undefined;
  const cp = v.subject.cpNamespace;
  const ready = c.pods.filter((p) => p.status?.containerStatuses?.every((s) => s.ready));
  // A Deployment that could not be read is not a missing one: then its pods alone say whether it runs.
  if ((!c.deployment && !c.unread) || ready.length === 0) {
    return { summary: `the cacher (${cp}/${CACHER_DEPLOYMENT}) ${c.deployment || c.unread ? 'has no ready pod' : 'does not exist'}, so nothing refreshes the cache`, evidence: [note(`${c.pods.length} cacher pod(s), ${ready.length} ready`)], auth: false };
  }
  const m = c.log ? matchLogSignature(c.log.text) : undefined;
  if (!m || !c.log) return undefined;
  const started = ms(ready[0]!.status?.containerStatuses?.[0]?.state?.running?.startedAt);
  return {
    summary: `the cacher cannot write the cache: ${m.signature.title}`,
    evidence: [{ type: 'log', namespace: cp, pod: c.log.pod, container: c.log.container, line: m.line, lineNumber: m.lineNumber }],
    auth: m.signature.id === 'redis-auth',
    ...(Number.isFinite(started) ? { startedMs: v.now - started } : {}),
  };
}

export default defineEndpointCause({
  meta: {
    code: 'STATUS_STALE',
    title: "model-engine's view of the endpoint is out of date: the cacher does not update it",
    rank: 139,
    docs: 'docs/endpoint.md#status-stale',
    reads: ['api', 'deployments', 'cacher'],
  },
  match(v) {
    const d = disagreement(v);
    if (!d) return undefined;
    const t = cacherTrouble(v);
    // A healthy cacher catches up within its TTL: a disagreement alone is a moment, not a cause.
    if (!t && !cacherUnseen(v.facts.cacher)) return undefined;
    const cp = v.subject.cpNamespace;
    const azure = v.facts.hints?.cloud === 'azure' && t?.auth;
    const age = t?.startedMs !== undefined ? formatAge(t.startedMs) : undefined;
    return verdict(
      'STATUS_STALE',
      'endpoint',
      `model-engine's API reports ${d.api} for ${v.subject.name ?? v.subject.id} while it has ${d.cluster}: ${t ? t.summary : 'the cacher could not be read'}${azure ? `. On Azure the cacher authenticates to Redis with an Entra token it fetched when it started${age ? ` (${age} ago)` : ''} and never refreshes; tokens expire after 60–90 minutes` : ''}.`,
      [
        ...(v.facts.api?.state === 'found' ? [{ type: 'probe' as const, target: v.facts.api.url, detail: `status ${v.record!.status}, ${d.api}` }] : []),
        ...(v.workload ? [field(v.workload, v.subject.workloadKind, 'status.availableReplicas', v.available)] : []),
        ...(t?.evidence ?? [note(`the cacher ${cp}/${CACHER_DEPLOYMENT} could not be read${v.facts.cacher?.unread ? `: ${v.facts.cacher.unread.message}` : ''}`)]),
      ],
      {
        summary: azure
          ? 'Restart the cacher now (it fetches a fresh token), and restart it on a schedule shorter than the token lifetime (the redis/azure-token-refresh check gives the CronJob), or give it a Redis access key instead of Entra ID.'
          : t?.auth
            ? "Give the cacher Redis credentials that work (the cache URL's password or auth token), then restart it."
            : 'Bring the cacher back so it rewrites the cache (it updates every endpoint every few seconds).',
        commands: [`kubectl -n ${cp} get deploy,pods -l app=${CACHER_DEPLOYMENT}`, `kubectl -n ${cp} logs deploy/${CACHER_DEPLOYMENT} --tail=100`, `kubectl -n ${cp} rollout restart deploy/${CACHER_DEPLOYMENT}`],
      },
      [`model-engine-doctor triage --only redis`],
    );
  },
});
