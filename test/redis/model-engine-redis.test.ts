import { describe, expect, it } from '@jest/globals';
import type { Cloud } from '../../src/engine/index.js';
import { SecretString } from '../../src/engine/ports/secret.js';
import {
  brokerRedisPlan,
  brokerUrlFromSecret,
  builderBrokers,
  cacheRedisPlan,
  inferenceBroker,
  isClusterInternalName,
  isPrivateAddress,
  type ContainerEnv,
} from '../../checks/redis/lib/model-engine-redis.js';
import { countMatches, lineTime } from '../../checks/redis/lib/logs.js';
import { envFromValues } from '../../checks/redis/lib/running-config.js';

const AWS_URL = 'rediss://:pw@cache.aws.example:6379/15';
const GCP_URL = 'redis://10.0.0.3:6379/15';
const ONPREM_URL = 'redis://redis.ns.svc.cluster.local:6379/15';

/** The precedence of `HostedModelInferenceServiceConfig.cache_redis_url` (facts §2.1), row by row. */
describe('cacheRedisPlan — model-engine cache_redis_url precedence', () => {
  it.each<[string, Cloud, Record<string, unknown>, Record<string, string>, string]>([
    ['onprem_url wins on aws', 'aws', { cache_redis_onprem_url: ONPREM_URL, cache_redis_aws_url: AWS_URL }, {}, `url cache_redis_onprem_url ${ONPREM_URL.replace(/:pw@/, ':REDACTED@')}`],
    ['onprem_url wins on azure', 'azure', { cache_redis_onprem_url: ONPREM_URL, cache_redis_azure_host: 'c.redis.cache.windows.net:6380' }, {}, `url cache_redis_onprem_url ${ONPREM_URL}`],
    ['onprem falls back to aws_url', 'onprem', { cache_redis_aws_url: AWS_URL }, {}, 'url cache_redis_aws_url rediss://:REDACTED@cache.aws.example:6379/15'],
    ['onprem falls back to REDIS_HOST, port 6379 always', 'onprem', {}, { REDIS_HOST: 'redis-master', REDIS_PORT: '6380' }, 'fallback redis://redis-master:6379/0'],
    ['onprem falls back to "redis"', 'onprem', {}, {}, 'fallback redis://redis:6379/0'],
    ['gcp needs gcp_url', 'gcp', { cache_redis_aws_url: AWS_URL }, {}, 'crash AssertionError: cache_redis_gcp_url required for GCP'],
    ['gcp uses gcp_url', 'gcp', { cache_redis_gcp_url: GCP_URL }, {}, `url cache_redis_gcp_url ${GCP_URL}`],
    ['aws_url on aws', 'aws', { cache_redis_aws_url: AWS_URL, cache_redis_aws_secret_name: 's' }, {}, 'url cache_redis_aws_url rediss://:REDACTED@cache.aws.example:6379/15'],
    ['aws_url on azure crashes', 'azure', { cache_redis_aws_url: AWS_URL, cache_redis_azure_host: 'c:6380' }, {}, 'crash AssertionError: cache_redis_aws_url is only for AWS'],
    ['secret on aws', 'aws', { cache_redis_aws_secret_name: 'prod/redis' }, {}, 'secret prod/redis'],
    ['secret on azure crashes', 'azure', { cache_redis_aws_secret_name: 'prod/redis' }, {}, 'crash AssertionError (cache_redis_aws_secret_name is only for AWS)'],
    ['azure host with object id', 'azure', { cache_redis_azure_host: 'c.redis.cache.windows.net:6380' }, { AZURE_OBJECT_ID: 'oid-1' }, 'azure rediss://oid-1:<Entra token>@c.redis.cache.windows.net:6380/0'],
    ['azure host without port → 6379, flagged', 'azure', { cache_redis_azure_host: 'c.redis.cache.windows.net' }, {}, 'azure rediss://<AZURE_OBJECT_ID unset>:<Entra token>@c.redis.cache.windows.net:6379/0 !'],
    ['azure host on aws crashes', 'aws', { cache_redis_azure_host: 'c:6380' }, {}, 'crash AssertionError (no cache Redis configured for this cloud_provider)'],
    ['empty strings are falsy (quoted ConfigMap values)', 'aws', { cache_redis_aws_url: '', cache_redis_aws_secret_name: 'prod/redis' }, {}, 'secret prod/redis'],
  ])('%s', (_n, cloud, launch, env, want) => {
    const p = cacheRedisPlan(cloud, launch, env);
    const got =
      p.kind === 'url'
        ? `url ${p.key} ${p.target?.display}`
        : p.kind === 'fallback'
          ? `fallback ${p.target.display}`
          : p.kind === 'secret'
            ? `secret ${p.secretName}`
            : p.kind === 'azure'
              ? `azure ${p.target.display}${p.hostProblem ? ' !' : ''}`
              : `crash ${p.error}`;
    expect(got).toBe(want);
  });

  it('gives the Azure target an entra-token credential for the Redis scope', () => {
    const p = cacheRedisPlan('azure', { cache_redis_azure_host: 'c.redis.cache.windows.net:6380' }, { AZURE_OBJECT_ID: 'oid-1' });
    expect(p.kind === 'azure' && p.target.credential).toEqual({ kind: 'entra-token', username: 'oid-1', scope: 'https://redis.azure.com/.default' });
  });
});

