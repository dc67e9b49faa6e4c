import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientSecretCredential } from '@azure/identity';
import { Redis } from 'ioredis';
import check, { forwarderBrokerType, mismatchFix } from '../../../checks/broker/queues.js';
import type { Deployment } from '../../../src/engine/index.js';
import type { CloudPort } from '../../../src/engine/ports/cloud.js';
import type { RedisPort } from '../../../src/engine/ports/redis.js';
import { BrokerCloudSource } from '../../../src/sources/cloud/broker-cloud.js';
import { RedisSource } from '../../../src/sources/redis/probe.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { lazy, sqsAttributes, startAwsFake, startAzureFake } from '../../support/cloud-fakes.js';
import { HAVE_REDIS, makeCa, startRedis, type RedisServer, type TestCa } from '../../support/redis-servers.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLETESTONLY1', secretAccessKey: 'test-secret-access-key' };
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ONPREM_HOST = 'redis-master.redis.svc.cluster.local';
/** The REDIS_AUTH_TOKEN in fixtures/clusters/onprem-broker-mismatch's Secret. */
const BROKER_TOKEN = 'ob6Jm2qV8xT4';
const B = 'model-engine-service-builder';
const EP_AZ = 'launch-endpoint-id-end_cv0d2hhn2ojg00b1q3ag';
/** The queue of the async endpoint in fixtures/clusters/endpoint-async-not-consuming (no available worker). */
const EP_AWS_ASYNC = 'launch-endpoint-id-end_ct5snvvn2ojg00a4qmr0';

const fakes: { close(): Promise<void> }[] = [];
const ports: Record<string, object> = {};
let tlsBroker: RedisServer | undefined;
let openBroker: RedisServer | undefined;
let ca: TestCa | undefined;

async function aws(queues: Record<string, Record<string, string>>) {
  const f = await startAwsFake({ secrets: {}, queues });
  fakes.push(f);
  return new BrokerCloudSource({ aws: { endpoint: f.endpoint, credentials: CREDS } });
}
async function azure(queues: Record<string, { active: number; deadLetter: number }>, more: { sku?: 'Basic' | 'Standard' | 'Premium'; unauthorized?: boolean } = {}) {
  const f = await startAzureFake({ tenant: TENANT, accessToken: 'eyJ.test.sig', expiresIn: 3600, queues, sku: more.sku ?? 'Premium', ...(more.unauthorized ? { unauthorized: true } : {}) });
  fakes.push(f);
  const credential = new ClientSecretCredential(TENANT, 'c', 's', { authorityHost: f.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: f.ca.caPem } } as ConstructorParameters<typeof ClientSecretCredential>[3]);
  return new BrokerCloudSource({ azure: { credential, serviceBusHost: () => f.host, ca: f.ca.caPem } });
}

beforeAll(async () => {
  ports.awsIdle = await aws({ [B]: sqsAttributes(0, 1) });
  ports.awsBacklog = await aws({ [B]: sqsAttributes(12, 2) });
  ports.awsBuilderDown = await aws({ [B]: sqsAttributes(9, 0) });
  ports.awsNoBuilderQueue = await aws({});
  ports.awsAsyncWaiting = await aws({ [B]: sqsAttributes(0, 0), [EP_AWS_ASYNC]: sqsAttributes(7, 0) });
  ports.azureOk = await azure({ [B]: { active: 0, deadLetter: 0 }, [EP_AZ]: { active: 2, deadLetter: 0 } });
  ports.azureDlq = await azure({ [B]: { active: 1, deadLetter: 0 }, [EP_AZ]: { active: 0, deadLetter: 3 } });
  ports.azureStandard = await azure({ [B]: { active: 0, deadLetter: 0 }, [EP_AZ]: { active: 0, deadLetter: 0 } }, { sku: 'Standard' });
  ports.azureDenied = await azure({}, { unauthorized: true });
  if (HAVE_REDIS) {
    ca = makeCa();
    const cert = ca.issue('broker', [`DNS:${ONPREM_HOST}`]);
    [tlsBroker, openBroker] = await Promise.all([startRedis({ tls: { ...cert, ca: ca.caCert }, args: ['--requirepass', BROKER_TOKEN] }), startRedis()]);
    const c = new Redis({ host: '127.0.0.1', port: tlsBroker.port, password: BROKER_TOKEN, tls: { rejectUnauthorized: false }, lazyConnect: true });
    await c.connect();
    await c.lpush(B, 't1', 't2', 't3', 't4', 't5');
    c.disconnect();
    ports.redisTls = new RedisSource({ from: 'test', resolve: { [ONPREM_HOST]: { host: '127.0.0.1', port: tlsBroker.port } } });
    ports.redisOpen = new RedisSource({ from: 'test', resolve: { [ONPREM_HOST]: { host: '127.0.0.1', port: openBroker.port } } });
  }
}, 30_000);
afterAll(async () => {
  await Promise.all([...fakes.map((f) => f.close()), tlsBroker?.stop(), openBroker?.stop()]);
  ca?.cleanup();
});

