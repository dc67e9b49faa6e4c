/**
 * model-engine's two config classes as data: the fields with no default (a missing one is a `TypeError` when the
 * service starts), where the chart renders each from, and the fields renamed since. One list for the values check
 * (`values/service-config`) and the rendered-ConfigMap checks (`control-plane/config-maps` on the cluster,
 * `chart/service-config` on `helm template`), which also share the parsing below.
 */
import { parse } from 'yaml';
import { isRecord } from '../engine/safe.js';

export type ConfigSection = 'launch' | 'infra';

/** The service ConfigMap's data keys (facts §1.2). */
export const SERVICE_CONFIG_KEYS: Readonly<Record<ConfigSection, string>> = { launch: 'launch_service_config', infra: 'infra_service_config' };

export interface RequiredConfigField {
  name: string;
  /**
   * Where the chart renders it from when that is not `config.values.<section>.<name>`: the helm release namespace
   * (`gateway_namespace`), a top-level value (`dd_trace_enabled`, `context` → `env`).
   */
  renderedFrom?: { kind: 'release-namespace' } | { kind: 'value'; path: string };
  /** A value for a values snippet, for fields the user sets under `config.values`. */
  example?: string | boolean;
  /** The values check that judges it on its own (left out of the generic "required field" rule there). */
  ownCheck?: string;
}

/** `HostedModelInferenceServiceConfig` fields without a default, in the class's order (facts §2.1). */
export const REQUIRED_LAUNCH_FIELDS: readonly RequiredConfigField[] = [
  { name: 'gateway_namespace', renderedFrom: { kind: 'release-namespace' } },
  { name: 'endpoint_namespace', example: 'llm-engine' },
  { name: 'billing_queue_arn', example: 'unused' },
  { name: 'sqs_profile', example: 'default' },
  { name: 'sqs_queue_policy_template', example: '{}' },
  { name: 'sqs_queue_tag_template', example: '{}' },
  { name: 'model_primitive_host', example: 'unused' },
  { name: 'cloud_file_llm_fine_tune_repository', example: '<scheme>://<bucket>/llm-ft-job-repository' },
  { name: 'hf_user_fine_tuned_weights_prefix', example: '<scheme>://<bucket>/fine_tuned_weights' },
  { name: 'istio_enabled', example: true },
  { name: 'dd_trace_enabled', renderedFrom: { kind: 'value', path: 'dd_trace_enabled' } },
  { name: 'tgi_repository', example: 'text-generation-inference' },
  { name: 'vllm_repository', example: 'vllm' },
  { name: 'lightllm_repository', example: 'lightllm' },
  { name: 'tensorrt_llm_repository', example: 'tensorrt-llm' },
  { name: 'batch_inference_vllm_repository', example: 'llm-engine/batch-infer-vllm' },
  { name: 'user_inference_base_repository', example: 'launch/inference' },
  { name: 'user_inference_pytorch_repository', example: 'launch/inference/pytorch' },
  { name: 'user_inference_tensorflow_repository', example: 'launch/inference/tf' },
  { name: 'docker_image_layer_cache_repository', example: 'launch-docker-build-cache' },
  { name: 'sensitive_log_mode', example: false },
];

/** `InfraConfig` fields without a default, in the class's order (facts §2.2). */
export const REQUIRED_INFRA_FIELDS: readonly RequiredConfigField[] = [
  { name: 'cloud_provider', ownCheck: 'values/cloud-provider' },
  { name: 'env', renderedFrom: { kind: 'value', path: 'context' } },
  { name: 'k8s_cluster_name', example: '<cluster name>' },
  { name: 'dns_host_domain', example: '<domain endpoints are served under>' },
  { name: 'default_region', example: '<region>' },
  { name: 'ml_account_id', example: '<account id>' },
  { name: 'docker_repo_prefix', ownCheck: 'values/registry-prefix' },
  { name: 's3_bucket', example: '<bucket>' },
];

export const REQUIRED_FIELDS: Readonly<Record<ConfigSection, readonly RequiredConfigField[]>> = {
  launch: REQUIRED_LAUNCH_FIELDS,
  infra: REQUIRED_INFRA_FIELDS,
};

/**
 * Required fields whose old name is still in circulation (values_sample.yaml, the cloud matrix): new → old.
 * `from_json` drops unknown keys, so a config with only the old name misses the field.
 */
export const RENAMED_FIELDS: Readonly<Record<string, string>> = {
  // Renamed in #551 (26066964).
  cloud_file_llm_fine_tune_repository: 's3_file_llm_fine_tuning_job_repository',
};

/** Where a field of the rendered config comes from: a values path, or (for `gateway_namespace`) the release namespace. */
export function valuesPathOf(section: ConfigSection, field: string): string {
  const from = REQUIRED_FIELDS[section].find((f) => f.name === field)?.renderedFrom;
  if (from?.kind === 'release-namespace') return 'the helm release namespace (-n)';
  if (from?.kind === 'value') return from.path;
  return `config.values.${section}.${field}`;
}

/** The ConfigMap the chart renders `config.values` into, in the release and the endpoint namespace (facts §1.2). */
export const SERVICE_CONFIG_MAP = 'model-engine-service-config';
/** The gateway Deployment, whose namespace is the helm release's (facts §1.3). */
export const GATEWAY_DEPLOYMENT = 'model-engine';

export type ServiceConfigProblem =
  | { kind: 'missingKey'; section: ConfigSection; key: string }
  | { kind: 'unparseable'; section: ConfigSection; key: string; error: string }
  | { kind: 'renamedKey'; section: ConfigSection; key: string; field: string; oldKey: string; value: unknown }
  | { kind: 'missingFields'; section: ConfigSection; key: string; fields: string[] };

/**
 * Parse one config key as model-engine does (PyYAML `safe_load`: YAML 1.1, a repeated key keeps the last value,
 * which happens when values set `config.values.launch.dd_trace_enabled` next to the chart's own line).
 */
export function parseConfigYaml(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  try {
    const v: unknown = parse(text, { version: '1.1', uniqueKeys: false });
    if (v === null || v === undefined) return { ok: true, value: {} };
    return isRecord(v) ? { ok: true, value: v } : { ok: false, error: 'not a YAML mapping' };
  } catch (e) {
    return { ok: false, error: (e as Error).message.split('\n')[0] ?? 'invalid YAML' };
  }
}

/** What is wrong with a service ConfigMap's data, as model-engine would find it at start-up. Empty: nothing. */
export function serviceConfigProblems(data: Readonly<Record<string, string>> | undefined): ServiceConfigProblem[] {
  const out: ServiceConfigProblem[] = [];
  for (const section of ['launch', 'infra'] as const) {
    const required = REQUIRED_FIELDS[section].map((f) => f.name);
    const key = SERVICE_CONFIG_KEYS[section];
    const text = data?.[key];
    if (text === undefined) {
      out.push({ kind: 'missingKey', section, key });
      continue;
    }
    const parsed = parseConfigYaml(text);
    if (!parsed.ok) {
      out.push({ kind: 'unparseable', section, key, error: parsed.error });
      continue;
    }
    const config = parsed.value;
    const missing = required.filter((f) => !(f in config));
    const plain: string[] = [];
    for (const field of missing) {
      const oldKey = RENAMED_FIELDS[field];
      if (oldKey && oldKey in config) out.push({ kind: 'renamedKey', section, key, field, oldKey, value: config[oldKey] });
      else plain.push(field);
    }
    if (plain.length > 0) out.push({ kind: 'missingFields', section, key, fields: plain });
  }
  return out;
}