const env = (values: Record<string, string>, fromSecret: ContainerEnv['fromSecret'] = {}): ContainerEnv => ({ values, fromSecret, opaque: [] });

describe('brokerRedisPlan — get_redis_endpoint(db)', () => {
  it.each<[string, Cloud, Record<string, unknown>, ContainerEnv, number, string]>([
    ['REDIS_HOST + REDIS_PORT', 'onprem', { redis_host: 'infra-host' }, env({ REDIS_HOST: 'r', REDIS_PORT: '6380' }), 0, 'redis://r:6380/0 env none'],
    ['REDIS_HOST alone is not enough: infra.redis_host, port 6379', 'gcp', { redis_host: 'infra-host' }, env({ REDIS_HOST: 'r' }), 3, 'redis://infra-host:6379/3 infra.redis_host none'],
    ['REDIS_AUTH_TOKEN → rediss, cert checks off', 'onprem', {}, env({ REDIS_HOST: 'r', REDIS_PORT: '6379', REDIS_AUTH_TOKEN: 'tok' }), 0, 'rediss://:REDACTED@r:6379/0?ssl_cert_reqs=none env literal'],
    ['token from a Secret', 'onprem', {}, env({ REDIS_HOST: 'r', REDIS_PORT: '6379' }, { REDIS_AUTH_TOKEN: { name: 's', key: 'auth_token' } }), 0, 'rediss://:REDACTED@r:6379/0?ssl_cert_reqs=none env secret'],
  ])('%s', (_n, cloud, infra, e, db, want) => {
    const p = brokerRedisPlan(cloud, infra, e, db, new SecretString('from-secret'));
    expect(p.kind === 'url' ? `${p.target.display} ${p.hostFrom} ${p.auth}` : p.kind).toBe(want);
  });

  it('uses the AWS secret when infra.redis_aws_secret_name is set on aws only', () => {
    expect(brokerRedisPlan('aws', { redis_aws_secret_name: 'prod/broker' }, env({}), 0)).toEqual({ kind: 'secret', secretName: 'prod/broker' });
    expect(brokerRedisPlan('gcp', { redis_aws_secret_name: 'prod/broker' }, env({}), 0).kind).toBe('missing');
  });

  it('verifies certificates only without a token, and keeps the token opaque', () => {
    const p = brokerRedisPlan('onprem', {}, env({ REDIS_HOST: 'r', REDIS_PORT: '6379', REDIS_AUTH_TOKEN: 'tok-123' }), 0);
    expect(p.kind === 'url' && [p.target.tls, p.target.verifyCertificate]).toEqual([true, false]);
    expect(JSON.stringify(p)).not.toContain('tok-123');
  });

  it.each([
    [{ scheme: 'rediss://', host: 'h', port: 6379, query_params: '?ssl_cert_reqs=none', auth_token: 't' }, 3, 'rediss://:t@h:6379/3?ssl_cert_reqs=none'],
    [{ host: 'h', port: '6379' }, 0, 'redis://h:6379/0'],
    [{ host: 'h' }, 0, undefined],
  ])('brokerUrlFromSecret(%j, %i)', (json, db, want) => {
    expect(brokerUrlFromSecret(json, db)).toBe(want);
  });
});

