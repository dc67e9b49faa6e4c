/**
 * The types of the values keys model-engine's chart (and model-engine itself) read, so a key of the wrong shape
 * stops the run with one line naming the place, before any check misreads it: `config.values.infra` written as a
 * string, `tag` as a map, `image` as a list, `nodeSelector` as a string, a quoted-less annotation value that
 * Kubernetes would reject. Unknown keys are fine: helm ignores them and so does model-engine (`from_json` drops
 * unknown fields). `null` is always fine: it deletes the key (helm semantics).
 */
import { FatalError } from '../../engine/errors.js';
import { formatPath } from '../../engine/values-path.js';
import type { SourceLocation } from '../../engine/types.js';
import { isPlainMap, type MergedValues, type ValuesLayer } from './merge.js';

export type ValueType = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'scalar';

/** `InfraConfig` fields (facts §2.2): rendered one per line with `| quote`, so each must be a scalar. */
const INFRA_FIELDS = [
  'cloud_provider', 'env', 'k8s_cluster_name', 'dns_host_domain', 'default_region', 'ml_account_id', 'docker_repo_prefix',
  's3_bucket', 'redis_host', 'redis_aws_secret_name', 'profile_ml_worker', 'profile_ml_inference_worker', 'identity_service_url',
  'firehose_role_arn', 'firehose_stream_name', 'prometheus_server_address', 'celery_broker_type_redis', 'celery_enable_sha256',
  'docker_registry_type', 'debug_mode', 'gcp_project_id', 'db_engine_pool_size', 'db_engine_max_overflow', 'db_engine_echo',
  'db_engine_echo_pool', 'db_engine_disconnect_strategy',
];

/** `HostedModelInferenceServiceConfig` fields (facts §2.1), plus the pre-#551 fine-tune key people still write. */
const LAUNCH_FIELDS = [
  'gateway_namespace', 'endpoint_namespace', 'billing_queue_arn', 'sqs_profile', 'sqs_queue_policy_template', 'sqs_queue_tag_template',
  'model_primitive_host', 'cloud_file_llm_fine_tune_repository', 'hf_user_fine_tuned_weights_prefix', 'istio_enabled', 'dd_trace_enabled',
  'tgi_repository', 'vllm_repository', 'lightllm_repository', 'tensorrt_llm_repository', 'batch_inference_vllm_repository',
  'user_inference_base_repository', 'user_inference_pytorch_repository', 'user_inference_tensorflow_repository',
  'docker_image_layer_cache_repository', 'sensitive_log_mode', 'cache_redis_aws_url', 'cache_redis_azure_host',
  'cache_redis_aws_secret_name', 'cache_redis_onprem_url', 'cache_redis_gcp_url', 'sglang_repository',
  's3_file_llm_fine_tuning_job_repository',
];

/** Known keys and their types; `*` matches any one key or list index. */
export const VALUES_SCHEMA: readonly (readonly [string, ValueType])[] = [
  ['tag', 'scalar'],
  ['context', 'scalar'],
  ['image', 'map'],
  ['image.gatewayRepository', 'string'],
  ['image.builderRepository', 'string'],
  ['image.cacherRepository', 'string'],
  ['image.forwarderRepository', 'string'],
  ['image.pullPolicy', 'string'],
  ['config', 'map'],
  ['config.values', 'map'],
  ['config.values.infra', 'map'],
  ['config.values.launch', 'map'],
  ...INFRA_FIELDS.map((f) => [`config.values.infra.${f}`, 'scalar'] as const),
  ...LAUNCH_FIELDS.map((f) => [`config.values.launch.${f}`, 'scalar'] as const),
  ['config.file', 'map'],
  ['config.file.launch', 'string'],
  ['config.file.infra', 'string'],
  ['celeryBrokerType', 'string'],
  ['redisHost', 'scalar'],
  ['redisPort', 'scalar'],
  ['s3EndpointUrl', 'string'],
  ['secrets', 'map'],
  ['secrets.kubernetesDatabaseSecretName', 'string'],
  ['secrets.cloudDatabaseSecretName', 'string'],
  ['serviceAccount', 'map'],
  ['serviceAccount.annotations', 'map'],
  // Kubernetes annotation and label values are strings: an unquoted -2 or true is rejected by the API server.
  ['serviceAccount.annotations.*', 'string'],
  ['serviceAccount.namespaces', 'list'],
  ['imageBuilderServiceAccount', 'map'],
  ['imageBuilderServiceAccount.annotations', 'map'],
  ['imageBuilderServiceAccount.annotations.*', 'string'],
  ['serviceTemplate', 'map'],
  ['serviceTemplate.serviceAccountName', 'string'],
  ['serviceTemplate.serviceAccountAnnotations', 'map'],
  ['serviceTemplate.serviceAccountAnnotations.*', 'string'],
  ['nodeSelector', 'map'],
  ['nodeSelector.*', 'string'],
  ['balloonNodeSelector', 'map'],
  ['balloonNodeSelector.*', 'string'],
  ['tolerations', 'list'],
  ['affinity', 'map'],
  ['gpuTolerations', 'list'],
  ['balloonConfig', 'map'],
  ['balloons', 'list'],
  ['balloons.*', 'map'],
  ['balloons.*.acceleratorName', 'string'],
  ['balloons.*.replicaCount', 'number'],
  ['balloons.*.gpuCount', 'number'],
  ['aws', 'map'],
  ['aws.configMap', 'map'],
  ['aws.configMap.namespaces', 'list'],
  ['aws.profileName', 'string'],
  ['azure', 'map'],
  ['azure.*', 'scalar'],
  ['gcp', 'map'],
  ['gcp.*', 'scalar'],
  ['utilityImages', 'map'],
  ['utilityImages.*', 'map'],
  ['utilityImages.*.repository', 'string'],
  ['utilityImages.*.tag', 'scalar'],
  ['triton', 'map'],
  ['triton.image', 'map'],
  ['triton.image.repository', 'string'],
  ['triton.image.tag', 'scalar'],
  ['inferenceFramework', 'map'],
  ['inferenceFramework.*', 'scalar'],
  ['imageCache', 'map'],
  ['imageCache.devices', 'list'],
  ['db', 'map'],
  ['redis', 'map'],
  ['datadog', 'map'],
  ['keda', 'map'],
  ['modelCache', 'map'],
  ['replicaCount', 'map'],
  ['resources', 'map'],
  ['autoscaling', 'map'],
  ['celery_autoscaler', 'map'],
  ['podDisruptionBudget', 'map'],
  ['service', 'map'],
  ['virtualservice', 'map'],
  ['virtualservice.hostDomains', 'list'],
  ['virtualservice.gateways', 'list'],
  ['destinationrule', 'map'],
  ['recommendedHardware', 'map'],
  ['recommendedHardware.byGpuMemoryGb', 'list'],
  ['recommendedHardware.byModelName', 'list'],
  ['extraEnvVars', 'list'],
  ['extraVolumes', 'list'],
  ['extraVolumeMounts', 'list'],
  ['extraPodEnvFrom', 'list'],
  ['imagePullSecrets', 'list'],
];

