import { defineCheck, fail, pass, skip, type Deployment, type Finding, type Pod } from '../../src/engine/index.js';
import { countEvidence, countInLogs, readLogs, span, type LogCount, type LogText } from '../redis/lib/logs.js';
import { BUILDER, GATEWAY, podsOf } from '../redis/lib/model-engine-redis.js';

const DOCS = 'docs/checks/broker/servicebus-logs.md';

/** Azure Service Bus closing an AMQP connection that had no link for 300 s — what the 503s look like in the logs. */
export const FORCED_RE = /amqp:connection:forced/;
/** Azure Service Bus detaching a link idle for 10 minutes (`amqp:link:detach-forced … IdleTimerExpired`). */
export const LINK_IDLE_RE = /IdleTimerExpired|amqp:link:detach-forced/;
/** #790 (`e6e7fe2d`): a stale pooled connection was reset and the send retried once. */
export const RETRY_RE = /Broker send_task failed, resetting connection pool and retrying once/;
/** #790: the retry failed too; the request got a BrokerUnavailableException (503). */
export const RETRY_FAILED_RE = /Broker send_task failed after retry/;

export interface ServiceBusLogSummary {
  forced: LogCount[];
  /** Links detached after 10 idle minutes. */
  linkIdle?: LogCount[];
  retried: LogCount[];
  retryFailed: LogCount[];
}

export function summarize(logs: LogText[]): ServiceBusLogSummary {
  return { forced: countInLogs(logs, FORCED_RE), linkIdle: countInLogs(logs, LINK_IDLE_RE), retried: countInLogs(logs, RETRY_RE), retryFailed: countInLogs(logs, RETRY_FAILED_RE) };
}

const total = (c: LogCount[]) => c.reduce((n, x) => n + x.count, 0);
const pods = (c: LogCount[]) => [...new Set(c.map((x) => `${x.namespace}/${x.pod}`))].join(', ');

/** The verdict from the three counts. Pure. */
export function verdict(s: ServiceBusLogSummary): 'clean' | 'recovered' | 'retryExhausted' | 'idleDrops' {
  if (total(s.retryFailed) > 0) return 'retryExhausted';
  if (total(s.forced) + total(s.linkIdle ?? []) > 0 && total(s.retried) === 0) return 'idleDrops';
  if (total(s.retried) > 0) return 'recovered';
  return 'clean';
}

export default defineCheck({
  meta: {
    id: 'broker/servicebus-logs',
    title: 'No Service Bus connection drops in the logs (Azure)',
    description:
      'Counts amqp:connection:forced (connections idle 300 s), IdleTimerExpired link detaches (links idle 10 min) and the #790 retry messages ("Broker send_task failed, resetting connection pool and retrying once", "… failed after retry") in gateway, builder and async forwarder logs, with first/last times and pods.',
    clouds: ['azure'],
    severity: 'high',
    needs: ['kube', 'logs'],
    scopes: ['triage', 'endpoint'],
    messages: {
      clean: 'No Service Bus connection drops in {{logs}} gateway/builder/forwarder log(s)',
      recovered: '{{retried}} stale Service Bus connection(s) were reset and the send retried successfully (#790) in {{pods}}, {{first}} … {{last}}{{forcedNote}}',
      idleDrops:
        '{{drops}} in {{pods}}, {{first}} … {{last}}, and no #790 retry: Service Bus closes AMQP connections that had no link for 300 s and detaches links idle for 10 min (IdleTimerExpired), and the next send on them failed (a 503 to the caller)',
      retryExhausted: '{{failed}} send(s) failed even after the #790 reconnect-and-retry in {{pods}}, {{first}} … {{last}}: those requests got a 503',
      noLogs: 'No gateway, builder or forwarder logs are available{{why}}',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const cp = ctx.namespaces.controlPlane;
    const [deployments, cpPods] = await Promise.all([kube.list<Deployment>('deployments.apps', { namespace: cp }), kube.list<Pod>('pods', { namespace: cp })]);
    const wanted = [GATEWAY, BUILDER].flatMap((n) => podsOf(deployments.find((d) => d.metadata.name === n), cpPods, n));
    // Async endpoint forwarders (container celery-forwarder) send results and receive tasks over Service Bus too.
    const epPods = await kube.list<Pod>('pods', { namespace: ctx.namespaces.endpoint });
    const forwarders = epPods.filter((p) => p.spec.containers.some((c) => c.name === 'celery-forwarder'));
    const { logs, denied } = await readLogs(kube, [...wanted, ...forwarders.filter((p) => !wanted.includes(p))]);
    const relevant = logs.filter((l) => !forwarders.some((f) => f.metadata.name === l.pod) || l.container === 'celery-forwarder');
    if (relevant.length === 0) return skip('noLogs', { data: { why: denied ? ` (${denied})` : '' } });

    const s = summarize(relevant);
    const v = verdict(s);
    const object = { kind: 'Deployment', namespace: cp, name: GATEWAY };
    const remediation = {
      summary:
        'Run an image with #765/#767 (keepalive over the default pool, 9deb59f1) and #790 (reset-and-retry, e6e7fe2d); keep SERVICEBUS_KEEP_ALIVE_INTERVAL unset or below 300 (the 300 s idle-connection timer; idle links are detached after 10 min regardless, which the retry covers). See broker/servicebus-fix.',
      commands: [
        `kubectl -n ${cp} logs deploy/${GATEWAY} --tail=2000 | grep -E 'amqp:connection:forced|IdleTimerExpired|Broker send_task failed'`,
        `kubectl -n ${cp} get deploy ${GATEWAY} ${BUILDER} -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels.app\\.kubernetes\\.io/version}{"\\n"}{end}'`,
      ],
      docs: DOCS,
    };
    const findings: Finding[] = [];
    switch (v) {
      case 'clean':
        return pass('clean', { object, data: { logs: relevant.length } });
      case 'recovered': {
        const { first, last } = span(s.retried);
        return pass('recovered', {
          object,
          evidence: countEvidence(s.retried),
          data: { retried: total(s.retried), pods: pods(s.retried), first: first ?? '?', last: last ?? '?', forcedNote: total(s.forced) ? ` (${total(s.forced)} amqp:connection:forced)` : '' },
        });
      }
      case 'idleDrops': {
        const drops = [...s.forced, ...(s.linkIdle ?? [])];
        const { first, last } = span(drops);
        const parts = [total(s.forced) ? `${total(s.forced)} amqp:connection:forced` : '', total(s.linkIdle ?? []) ? `${total(s.linkIdle ?? [])} IdleTimerExpired link detach(es)` : ''].filter(Boolean);
        findings.push(fail('idleDrops', { object, evidence: countEvidence(drops), data: { drops: parts.join(' and '), forced: total(s.forced), pods: pods(drops), first: first ?? '?', last: last ?? '?' }, remediation }));
        break;
      }
      case 'retryExhausted': {
        const { first, last } = span(s.retryFailed);
        findings.push(
          fail('retryExhausted', {
            object,
            evidence: [...countEvidence(s.retryFailed), ...countEvidence(s.forced)],
            data: { failed: total(s.retryFailed), pods: pods(s.retryFailed), first: first ?? '?', last: last ?? '?' },
            remediation: {
              ...remediation,
              summary: 'The reconnect did not help: check the namespace is reachable from the pods (DNS, firewall/private endpoint) and the identity still has Azure Service Bus Data Sender/Receiver; see broker/queues.',
            },
          }),
        );
        break;
      }
    }
    return findings;
  },
});
