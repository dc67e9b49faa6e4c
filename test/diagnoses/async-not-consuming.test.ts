import cause from '../../diagnoses/async-not-consuming.js';
import type { EndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import { testCause } from '../support/cause-tester.js';

/** The demo's async endpoint with its forwarder's log showing it cannot reach the broker (log added; simulated). */
const forwarderLog = (text: string) => (f: EndpointFacts): EndpointFacts => ({ ...f, logs: [...f.logs.filter((l) => l.container !== 'celery-forwarder'), { pod: f.pods[0]!.metadata.name, container: 'celery-forwarder', previous: false, text }] });

testCause(cause, {
  matches: [
    {
      name: 'the celery autoscaler (BROKER_NAME redis-elasticache-…) skips an endpoint annotated sqs-message-broker-master, at 0 workers',
      snapshot: 'endpoint-async-not-consuming',
      endpoint: 'end_ct5snvvn2ojg00a4qmr0',
      level: 'endpoint',
      summary: ['is at 0 workers and nothing will start one', 'scales only Deployments annotated celery.scaleml.autoscaler/broker=redis-elasticache-message-broker-master', 'annotated sqs-message-broker-master'],
      commands: ['kubectl -n model-engine set env statefulset/celery-autoscaler-redis BROKER_NAME=sqs-message-broker-master REDIS_BROKER_NAME=sqs-message-broker-master', '"min_workers":1'],
      evidence: ["metadata.annotations['celery.scaleml.autoscaler/broker']", 'env BROKER_NAME=redis-elasticache-message-broker-master'],
    },
    {
      name: 'no celery autoscaler at all (StatefulSet removed; simulated)',
      snapshot: 'endpoint-async-not-consuming',
      endpoint: 'end_ct5snvvn2ojg00a4qmr0',
      edit: (f) => ({ ...f, statefulSets: [] }),
      summary: ['no celery autoscaler runs in model-engine'],
      values: ['celery_autoscaler:', 'enabled: true'],
    },
    {
      name: 'Ready workers whose forwarder cannot reach its broker (forwarder log added; simulated)',
      snapshot: 'demo-aws',
      endpoint: 'embeddings-cpu',
      edit: forwarderLog(
        '[2026-11-20 09:29:02,101: INFO/MainProcess] Connected to sqs://localhost//\n[2026-11-20 09:29:12,417: ERROR/MainProcess] consumer: Cannot connect to sqs://localhost//: An error occurred (AccessDenied) when calling the ReceiveMessage operation: User: arn:aws:sts::111122223333:assumed-role/ml-prod-endpoints/botocore-session is not authorized to perform: sqs:ReceiveMessage.\nTrying again in 32.00 seconds... (16/100)\n',
      ),
      summary: ['has 1 Ready worker(s) but does not consume its queue launch-endpoint-id-end_ct49q4hn2ojg00a4qkf0', 'cannot use the broker'],
      evidence: ['not authorized to perform: sqs:ReceiveMessage'],
    },
    {
      name: 'the same endpoint on GCP: tasks go to Redis db 0, forwarders read db 3 (cloud and broker edited; simulated)',
      snapshot: 'demo-aws',
      endpoint: 'embeddings-cpu',
      edit: (f) => ({
        ...f,
        hints: { ...f.hints, cloud: 'gcp' },
        deployments: f.deployments.map((d) => ({ ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers: d.spec.template.spec.containers.map((c) => (c.name === 'celery-forwarder' ? { ...c, command: (c.command ?? []).map((x) => (x === 'sqs' ? 'redis' : x)) } : c)) } } } })),
      }),
      summary: ['sends async tasks to Redis db 0', 'reads db 3'],
      commands: ['-n 3 LLEN launch-endpoint-id-end_ct49q4hn2ojg00a4qkf0'],
    },
  ],
  misses: [
    { name: 'an async endpoint that consumes (demo)', snapshot: 'demo-aws', endpoint: 'embeddings-cpu' },
    { name: 'a sync endpoint scaled to zero by KEDA', snapshot: 'endpoint-scaled-to-zero', endpoint: 'end_ct5mcodn2ojg00a4qmd0' },
    { name: 'the same async endpoint once the autoscaler runs with its broker name (env edited; simulated)', snapshot: 'endpoint-async-not-consuming', endpoint: 'end_ct5snvvn2ojg00a4qmr0', edit: (f) => ({ ...f, statefulSets: f.statefulSets!.map((s) => JSON.parse(JSON.stringify(s).replaceAll('redis-elasticache-message-broker-master', 'sqs-message-broker-master'))) }) },
  ],
});
