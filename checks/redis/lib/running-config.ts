/**
 * The config model-engine's pods run with: the live service ConfigMap (launch/infra) and the gateway container's
 * env when a cluster is given; else what the helm values would render (same keys, env per the chart's helpers).
 */
import type { CheckContext, ConfigMap, Deployment, Evidence, ObjectRef, Secret } from '../../../src/engine/index.js';
import { ForbiddenError, rec } from '../../../src/engine/index.js';
import { SecretString } from '../../../src/engine/ports/secret.js';
import { serviceConfigFromData } from '../../../src/model-engine/images.js';
import { SERVICE_CONFIG_MAP } from '../../../src/model-engine/model-engine-config.js';
import { containerEnv, GATEWAY, mainContainer, type ContainerEnv } from './model-engine-redis.js';

export interface RunningConfig {
  from: 'configmap' | 'values';
  launch: Record<string, unknown>;
  infra: Record<string, unknown>;
  /** The gateway container's env (what the chart injects into every control-plane container). */
  env: ContainerEnv;
  gateway?: Deployment;
  /** What the config rests on, for evidence. */
  evidence: Evidence[];
  object: ObjectRef;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The env the chart renders from values (facts §1.4): REDIS_HOST/PORT, REDIS_AUTH_TOKEN, AZURE_OBJECT_ID, SERVICEBUS_NAMESPACE. */
export function envFromValues(get: (path: string) => unknown): ContainerEnv {
  const env: ContainerEnv = { values: {}, fromSecret: {}, opaque: [] };
  const s = (p: string) => {
    const v = get(p);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const redisHost = s('redisHost');
  if (redisHost) {
    env.values.REDIS_HOST = redisHost;
    env.values.REDIS_PORT = s('redisPort') ?? '6379';
  }
  const authSecret = s('redis.authSecretName');
  if (authSecret) env.fromSecret.REDIS_AUTH_TOKEN = { name: authSecret, key: s('redis.authSecretKey') ?? 'auth_token' };
  else if (s('redis.auth')) env.values.REDIS_AUTH_TOKEN = s('redis.auth')!;
  const oid = s('azure.object_id');
  if (oid) env.values.AZURE_OBJECT_ID = oid;
  const sb = s('azure.servicebus_namespace');
  if (sb) env.values.SERVICEBUS_NAMESPACE = sb;
  const tag = s('tag');
  if (tag) env.values.GIT_TAG = tag;
  // `context: circleci`: the chart sets CIRCLECI=true in every model-engine container (_helpers.tpl).
  if (s('context') === 'circleci') env.values.CIRCLECI = 'true';
  return env;
}

/** Undefined when neither a cluster with the service ConfigMap nor values are available. */
export async function runningConfig(ctx: Pick<CheckContext, 'kube' | 'values' | 'namespaces'>): Promise<RunningConfig | undefined> {
  const ns = ctx.namespaces.controlPlane;
  if (ctx.kube) {
    let cm: ConfigMap | undefined;
    let gateway: Deployment | undefined;
    try {
      cm = await ctx.kube.get<ConfigMap>('configmaps', SERVICE_CONFIG_MAP, ns);
      gateway = await ctx.kube.get<Deployment>('deployments.apps', GATEWAY, ns);
    } catch (e) {
      if (!(e instanceof ForbiddenError) || !ctx.values) throw e;
    }
    const parsed = serviceConfigFromData(cm?.data);
    if (parsed) {
      const object = { kind: 'ConfigMap', namespace: ns, name: SERVICE_CONFIG_MAP };
      return {
        from: 'configmap',
        launch: parsed.launch,
        infra: parsed.infra,
        env: containerEnv(mainContainer(gateway)),
        ...(gateway ? { gateway } : {}),
        evidence: [{ type: 'object', object, detail: 'launch_service_config / infra_service_config, as the pods read them' }],
        object,
      };
    }
  }
  if (ctx.values) {
    const v = ctx.values;
    const launch = v.get('config.values.launch');
    const infra = { ...rec(v.get('config.values.infra')) };
    if (v.get('celery_broker_type_redis')) infra.celery_broker_type_redis = v.get('celery_broker_type_redis');
    return {
      from: 'values',
      launch: isMap(launch) ? launch : {},
      infra,
      env: envFromValues((p) => v.get(p)),
      evidence: [v.evidence('config.values.launch')],
      object: { kind: 'HelmValues', name: 'config.values.launch' },
    };
  }
  return undefined;
}

/** Read a Secret key through the kube port, straight into a SecretString (undefined: missing, or RBAC says no). */
export async function readSecretKey(ctx: Pick<CheckContext, 'kube'>, namespace: string, name: string, key: string): Promise<SecretString | undefined> {
  if (!ctx.kube) return undefined;
  try {
    const s = await ctx.kube.get<Secret>('secrets', name, namespace);
    const b64 = s?.data?.[key];
    return b64 === undefined ? undefined : new SecretString(Buffer.from(b64, 'base64').toString('utf8'));
  } catch (e) {
    if (e instanceof ForbiddenError) return undefined;
    throw e;
  }
}
