import { describe, expect, it } from '@jest/globals';
import { REQUIRED_FIELDS, REQUIRED_INFRA_FIELDS, REQUIRED_LAUNCH_FIELDS, RENAMED_FIELDS, valuesPathOf } from '../../src/model-engine/model-engine-config.js';

describe("model-engine's required config fields (facts §2.1, §2.2)", () => {
  it('lists every HostedModelInferenceServiceConfig field without a default, in order', () => {
    expect(REQUIRED_LAUNCH_FIELDS.map((f) => f.name)).toEqual([
      'gateway_namespace',
      'endpoint_namespace',
      'billing_queue_arn',
      'sqs_profile',
      'sqs_queue_policy_template',
      'sqs_queue_tag_template',
      'model_primitive_host',
      'cloud_file_llm_fine_tune_repository',
      'hf_user_fine_tuned_weights_prefix',
      'istio_enabled',
      'dd_trace_enabled',
      'tgi_repository',
      'vllm_repository',
      'lightllm_repository',
      'tensorrt_llm_repository',
      'batch_inference_vllm_repository',
      'user_inference_base_repository',
      'user_inference_pytorch_repository',
      'user_inference_tensorflow_repository',
      'docker_image_layer_cache_repository',
      'sensitive_log_mode',
    ]);
  });

  it('lists every InfraConfig field without a default, in order', () => {
    expect(REQUIRED_INFRA_FIELDS.map((f) => f.name)).toEqual(['cloud_provider', 'env', 'k8s_cluster_name', 'dns_host_domain', 'default_region', 'ml_account_id', 'docker_repo_prefix', 's3_bucket']);
  });

  it('every field a user sets has a snippet example; chart-rendered and own-check fields have none', () => {
    for (const f of [...REQUIRED_FIELDS.launch, ...REQUIRED_FIELDS.infra]) {
      expect([f.name, f.example !== undefined]).toEqual([f.name, !f.renderedFrom && !f.ownCheck]);
    }
  });

  it('the #551 rename is known', () => {
    expect(RENAMED_FIELDS).toEqual({ cloud_file_llm_fine_tune_repository: 's3_file_llm_fine_tuning_job_repository' });
  });

  // Moved from test/checks/control-plane/config-maps.test.ts with the logic.
  it.each([
    ['launch', 'vllm_repository', 'config.values.launch.vllm_repository'],
    ['launch', 'dd_trace_enabled', 'dd_trace_enabled'],
    ['launch', 'gateway_namespace', 'the helm release namespace (-n)'],
    ['launch', 'sglang_repository', 'config.values.launch.sglang_repository'],
    ['infra', 'env', 'context'],
    ['infra', 's3_bucket', 'config.values.infra.s3_bucket'],
  ] as const)('valuesPathOf(%s, %s) = %s', (section, field, path) => {
    expect(valuesPathOf(section, field)).toBe(path);
  });
});
