import { defineCheck, fail, pass, warn, type Finding, type Severity } from '../../src/engine/index.js';
import { k8sNameOf } from '../../src/model-engine/endpoint-facts.js';
import { BENIGN_CAUSES, CAUSE_CODES, isFault, triageEndpoints, type CauseCode } from '../../diagnoses/index.js';
import type { TriagedEndpoint } from '../../src/model-engine/endpoint-triage.js';

/** `IMAGE_PULL` → `imagePull`: each cause is its own messageId, so consumers match on it. */
export function causeMessageId(cause: string): string {
  return cause.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Causes only `model-engine-doctor endpoint <id>` can reach. Triage groups endpoints by their Deployments,
 * LeaderWorkerSets and pods, so none it sees is without objects (NOT_FOUND; BUILD_PENDING before the build), and it
 * does not ask the gateway API, so no record says an update is pending (BUILD_PENDING while serving) or disagrees
 * with the cluster (STATUS_STALE).
 */
export const ENDPOINT_COMMAND_ONLY: readonly CauseCode[] = ['BUILD_PENDING', 'NOT_FOUND', 'STATUS_STALE'];

/** Every cause that is a fault and that triage can reach: the messageIds of failing endpoints. */
const FAULT_CAUSES: readonly CauseCode[] = CAUSE_CODES.filter((c) => !BENIGN_CAUSES.includes(c) && !ENDPOINT_COMMAND_ONLY.includes(c));

/**
 * Severity of a failing endpoint (docs/triage.md): one endpoint down is `high`; every endpoint down at once is an
 * outage of the serving plane and ranks with the control plane (`critical`); a cause the doctor cannot name is
 * `medium` (a lead, not a verdict); an endpoint still starting is `low`.
 */
export function endpointSeverity(cause: string, failing: number, total: number): Severity {
  if (cause === 'STARTING') return 'low';
  if (total >= 2 && failing === total) return 'critical';
  if (cause === 'UNKNOWN') return 'medium';
  return 'high';
}

const label = (e: TriagedEndpoint) => e.diagnosis.endpoint.name ?? e.diagnosis.endpoint.id ?? '?';

export default defineCheck({
  meta: {
    id: 'endpoints/serving',
    title: 'Endpoints serving',
    description: 'Every model-engine endpoint in the endpoint namespace has its workers available; for each one that does not, the root cause.',
    clouds: 'all',
    severity: 'high',
    needs: ['kube'],
    scopes: ['triage'],
    messages: {
      ...Object.fromEntries(FAULT_CAUSES.map((c) => [causeMessageId(c), 'Endpoint {{name}} ({{ready}}/{{desired}} workers) is not serving — {{cause}}: {{summary}}'])),
      starting: 'Endpoint {{name}} ({{ready}}/{{desired}} workers) is starting: {{summary}}',
      healthy: '{{count}} endpoint(s) in {{namespace}} serving or idle: {{names}}',
      none: 'No model-engine endpoints in namespace {{namespace}}',
    },
  },
  async run(ctx) {
    const { endpoints, namespace, unread } = await triageEndpoints(ctx);
    // Unread is not empty, and unseen pods are not "not serving": the refusal (or failure) itself becomes the
    // skip (or error) that names it.
    if (unread?.pods) throw unread.pods;
    if (endpoints.length === 0 && unread?.workload) throw unread.workload;
    if (endpoints.length === 0) {
      return pass('none', { data: { namespace }, evidence: [{ type: 'note', text: `no Deployment, LeaderWorkerSet or pod labelled endpoint_id in ${namespace}` }] });
    }
    const failing = endpoints.filter((e) => isFault(e.diagnosis.cause));
    const out: Finding[] = [];
    for (const e of endpoints) {
      const d = e.diagnosis;
      if (d.cause === 'HEALTHY' || d.cause === 'SCALED_TO_ZERO') continue;
      const object = { kind: e.facts.leaderWorkerSets.length ? 'LeaderWorkerSet' : 'Deployment', namespace, name: d.endpoint.id ? k8sNameOf(d.endpoint.id) : label(e) };
      const data = { name: label(e), id: d.endpoint.id ?? '', cause: d.cause, summary: d.summary, ready: e.row.ready, desired: e.row.desired };
      const opts = {
        data,
        object,
        severity: endpointSeverity(d.cause, failing.length, endpoints.length),
        evidence: d.evidence.slice(0, 8),
        remediation: { ...d.remediation, commands: [...(d.remediation.commands ?? []), `model-engine-doctor endpoint ${d.endpoint.id ?? label(e)}`] },
      };
      out.push(!isFault(d.cause) ? warn('starting', opts) : fail(causeMessageId(d.cause), opts));
    }
    const fine = endpoints.filter((e) => e.diagnosis.cause === 'HEALTHY' || e.diagnosis.cause === 'SCALED_TO_ZERO');
    if (fine.length > 0) {
      out.push(
        pass('healthy', {
          data: { count: fine.length, namespace, names: fine.map((e) => `${label(e)}${e.diagnosis.cause === 'SCALED_TO_ZERO' ? ' (scaled to zero)' : ` (${e.row.ready}/${e.row.desired})`}`) },
        }),
      );
    }
    return out;
  },
});