// The objects behind the names are made in beforeAll.
const cloudPort = (name: string) => lazy<CloudPort>(() => ports[name] as CloudPort | undefined);
const redisPort = (name: string) => lazy<RedisPort>(() => ports[name] as RedisPort | undefined);
const cloudApi = { cloudApi: true };
const builder = { kind: 'Deployment', name: 'model-engine-endpoint-builder' };

testCheck(check, {
  valid: [
    { name: 'AWS: SQS builder queue drained', snapshot: 'fixtures/clusters/healthy-aws', options: cloudApi, ports: { cloud: cloudPort('awsIdle') } },
    { name: 'Azure: builder and endpoint queues consumed', snapshot: 'fixtures/clusters/azure-healthy', options: cloudApi, ports: { cloud: cloudPort('azureOk') } },
    ...(HAVE_REDIS ? [{ name: 'on-prem with celery_broker_type_redis: LLEN on the broker', snapshot: 'fixtures/clusters/onprem-redis-broker', ports: { redis: redisPort('redisOpen') } }] : []),
  ],
  invalid: [
    { name: 'on-prem without celery_broker_type_redis: gateway → Redis, builder ← SQS', snapshot: 'fixtures/clusters/onprem-broker-mismatch', errors: [{ messageId: 'brokerMismatch', object: builder }, { messageId: 'depthUnknown', status: 'skip', object: builder }] },
    ...(HAVE_REDIS
      ? [
          {
            name: 'the mismatch shows as tasks waiting in the Redis builder list (REDIS_AUTH_TOKEN → rediss, cert checks off)',
            snapshot: 'fixtures/clusters/onprem-broker-mismatch',
            ports: { redis: redisPort('redisTls') },
            errors: [{ messageId: 'brokerMismatch' }, { messageId: 'builderBacklog', status: 'warn' as const, object: builder }],
          },
        ]
      : []),
    { name: 'AWS: 12 builder tasks wait with a ready builder', snapshot: 'fixtures/clusters/healthy-aws', options: cloudApi, ports: { cloud: cloudPort('awsBacklog') }, errors: [{ messageId: 'builderBacklog', object: builder }] },
    {
      name: 'AWS demo: builder tasks waiting; the async endpoint queue is missing',
      snapshot: 'fixtures/clusters/demo-aws',
      options: cloudApi,
      ports: { cloud: cloudPort('awsBuilderDown') },
      errors: [{ messageId: 'builderBacklog', object: builder }, { messageId: 'endpointQueueMissing', object: { namespace: 'llm-engine' } }],
    },
    {
      // The builder Deployment has no available replica (endpoint-build-pending): the tasks wait until it is back.
      name: 'AWS: 9 builder tasks wait and the builder has no ready replica',
      snapshot: 'fixtures/clusters/endpoint-build-pending',
      options: cloudApi,
      ports: { cloud: cloudPort('awsBuilderDown') },
      errors: [{ messageId: 'builderBacklogNoBuilder', status: 'warn', severity: 'high', object: builder }],
    },
    // SQS answers AWS.SimpleQueueService.NonExistentQueue for GetQueueUrl: the builder (which creates it) never connected.
    { name: 'AWS: the builder queue does not exist in SQS', snapshot: 'fixtures/clusters/healthy-aws', options: cloudApi, ports: { cloud: cloudPort('awsNoBuilderQueue') }, errors: [{ messageId: 'builderQueueMissing', status: 'warn', object: builder }] },
    {
      name: 'AWS: 7 tasks wait for an async endpoint with no ready worker (its forwarder listens on Redis)',
      snapshot: 'fixtures/clusters/endpoint-async-not-consuming',
      options: cloudApi,
      ports: { cloud: cloudPort('awsAsyncWaiting') },
      // The fixture's forwarder also listens on Redis while the gateway sends to SQS (why it has no ready worker).
      errors: [
        { messageId: 'forwarderMismatch', status: 'fail', object: { kind: 'Deployment', namespace: 'llm-engine', name: 'launch-endpoint-id-end-ct5snvvn2ojg00a4qmr0' } },
        { messageId: 'endpointBacklog', status: 'warn', object: { kind: 'Deployment', namespace: 'llm-engine', name: 'launch-endpoint-id-end-ct5snvvn2ojg00a4qmr0' } },
      ],
    },
    { name: 'Azure: dead-lettered endpoint tasks', snapshot: 'fixtures/clusters/azure-cacher-token', options: cloudApi, ports: { cloud: cloudPort('azureDlq') }, errors: [{ messageId: 'deadLetters', status: 'warn' }] },
    {
      name: 'Azure: a Standard namespace cannot carry the 20 MB messages model-engine sets its queues up for (#773)',
      snapshot: 'fixtures/clusters/azure-healthy',
      options: cloudApi,
      ports: { cloud: cloudPort('azureStandard') },
      errors: [{ messageId: 'notPremium', status: 'warn', object: { kind: 'ServiceBusNamespace', name: 'ml-prod-model-engine' } }],
    },
    {
      name: 'Azure: a 401 on queue reads names the role it needs (skip, not a failure)',
      snapshot: 'fixtures/clusters/azure-healthy',
      options: cloudApi,
      ports: { cloud: cloudPort('azureDenied') },
      errors: [
        { messageId: 'depthUnknown', status: 'skip', object: builder },
        { messageId: 'depthUnknown', status: 'skip', object: { kind: 'Deployment', namespace: 'llm-engine', name: 'launch-endpoint-id-end-cv0d2hhn2ojg00b1q3ag' } },
        { messageId: 'tierUnknown', status: 'skip' },
      ],
    },
    { name: 'without --cloud-api the depth is unknown (skip, not a failure)', snapshot: 'fixtures/clusters/healthy-aws', errors: [{ messageId: 'depthUnknown', status: 'skip' }] },
  ],
});

