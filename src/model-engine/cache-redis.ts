/**
 * Where model-engine finds its cache Redis (facts §2.1): `HostedModelInferenceServiceConfig.cache_redis_url`'s
 * precedence over the launch keys per cloud, redis-py's reading of a Redis URL, and the Azure host form. Pure; read by
 * the `values/redis` check (the values) and the `redis/*` and `broker/*` checks (the running config).
 */
import type { Cloud } from '../engine/types.js';

export const CACHE_KEYS = [
  'cache_redis_onprem_url',
  'cache_redis_aws_url',
  'cache_redis_aws_secret_name',
  'cache_redis_azure_host',
  'cache_redis_gcp_url',
] as const;
export type CacheKey = (typeof CACHE_KEYS)[number];
export type CacheKeys = Partial<Record<CacheKey, string>>;

export type CacheRedisSource =
  | { kind: 'url'; key: CacheKey; url: string }
  | { kind: 'secret'; key: 'cache_redis_aws_secret_name'; name: string }
  | { kind: 'azure'; key: 'cache_redis_azure_host'; host: string }
  | { kind: 'fallback'; host: string; fromRedisHost: boolean }
  | { kind: 'crash'; error: string; blame?: CacheKey };

export interface CacheRedisResolution {
  source: CacheRedisSource;
  /** Keys that are set but never read on this cloud. */
  ignored: CacheKey[];
}

/**
 * `HostedModelInferenceServiceConfig.cache_redis_url` at HEAD, step by step (facts §2.1). `keys` holds the
 * truthy launch keys; `redisHost` is the chart's top-level `redisHost` (→ env REDIS_HOST).
 */
export function resolveCacheRedis(cloud: Cloud, keys: CacheKeys, redisHost?: string): CacheRedisResolution {
  const set = CACHE_KEYS.filter((k) => keys[k]);
  const others = (...winners: CacheKey[]) => set.filter((k) => !winners.includes(k));
  if (keys.cache_redis_onprem_url) {
    return { source: { kind: 'url', key: 'cache_redis_onprem_url', url: keys.cache_redis_onprem_url }, ignored: others('cache_redis_onprem_url') };
  }
  if (cloud === 'onprem') {
    if (keys.cache_redis_aws_url) {
      return { source: { kind: 'url', key: 'cache_redis_aws_url', url: keys.cache_redis_aws_url }, ignored: others('cache_redis_aws_url') };
    }
    // `redis://{REDIS_HOST or "redis"}:{getattr(infra_config(), "redis_port", 6379)}/0`; InfraConfig has no redis_port.
    return { source: { kind: 'fallback', host: redisHost ?? 'redis', fromRedisHost: redisHost !== undefined }, ignored: set };
  }
  if (cloud === 'gcp') {
    if (!keys.cache_redis_gcp_url) {
      return {
        source: { kind: 'crash', error: 'AssertionError: cache_redis_gcp_url required for GCP', ...(set[0] ? { blame: set[0] } : {}) },
        ignored: [],
      };
    }
    return { source: { kind: 'url', key: 'cache_redis_gcp_url', url: keys.cache_redis_gcp_url }, ignored: others('cache_redis_gcp_url') };
  }
  if (keys.cache_redis_aws_url) {
    if (cloud !== 'aws') return { source: { kind: 'crash', error: 'AssertionError: cache_redis_aws_url is only for AWS', blame: 'cache_redis_aws_url' }, ignored: [] };
    // Both set: the URL wins with a warning; the secret is reported by the caller (urlAndSecret), not as ignored.
    return { source: { kind: 'url', key: 'cache_redis_aws_url', url: keys.cache_redis_aws_url }, ignored: others('cache_redis_aws_url', 'cache_redis_aws_secret_name') };
  }
  if (keys.cache_redis_aws_secret_name) {
    if (cloud !== 'aws') {
      return { source: { kind: 'crash', error: 'AssertionError (cache_redis_aws_secret_name is only for AWS)', blame: 'cache_redis_aws_secret_name' }, ignored: [] };
    }
    return { source: { kind: 'secret', key: 'cache_redis_aws_secret_name', name: keys.cache_redis_aws_secret_name }, ignored: others('cache_redis_aws_secret_name') };
  }
  if (keys.cache_redis_azure_host && cloud === 'azure') {
    return { source: { kind: 'azure', key: 'cache_redis_azure_host', host: keys.cache_redis_azure_host }, ignored: others('cache_redis_azure_host') };
  }
  return {
    source: { kind: 'crash', error: 'AssertionError (no cache Redis configured for this cloud_provider)', ...(set[0] ? { blame: set[0] } : {}) },
    ignored: [],
  };
}

export type RedisUrl =
  | { ok: true; scheme: 'redis' | 'rediss'; host: string; port: number; db: number; dbProblem?: string; hasPassword: boolean }
  | { ok: false; problem: string; kind: 'scheme' | 'invalid' };

/** Parse a cache Redis URL as redis-py's `from_url` and model-engine's `cache_redis_db_index` read it. */
export function parseRedisUrl(url: string): RedisUrl {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim());
  if (!m) return { ok: false, kind: 'scheme', problem: 'has no scheme (redis-py raises "Redis URL must specify one of the following schemes (redis://, rediss://, unix://)")' };
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'redis' && scheme !== 'rediss') return { ok: false, kind: 'scheme', problem: `uses the scheme ${scheme}://; model-engine needs redis:// or rediss://` };
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return { ok: false, kind: 'invalid', problem: 'is not a valid URL' };
  }
  if (!u.hostname) return { ok: false, kind: 'invalid', problem: 'has no host' };
  const port = u.port ? Number(u.port) : 6379;
  const dbText = decodeURIComponent(u.pathname).replace(/\//g, '');
  let db = 0;
  let dbProblem: string | undefined;
  if (dbText !== '') {
    if (!/^\d+$/.test(dbText)) dbProblem = `the database "${dbText}" is not a number, so redis-py and model-engine silently use db 0`;
    else {
      db = Number(dbText);
      if (db > 15) dbProblem = `database ${db} is out of range for Redis's default 16 databases (0-15): SELECT fails with "ERR DB index is out of range"`;
    }
  }
  return { ok: true, scheme, host: u.hostname, port, db, ...(dbProblem ? { dbProblem } : {}), hasPassword: u.password !== '' };
}

/** A URL with its credentials left out, for messages. */
export function describeRedis(u: Extract<RedisUrl, { ok: true }>): string {
  return `${u.scheme}://${u.host}:${u.port}/${u.db}`;
}

export type AzureHost = { ok: true; host: string; port: number } | { ok: false; problem: string; kind: 'format' | 'port' };

/** `cache_redis_azure_host` becomes `rediss://<object id>:<token>@<value>`: it must be a bare host:port. */
export function parseAzureHost(value: string): AzureHost {
  const v = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.includes('/') || v.includes('@')) {
    return { ok: false, kind: 'format', problem: 'must be a bare host:port (model-engine prepends rediss://<object id>:<token>@ itself)' };
  }
  const m = /^([^:]+):(\d+)$/.exec(v);
  if (!m) {
    return {
      ok: false,
      kind: 'port',
      problem: 'has no port: the rediss:// URL then connects to 6379, where Azure Cache for Redis accepts no TLS (its TLS port is 6380; Azure Managed Redis uses 10000)',
    };
  }
  const port = Number(m[2]);
  if (port === 6379) return { ok: false, kind: 'port', problem: 'uses port 6379, the non-TLS port, but model-engine always connects with rediss:// (TLS): use 6380' };
  return { ok: true, host: m[1]!, port };
}
