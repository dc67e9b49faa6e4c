/**
 * How model-engine finds its Redis servers and brokers, as pure functions over the running config (the service
 * ConfigMap's launch/infra config and the gateway container's env) — shared by the `redis` and `broker` checks.
 * Precedence of the cache URL is `resolveCacheRedis` (src/model-engine/cache-redis.ts, facts §2.1); this module turns its
 * answer into a probe target, and adds the Celery Redis broker URL (facts §4.2) and the queue/broker pairing (§3, §4.3).
 */
import { str } from '../../../src/engine/index.js';
import type { Cloud, Container, Deployment, KubeObject, Pod } from '../../../src/engine/index.js';
import type { PodRef } from '../../../src/engine/ports/exec.js';
import { redisTargetFromUrl, type RedisTarget } from '../../../src/engine/ports/redis.js';
import { SecretString } from '../../../src/engine/ports/secret.js';
import { CACHE_KEYS, parseAzureHost, resolveCacheRedis, type CacheKeys } from '../../../src/model-engine/cache-redis.js';

/** The secret key model-engine reads (`get_key_file(name)["cache-url"]`); older images read `url`. */
export const SECRET_URL_KEY = 'cache-url';

export const AZURE_REDIS_SCOPE = 'https://redis.azure.com/.default';
export const BUILDER_QUEUE = 'model-engine-service-builder';
export const GATEWAY = 'model-engine';
export const BUILDER = 'model-engine-endpoint-builder';
export const CACHER = 'model-engine-cacher';
/** Control-plane Deployments whose logs and env the checks read, with what each does. */
export const CONTROL_PLANE = [
  { name: GATEWAY, role: 'gateway' },
  { name: BUILDER, role: 'builder' },
  { name: CACHER, role: 'cacher' },
] as const;

const secret = (s: string) => new SecretString(s);

/** The env of one container as the pod sees it: literal values, and which names come from a Secret/ConfigMap. */
export interface ContainerEnv {
  values: Record<string, string>;
  fromSecret: Record<string, { name: string; key: string }>;
  /** Names set in some other way (fieldRef, configMapKeyRef, resourceFieldRef): present but unknown. */
  opaque: string[];
}

export function containerEnv(c: Container | undefined): ContainerEnv {
  const out: ContainerEnv = { values: {}, fromSecret: {}, opaque: [] };
  for (const e of c?.env ?? []) {
    if (e.value !== undefined) out.values[e.name] = e.value;
    else if (e.valueFrom) {
      const name = str(e.valueFrom, 'secretKeyRef', 'name');
      const key = str(e.valueFrom, 'secretKeyRef', 'key');
      if (name && key) out.fromSecret[e.name] = { name, key };
      else out.opaque.push(e.name);
    }
  }
  return out;
}

/** The main container of a control-plane Deployment (its own name, else the first that is not a sidecar). */
export function mainContainer(d: Deployment | undefined): Container | undefined {
  const cs = d?.spec.template.spec.containers ?? [];
  return cs.find((c) => c.name === d?.metadata.name) ?? cs.find((c) => c.name !== 'istio-proxy') ?? cs[0];
}

/** Python truthiness of a rendered config value: `""`, `false`, `0`, null and absent are falsy. */
function truthyString(v: unknown): string | undefined {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return undefined;
  return String(v);
}

export type CacheRedisPlan =
  | { kind: 'url'; key: string; url: string; target?: RedisTarget }
  | { kind: 'fallback'; url: string; target: RedisTarget; fromRedisHost: boolean }
  | { kind: 'secret'; key: 'cache_redis_aws_secret_name'; secretName: string }
  | { kind: 'azure'; key: 'cache_redis_azure_host'; host: string; target: RedisTarget; objectId?: string; hostProblem?: string }
  | { kind: 'crash'; error: string; blame?: string };

/**
 * `hmi_config.cache_redis_url` for this config: what the gateway, builder and cacher connect to. `env` is the
 * gateway container's env (REDIS_HOST for the on-prem fallback, AZURE_OBJECT_ID for the Entra username).
 */