describe('broker/queues details', () => {
  it('says what SQS can tell, and what it cannot', async () => {
    const rs = await runCase(check, { name: 'detail', snapshot: 'fixtures/clusters/healthy-aws', options: cloudApi, ports: { cloud: cloudPort('awsBacklog') } });
    const ev = rs[0]?.evidence[0];
    expect(ev?.type === 'probe' && ev.detail).toBe('SQS us-east-1 model-engine-service-builder: 12 visible, 2 in flight, 0 delayed (message age needs CloudWatch ApproximateAgeOfOldestMessage)');
  });

  (HAVE_REDIS ? it : it.skip)('never prints the broker token', async () => {
    const rs = await runCase(check, { name: 'detail', snapshot: 'fixtures/clusters/onprem-broker-mismatch', ports: { redis: redisPort('redisTls') } });
    expect(rs.find((r) => r.messageId === 'builderBacklog')?.message).toMatch(/^5 builder task\(s\) wait in model-engine-service-builder/);
    expect(JSON.stringify(rs)).not.toContain(BROKER_TOKEN);
  });

  it('a 401 says which rights reading queue properties needs, with the command that grants them', async () => {
    const rs = await runCase(check, { name: 'detail', snapshot: 'fixtures/clusters/azure-healthy', options: cloudApi, ports: { cloud: cloudPort('azureDenied') } });
    const r = rs.find((x) => x.messageId === 'depthUnknown' && x.object?.name === 'model-engine-endpoint-builder');
    expect(r?.message).toContain('needs Manage rights — the Azure Service Bus Data Owner role for your identity on namespace ml-prod-model-engine');
    expect(r?.remediation?.commands?.[0]).toContain('--role "Azure Service Bus Data Owner"');
    const premium = await runCase(check, { name: 'p', snapshot: 'fixtures/clusters/azure-healthy', options: cloudApi, ports: { cloud: cloudPort('azureOk') } });
    expect(premium.find((x) => x.messageId === 'premium')?.status).toBe('pass');
  });

  it('a backlog with no builder says to bring the builder back, and one for an endpoint names its waiting tasks', async () => {
    const [r] = await runCase(check, { name: 'x', snapshot: 'fixtures/clusters/endpoint-build-pending', options: cloudApi, ports: { cloud: cloudPort('awsBuilderDown') } });
    expect(r!.message).toBe('9 builder task(s) wait in model-engine-service-builder and the builder has no ready replica: SQS us-east-1 model-engine-service-builder: 9 visible, 0 in flight, 0 delayed (message age needs CloudWatch ApproximateAgeOfOldestMessage)');
    expect(r!.remediation?.commands).toContain('kubectl -n model-engine get pods -l app=model-engine-endpoint-builder');
    const rs = await runCase(check, { name: 'y', snapshot: 'fixtures/clusters/endpoint-async-not-consuming', options: cloudApi, ports: { cloud: cloudPort('awsAsyncWaiting') } });
    expect(rs.find((x) => x.messageId === 'endpointBacklog')!.message).toMatch(/^7 task\(s\) wait for async endpoint .*, which has 0 ready worker\(s\): SQS us-east-1 launch-endpoint-id-end_ct5snvvn2ojg00a4qmr0: 7 visible/);
  });

  it('reads --broker-type from the forwarder container', () => {
    const d = { metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'celery-forwarder', args: ['--queue', 'q', '--broker-type', 'elasticache'] }] } } } } as Deployment;
    expect(forwarderBrokerType(d)).toBe('elasticache');
  });

  it.each([
    ['onprem', { gatewaySends: 'redis', builderConsumes: 'sqs' }, 'celery_broker_type_redis: true\n'],
    ['azure', { gatewaySends: 'servicebus', builderConsumes: 'redis' }, 'celery_broker_type_redis: null\n'],
  ] as const)('mismatchFix(%s)', (cloud, b, values) => {
    expect(mismatchFix(cloud, b).values).toBe(values);
  });
});
