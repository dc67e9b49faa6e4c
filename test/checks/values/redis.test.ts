import { describe, expect, it } from '@jest/globals';
import azureCheck from '../../../checks/values/azure.js';
import check from '../../../checks/values/redis.js';
import { parseAzureHost, parseRedisUrl, resolveCacheRedis, type CacheKeys } from '../../../src/model-engine/cache-redis.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const L = (k: string) => ({ kind: 'HelmValues', name: `config.values.launch.${k}` });

testCheck(check, {
  valid: [
    { name: 'aws-good (Secrets Manager)', values: [V('aws-good')] },
    { name: 'azure-good (Entra token, 6380)', values: [V('azure-good')] },
    { name: 'gcp-good (cache_redis_gcp_url)', values: [V('gcp-good')] },
    { name: 'onprem-good (cache_redis_onprem_url)', values: [V('onprem-good')] },
    // values/azure owns azure.object_id (test/checks/values/azure.test.ts); here it is only mentioned.
    { name: 'Azure without object id: the cache keys are fine', values: [V('azure-good'), V('redis-azure-no-object-id')] },
    { name: 'on-prem fallback from redisHost, port 6379', values: [V('onprem-good')], set: ['config.values.launch.cache_redis_onprem_url=null'] },
    { name: 'GCP with only cache_redis_onprem_url (wins on any cloud)', values: [V('gcp-good'), V('redis-gcp-onprem-url')], set: ['config.values.launch.cache_redis_gcp_url=null'] },
  ],
  invalid: [
    {
      name: 'values_sample.yaml: all three keys on AWS',
      values: [V('values_sample')],
      errors: [
        { messageId: 'urlAndSecret', status: 'warn', object: L('cache_redis_aws_secret_name') },
        { messageId: 'ignoredKey', status: 'warn', object: L('cache_redis_azure_host') },
      ],
    },
    { name: 'values_sample.yaml on Azure: the AWS URL asserts', values: [V('values_sample')], cloud: 'azure', errors: [{ messageId: 'wrongCloudKey', status: 'fail', object: L('cache_redis_aws_url') }] },
    { name: 'Azure with the AWS URL', values: [V('azure-good'), V('redis-azure-with-aws-url')], errors: [{ messageId: 'wrongCloudKey', status: 'fail', object: L('cache_redis_aws_url') }] },
    { name: 'AWS URL and secret', values: [V('aws-good'), V('redis-aws-url-and-secret')], errors: [{ messageId: 'urlAndSecret', status: 'warn' }] },
    { name: 'AWS with no key', values: [V('aws-good'), V('redis-aws-none')], errors: [{ messageId: 'missing', status: 'fail', object: L('cache_redis_aws_url') }] },
    { name: 'GCP with the AWS URL (matrix advice)', values: [V('gcp-good'), V('redis-gcp-aws-url')], errors: [{ messageId: 'wrongCloudKey', status: 'fail', object: L('cache_redis_aws_url') }] },
    { name: 'GCP: onprem URL wins, the GCP key is ignored', values: [V('gcp-good'), V('redis-gcp-onprem-url')], errors: [{ messageId: 'ignoredKey', status: 'warn', object: L('cache_redis_gcp_url') }] },
    { name: 'http:// scheme', values: [V('gcp-good'), V('redis-bad-scheme')], errors: [{ messageId: 'urlInvalid', status: 'fail', object: L('cache_redis_gcp_url') }] },
    { name: 'db 16', values: [V('onprem-good'), V('redis-db-index')], errors: [{ messageId: 'dbIndex', status: 'warn', object: L('cache_redis_onprem_url') }] },
    { name: 'Azure host without port', values: [V('azure-good'), V('redis-azure-no-port')], errors: [{ messageId: 'azureHost', status: 'fail', object: L('cache_redis_azure_host') }] },
    { name: 'on-prem redisPort ignored by the cache', values: [V('onprem-good'), V('redis-onprem-port')], errors: [{ messageId: 'portIgnored', status: 'warn', object: { kind: 'HelmValues', name: 'redisPort' } }] },
    { name: 'on-prem default redis:6379', values: [V('onprem-good'), V('redis-onprem-default')], errors: [{ messageId: 'onpremDefaultHost', status: 'warn' }] },
  ],
});

