import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientSecretCredential } from '@azure/identity';
import { CloudApiError } from '../../src/engine/ports/cloud.js';
import { revealSecret } from '../../src/engine/ports/secret.js';
import { BrokerCloudSource, serviceBusFqdn } from '../../src/sources/cloud/broker-cloud.js';
import { shapeMiss, startAwsFake, startAzureFake, sqsAttributes } from '../support/cloud-fakes.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLETESTONLY1', secretAccessKey: 'test-secret-access-key' };
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3JlZGlzLmF6dXJlLmNvbSJ9.c2lnbmF0dXJlLW5vdC1yZWFs';

describe('BrokerCloudSource — AWS through the real SDK clients against a loopback endpoint', () => {
  let aws: Awaited<ReturnType<typeof startAwsFake>>;
  let src: BrokerCloudSource;
  beforeAll(async () => {
    aws = await startAwsFake({
      secrets: {
        'ml-prod/model-engine/redis-cache': JSON.stringify({ 'cache-url': 'rediss://:cache-pw-31x@master.ml-prod.x7k2pq.use1.cache.amazonaws.com:6379/15' }),
        'ml-prod/old-format': JSON.stringify({ url: 'redis://h:6379/0', host: 'h' }),
        'ml-prod/plain': 'redis://not-json',
        'ml-prod/denied': { error: 'AccessDeniedException', message: 'User: arn:aws:sts::111122223333:assumed-role/dev/alice is not authorized to perform: secretsmanager:GetSecretValue', status: 400 },
      },
      queues: { 'model-engine-service-builder': sqsAttributes(7, 1, 2), 'launch-endpoint-id-end_ct49q4hn2ojg00a4qkf0': sqsAttributes(0, 0) },
    });
    src = new BrokerCloudSource({ aws: { endpoint: aws.endpoint, region: 'us-east-1', credentials: CREDS } });
  });
  afterAll(() => aws.close());

  it('reads the cache-url key of a JSON secret as a SecretString (signed request, nothing printable)', async () => {
    const a = await src.secretJsonKey('ml-prod/model-engine/redis-cache', 'cache-url');
    expect(a.state).toBe('found');
    if (a.state !== 'found') return;
    expect(revealSecret(a.value)).toBe('rediss://:cache-pw-31x@master.ml-prod.x7k2pq.use1.cache.amazonaws.com:6379/15');
    expect(JSON.stringify(a)).not.toContain('cache-pw-31x');
    expect(aws.log[0]?.target).toBe('secretsmanager.GetSecretValue');
    expect(aws.log[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTONLY1\/\d{8}\/us-east-1\/secretsmanager\/aws4_request/);
  });

  it('names the keys a secret has when cache-url is missing, and non-JSON secrets', async () => {
    expect(await src.secretJsonKey('ml-prod/old-format', 'cache-url')).toEqual({ state: 'no-key', keys: ['url', 'host'], json: true });
    expect(await src.secretJsonKey('ml-prod/plain', 'cache-url')).toEqual({ state: 'no-key', keys: [], json: false });
  });

  it('maps service errors to CloudApiError with the AWS error code', async () => {
    await expect(src.secretJsonKey('ml-prod/absent', 'cache-url')).rejects.toMatchObject({ service: 'secrets-manager', code: 'ResourceNotFoundException' });
    const e = await src.secretJsonKey('ml-prod/denied', 'cache-url').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CloudApiError);
    expect((e as CloudApiError).code).toBe('AccessDeniedException');
  });

  it('reads SQS queue attributes (visible, in flight, delayed) and reports missing queues', async () => {
    const q = await src.sqsQueue('model-engine-service-builder');
    expect(q).toMatchObject({ exists: true, visible: 7, notVisible: 1, delayed: 2, redrive: false });
    expect(q.url).toBe(`${aws.endpoint}/111122223333/model-engine-service-builder`);
    expect(await src.sqsQueue('launch-endpoint-id-end_missing')).toEqual({ name: 'launch-endpoint-id-end_missing', exists: false });
    expect(aws.log.map((l) => l.target)).toContain('AmazonSQS.GetQueueAttributes');
  });

  it('every request had the documented shape (operation, path, body fields)', () => {
    expect(aws.log.length).toBeGreaterThan(0);
    expect(aws.misses.map((m) => m.miss)).toEqual([]);
  });
});