export function cacheRedisPlan(cloud: Cloud, launch: Record<string, unknown>, env: Record<string, string>): CacheRedisPlan {
  const keys: CacheKeys = {};
  for (const k of CACHE_KEYS) {
    const v = truthyString(launch[k]);
    if (v) keys[k] = v;
  }
  const { source } = resolveCacheRedis(cloud, keys, env.REDIS_HOST || undefined);
  switch (source.kind) {
    case 'crash':
      return { kind: 'crash', error: source.error, ...(source.blame ? { blame: source.blame } : {}) };
    case 'url': {
      const target = redisTargetFromUrl(source.url, secret);
      return { kind: 'url', key: source.key, url: source.url, ...(target ? { target } : {}) };
    }
    case 'fallback': {
      // `redis://{REDIS_HOST or "redis"}:6379/0` — InfraConfig has no redis_port, so the port is always 6379.
      const url = `redis://${source.host}:6379/0`;
      return { kind: 'fallback', url, target: redisTargetFromUrl(url, secret)!, fromRedisHost: source.fromRedisHost };
    }
    case 'secret':
      return { kind: 'secret', key: source.key, secretName: source.name };
    case 'azure': {
      const parsed = parseAzureHost(source.host);
      // redis-py reads `rediss://oid:token@host` with no port as port 6379, db 0.
      const [h, p] = source.host.split(':');
      const host = parsed.ok ? parsed.host : (h ?? source.host);
      const port = parsed.ok ? parsed.port : /^\d+$/.test(p ?? '') ? Number(p) : 6379;
      const objectId = env.AZURE_OBJECT_ID || undefined;
      const target: RedisTarget = {
        host,
        port,
        tls: true,
        verifyCertificate: true,
        db: 0,
        credential: { kind: 'entra-token', ...(objectId ? { username: objectId } : {}), scope: AZURE_REDIS_SCOPE },
        display: `rediss://${objectId ?? '<AZURE_OBJECT_ID unset>'}:<Entra token>@${host}:${port}/0`,
      };
      return { kind: 'azure', key: source.key, host: source.host, target, ...(objectId ? { objectId } : {}), ...(parsed.ok ? {} : { hostProblem: parsed.problem }) };
    }
  }
}

/** The target a Secrets Manager secret's `cache-url` names (undefined when it is not a Redis URL). */
export function targetFromSecretUrl(url: string): RedisTarget | undefined {
  return redisTargetFromUrl(url, secret);
}

// --- Celery brokers ------------------------------------------------------------------------------------

export type BrokerKind = 'redis' | 'sqs' | 'servicebus';

/** Celery `TaskVisibility` → Redis db index (core/celery/app.py). */
export const VISIBILITY_DB = { VISIBILITY_1H: 0, VISIBILITY_10M: 1, VISIBILITY_1M: 2, VISIBILITY_24H: 3 } as const;

/** `infra.celery_broker_type_redis`, as Python truthiness of the rendered config. */
/** CIRCLECI=true in the gateway's environment (set by the chart for `context: circleci`). */
export function circleci(env: { values: Record<string, string> } | undefined): boolean {
  return (env?.values.CIRCLECI ?? '').toLowerCase() === 'true';
}

export function redisBrokerFlag(infra: Record<string, unknown>): boolean {
  const v = infra.celery_broker_type_redis;
  return v === true || (typeof v === 'string' && v !== '' && v.toLowerCase() !== 'false');
}

/**
 * Where builder tasks go and where the builder listens (facts §3 task queues, §4.3 service builder): the gateway
 * sends with `onprem → REDIS; azure → SERVICEBUS; gcp or celery_broker_type_redis → REDIS; else SQS`, the
 * builder consumes with `celery_broker_type_redis → redis; azure → servicebus; gcp → redis; else sqs`.
 */
export function builderBrokers(cloud: Cloud, infra: Record<string, unknown>, env?: { values: Record<string, string> }): { gatewaySends: BrokerKind; builderConsumes: BrokerKind } {
  const flag = redisBrokerFlag(infra);
  // CIRCLECI=true (values `context: circleci`) sends the gateway's tasks to Redis as on-prem does, whatever the
  // cloud (facts §3 task queues: `CIRCLECI or onprem` → REDIS); the builder consumes by its own broker type.
  const gatewaySends: BrokerKind = cloud === 'onprem' || circleci(env) ? 'redis' : cloud === 'azure' ? 'servicebus' : cloud === 'gcp' || flag ? 'redis' : 'sqs';
  const builderConsumes: BrokerKind = flag ? 'redis' : cloud === 'azure' ? 'servicebus' : cloud === 'gcp' ? 'redis' : 'sqs';
  return { gatewaySends, builderConsumes };
}