describe('resolveCacheRedis (model-engine precedence, facts §2.1)', () => {
  const url = 'redis://h:6379/15';
  it.each<[string, Parameters<typeof resolveCacheRedis>[0], CacheKeys, string | undefined, ReturnType<typeof resolveCacheRedis>]>([
    ['onprem URL wins on AWS', 'aws', { cache_redis_onprem_url: url, cache_redis_aws_url: 'redis://a/1' }, undefined,
      { source: { kind: 'url', key: 'cache_redis_onprem_url', url }, ignored: ['cache_redis_aws_url'] }],
    ['onprem URL wins on Azure even with AWS keys (no assertion)', 'azure', { cache_redis_onprem_url: url, cache_redis_aws_secret_name: 's' }, undefined,
      { source: { kind: 'url', key: 'cache_redis_onprem_url', url }, ignored: ['cache_redis_aws_secret_name'] }],
    ['on-prem takes the AWS URL', 'onprem', { cache_redis_aws_url: url, cache_redis_azure_host: 'x:6380' }, undefined,
      { source: { kind: 'url', key: 'cache_redis_aws_url', url }, ignored: ['cache_redis_azure_host'] }],
    ['on-prem falls back to REDIS_HOST', 'onprem', {}, 'redis.infra', { source: { kind: 'fallback', host: 'redis.infra', fromRedisHost: true }, ignored: [] }],
    ['on-prem falls back to "redis"', 'onprem', { cache_redis_gcp_url: url }, undefined,
      { source: { kind: 'fallback', host: 'redis', fromRedisHost: false }, ignored: ['cache_redis_gcp_url'] }],
    ['GCP needs its URL', 'gcp', { cache_redis_aws_url: url }, undefined,
      { source: { kind: 'crash', error: 'AssertionError: cache_redis_gcp_url required for GCP', blame: 'cache_redis_aws_url' }, ignored: [] }],
    ['GCP with nothing', 'gcp', {}, undefined, { source: { kind: 'crash', error: 'AssertionError: cache_redis_gcp_url required for GCP' }, ignored: [] }],
    ['GCP ignores the AWS URL when its own is set', 'gcp', { cache_redis_gcp_url: url, cache_redis_aws_url: 'redis://a' }, undefined,
      { source: { kind: 'url', key: 'cache_redis_gcp_url', url }, ignored: ['cache_redis_aws_url'] }],
    ['AWS: URL before secret (secret not listed as ignored)', 'aws', { cache_redis_aws_url: url, cache_redis_aws_secret_name: 's', cache_redis_azure_host: 'h:6380' }, undefined,
      { source: { kind: 'url', key: 'cache_redis_aws_url', url }, ignored: ['cache_redis_azure_host'] }],
    ['AWS: secret', 'aws', { cache_redis_aws_secret_name: 'prod/redis' }, undefined,
      { source: { kind: 'secret', key: 'cache_redis_aws_secret_name', name: 'prod/redis' }, ignored: [] }],
    ['Azure with the AWS URL asserts', 'azure', { cache_redis_aws_url: url, cache_redis_azure_host: 'h:6380' }, undefined,
      { source: { kind: 'crash', error: 'AssertionError: cache_redis_aws_url is only for AWS', blame: 'cache_redis_aws_url' }, ignored: [] }],
    ['Azure with the AWS secret asserts', 'azure', { cache_redis_aws_secret_name: 's', cache_redis_azure_host: 'h:6380' }, undefined,
      { source: { kind: 'crash', error: 'AssertionError (cache_redis_aws_secret_name is only for AWS)', blame: 'cache_redis_aws_secret_name' }, ignored: [] }],
    ['Azure host', 'azure', { cache_redis_azure_host: 'h:6380' }, undefined, { source: { kind: 'azure', key: 'cache_redis_azure_host', host: 'h:6380' }, ignored: [] }],
    ['Azure host on AWS asserts', 'aws', { cache_redis_azure_host: 'h:6380' }, undefined,
      { source: { kind: 'crash', error: 'AssertionError (no cache Redis configured for this cloud_provider)', blame: 'cache_redis_azure_host' }, ignored: [] }],
  ])('%s', (_name, cloud, keys, redisHost, expected) => {
    expect(resolveCacheRedis(cloud, keys, redisHost)).toEqual(expected);
  });
});

describe('parseRedisUrl', () => {
  it.each<[string, Partial<ReturnType<typeof parseRedisUrl>>]>([
    ['redis://10.0.0.4:6379/15', { ok: true, scheme: 'redis', host: '10.0.0.4', port: 6379, db: 15, hasPassword: false }],
    ['rediss://:p%40ss@master.x.use1.cache.amazonaws.com:6379/0', { ok: true, scheme: 'rediss', port: 6379, db: 0, hasPassword: true }],
    ['redis://user:pw@h', { ok: true, port: 6379, db: 0, hasPassword: true }],
    ['REDIS://h:6380/', { ok: true, scheme: 'redis', port: 6380, db: 0 }],
    ['redis://[::1]:6379/2', { ok: true, host: '[::1]', db: 2 }],
    ['redis://h:6379/16', { ok: true, db: 16 }],
    ['redis://h:6379/cache', { ok: true, db: 0 }],
    ['h:6379', { ok: false, kind: 'scheme' }],
    ['http://h:6379/0', { ok: false, kind: 'scheme' }],
    ['unix:///var/run/redis.sock', { ok: false, kind: 'scheme' }],
    ['redis://h:99999/0', { ok: false, kind: 'invalid' }],
    ['redis:///0', { ok: false, kind: 'invalid' }],
  ])('%s', (url, expected) => {
    expect(parseRedisUrl(url)).toMatchObject(expected);
  });

  it.each<[string, RegExp | undefined]>([
    ['redis://h/15', undefined],
    ['redis://h/16', /out of range/],
    ['redis://h/cache', /not a number/],
  ])('db problems: %s', (url, problem) => {
    const u = parseRedisUrl(url);
    if (!u.ok) throw new Error('expected ok');
    if (problem) expect(u.dbProblem).toMatch(problem);
    else expect(u.dbProblem).toBeUndefined();
  });
});

