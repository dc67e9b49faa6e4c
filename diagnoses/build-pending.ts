import type { Verdict } from '../src/engine/index.js';
import { BUILDER_DEPLOYMENT } from '../src/model-engine/endpoint-facts.js';
import { defineEndpointCause, type EndpointView } from '../src/model-engine/endpoint-view.js';
import { formatAge } from '../src/model-engine/format.js';
import { queueCommand } from './lib/commands.js';
import { apiTime, buildLogEvidence, builderContext } from './lib/builder.js';
import { BUILD_PENDING_GRACE_MS } from './lib/grace.js';
import { verdict, workloadEvidence } from './lib/verdict.js';

const pendingStatus = (status: string | undefined) => status === 'UPDATE_PENDING' || status === 'UPDATE_IN_PROGRESS';

/** No objects and the build has not run: the builder is down, busy with it, or not consuming its queue. */
function pendingWithoutObjects(v: EndpointView): Verdict | undefined {
  const s = v.subject;
  const f = v.facts;
  const b = builderContext(v);
  const record = v.record;
  const outcome = v.build;
  const pending = pendingStatus(record?.status);
  if (!(pending || outcome?.state === 'in-progress' || (b.builderDown && f.builder && (f.api === undefined || f.api.state === 'unavailable')))) return undefined;
  const since = record?.last_updated_at ? v.now - apiTime(record.last_updated_at) : NaN;
  const why = b.builderDown
    ? !f.builder?.deployment
      ? `Deployment ${b.builderName} does not exist`
      : b.desired === 0
        ? `Deployment ${b.builderName} is scaled to 0`
        : `Deployment ${b.builderName} has no available replica`
    : outcome?.state === 'in-progress'
      ? 'the builder received the task and has not finished it (the task hard limit is 30 minutes)'
      : `the builder is running but has not taken the task from queue model-engine-service-builder (broker mismatch?)`;
  const commands = b.builderDown && f.builder?.deployment && b.desired === 0 ? [`kubectl -n ${s.cpNamespace} scale deploy ${BUILDER_DEPLOYMENT} --replicas=1`] : [];
  return verdict(
    'BUILD_PENDING',
    'endpoint',
    `${b.who} has no Kubernetes objects in ${s.namespace}${record ? ` and the API says ${record.status}${Number.isFinite(since) ? ` since ${formatAge(since)} ago` : ''}` : ''}: ${why}.${b.queueText}${!record && !outcome ? ' (Without --gateway-url the doctor cannot tell a pending endpoint from a wrong id.)' : ''}`,
    [...b.apiEvidence, ...b.builderEvidence, ...b.queueEvidence, ...(outcome ? buildLogEvidence(v, outcome) : [])],
    {
      summary: b.builderDown
        ? `Bring the endpoint builder back; it then takes the queued build task from model-engine-service-builder. The queue depth shows how many builds wait.`
        : `Make the builder consume model-engine-service-builder (same broker as the gateway); the queue depth shows whether tasks pile up.`,
      commands: [...commands, `kubectl -n ${s.cpNamespace} get deploy,pods -l app=${BUILDER_DEPLOYMENT}`, b.builderLogs, queueCommand(v)],
    },
    b.look,
  );
}

export default defineEndpointCause({
  meta: {
    code: 'BUILD_PENDING',
    title: 'The builder has not run the build task',
    rank: 140,
    docs: 'docs/endpoint.md#build-pending',
    reads: ['deployments', 'builder', 'api'],
  },
  match(v) {
    if (v.situation === 'absent') return pendingWithoutObjects(v);
    const r = v.record;
    if (v.situation === 'serving' && r && pendingStatus(r.status) && r.last_updated_at && v.now - apiTime(r.last_updated_at) > BUILD_PENDING_GRACE_MS) {
      const cp = v.subject.cpNamespace;
      return verdict(
        'BUILD_PENDING',
        'endpoint',
        `The endpoint serves ${v.available}/${v.desired} worker(s), but its update has been ${r.status} since ${r.last_updated_at}: the builder has not applied it.`,
        workloadEvidence(v),
        {
          summary: 'Make the endpoint builder consume its queue (is it running? same broker as the gateway?).',
          commands: [`kubectl -n ${cp} get deploy,pods -l app=${BUILDER_DEPLOYMENT}`, `kubectl -n ${cp} logs deploy/${BUILDER_DEPLOYMENT} --tail=500`, queueCommand(v)],
        },
      );
    }
    return undefined;
  },
});
