/**
 * Creates endpoints the way model-engine's endpoint builder does (facts §6): it reads the templates of the installed
 * `model-engine-service-template-config` ConfigMap and fills their `${VARS}` with Python `string.Template` semantics
 * (`substitute`: a variable the builder does not supply is a KeyError — here, an error naming it), then applies the
 * Deployment, both ConfigMaps, the PDB and, for sync/streaming endpoints, the Service and the HPA (`min_workers > 0`)
 * or the KEDA ScaledObject (`min_workers == 0`). Endpoint objects thus have model-engine's real shape, from the chart
 * that is installed, not one written by this project.
 */
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { apply, kubectlJson } from './cluster.js';

export type EndpointMode = 'sync' | 'streaming' | 'async';

export interface EndpointSpec {
  /** `end_<20 base32hex chars>`; generated from the name when absent. */
  id?: string;
  name: string;
  mode?: EndpointMode;
  /** A model-engine GpuType (`nvidia-ampere-a100` …); absent = CPU endpoint. */
  gpuType?: string;
  gpus?: number;
  cpus?: string;
  memory?: string;
  storage?: string;
  minWorkers?: number;
  maxWorkers?: number;
  image?: string;
  highPriority?: boolean;
  owner?: string;
  /** Extra pod-template annotations (e.g. kubelet.ts CUSTOM_STATUS, so a simulated kubelet writes the pod status). */
  podAnnotations?: Record<string, string>;
  /** Template variables the builder computes differently for this endpoint (e.g. `SERVICE_TYPE`, `NODE_PORT_DICT`). */
  vars?: Record<string, string>;
}

export interface BuiltEndpoint {
  id: string;
  name: string;
  resourceName: string;
  namespace: string;
  /** The objects applied, in order. */
  objects: Record<string, unknown>[];
}

/** Python's `string.Template(template).substitute(mapping)`: `$$`, `$name`, `${name}`; missing names throw. */
export function substitute(template: string, mapping: Record<string, string>): string {
  return template.replace(/\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g, (_m, esc: string, named: string, braced: string) => {
    if (esc) return '$';
    const key = named ?? braced;
    if (!(key in mapping)) throw new Error(`KeyError: '${key}' (the endpoint template uses a variable the builder does not supply)`);
    return mapping[key]!;
  });
}

/** A deterministic model-engine endpoint id for a name: `end_` + 20 lowercase base32hex characters (an XID's shape). */
export function endpointId(name: string): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const digest = createHash('sha256').update(name).digest();
  let out = '';
  for (let i = 0; i < 20; i++) out += alphabet[digest[i]! % 32];
  return `end_${out}`;
}

export interface InstallInfo {
  releaseNamespace: string;
  endpointNamespace: string;
  tag: string;
  context: string;
  prometheusAddress: string;
  redisHostPort: string;
  redisDbIndex: string;
  cloud: string;
}

export async function installInfo(releaseNamespace: string): Promise<{ templates: Record<string, string>; info: InstallInfo }> {
  const cm = await kubectlJson<{ data: Record<string, string> }>(['get', 'configmap', '-n', releaseNamespace, 'model-engine-service-template-config']);
  const svc = await kubectlJson<{ data: Record<string, string> }>(['get', 'configmap', '-n', releaseNamespace, 'model-engine-service-config']);
  const launch = (parse(svc.data.launch_service_config ?? '') ?? {}) as Record<string, unknown>;
  const infra = (parse(svc.data.infra_service_config ?? '') ?? {}) as Record<string, unknown>;
  const gateway = await kubectlJson<{ spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } } }>([
    'get',
    'deployment',
    '-n',
    releaseNamespace,
    'model-engine',
  ]);
  const env = gateway.spec.template.spec.containers[0]?.env ?? [];
  const tag = env.find((e) => e.name === 'GIT_TAG')?.value ?? 'unknown';
  const cacheUrl = String(launch.cache_redis_aws_url ?? launch.cache_redis_onprem_url ?? launch.cache_redis_gcp_url ?? 'redis://redis:6379/0');
  const u = new URL(cacheUrl.replace(/^rediss?:/, 'http:'));
  return {
    templates: cm.data,
    info: {
      releaseNamespace,
      endpointNamespace: String(launch.endpoint_namespace ?? releaseNamespace),
      tag,
      context: String(infra.env ?? 'production'),
      prometheusAddress: String(infra.prometheus_server_address ?? ''),
      cloud: String(infra.cloud_provider ?? 'aws'),
      redisHostPort: `${u.hostname}:${u.port || '6379'}`,
      redisDbIndex: u.pathname.replace(/^\//, '') || '0',
    },
  };
}