describe('parseAzureHost', () => {
  it.each<[string, ReturnType<typeof parseAzureHost> | { ok: false; kind: string }]>([
    ['acme.redis.cache.windows.net:6380', { ok: true, host: 'acme.redis.cache.windows.net', port: 6380 }],
    ['acme.eastus.redis.azure.net:10000', { ok: true, host: 'acme.eastus.redis.azure.net', port: 10000 }],
    ['acme.redis.cache.windows.net', { ok: false, kind: 'port' }],
    ['acme.redis.cache.windows.net:6379', { ok: false, kind: 'port' }],
    ['rediss://acme.redis.cache.windows.net:6380', { ok: false, kind: 'format' }],
    ['acme.redis.cache.windows.net:6380/0', { ok: false, kind: 'format' }],
  ])('%s', (host, expected) => {
    expect(parseAzureHost(host)).toMatchObject(expected);
  });
});

describe('secrets', () => {
  it('never prints the password of a cache URL', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('aws-good'), V('redis-aws-url-and-secret')] });
    const text = JSON.stringify(rs);
    expect(text).not.toContain('Sup3rS3cretRedisPassw0rd');
    expect(text).toContain('rediss://:REDACTED@master.llm-engine-prod.x1y2z3.use1.cache.amazonaws.com:6379/15');
  });

  it('the pass message shows scheme, host, port and db only', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('aws-good'), V('redis-aws-url-and-secret')], set: ['config.values.launch.cache_redis_aws_secret_name=null'] });
    expect(rs.map((r) => [r.status, r.message])).toEqual([
      ['pass', 'The cache Redis comes from config.values.launch.cache_redis_aws_url: rediss://master.llm-engine-prod.x1y2z3.use1.cache.amazonaws.com:6379/15'],
    ]);
  });
});

describe('remediation', () => {
  it('Azure with the AWS URL: remove it, set the Azure host', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('azure-good'), V('redis-azure-with-aws-url')] });
    if (r?.status !== 'fail') throw new Error('expected a failure');
    expect(r.message).toBe(
      'config.values.launch.cache_redis_aws_url is set on Azure, where cache_redis_url raises AssertionError: cache_redis_aws_url is only for AWS: the gateway, builder and cacher fail on their first Redis use',
    );
    expect(r.remediation.values).toBe(
      'config:\n  values:\n    launch:\n      cache_redis_aws_url: null  # not read on Azure\n      cache_redis_azure_host: "<name>.redis.cache.windows.net:6380"\n',
    );
  });

  it('on-prem port: a cache URL with the real port', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('onprem-good'), V('redis-onprem-port')] });
    const r = rs.find((x) => x.messageId === 'portIgnored');
    if (r?.status !== 'warn') throw new Error('expected a warning');
    expect(r.remediation.values).toContain('      cache_redis_onprem_url: redis://redis-master.llm-engine-infra.svc.cluster.local:6380/15\n');
  });
});

describe('azure.object_id has one owner (values/azure)', () => {
  const c = { name: '', values: [V('azure-good'), V('redis-azure-no-object-id')] };
  it('values/redis mentions it in its message and evidence, without a fail or warn of its own', async () => {
    const rs = await runCase(check, c);
    expect(rs.map((r) => [r.status, r.messageId])).toEqual([['pass', 'resolved']]);
    expect(rs[0]!.message).toContain('azure.object_id is not set, see values/azure');
    expect(rs[0]!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'azure.object_id', missing: true }));
  });

  it('the two checks together report it exactly once', async () => {
    const all = [...(await runCase(check, c)), ...(await runCase(azureCheck, c))];
    const about = all.filter((r) => (r.status === 'fail' || r.status === 'warn') && r.object?.name === 'azure.object_id');
    expect(about.map((r) => `${r.id} ${r.messageId}`)).toEqual(['values/azure missing']);
  });
});