describe('builderBrokers / inferenceBroker — who sends where (facts §3, §4.3)', () => {
  it.each<[Cloud, boolean, string, string]>([
    ['aws', false, 'sqs', 'sqs'],
    ['aws', true, 'redis', 'redis'],
    ['azure', false, 'servicebus', 'servicebus'],
    ['azure', true, 'servicebus', 'redis'],
    ['gcp', false, 'redis', 'redis'],
    ['onprem', false, 'redis', 'sqs'],
    ['onprem', true, 'redis', 'redis'],
  ])('%s with celery_broker_type_redis=%s: gateway → %s, builder ← %s', (cloud, flag, sends, consumes) => {
    expect(builderBrokers(cloud, flag ? { celery_broker_type_redis: 'true' } : {})).toEqual({ gatewaySends: sends, builderConsumes: consumes });
  });

  it('async tasks: on-prem REDIS_24H (db 3), GCP REDIS (db 0) while forwarders read db 3', () => {
    expect(inferenceBroker('onprem', {})).toEqual({ broker: 'redis', db: 3 });
    expect(inferenceBroker('gcp', {})).toEqual({ broker: 'redis', db: 0 });
    expect(inferenceBroker('aws', {})).toEqual({ broker: 'sqs' });
  });

  it.each<[Cloud, boolean, string]>([
    ['aws', false, 'sqs'],
    ['aws', true, 'redis'],
    ['azure', false, 'servicebus'],
    ['gcp', true, 'redis'],
  ])('CIRCLECI=true (context: circleci) on %s, celery_broker_type_redis=%s: gateway → redis, builder ← %s, async tasks REDIS_24H (facts §3: "CIRCLECI or onprem")', (cloud, flag, consumes) => {
    const env = { values: { CIRCLECI: 'true' } };
    expect(builderBrokers(cloud, flag ? { celery_broker_type_redis: 'true' } : {}, env)).toEqual({ gatewaySends: 'redis', builderConsumes: consumes });
    expect(inferenceBroker(cloud, {}, env)).toEqual({ broker: 'redis', db: 3 });
    // Without it (or with another value), the cloud decides.
    expect(inferenceBroker(cloud, {}, { values: { CIRCLECI: 'false' } })).toEqual(inferenceBroker(cloud, {}));
  });

  it('envFromValues carries context: circleci as the chart does (CIRCLECI=true in every container)', () => {
    const values: Record<string, unknown> = { context: 'circleci', tag: 'abc' };
    expect(envFromValues((p) => values[p]).values).toMatchObject({ CIRCLECI: 'true', GIT_TAG: 'abc' });
    expect(envFromValues((p) => ({ context: 'production' } as Record<string, unknown>)[p]).values).not.toHaveProperty('CIRCLECI');
  });
});

describe('helpers', () => {
  it.each([
    ['redis-master.redis.svc.cluster.local', true],
    ['redis.ns.svc', true],
    ['redis', true],
    ['master.x.use1.cache.amazonaws.com', false],
    ['10.0.0.4', false],
    ['localhost', false],
  ])('isClusterInternalName(%s) = %s', (h, want) => expect(isClusterInternalName(h)).toBe(want));

  it.each([
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['100.64.0.1', true],
    ['52.1.2.3', false],
    ['fd12::1', true],
    ['127.0.0.1', false],
  ])('isPrivateAddress(%s) = %s', (ip, want) => expect(isPrivateAddress(ip)).toBe(want));

  it.each([
    ['{"message":"x","time":"2026-04-10T09:14:07.411902+00:00","level":"ERROR"}', '2026-04-10T09:14:07.411Z'],
    ['[2026-04-10 10:40:12,377: WARNING/MainProcess] consumer: lost', '2026-04-10T10:40:12.377Z'],
    ['2026-04-10T10:40:12.123456789Z kubectl --timestamps line', '2026-04-10T10:40:12.123Z'],
    ['[2026-11-18 14:05:40 +0000] [8] [INFO] Starting gunicorn', '2026-11-18T14:05:40.000Z'],
    ['INFO:     Application startup complete.', undefined],
  ])('lineTime(%s)', (line, want) => expect(lineTime(line)).toBe(want));

  it('countMatches keeps count, first/last time and samples', () => {
    const text = ['{"message":"a WRONGPASS","time":"2026-01-01T00:00:01+00:00"}', 'ok', '{"message":"b WRONGPASS","time":"2026-01-01T00:05:00+00:00"}', '{"message":"c WRONGPASS","time":"2026-01-01T00:09:00+00:00"}'].join('\n');
    const c = countMatches(text, /WRONGPASS/);
    expect(c.count).toBe(3);
    expect([c.first, c.last]).toEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:09:00.000Z']);
    expect(c.samples.map((s) => s.lineNumber)).toEqual([1, 4]);
  });

  it('envFromValues renders the env the chart injects', () => {
    const v: Record<string, unknown> = { redisHost: 'r', 'redis.authSecretName': 'auth', 'azure.object_id': 'oid', 'azure.servicebus_namespace': 'sb' };
    expect(envFromValues((p) => v[p])).toEqual({
      values: { REDIS_HOST: 'r', REDIS_PORT: '6379', AZURE_OBJECT_ID: 'oid', SERVICEBUS_NAMESPACE: 'sb' },
      fromSecret: { REDIS_AUTH_TOKEN: { name: 'auth', key: 'auth_token' } },
      opaque: [],
    });
  });
});