const SCHEMA = VALUES_SCHEMA.map(([p, t]) => ({ segments: p.split('.'), type: t }));

/** The declared type of a path (an exact segment beats `*` at the same position), if the key is known. */
export function expectedType(path: readonly string[]): ValueType | undefined {
  let best: { type: ValueType; score: number } | undefined;
  for (const e of SCHEMA) {
    if (e.segments.length !== path.length) continue;
    let score = 0;
    let ok = true;
    for (let i = 0; i < path.length; i++) {
      if (e.segments[i] === path[i]) score += 2;
      else if (e.segments[i] === '*') score += 1;
      else {
        ok = false;
        break;
      }
    }
    if (ok && (!best || score > best.score)) best = { type: e.type, score };
  }
  return best?.type;
}

export function typeOf(v: unknown): Exclude<ValueType, 'scalar'> | 'null' {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isPlainMap(v)) return 'map';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'string';
}

function fits(expected: ValueType, actual: ReturnType<typeof typeOf>): boolean {
  if (actual === 'null') return true;
  if (expected === 'scalar') return actual === 'string' || actual === 'number' || actual === 'boolean';
  return expected === actual;
}

export interface TypeProblem {
  path: string[];
  expected: ValueType;
  actual: Exclude<ReturnType<typeof typeOf>, 'null'>;
}

/** The first known key (in document order) whose value has the wrong type. */
export function findTypeProblem(values: unknown): TypeProblem | undefined {
  const walk = (v: unknown, path: string[]): TypeProblem | undefined => {
    if (path.length > 0) {
      const expected = expectedType(path);
      const actual = typeOf(v);
      if (expected && !fits(expected, actual)) return { path, expected, actual: actual as TypeProblem['actual'] };
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const p = walk(v[i], [...path, String(i)]);
        if (p) return p;
      }
    } else if (isPlainMap(v)) {
      for (const [k, c] of Object.entries(v)) {
        const p = walk(c, [...path, k]);
        if (p) return p;
      }
    }
    return undefined;
  };
  return walk(values, []);
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** `file:line:col: <key> must be a <type>, got <type>`. */
export function describeTypeProblem(p: TypeProblem, loc: SourceLocation | undefined): string {
  const where = loc ? `${loc.file}${loc.line ? `:${loc.line}${loc.column ? `:${loc.column}` : ''}` : ''}: ` : '';
  const expected = p.expected === 'scalar' ? 'scalar (string, number or boolean)' : p.expected;
  return `${where}${formatPath(p.path)} must be ${article(expected)}, got ${article(p.actual)}`;
}

/**
 * Throw a one-line {@link FatalError} (exit 2) for the first key of a known type that has another: each file in
 * order (with its file:line:col), then the merged values (which only `--set` can have broken by then).
 */
export function validateValues(layers: readonly ValuesLayer[], merged: MergedValues): void {
  for (const layer of layers) {
    const p = findTypeProblem(layer.values);
    if (p) throw new FatalError(describeTypeProblem(p, layer.prov.get(p.path)?.loc));
  }
  const p = findTypeProblem(merged.merged);
  if (p) throw new FatalError(describeTypeProblem(p, merged.source(p.path)));
}
