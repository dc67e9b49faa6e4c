import type { Evidence } from '../src/engine/index.js';
import { asyncSpec, autoscalers, CELERY_FORWARDER, forwarderProblem, type AsyncSpec, type Autoscaler } from '../src/model-engine/celery.js';
import { defineEndpointCause, type EndpointView } from '../src/model-engine/endpoint-view.js';
import { apiUpdate } from './lib/commands.js';
import { field, logEvidence, note, verdict } from './lib/verdict.js';

interface Finding {
  reason: string;
  evidence: Evidence[];
  fix: string;
  commands: string[];
  values?: string;
}

/** The celery autoscaler will not take the endpoint from zero: missing, down, or scaling another broker's endpoints. */
function scalerFindings(v: EndpointView, a: AsyncSpec, scalers: Autoscaler[] | undefined): Finding[] {
  if (v.situation !== 'scaled-to-zero' || !scalers) return [];
  const cp = v.subject.cpNamespace;
  const w = v.workload!;
  if (scalers.length === 0) {
    return [
      {
        reason: `no celery autoscaler runs in ${cp} (celery_autoscaler.enabled is off, or serviceIdentifier is set), so nothing starts a worker when tasks arrive`,
        evidence: [note(`no StatefulSet celery-autoscaler-* in ${cp}`)],
        fix: 'Enable the celery autoscaler in the helm values (it is not rendered with serviceIdentifier), or keep a worker with min_workers 1.',
        commands: [`kubectl -n ${cp} get statefulsets`],
        values: ['celery_autoscaler:', '  enabled: true', '  num_shards: 1', ''].join('\n'),
      },
    ];
  }
  if (scalers.every((s) => s.ready === 0)) {
    return [{ reason: `celery autoscaler ${scalers.map((s) => s.name).join(', ')} has no ready replica`, evidence: scalers.map((s) => note(`StatefulSet ${cp}/${s.name}: ${s.ready}/${s.desired} ready`)), fix: 'Bring the celery autoscaler back.', commands: [`kubectl -n ${cp} get pods -l app=${scalers[0]!.name}`, `kubectl -n ${cp} logs statefulset/${scalers[0]!.name} --tail=100`] }];
  }
  if (a.brokerName && !scalers.some((s) => s.brokerName === a.brokerName)) {
    const s = scalers[0]!;
    return [
      {
        reason: `celery autoscaler ${s.name} scales only Deployments annotated celery.scaleml.autoscaler/broker=${s.brokerName ?? '?'}, and this one is annotated ${a.brokerName}: it is skipped, so its queue is never drained`,
        evidence: [field(w, 'Deployment', "metadata.annotations['celery.scaleml.autoscaler/broker']", a.brokerName), note(`StatefulSet ${cp}/${s.name} env BROKER_NAME=${s.brokerName ?? '(unset)'}`)],
        fix: `Make the two names agree: model-engine writes ${a.brokerName} on every async endpoint outside Azure (k8s_resource_types.py) while the chart names the autoscaler's broker after celeryBrokerType and the cloud; set the autoscaler's BROKER_NAME and REDIS_BROKER_NAME to ${a.brokerName} (check it still reaches your broker afterwards), or keep a worker with min_workers 1.`,
        commands: [`kubectl -n ${cp} set env statefulset/${s.name} BROKER_NAME=${a.brokerName} REDIS_BROKER_NAME=${a.brokerName}`, `kubectl -n ${cp} logs statefulset/${s.name} --tail=100`],
      },
    ];
  }
  return [];
}

