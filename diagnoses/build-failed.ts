import type { Evidence, Remediation, Verdict } from '../src/engine/index.js';
import { classifyBuildError, errorGist, TEMPLATE_VARIABLE_COMMITS, type BuildLog } from '../src/model-engine/builder-log.js';
import { BUILDER_DEPLOYMENT } from '../src/model-engine/endpoint-facts.js';
import { defineEndpointCause, type EndpointView } from '../src/model-engine/endpoint-view.js';
import { apiUpdate } from './lib/commands.js';
import { buildLogEvidence, builderContext } from './lib/builder.js';
import { note, verdict, workloadEvidence } from './lib/verdict.js';

type Fix = Omit<Remediation, 'docs'>;

/** The builder's ERROR record for the task (the last one), as one readable line. */
function errorOf(o: BuildLog | undefined): string | undefined {
  if (!o) return undefined;
  const rec = [...o.lines].reverse().find((l) => l.line.startsWith('{') && /"level":"ERROR"/.test(l.line)) ?? o.lines.at(-1);
  return rec ? errorGist(rec.line) : undefined;
}

/** The fix the builder's error calls for, then update the endpoint so the builder tries again. */
function fixFor(v: EndpointView, error: string | undefined, builderLogs: string): Fix {
  const s = v.subject;
  const retry = apiUpdate(s, {});
  const { kind, name } = classifyBuildError(error ?? '');
  switch (kind) {
    case 'missing-crd':
      return {
        summary: `The builder creates ${name ?? 'an object'} of an API the cluster does not serve (KEDA for ScaledObject, Istio for VirtualService/DestinationRule, the VPA, LeaderWorkerSet): install it, or turn the feature off in the values, then update the endpoint so the builder tries again.`,
        commands: [`kubectl api-resources | grep -iE 'keda|istio|autoscaling.k8s.io|leaderworkerset'`, builderLogs, retry],
      };
    case 'template-missing':
      return {
        summary: `The builder reads ${name} from ConfigMap model-engine-service-template-config and the chart did not render it: charts before #826 render the VirtualService and DestinationRule templates only with virtualservice.enabled / destinationrule.enabled, not with istio_enabled. Make them agree (or upgrade the chart), helm upgrade, then update the endpoint.`,
        commands: [`kubectl -n ${s.cpNamespace} get configmap model-engine-service-template-config -o json | jq -r '.data | keys[]'`, retry],
        values: ['virtualservice:', '  enabled: true', 'destinationrule:', '  enabled: true', ''].join('\n'),
      };
    case 'template-variable':
      return {
        summary: `Chart and image are from different commits: the chart's endpoint templates use \${${name}}, which the builder's image does not supply${TEMPLATE_VARIABLE_COMMITS[name!] ? ` (model-engine supplies it since ${TEMPLATE_VARIABLE_COMMITS[name!]})` : ''}. Use an image tag at or after that commit, or the chart version that matches your tag; then update the endpoint.`,
        commands: [`kubectl -n ${s.cpNamespace} get deploy ${BUILDER_DEPLOYMENT} -o jsonpath='{.spec.template.spec.containers[0].image}'`, `helm -n ${s.cpNamespace} list`, retry],
      };
    case 'api-rejected':
      return { summary: `The API server rejected an object of the endpoint (HTTP ${name}); change what its message names in the endpoint's spec, then update the endpoint.`, commands: [builderLogs, retry] };
    case 'other':
      return { summary: 'Read the builder log for the failed task, fix what it reports, then update (or delete and recreate) the endpoint so the builder tries again.', commands: [builderLogs, retry] };
  }
}

/** No objects: the builder's record of the failed task (status_reason is often the generic "internal error"). */
function failedWithoutObjects(v: EndpointView): Verdict {
  const s = v.subject;
  const b = builderContext(v);
  const error = errorOf(v.build);
  const reason = [v.record?.status_reason, error].filter(Boolean).join('; builder log: ') || undefined;
  return verdict(
    'BUILD_FAILED',
    'endpoint',
    `The endpoint builder failed to create ${b.who}${reason ? `: ${reason}` : ''}; no Kubernetes objects exist in ${s.namespace}.`,
    [...b.apiEvidence, ...(v.build ? buildLogEvidence(v, v.build) : []), note(`no objects labelled ${s.selector} in ${s.namespace}`)],
    fixFor(v, error, b.builderLogs),
    b.look,
  );
}