/** The substitution mapping model-engine's builder computes for an endpoint (k8s_resource_types.py, simplified to the values). */
function mapping(spec: EndpointSpec, id: string, info: InstallInfo): Record<string, string> {
  const resourceName = `launch-endpoint-id-${id}`.replace(/_/g, '-');
  const image = spec.image ?? '482093716652.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3';
  const minWorkers = spec.minWorkers ?? 1;
  const owner = spec.owner ?? 'u_e2e';
  return {
    RESOURCE_NAME: resourceName,
    NAMESPACE: info.endpointNamespace,
    ENDPOINT_ID: id,
    ENDPOINT_NAME: spec.name,
    OWNER: owner,
    TEAM: 'infra',
    PRODUCT: 'llm-engine',
    CREATED_BY: owner,
    DD_ENV: info.context,
    GIT_TAG: info.tag,
    DD_TRACE_ENABLED: 'false',
    CHANGE_CAUSE_MESSAGE: `Deployment at 2026-12-06 00:00:00.000000 UTC. Using deployment constructed from model bundle ID bun_e2e, endpoint ID ${id}`,
    IMAGE_HASH: createHash('sha256').update(image).digest('hex').slice(0, 32),
    MIN_WORKERS: String(minWorkers),
    MAX_WORKERS: String(spec.maxWorkers ?? Math.max(1, minWorkers)),
    CONCURRENCY: '1',
    PER_WORKER: '1',
    CONCURRENT_REQUESTS_PER_WORKER: '1',
    IMAGE: image,
    COMMAND: JSON.stringify(['python', '-m', 'vllm.entrypoints.openai.api_server', '--port', '5005']),
    MAIN_ENV: JSON.stringify([{ name: 'MODEL_NAME', value: spec.name }]),
    USER_CONTAINER_PORT: '5005',
    PREDICT_ROUTE: '/predict',
    STREAMING_PREDICT_ROUTE: '/stream',
    HEALTHCHECK_ROUTE: '/health',
    READINESS_INITIAL_DELAY: '30',
    FORWARDER_PORT: '5000',
    FORWARDER_WORKER_COUNT: '2',
    FORWARDER_CONFIG_FILE_NAME: 'service--http_forwarder.yaml',
    FORWARDER_SYNC_ROUTES: '[]',
    FORWARDER_STREAM_ROUTES: '[]',
    FORWARDER_TYPE: 'default',
    FORWARDER_MAX_CONCURRENCY: '100',
    FORWARDER_CPUS_LIMIT: '1',
    FORWARDER_MEMORY_LIMIT: '2Gi',
    FORWARDER_STORAGE_LIMIT: '1G',
    CPUS: spec.cpus ?? '2',
    MEMORY: spec.memory ?? '8Gi',
    GPUS: String(spec.gpus ?? (spec.gpuType ? 1 : 0)),
    GPU_TYPE: spec.gpuType ?? '',
    STORAGE_DICT: spec.storage ? `"ephemeral-storage": "${spec.storage}"` : '',
    PRIORITY: spec.highPriority ? 'model-engine-high-priority' : 'model-engine-default-priority',
    INFRA_SERVICE_CONFIG_VOLUME_MOUNT_PATH: '/infra-config',
    AWS_ROLE: 'default',
    RESULTS_S3_BUCKET: 'llm-engine',
    CELERY_S3_BUCKET: 'llm-engine',
    QUEUE: `launch-endpoint-id-${id}`,
    // k8s_resource_types.py: azure → servicebus, CIRCLECI → redis, everything else → sqs (facts §6.3).
    BROKER_NAME: info.cloud === 'azure' ? 'servicebus-message-broker-master' : 'sqs-message-broker-master',
    SQS_QUEUE_URL: `https://sqs.us-east-1.amazonaws.com/482093716652/launch-endpoint-id-${id}`,
    CONFIG_DATA_SERIALIZED: JSON.stringify('{}'),
    ENDPOINT_CONFIG_SERIALIZED: JSON.stringify(JSON.stringify({ endpoint_name: spec.name, bundle_name: spec.name })),
    SERVICE_TYPE: 'ClusterIP',
    SERVICE_TARGET_PORT: 'http',
    NODE_PORT_DICT: '',
    API_VERSION: 'autoscaling/v2',
    PROMETHEUS_SERVER_ADDRESS: info.prometheusAddress,
    REDIS_HOST_PORT: info.redisHostPort,
    REDIS_DB_INDEX: info.redisDbIndex,
    ...spec.vars,
  };
}

/** The objects the builder applies for one endpoint, from the installed templates (no I/O). */
export function endpointObjects(spec: EndpointSpec, templates: Record<string, string>, info: InstallInfo): BuiltEndpoint {
  const id = spec.id ?? endpointId(spec.name);
  const vars = mapping(spec, id, info);
  const mode = spec.mode ?? 'sync';
  const device = spec.gpuType ? 'gpu' : 'cpu';
  const keys = [`deployment-runnable-image-${mode}-${device}.yaml`, 'user-config.yaml', 'endpoint-config.yaml', 'pod-disruption-budget.yaml'];
  if (mode !== 'async') keys.push('service.yaml', (spec.minWorkers ?? 1) > 0 ? 'horizontal-pod-autoscaler.yaml' : 'keda-scaled-object.yaml');
  const objects = keys.map((key) => {
    const template = templates[key];
    if (template === undefined) throw new Error(`the installed service-template ConfigMap has no ${key}`);
    return parse(substitute(template, vars)) as Record<string, unknown>;
  });
  if (spec.podAnnotations) {
    const meta = (objects[0] as { spec: { template: { metadata: { annotations?: Record<string, string> } } } }).spec.template.metadata;
    meta.annotations = { ...meta.annotations, ...spec.podAnnotations };
  }
  return { id, name: spec.name, resourceName: vars.RESOURCE_NAME!, namespace: info.endpointNamespace, objects };
}

/** Create (or update) an endpoint from the installed templates, as the builder does. */
export async function createEndpoint(spec: EndpointSpec, opts: { releaseNamespace?: string } = {}): Promise<BuiltEndpoint> {
  const { templates, info } = await installInfo(opts.releaseNamespace ?? 'model-engine');
  const built = endpointObjects(spec, templates, info);
  await apply(built.objects);
  return built;
}