/** Workers that are Ready and do not consume: their broker connection, the Redis db split, a queue that only grows. */
function consumerFindings(v: EndpointView, a: AsyncSpec): Finding[] {
  const out: Finding[] = [];
  const ns = v.subject.namespace;
  const log = v.facts.logs.find((l) => l.container === CELERY_FORWARDER);
  const problem = log ? forwarderProblem(log.text) : undefined;
  if (problem && log) {
    const redis = a.brokerType === 'redis';
    out.push({
      reason: `its ${CELERY_FORWARDER} cannot use the broker: ${problem.line}`,
      evidence: [logEvidence(ns, log, problem.line, problem.lineNumber), ...(redis ? [note(`${CELERY_FORWARDER} env: REDIS_HOST ${a.env.REDIS_HOST ? 'set' : 'not set'}, REDIS_AUTH_TOKEN ${a.env.REDIS_AUTH_TOKEN !== undefined ? 'set' : 'not set'} (the chart gives forwarders neither; they read infra.redis_host:6379 without auth)`)] : [])],
      fix: redis
        ? 'Async forwarders get neither REDIS_HOST nor REDIS_AUTH_TOKEN from the chart: set config.values.infra.redis_host to a broker they can reach without auth on 6379, or a broker URL the forwarder can use; then update the endpoint.'
        : 'Give the forwarder access to its queue (the queue exists, the pod identity may receive from it); then update the endpoint.',
      commands: [`kubectl -n ${ns} logs ${log.pod} -c ${CELERY_FORWARDER} --tail=100`],
      ...(redis ? { values: ['config:', '  values:', '    infra:', '      redis_host: <broker redis host reachable from endpoint pods>', ''].join('\n') } : {}),
    });
  }
  if (v.facts.hints?.cloud === 'gcp' && a.brokerType === 'redis' && a.taskVisibility === 'VISIBILITY_24H') {
    out.push({
      reason: 'on GCP the gateway sends async tasks to Redis db 0 (BrokerType.REDIS) while the forwarder reads db 3 (--task-visibility VISIBILITY_24H): no task ever reaches it',
      evidence: [note(`${CELERY_FORWARDER} args: --broker-type redis --task-visibility VISIBILITY_24H; cloud gcp`)],
      fix: 'Run a model-engine version whose gateway and forwarders use the same Redis db on GCP (facts §8, service_template_config_map.yaml), or point both at one db.',
      commands: ['redis-cli -h <broker redis host> -n 0 LLEN ' + (a.queue ?? '<queue>'), 'redis-cli -h <broker redis host> -n 3 LLEN ' + (a.queue ?? '<queue>')],
    });
  }
  const q = v.facts.queue;
  if (q && !q.error && (q.waiting ?? 0) > 0 && (q.inFlight ?? 0) === 0 && v.available > 0) {
    out.push({
      reason: `${q.waiting} task(s) wait in ${q.broker} queue ${q.name} and none is being worked on while ${v.available} worker(s) are Ready`,
      evidence: [{ type: 'probe', target: `${q.broker} queue ${q.name}`, detail: `${q.waiting} waiting, ${q.inFlight ?? 0} taken by a worker` }],
      fix: 'The workers do not receive from their queue: read the forwarder log (broker URL, credentials, queue name).',
      commands: [`kubectl -n ${ns} logs deploy/${v.subject.k8sName} -c ${CELERY_FORWARDER} --tail=100`],
    });
  }
  return out;
}

export default defineEndpointCause({
  meta: {
    code: 'ASYNC_NOT_CONSUMING',
    title: "An async endpoint's tasks are never taken: its workers cannot consume or are never started",
    rank: 137,
    docs: 'docs/endpoint.md#async-not-consuming',
    reads: ['deployments', 'pods', 'logs', 'statefulSets', 'queue', 'hints'],
  },
  match(v) {
    if (v.situation !== 'serving' && v.situation !== 'scaled-to-zero') return undefined;
    const a = asyncSpec(v.workload);
    if (!a) return undefined;
    const found = [...scalerFindings(v, a, v.facts.statefulSets ? autoscalers(v.facts.statefulSets) : undefined), ...(v.situation === 'serving' ? consumerFindings(v, a) : [])];
    if (found.length === 0) return undefined;
    const first = found[0]!;
    const commands = [...new Set(found.flatMap((f) => f.commands))];
    return verdict(
      'ASYNC_NOT_CONSUMING',
      'endpoint',
      `Async endpoint ${v.subject.name ?? v.subject.id} ${v.situation === 'serving' ? `has ${v.available} Ready worker(s) but does not consume its queue ${a.queue ?? ''}`.trim() : `is at 0 workers and nothing will start one for its queue ${a.queue ?? ''}`.trim()}: ${found.map((f) => f.reason).join('; ')}.`,
      found.flatMap((f) => f.evidence),
      { summary: found.map((f) => f.fix).join(' '), commands: [...commands, apiUpdate(v.subject, { min_workers: 1 })], ...(first.values ? { values: first.values } : {}) },
      [`kubectl -n ${v.subject.namespace} get deploy ${v.subject.k8sName} -o jsonpath='{.metadata.annotations}'`],
    );
  },
});