/**
 * The builder container that ran the endpoint's last task is gone: its previous run received the task and never
 * finished it, and it terminated (OOMKilled, evicted). The status stays UPDATE_IN_PROGRESS for ever.
 */
function killedMidTask(v: EndpointView): { pod: string; reason: string; at?: string } | undefined {
  if (v.build?.state !== 'in-progress' || !v.buildLog?.previous) return undefined;
  const pod = v.facts.builder?.pods.find((p) => p.metadata.name === v.buildLog!.pod);
  const last = pod?.status?.containerStatuses?.find((c) => c.name === v.buildLog!.container)?.lastState?.terminated;
  if (!last) return undefined;
  return { pod: v.buildLog.pod, reason: `${last.reason ?? 'terminated'} (exit ${last.exitCode ?? '?'})`, ...(last.finishedAt ? { at: last.finishedAt } : {}) };
}

/** Objects exist, and the builder's last task for the endpoint failed or died: what exists is not what was asked for. */
function failedWithObjects(v: EndpointView): Verdict | undefined {
  const killed = killedMidTask(v);
  if (v.build?.state !== 'failed' && !killed) return undefined;
  const s = v.subject;
  const b = builderContext(v);
  const error = errorOf(v.build);
  const present = [v.workload && `${s.workloadKind} ${v.workload.metadata.name}`, v.facts.configMaps.length && `${v.facts.configMaps.length} ConfigMap(s)`, v.facts.scaledObjects.length && 'its ScaledObject', v.facts.hpas.length && 'its HPA', v.facts.services.length && 'its Service'].filter(Boolean);
  const status = v.record?.status;
  const stuck =
    killed
      ? ` The builder was killed mid-task (${killed.reason}${killed.at ? ` at ${killed.at}` : ''}) and nothing records the failure: the API says ${status ?? 'UPDATE_IN_PROGRESS'} for ever.`
      : status === 'UPDATE_PENDING'
        ? ' The API says UPDATE_PENDING and will for ever: the builder raised before it could record the failure (validation runs before its try block).'
        : '';
  const evidence: Evidence[] = [
    ...b.apiEvidence,
    ...(v.build ? buildLogEvidence(v, v.build) : []),
    ...(killed ? [note(`builder pod ${killed.pod}: last run ended ${killed.reason}${killed.at ? ` at ${killed.at}` : ''}`)] : []),
    ...(present.length ? [note(`objects that exist: ${present.join(', ')}`)] : []),
    ...(v.workload ? workloadEvidence(v) : []),
  ];
  const fix = killed
    ? { summary: `Give the builder the memory it needs (or find why it was evicted), then update the endpoint so a new build task runs.`, commands: [`kubectl -n ${s.cpNamespace} describe pod ${killed.pod}`, `kubectl -n ${s.cpNamespace} logs ${killed.pod} --previous --tail=200`, apiUpdate(s, {})] }
    : fixFor(v, error, b.builderLogs);
  return verdict(
    'BUILD_FAILED',
    'endpoint',
    `The endpoint builder's last build of ${b.who} ${killed ? 'never finished' : `failed${error ? `: ${error}` : ''}`}, after it had created ${present.length ? present.join(', ') : 'some objects'}.${stuck}`,
    evidence,
    fix,
    b.look,
  );
}

export default defineEndpointCause({
  meta: {
    code: 'BUILD_FAILED',
    title: 'The endpoint builder tried and failed',
    rank: 130,
    docs: 'docs/endpoint.md#build-failed',
    reads: ['deployments', 'configMaps', 'scaledObjects', 'hpas', 'services', 'builder', 'api'],
  },
  match(v) {
    if (v.situation === 'absent') {
      return v.record?.status === 'UPDATE_FAILED' || v.build?.state === 'failed' ? failedWithoutObjects(v) : undefined;
    }
    const withObjects = failedWithObjects(v);
    if (withObjects) return withObjects;
    if (v.situation === 'serving' && v.record?.status === 'UPDATE_FAILED') {
      return verdict(
        'BUILD_FAILED',
        'endpoint',
        `The last update of the endpoint failed${v.record.status_reason ? `: ${v.record.status_reason}` : ''}; it still serves ${v.available}/${v.desired} worker(s) from its previous version.`,
        workloadEvidence(v),
        { summary: 'Fix what status_reason names and update the endpoint again.', commands: [`kubectl -n ${v.subject.cpNamespace} logs deploy/${BUILDER_DEPLOYMENT} --tail=500`] },
      );
    }
    return undefined;
  },
});
