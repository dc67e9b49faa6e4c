import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientSecretCredential } from '@azure/identity';
import check from '../../../checks/redis/cache-url.js';
import { BrokerCloudSource } from '../../../src/sources/cloud/broker-cloud.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { lazy, startAwsFake, startAzureFake } from '../../support/cloud-fakes.js';

let aws: Awaited<ReturnType<typeof startAwsFake>> | undefined;
let awsEmpty: Awaited<ReturnType<typeof startAwsFake>> | undefined;
let az: Awaited<ReturnType<typeof startAzureFake>> | undefined;
let withSecret: BrokerCloudSource | undefined;
let withoutSecret: BrokerCloudSource | undefined;
let azure: BrokerCloudSource | undefined;
let noSecrets: BrokerCloudSource | undefined;
let azureRejected: BrokerCloudSource | undefined;
let azBad: Awaited<ReturnType<typeof startAzureFake>> | undefined;
let awsNone: Awaited<ReturnType<typeof startAwsFake>> | undefined;
let awsBadUrl: Awaited<ReturnType<typeof startAwsFake>> | undefined;
let awsDenied: Awaited<ReturnType<typeof startAwsFake>> | undefined;
let badUrl: BrokerCloudSource | undefined;
let denied: BrokerCloudSource | undefined;
const CREDS = { accessKeyId: 'AKIDEXAMPLETESTONLY1', secretAccessKey: 'test-secret-access-key' };
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

beforeAll(async () => {
  aws = await startAwsFake({
    secrets: {
      'ml-prod/model-engine/redis-cache': JSON.stringify({ 'cache-url': 'rediss://:cache-pw-31x@master.ml-prod-model-engine.x7k2pq.use1.cache.amazonaws.com:6379/15' }),
    },
    queues: {},
  });
  awsEmpty = await startAwsFake({ secrets: { 'ml-prod/model-engine/redis-cache': JSON.stringify({ url: 'rediss://old-format:6379/0' }) }, queues: {} });
  az = await startAzureFake({ tenant: TENANT, accessToken: 'eyJhbGciOi.test-token.sig', expiresIn: 4799, queues: {} });
  awsNone = await startAwsFake({ secrets: {}, queues: {} });
  // The ElastiCache console's "Primary endpoint" pasted as is: host:port, no scheme, no db.
  awsBadUrl = await startAwsFake({ secrets: { 'ml-prod/model-engine/redis-cache': JSON.stringify({ 'cache-url': 'master.ml-prod-model-engine.x7k2pq.use1.cache.amazonaws.com:6379' }) }, queues: {} });
  // The operator's IAM user may not read the secret: Secrets Manager answers AccessDeniedException (HTTP 400).
  awsDenied = await startAwsFake({
    secrets: {},
    queues: {},
    denyAll: {
      error: 'AccessDeniedException',
      message: 'User: arn:aws:iam::111122223333:user/oncall is not authorized to perform: secretsmanager:GetSecretValue on resource: ml-prod/model-engine/redis-cache because no identity-based policy allows the secretsmanager:GetSecretValue action',
    },
  });
  badUrl = new BrokerCloudSource({ aws: { endpoint: awsBadUrl.endpoint, region: 'us-east-1', credentials: CREDS } });
  denied = new BrokerCloudSource({ aws: { endpoint: awsDenied.endpoint, region: 'us-east-1', credentials: CREDS } });
  noSecrets = new BrokerCloudSource({ aws: { endpoint: awsNone.endpoint, region: 'us-east-1', credentials: CREDS } });
  azBad = await startAzureFake({ tenant: TENANT, accessToken: 'x', expiresIn: 1, rejectClient: true, queues: {} });
  azureRejected = new BrokerCloudSource({
    azure: { credential: new ClientSecretCredential(TENANT, 'client', 'wrong', { authorityHost: azBad.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: azBad.ca.caPem } } as ConstructorParameters<typeof ClientSecretCredential>[3]) },
  });
  withSecret = new BrokerCloudSource({ aws: { endpoint: aws.endpoint, region: 'us-east-1', credentials: CREDS } });
  withoutSecret = new BrokerCloudSource({ aws: { endpoint: awsEmpty.endpoint, region: 'us-east-1', credentials: CREDS } });
  azure = new BrokerCloudSource({
    azure: { credential: new ClientSecretCredential(TENANT, 'client', 'secret', { authorityHost: az.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: az.ca.caPem } } as ConstructorParameters<typeof ClientSecretCredential>[3]) },
  });
});
afterAll(async () => {
  await Promise.all([aws?.close(), awsEmpty?.close(), az?.close(), awsNone?.close(), azBad?.close(), awsBadUrl?.close(), awsDenied?.close()]);
});