/** Async inference tasks: the gateway's broker and visibility (db) — forwarders always consume VISIBILITY_24H. */
export function inferenceBroker(cloud: Cloud, infra: Record<string, unknown>, env?: { values: Record<string, string> }): { broker: BrokerKind; db?: number } {
  if (cloud === 'onprem' || circleci(env)) return { broker: 'redis', db: VISIBILITY_DB.VISIBILITY_24H };
  if (cloud === 'azure') return { broker: 'servicebus' };
  if (cloud === 'gcp' || redisBrokerFlag(infra)) return { broker: 'redis', db: VISIBILITY_DB.VISIBILITY_1H };
  return { broker: 'sqs' };
}

export type BrokerRedisPlan =
  | { kind: 'url'; url: string; target: RedisTarget; hostFrom: 'env' | 'infra.redis_host'; auth: 'none' | 'literal' | 'secret'; authSecret?: { name: string; key: string } }
  | { kind: 'secret'; secretName: string }
  | { kind: 'missing'; why: string };

/**
 * `get_redis_endpoint(db)` as the gateway/builder run it in-cluster (facts §4.2): an AWS secret when
 * `infra.redis_aws_secret_name`; else `REDIS_HOST` and `REDIS_PORT` env (both needed), else `infra.redis_host`
 * port 6379; `REDIS_AUTH_TOKEN` turns it into `rediss://:<token>@host:port/db?ssl_cert_reqs=none`.
 * `authToken` is the token when known (literal env, or read from its Secret by the caller).
 */
export function brokerRedisPlan(
  cloud: Cloud,
  infra: Record<string, unknown>,
  env: ContainerEnv,
  db: number,
  authToken?: SecretString,
): BrokerRedisPlan {
  const secretName = truthyString(infra.redis_aws_secret_name);
  if (secretName && cloud === 'aws') return { kind: 'secret', secretName };
  let host: string | undefined;
  let port = 6379;
  let hostFrom: 'env' | 'infra.redis_host' = 'env';
  if (env.values.REDIS_HOST && env.values.REDIS_PORT) {
    host = env.values.REDIS_HOST;
    port = Number(env.values.REDIS_PORT) || 6379;
  } else if (truthyString(infra.redis_host)) {
    host = String(infra.redis_host);
    hostFrom = 'infra.redis_host';
  }
  if (!host) {
    return {
      kind: 'missing',
      why: env.values.REDIS_HOST
        ? 'REDIS_HOST is set but REDIS_PORT is not, and infra.redis_host is empty (get_redis_host_port needs both env vars)'
        : 'neither REDIS_HOST/REDIS_PORT env nor infra.redis_host is set',
    };
  }
  const literal = env.values.REDIS_AUTH_TOKEN;
  const fromSecret = env.fromSecret.REDIS_AUTH_TOKEN;
  const auth: 'none' | 'literal' | 'secret' = literal ? 'literal' : fromSecret ? 'secret' : 'none';
  const token = literal ? secret(literal) : authToken;
  const display = auth === 'none' ? `redis://${host}:${port}/${db}` : `rediss://:REDACTED@${host}:${port}/${db}?ssl_cert_reqs=none`;
  const target: RedisTarget = {
    host,
    port,
    tls: auth !== 'none',
    verifyCertificate: auth === 'none',
    db,
    credential: token && !token.empty ? { kind: 'password', password: token } : { kind: 'none' },
    display,
  };
  return { kind: 'url', url: display, target, hostFrom, auth, ...(fromSecret ? { authSecret: fromSecret } : {}) };
}

/** A broker URL from the AWS secret JSON (`scheme`, `host`, `port`, `query_params`, optional `auth_token`). */
export function brokerUrlFromSecret(json: Record<string, unknown>, db: number): string | undefined {
  const scheme = typeof json.scheme === 'string' ? json.scheme : 'redis://';
  const host = json.host;
  const port = json.port;
  if (typeof host !== 'string' || (typeof port !== 'string' && typeof port !== 'number')) return undefined;
  const qp = typeof json.query_params === 'string' ? json.query_params : '';
  const token = typeof json.auth_token === 'string' && json.auth_token ? `:${json.auth_token}@` : '';
  return `${scheme}${token}${host}:${port}/${db}${qp}`;
}

// --- Redis commands model-engine runs --------------------------------------------------------------------

/**
 * Commands on the cache Redis, with example keys (so key patterns in ACLs are checked too):
 * `RedisModelEndpointCacheRepository` (SET … EX / GET `launch-k8s-cache:*`), `RedisFeatureFlagRepository`
 * (GET/SET `launch-feature-flag:*`), `RedisInferenceAutoscalingMetricsGateway` (EXPIRE/LPUSH/LTRIM
 * `launch-endpoint-autoscaling:*`), KEDA's redis trigger (LLEN), and the pool's health check (PING).
 */
