import { afterAll, beforeAll, expect } from '@jest/globals';
import cause from '../../diagnoses/async-not-consuming.js';
import type { EndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import { BrokerCloudSource } from '../../src/sources/cloud/broker-cloud.js';
import { testCause } from '../support/cause-tester.js';
import { sqsAttributes, startAwsFake } from '../support/cloud-fakes.js';

/** The demo's async endpoint with its forwarder's log showing it cannot reach the broker (log added; simulated). */
const forwarderLog = (text: string) => (f: EndpointFacts): EndpointFacts => ({ ...f, logs: [...f.logs.filter((l) => l.container !== 'celery-forwarder'), { pod: f.pods[0]!.metadata.name, container: 'celery-forwarder', previous: false, text }] });

/**
 * The endpoint's SQS queue as SQS answers GetQueueUrl/GetQueueAttributes (loopback stand-in of documented shape,
 * read through the real SDK as `--cloud-api` reads it): one state per name, started once for the file.
 */
const QUEUE = 'launch-endpoint-id-end_ct49q4hn2ojg00a4qkf0';
const SQS_STATES = { stuck: sqsAttributes(42, 0), working: sqsAttributes(42, 3), denied: sqsAttributes(0, 0) };
const fakes = new Map<string, Awaited<ReturnType<typeof startAwsFake>>>();
beforeAll(async () => {
  for (const [k, attrs] of Object.entries(SQS_STATES)) fakes.set(k, await startAwsFake(k === 'denied' ? { secrets: {}, queues: {}, denyAll: { error: 'AccessDenied', message: 'User: arn:aws:iam::111122223333:user/oncall is not authorized to perform: sqs:getqueueurl' } } : { secrets: {}, queues: { [QUEUE]: attrs } }));
});
afterAll(async () => {
  for (const f of fakes.values()) expect(f.misses.map((m) => m.miss)).toEqual([]);
  expect(fakes.get('stuck')!.log.map((l) => l.target)).toContain('AmazonSQS.GetQueueAttributes');
  expect(fakes.get('denied')!.log.map((l) => l.target)).toContain('AmazonSQS.GetQueueUrl');
  await Promise.all([...fakes.values()].map((f) => f.close()));
});
const sqs = (state: keyof typeof SQS_STATES) =>
  new BrokerCloudSource({
    aws: {
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLETESTONLY1', secretAccessKey: 'test-secret-access-key' },
      get endpoint() {
        return fakes.get(state)!.endpoint;
      },
    },
  });

/** The demo's async endpoint turned into a Redis-broker one, its forwarder given these env vars (edited; simulated). */
const redisForwarder =
  (env: { name: string; value: string }[]) =>
  (f: EndpointFacts): EndpointFacts => ({
    ...f,
    deployments: f.deployments.map((d) => ({
      ...d,
      spec: {
        ...d.spec,
        template: {
          ...d.spec.template,
          spec: {
            ...d.spec.template.spec,
            containers: d.spec.template.spec.containers.map((c) => {
              if (c.name !== 'celery-forwarder') return c;
              const cmd = c.command ?? [];
              const at = cmd.indexOf('--sqs-url');
              return { ...c, command: cmd.filter((_, i) => at < 0 || (i !== at && i !== at + 1)).map((x) => (x === 'sqs' ? 'redis' : x)), env: [...(c.env ?? []).filter((e) => !e.name.startsWith('REDIS_')), ...env] };
            }),
          },
        },
      },
    })),
  });

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
    {
      name: 'Ready workers while 42 tasks wait in their SQS queue and none is in flight (queue read through the SDK from a loopback SQS stand-in)',
      snapshot: 'demo-aws',
      endpoint: 'embeddings-cpu',
      collect: { cloud: sqs('stuck') },
      summary: ['has 1 Ready worker(s) but does not consume', '42 task(s) wait in sqs queue launch-endpoint-id-end_ct49q4hn2ojg00a4qkf0 and none is being worked on while 1 worker(s) are Ready'],
      evidence: ['"type":"probe"', '42 waiting, 0 taken by a worker'],
      commands: ['logs deploy/launch-endpoint-id-end-ct49q4hn2ojg00a4qkf0 -c celery-forwarder'],
    },
    {
      name: 'a Redis-broker forwarder without REDIS_HOST: it dials None:6379 (forwarder env and log edited; simulated)',
      snapshot: 'demo-aws',
      endpoint: 'embeddings-cpu',
      edit: (f) =>
        forwarderLog(
          '[2026-11-20 09:29:02,101: INFO/MainProcess] Starting celery forwarder\n[2026-11-20 09:29:12,417: ERROR/MainProcess] consumer: Cannot connect to redis://None:6379/0: Error -2 connecting to None:6379. Name or service not known..\nTrying again in 4.00 seconds... (2/100)\n',
        )(redisForwarder([])(f)),
      summary: ['cannot use the broker', 'Error -2 connecting to None:6379'],
      evidence: ['REDIS_HOST not set, REDIS_AUTH_TOKEN not set'],
      values: ['redis_host:'],
    },
    {
      name: 'a Redis-broker forwarder with REDIS_HOST but no password against a broker that requires AUTH (forwarder env and log edited; simulated)',
      snapshot: 'demo-aws',
      endpoint: 'embeddings-cpu',
      edit: (f) =>
        forwarderLog(
          '[2026-11-20 09:29:12,417: ERROR/MainProcess] consumer: Cannot connect to redis://redis-master.redis.svc:6379/0: Authentication required..\nTrying again in 2.00 seconds... (1/100)\n',
        )(redisForwarder([{ name: 'REDIS_HOST', value: 'redis-master.redis.svc' }])(f)),
      summary: ['cannot use the broker', 'redis-master.redis.svc:6379/0: Authentication required'],
      evidence: ['REDIS_HOST set, REDIS_AUTH_TOKEN not set'],
      values: ['redis_host:'],
    },
  ],
  misses: [
    { name: 'an async endpoint that consumes (demo)', snapshot: 'demo-aws', endpoint: 'embeddings-cpu' },
    { name: 'tasks wait but workers have 3 in flight: they consume (queue read from a loopback SQS stand-in)', snapshot: 'demo-aws', endpoint: 'embeddings-cpu', collect: { cloud: sqs('working') } },
    { name: 'the queue could not be read (AccessDenied from a loopback SQS stand-in): no depth, no finding', snapshot: 'demo-aws', endpoint: 'embeddings-cpu', collect: { cloud: sqs('denied') } },
    { name: 'a sync endpoint scaled to zero by KEDA', snapshot: 'endpoint-scaled-to-zero', endpoint: 'end_ct5mcodn2ojg00a4qmd0' },
    { name: 'the same async endpoint once the autoscaler runs with its broker name (env edited; simulated)', snapshot: 'endpoint-async-not-consuming', endpoint: 'end_ct5snvvn2ojg00a4qmr0', edit: (f) => ({ ...f, statefulSets: f.statefulSets!.map((s) => JSON.parse(JSON.stringify(s).replaceAll('redis-elasticache-message-broker-master', 'sqs-message-broker-master'))) }) },
  ],
});