testCheck(check, {
  valid: [
    { name: 'on-prem cache URL from the live ConfigMap', snapshot: 'fixtures/clusters/onprem-redis-broker' },
    { name: 'Azure host with AZURE_OBJECT_ID, no --cloud-api', snapshot: 'fixtures/clusters/azure-healthy' },
    { name: 'AWS secret not read without --cloud-api', snapshot: 'fixtures/clusters/healthy-aws' },
    { name: 'AWS secret read with --cloud-api', snapshot: 'fixtures/clusters/healthy-aws', options: { cloudApi: true }, ports: { cloud: lazy(() => withSecret) } },
    { name: 'Azure Entra token issued with --cloud-api', snapshot: 'fixtures/clusters/azure-healthy', options: { cloudApi: true }, ports: { cloud: lazy(() => azure) } },
    { name: 'values only: onprem fallback', values: ['fixtures/values/onprem-good.yaml'], cloud: 'onprem' },
  ],
  invalid: [
    {
      name: 'values: cache_redis_aws_url on GCP raises',
      set: ['config.values.infra.cloud_provider=gcp', 'config.values.launch.cache_redis_aws_url=redis://x:6379/0'],
      cloud: 'gcp',
      errors: [{ messageId: 'crashes', object: { kind: 'HelmValues' } }],
    },
    {
      name: 'values: Azure without azure.object_id, host without port',
      set: ['config.values.infra.cloud_provider=azure', 'config.values.launch.cache_redis_azure_host=c.redis.cache.windows.net'],
      cloud: 'azure',
      errors: [{ messageId: 'azureNoObjectId' }, { messageId: 'azureHostPort' }],
    },
    {
      name: 'secret without the cache-url key',
      snapshot: 'fixtures/clusters/healthy-aws',
      options: { cloudApi: true },
      ports: { cloud: lazy(() => withoutSecret) },
      errors: [{ messageId: 'secretNoKey', object: { kind: 'ConfigMap', name: 'model-engine-service-config' } }],
    },
    {
      name: 'secret whose cache-url is the console endpoint host:port, not a URL',
      snapshot: 'fixtures/clusters/healthy-aws',
      options: { cloudApi: true },
      ports: { cloud: lazy(() => badUrl) },
      errors: [{ messageId: 'secretBadUrl', status: 'fail', severity: 'critical', object: { kind: 'ConfigMap', name: 'model-engine-service-config' } }],
    },
    {
      name: "your IAM user may not read the secret (AccessDeniedException): a low warning, the pods' role may",
      snapshot: 'fixtures/clusters/healthy-aws',
      options: { cloudApi: true },
      ports: { cloud: lazy(() => denied) },
      errors: [{ messageId: 'secretUnreadable', status: 'warn', severity: 'low', object: { kind: 'ConfigMap', name: 'model-engine-service-config' } }],
    },
    {
      name: 'secret that does not exist',
      snapshot: 'fixtures/clusters/demo-aws',
      options: { cloudApi: true },
      ports: { cloud: lazy(() => noSecrets) },
      errors: [{ messageId: 'secretMissing' }],
    },
    {
      name: 'Entra token refused for your identity (a warning, not proof about the pods)',
      snapshot: 'fixtures/clusters/azure-healthy',
      options: { cloudApi: true },
      ports: { cloud: lazy(() => azureRejected) },
      errors: [{ messageId: 'azureTokenFailed', status: 'warn' }],
    },
  ],
});

describe('redis/cache-url: what a bad or unreadable secret says', () => {
  it('a cache-url without a scheme: names the secret, never its value, and says how to write it', async () => {
    const [r, ...rest] = await runCase(check, { name: 'x', snapshot: 'fixtures/clusters/healthy-aws', options: { cloudApi: true }, ports: { cloud: lazy(() => badUrl) } });
    expect(rest).toEqual([]);
    if (r?.status !== 'fail') throw new Error('expected a failure');
    expect(r.message).toBe('The "cache-url" in secret ml-prod/model-engine/redis-cache is not a redis:// or rediss:// URL');
    expect(r.remediation.summary).toBe('Make "cache-url" a redis:// or rediss:// URL with host, port and db.');
    expect(r.evidence).toContainEqual({ type: 'probe', target: 'AWS Secrets Manager ml-prod/model-engine/redis-cache', detail: 'key cache-url present' });
    expect(JSON.stringify(r)).not.toContain('x7k2pq');
  });

  it('AccessDenied: names the code and the denied action, and the command to read it with other credentials', async () => {
    const [r] = await runCase(check, { name: 'x', snapshot: 'fixtures/clusters/healthy-aws', options: { cloudApi: true }, ports: { cloud: lazy(() => denied) } });
    if (r?.status !== 'warn') throw new Error('expected a warning');
    expect(r.message).toMatch(/^Could not read Secrets Manager secret ml-prod\/model-engine\/redis-cache with your credentials \(AccessDeniedException: .*not authorized to perform: secretsmanager:GetSecretValue.*\); the pods use their own role/);
    expect(r.remediation.commands).toEqual(["aws secretsmanager get-secret-value --secret-id ml-prod/model-engine/redis-cache --query SecretString --output text | jq 'keys'"]);
  });
});