describe('BrokerCloudSource — Azure through @azure/identity and the Service Bus admin client on loopback HTTPS', () => {
  let az: Awaited<ReturnType<typeof startAzureFake>>;
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  beforeAll(async () => {
    az = await startAzureFake({
      tenant,
      accessToken: TOKEN,
      expiresIn: 4799,
      queues: { 'model-engine-service-builder': { active: 4, deadLetter: 0 }, 'launch-endpoint-id-end_cv0d2hhn2ojg00b1q3ag': { active: 12, deadLetter: 3, scheduled: 1 } },
    });
  });
  afterAll(() => az.close());

  const credential = (secret = 'client-secret-value') =>
    new ClientSecretCredential(tenant, '3b5c1f0e-7d2a-4e8b-9c6f-1a2b3c4d5e6f', secret, {
      authorityHost: az.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: az.ca.caPem },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);

  it('gets an Entra token and reports only its expiry', async () => {
    const src = new BrokerCloudSource({ azure: { credential: credential() } });
    const before = Date.now();
    const t = await src.entraToken('https://redis.azure.com/.default');
    expect(Object.keys(t)).toEqual(['expiresOn']);
    expect(t.expiresOn.getTime()).toBeGreaterThanOrEqual(before + 4799_000 - 5000);
    const raw = await src.rawToken('https://redis.azure.com/.default');
    expect(revealSecret(raw.token)).toBe(TOKEN);
    expect(String(raw.token)).toBe('REDACTED');
    expect(az.log.some((l) => l.path.startsWith(`/${tenant}/oauth2/v2.0/token`) && /scope=https%3A%2F%2Fredis\.azure\.com%2F\.default/.test(l.body))).toBe(true);
  });

  it('turns a rejected client into a CloudApiError', async () => {
    const bad = await startAzureFake({ tenant, accessToken: TOKEN, expiresIn: 3600, rejectClient: true, queues: {} });
    try {
      const src = new BrokerCloudSource({
        azure: { credential: new ClientSecretCredential(tenant, 'c', 's', { authorityHost: bad.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: bad.ca.caPem } } as ConstructorParameters<typeof ClientSecretCredential>[3]) },
      });
      const e = await src.entraToken('https://redis.azure.com/.default').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CloudApiError);
      expect((e as CloudApiError).service).toBe('entra');
      expect((e as CloudApiError).message).toMatch(/AADSTS7000215/);
    } finally {
      await bad.close();
    }
  });

  it('reads queue runtime properties through ServiceBusAdministrationClient, and missing queues', async () => {
    const src = new BrokerCloudSource({ azure: { credential: credential(), serviceBusHost: () => az.host, ca: az.ca.caPem } });
    const q = await src.serviceBusQueue('ml-prod-model-engine', 'launch-endpoint-id-end_cv0d2hhn2ojg00b1q3ag');
    expect(q).toMatchObject({ exists: true, activeMessageCount: 12, deadLetterMessageCount: 3, scheduledMessageCount: 1, accessedAt: '2026-04-10T11:59:40.550Z' });
    expect(await src.serviceBusQueue('ml-prod-model-engine', 'launch-endpoint-id-end_absent')).toEqual({ name: 'launch-endpoint-id-end_absent', exists: false });
    const get = az.log.find((l) => l.path.startsWith('/launch-endpoint-id-end_cv0d2hhn2ojg00b1q3ag?'));
    expect(get?.path).toMatch(/api-version=/);
    expect(get?.authorization).toBe('Bearer …');
  });

  it('maps a 401 from Service Bus to a CloudApiError', async () => {
    const denied = await startAzureFake({ tenant, accessToken: TOKEN, expiresIn: 3600, unauthorized: true, queues: {} });
    try {
      const cred = new ClientSecretCredential(tenant, 'c', 's', { authorityHost: denied.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: denied.ca.caPem } } as ConstructorParameters<typeof ClientSecretCredential>[3]);
      const src = new BrokerCloudSource({ azure: { credential: cred, serviceBusHost: () => denied.host, ca: denied.ca.caPem } });
      const e = await src.serviceBusQueue('ml-prod-model-engine', 'model-engine-service-builder').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CloudApiError);
      expect((e as CloudApiError).status).toBe(401);
    } finally {
      await denied.close();
    }
  });

  it('reads the namespace tier ($namespaceinfo)', async () => {
    const src = new BrokerCloudSource({ azure: { credential: credential(), serviceBusHost: () => az.host, ca: az.ca.caPem } });
    expect(await src.serviceBusNamespace('ml-prod-model-engine')).toEqual({ name: 'ml-prod-model-engine', sku: 'Standard' });
  });

  it('every request had the documented shape (token form fields, api-version 2021-05)', () => {
    expect(az.log.length).toBeGreaterThan(0);
    expect(az.misses.map((m) => m.miss)).toEqual([]);
  });

  it('the stand-ins say which part of a request differed', () => {
    const u = (s: string) => new URL(s, 'http://x');
    const shape = { method: 'GET', path: '/q', query: { 'api-version': '2021-05' } };
    expect(shapeMiss('GET', u('/q?api-version=2017-04'), '', shape)).toMatch(/^query differed/);
    expect(shapeMiss('POST', u('/q?api-version=2021-05'), '', shape)).toMatch(/^method differed/);
    expect(shapeMiss('GET', u('/q?api-version=2021-05'), 'x', shape)).toMatch(/^body differed/);
    expect(shapeMiss('POST', u('/'), '{"SecretId":"a","VersionStage":"AWSPREVIOUS"}', { method: 'POST', path: '/', fields: { required: ['SecretId'], exact: true } })).toBe('body differed: unexpected VersionStage');
  });

  it.each([
    ['ml-prod-model-engine', 'ml-prod-model-engine.servicebus.windows.net'],
    ['sb://ml-prod-model-engine.servicebus.windows.net/', 'ml-prod-model-engine.servicebus.windows.net'],
    ['ns.servicebus.usgovcloudapi.net', 'ns.servicebus.usgovcloudapi.net'],
  ])('serviceBusFqdn(%s)', (input, want) => {
    expect(serviceBusFqdn(input)).toBe(want);
  });
});
