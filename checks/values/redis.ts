import { defineCheck, fail, pass, warn, type Cloud, type Evidence, type Finding } from '../../src/engine/index.js';
import { keyRef, str, valuesSnippet } from './support/snippet.js';
import {
  CACHE_KEYS,
  describeRedis,
  parseAzureHost,
  parseRedisUrl,
  resolveCacheRedis,
  type CacheKey,
  type CacheKeys,
} from '../../src/model-engine/cache-redis.js';

const L = 'config.values.launch.';

const EXAMPLES: Record<Cloud, { key: CacheKey; value: string }> = {
  aws: { key: 'cache_redis_aws_url', value: 'rediss://<elasticache-primary-endpoint>:6379/15' },
  azure: { key: 'cache_redis_azure_host', value: '<name>.redis.cache.windows.net:6380' },
  gcp: { key: 'cache_redis_gcp_url', value: 'redis://<memorystore-ip>:6379/15' },
  onprem: { key: 'cache_redis_onprem_url', value: 'redis://redis-master.<namespace>.svc.cluster.local:6379/15' },
};

export default defineCheck({
  meta: {
    id: 'values/redis',
    title: 'Cache Redis configured for the cloud',
    description:
      "The cache Redis keys resolve, in model-engine's own precedence, to a usable Redis for this cloud: no assertion at start, a parseable redis:// or rediss:// URL, a valid database, Azure's TLS port.",
    clouds: ['aws', 'azure', 'gcp', 'onprem'],
    severity: 'critical',
    needs: ['values'],
    scopes: ['preflight', 'triage'],
    messages: {
      resolved: 'The cache Redis comes from {{key}}: {{target}}',
      onpremUrlWins:
        'config.values.launch.cache_redis_onprem_url is set, and it wins on every cloud: {{cloud}} uses {{target}} and ignores the {{cloud}}-specific keys',
      missing: '{{cloud}} needs {{needed}}, and none is set: cache_redis_url raises {{error}} and the gateway, builder and cacher fail on their first Redis use',
      wrongCloudKey: '{{key}} is set on {{cloud}}, where cache_redis_url raises {{error}}: the gateway, builder and cacher fail on their first Redis use',
      urlAndSecret:
        'Both cache_redis_aws_url and cache_redis_aws_secret_name are set: the URL wins (model-engine logs a warning) and the secret is never read',
      ignoredKey: '{{key}} is set but never read on {{cloud}}: {{winner}} decides the cache Redis',
      urlInvalid: '{{key}} {{problem}}',
      dbIndex: '{{key}}: {{problem}}',
      azureHost: '{{key}} "{{value}}" {{problem}}',
      onpremDefaultHost:
        'No cache Redis is configured and redisHost is not set: on-prem model-engine falls back to redis://redis:6379/0, which needs a Service named "redis" in the control-plane namespace',
      portIgnored:
        'redisPort is {{port}}, but the on-prem cache URL is always redis://{{host}}:6379/0 (REDIS_PORT is not read there; only the Celery broker uses it)',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const cloud = ctx.cloud!;
    const profile = ctx.matrix!;
    const findings: Finding[] = [];
    const keys: CacheKeys = {};
    for (const k of CACHE_KEYS) {
      const v = str(values, L + k);
      if (v) keys[k] = v;
    }
    const redisHost = str(values, 'redisHost');
    const { source, ignored } = resolveCacheRedis(cloud, keys, redisHost);
    const ev = (k: CacheKey): Evidence => values.evidence(L + k);
    const example = EXAMPLES[cloud];
    const winnerKey = source.kind === 'url' || source.kind === 'secret' || source.kind === 'azure' ? source.key : undefined;
    let target = '';

    switch (source.kind) {
      case 'crash': {
        if (source.blame) {
          findings.push(
            fail('wrongCloudKey', {
              object: keyRef(L + source.blame),
              evidence: [ev(source.blame), values.evidence('config.values.infra.cloud_provider')],
              data: { key: L + source.blame, cloud: profile.displayName, error: source.error },
              remediation: {
                summary: `Remove ${source.blame} and set ${example.key}, the ${profile.displayName} key (cache_redis_onprem_url also works on any cloud).`,
                values: valuesSnippet([
                  { path: L + source.blame, value: null, comment: `not read on ${profile.displayName}` },
                  { path: L + example.key, value: example.value },
                ]),
              },
            }),
          );
        } else {
          const needed = profile.redisKeys.filter((k) => k !== 'cache_redis_onprem_url').map((k) => L + k);
          findings.push(
            fail('missing', {
              object: keyRef(L + example.key),
              evidence: profile.redisKeys.map((k) => values.evidence(L + k)),
              data: { cloud: profile.displayName, needed: needed.join(' or '), error: source.error },
              remediation: { summary: `Set ${L + example.key}.`, values: valuesSnippet([{ path: L + example.key, value: example.value }]) },
            }),
          );
        }
        break;
      }
      case 'url': {
        const u = parseRedisUrl(source.url);
        if (!u.ok) {
          findings.push(
            fail('urlInvalid', {
              object: keyRef(L + source.key),
              evidence: [ev(source.key)],
              data: { key: L + source.key, problem: u.problem },
              remediation: { summary: 'Write the cache Redis as redis://host:port/db (rediss:// for TLS).', values: valuesSnippet([{ path: L + source.key, value: example.value.replace(/^rediss?:/, 'redis:') }]) },
            }),
          );
          break;
        }
        target = describeRedis(u);
        if (u.dbProblem) {
          findings.push(
            warn('dbIndex', {
              object: keyRef(L + source.key),
              evidence: [ev(source.key)],
              severity: 'medium',
              data: { key: L + source.key, problem: u.dbProblem },
              remediation: {
                summary: 'Use database 15, the one model-engine keeps Celery off ("15 is reserved for storing data on k8s deployments", core/celery/app.py).',
                values: valuesSnippet([{ path: L + source.key, value: `${u.scheme}://${u.host}:${u.port}/15` }]),
              },
            }),
          );
        }
        break;
      }
      case 'secret':
        target = `AWS Secrets Manager secret ${source.name}, JSON key "cache-url" (read at runtime with the control plane's role)`;
        break;
      case 'azure': {
        const h = parseAzureHost(source.host);
        if (!h.ok) {
          const host = source.host.replace(/^[a-z]+:\/\//i, '').replace(/^.*@/, '').split(/[:/]/)[0] ?? '<name>.redis.cache.windows.net';
          findings.push(
            fail('azureHost', {
              object: keyRef(L + source.key),
              evidence: [ev(source.key)],
              data: { key: L + source.key, value: source.host, problem: h.problem },
              remediation: { summary: 'Set cache_redis_azure_host to <name>.redis.cache.windows.net:6380.', values: valuesSnippet([{ path: L + source.key, value: `${host}:6380` }]) },
            }),
          );
        } else {
          // The username is azure.object_id, which values/azure owns (a missing one is its finding, not a second one here).
          const user = str(values, 'azure.object_id') ? '<AZURE_OBJECT_ID>' : '<AZURE_OBJECT_ID: azure.object_id is not set, see values/azure>';
          target = `rediss://${user}:<Entra token>@${h.host}:${h.port}`;
        }
        break;
      }
      case 'fallback': {
        target = `redis://${source.host}:6379/0 (on-prem fallback${source.fromRedisHost ? ' from redisHost' : ''})`;
        if (!source.fromRedisHost) {
          findings.push(
            warn('onpremDefaultHost', {
              object: keyRef(L + 'cache_redis_onprem_url'),
              evidence: [values.evidence(L + 'cache_redis_onprem_url'), values.evidence('redisHost')],
              severity: 'high',
              remediation: { summary: 'Set cache_redis_onprem_url (or redisHost) to your Redis.', values: valuesSnippet([{ path: L + 'cache_redis_onprem_url', value: example.value }]) },
            }),
          );
        }
        const port = str(values, 'redisPort');
        if (source.fromRedisHost && port !== undefined && port !== '6379') {
          findings.push(
            warn('portIgnored', {
              object: keyRef('redisPort'),
              evidence: [values.evidence('redisPort'), values.evidence('redisHost')],
              severity: 'high',
              data: { port, host: source.host },
              remediation: {
                summary: 'Give the cache its own URL with the right port: cache_redis_onprem_url wins over the fallback.',
                values: valuesSnippet([{ path: L + 'cache_redis_onprem_url', value: `redis://${source.host}:${port}/15` }]),
              },
            }),
          );
        }
        break;
      }
    }

    if (keys.cache_redis_aws_url && keys.cache_redis_aws_secret_name && winnerKey === 'cache_redis_aws_url') {
      findings.push(
        warn('urlAndSecret', {
          object: keyRef(L + 'cache_redis_aws_secret_name'),
          evidence: [ev('cache_redis_aws_url'), ev('cache_redis_aws_secret_name')],
          severity: 'low',
          remediation: {
            summary: 'Keep one: the Secrets Manager secret (recommended, no credentials in values) or the URL.',
            values: valuesSnippet([{ path: L + 'cache_redis_aws_url', value: null, comment: 'the secret is read only when the URL is absent' }]),
          },
        }),
      );
    }
    for (const k of ignored) {
      const winner = winnerKey ? L + winnerKey : source.kind === 'fallback' ? 'the on-prem fallback' : 'another key';
      findings.push(
        warn('ignoredKey', {
          object: keyRef(L + k),
          evidence: [ev(k), ...(winnerKey ? [ev(winnerKey)] : [])],
          severity: 'low',
          data: { key: L + k, cloud: profile.displayName, winner },
          remediation: { summary: `Remove ${k}; it only misleads readers of these values.`, values: valuesSnippet([{ path: L + k, value: null, comment: `not read on ${profile.displayName}` }]) },
        }),
      );
    }

    if (findings.some((f) => f.status === 'fail' || f.status === 'warn')) return findings;
    if (winnerKey === 'cache_redis_onprem_url' && cloud !== 'onprem') {
      return pass('onpremUrlWins', { object: keyRef(L + winnerKey), evidence: [ev(winnerKey)], data: { cloud: profile.displayName, target } });
    }
    const key = winnerKey ? L + winnerKey : 'redisHost';
    const evidence = [values.evidence(key), ...(source.kind === 'azure' ? [values.evidence('azure.object_id')] : [])];
    return pass('resolved', { object: keyRef(key), evidence, data: { key, target } });
  },
});
