import { describe, expect, it } from '@jest/globals';
import check, { summarize, verdict } from '../../../checks/broker/servicebus-logs.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot } from '../../support/derived-snapshot.js';

const GATEWAY_LOG = 'logs/model-engine/model-engine-7c9d8f6b4d-k2x9p/model-engine.log';
/** azure-healthy on a quiet day: the gateway never met a stale connection (the two #790 retries taken out). */
const QUIET = derivedSnapshot('fixtures/clusters/azure-healthy', { [GATEWAY_LOG]: (t) => t.split('\n').filter((l) => !l.includes('Broker send_task failed')).join('\n') });
/**
 * azure-healthy where the 11:02 retry failed too (#790 logs "Broker send_task failed after retry" and raises
 * BrokerUnavailableException): the namespace's private endpoint stopped resolving from the pod.
 */
const EXHAUSTED = derivedSnapshot('fixtures/clusters/azure-healthy', {
  [GATEWAY_LOG]: (t) =>
    t.replace(
      /(\{"message": "Broker send_task failed, resetting connection pool and retrying once", "time": "2026-04-10T11:02:09[^\n]*\n)[^\n]*\n/,
      '$1{"message": "Broker send_task failed after retry", "time": "2026-04-10T11:02:10.310452+00:00", "level": "ERROR", "name": "model_engine_server.infra.gateways.celery_task_queue_gateway", "lineno": 0, "pathname": "", "dd.trace_id": 0, "dd.span_id": 0, "dd.service": "model-engine", "dd.env": "production", "dd.version": "a82369619a365b79a45e49ef6af1045653102615", "exc_info": "azure.servicebus.exceptions.ServiceBusConnectionError: Failed to initiate the connection due to exception: [Errno -2] Name or service not known"}\n',
    ),
});

testCheck(check, {
  valid: [
    { name: 'drops recovered by the #790 retry', snapshot: 'fixtures/clusters/azure-healthy' },
    { name: 'a quiet day: no drop, no retry in the gateway, builder and forwarder logs', snapshot: QUIET },
  ],
  invalid: [
    { name: 'the #790 retry failed too (the namespace stopped resolving)', snapshot: EXHAUSTED, errors: [{ messageId: 'retryExhausted', status: 'fail', object: { kind: 'Deployment', namespace: 'model-engine', name: 'model-engine' } }] },
    { name: 'pre-#790 image: forced closes in gateway, builder and forwarder', snapshot: 'fixtures/clusters/azure-cacher-token', errors: [{ messageId: 'idleDrops', object: { kind: 'Deployment', name: 'model-engine' } }] },
  ],
});

describe('broker/servicebus-logs', () => {
  it('clean counts the logs read; retryExhausted names the pod, the time and the log line', async () => {
    const [clean] = await runCase(check, { name: 'q', snapshot: QUIET });
    expect(clean).toMatchObject({ status: 'pass', messageId: 'clean', message: 'No Service Bus connection drops in 4 gateway/builder/forwarder log(s)' });
    const [r] = await runCase(check, { name: 'x', snapshot: EXHAUSTED });
    expect(r!.message).toMatch(/^1 send\(s\) failed even after the #790 reconnect-and-retry in model-engine\/model-engine-7c9d8f6b4d-k2x9p, 2026-04-10T11:02:10/);
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'log', pod: 'model-engine-7c9d8f6b4d-k2x9p', line: expect.stringContaining('Broker send_task failed after retry') }));
    expect(r!.remediation?.summary).toMatch(/^The reconnect did not help/);
  });

  it('names pods and the time span of the forced closes', async () => {
    const [r] = await runCase(check, { name: 'detail', snapshot: 'fixtures/clusters/azure-cacher-token' });
    expect(r?.message).toBe(
      '4 amqp:connection:forced in model-engine/model-engine-7c9d8f6b4d-k2x9p, model-engine/model-engine-endpoint-builder-5f7b9c8d6c-w8n3c, llm-engine/launch-endpoint-id-end-cv0d2hhn2ojg00b1q3ag-6f9b8c7d5d-x2k8q, 2026-04-10T03:15:40.662Z … 2026-04-10T11:02:09.733Z, and no #790 retry: Service Bus closes AMQP connections that had no link for 300 s and detaches links idle for 10 min (IdleTimerExpired), and the next send on them failed (a 503 to the caller)',
    );
  });

  const c = (n: number) => (n ? [{ namespace: 'ns', pod: 'p', container: 'c', count: n, samples: [] }] : []);
  it.each([
    [0, 0, 0, 'clean'],
    [2, 0, 0, 'idleDrops'],
    [2, 2, 0, 'recovered'],
    [0, 1, 0, 'recovered'],
    [2, 2, 1, 'retryExhausted'],
  ])('forced=%i retried=%i failed=%i → %s', (f, r, x, want) => {
    expect(verdict({ forced: c(f), retried: c(r), retryFailed: c(x) })).toBe(want);
  });

  it('counts links detached after 10 idle minutes (IdleTimerExpired) as idle drops too', () => {
    const line =
      '2026-04-10T09:12:03.118Z ERROR Broker error: amqp:link:detach-forced: The link \'G3:5183522:model-engine-service-builder\' is force detached. Code: consumer(link1234). Details: AmqpMessageConsumer.IdleTimerExpired: Idle timeout: 00:10:00.';
    const s = summarize([{ namespace: 'model-engine', pod: 'model-engine-endpoint-builder-5f7b9c8d6c-w8n3c', container: 'model-engine-endpoint-builder', previous: false, text: line }]);
    expect(s.linkIdle?.[0]?.count).toBe(1);
    expect(verdict(s)).toBe('idleDrops');
  });
});