export const CACHE_COMMANDS: readonly (readonly string[])[] = [
  ['GET', 'launch-k8s-cache:end_doctor'],
  ['SET', 'launch-k8s-cache:end_doctor', '{}', 'EX', '60'],
  ['GET', 'launch-feature-flag:doctor'],
  ['SET', 'launch-feature-flag:doctor', 'True'],
  ['EXPIRE', 'launch-endpoint-autoscaling:end_doctor', '60'],
  ['LPUSH', 'launch-endpoint-autoscaling:end_doctor', '1'],
  ['LTRIM', 'launch-endpoint-autoscaling:end_doctor', '0', '0'],
  ['LLEN', 'launch-endpoint-autoscaling:end_doctor'],
  ['PING'],
];

/**
 * Commands of Celery's Redis transport (kombu) on the broker Redis: publish (LPUSH), consume (BRPOP), queue size
 * (LLEN), bindings (SADD/SMEMBERS `_kombu.binding.*`), unacked bookkeeping (HSET/HGET/HDEL `unacked`,
 * ZADD/ZREM/ZREVRANGEBYSCORE `unacked_index`), the restore mutex (SET NX), fanout (PUBLISH/SUBSCRIBE).
 */
export const BROKER_COMMANDS: readonly (readonly string[])[] = [
  ['LPUSH', BUILDER_QUEUE, 'x'],
  ['BRPOP', BUILDER_QUEUE, '1'],
  ['LLEN', BUILDER_QUEUE],
  ['SADD', '_kombu.binding.celery', 'x'],
  ['SMEMBERS', '_kombu.binding.celery'],
  ['HSET', 'unacked', 'x', 'y'],
  ['HDEL', 'unacked', 'x'],
  ['ZADD', 'unacked_index', '1', 'x'],
  ['ZREM', 'unacked_index', 'x'],
  ['SET', 'unacked_mutex', 'x', 'NX', 'EX', '300'],
  ['PUBLISH', '/0.celeryev/worker.heartbeat', 'x'],
];

// --- small helpers ---------------------------------------------------------------------------------------

/** Whether a host name can only resolve inside a cluster (`*.svc`, `*.svc.cluster.local`, a single label). */
export function isClusterInternalName(host: string): boolean {
  return /\.svc(\.cluster\.local)?\.?$/.test(host) || /\.cluster\.local\.?$/.test(host) || (!host.includes('.') && !/^[\d:]+$/.test(host) && host !== 'localhost');
}

/** RFC 1918, CGNAT, link-local and ULA addresses: reachable only from inside the VPC/VNet (or over a VPN). */
export function isPrivateAddress(ip: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|169\.254\.)/.test(ip) || /^(f[cd][0-9a-f]{2}:|fe80:)/i.test(ip);
}

/** The running image tag of a Deployment: label `app.kubernetes.io/version`, else the container's GIT_TAG env. */
export function runningTag(d: Deployment): { tag?: string; from?: string } {
  const label = d.metadata.labels?.['app.kubernetes.io/version'] ?? d.spec.template.metadata?.labels?.['app.kubernetes.io/version'];
  if (label) return { tag: label, from: 'label app.kubernetes.io/version' };
  const env = containerEnv(mainContainer(d)).values.GIT_TAG;
  if (env) return { tag: env, from: 'env GIT_TAG' };
  const image = mainContainer(d)?.image;
  const t = image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : undefined;
  return t && !t.includes('/') ? { tag: t, from: 'image tag' } : {};
}

/** Pods of a Deployment by its selector (matchLabels only, as the chart writes them). */
export function podsOf<T extends KubeObject>(d: Deployment | undefined, pods: T[], fallbackApp: string): T[] {
  const sel = d?.spec.selector?.matchLabels ?? { app: fallbackApp };
  return pods.filter((p) => Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v));
}

/** A running, ready gateway pod to exec into (the first by name, for reproducible runs). */
export function pickGatewayPod(pods: Pod[], namespace: string): PodRef | undefined {
  const ready = pods
    .filter((p) => p.metadata.labels?.app === GATEWAY && p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).some((c) => c.name === GATEWAY && c.ready))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const p = ready[0];
  return p ? { namespace, pod: p.metadata.name, container: GATEWAY } : undefined;
}
