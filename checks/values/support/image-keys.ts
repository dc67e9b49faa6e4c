/**
 * The values keys that name model-engine's images (facts §1.3): the docker prefix and registry type, the control-plane
 * image keys, the framework repositories with their tag keys, and the utility images. Shared by the `values/images-*`,
 * `values/image-tag` and `values/registry-prefix` checks.
 */

export const PREFIX = 'config.values.infra.docker_repo_prefix';
export const REGISTRY_TYPE = 'config.values.infra.docker_registry_type';

/** The control-plane image keys the chart reads (facts §1.3): gateway (+ cacher, jobs, autoscaler), builder, forwarder. */
export const CONTROL_PLANE_IMAGES = [
  { key: 'image.gatewayRepository', role: 'gateway, cacher, celery autoscaler and hook jobs' },
  { key: 'image.builderRepository', role: 'endpoint builder' },
  { key: 'image.forwarderRepository', role: 'forwarder container of every endpoint pod' },
] as const;

/** Framework repositories (`config.values.launch.*`) and the `inferenceFramework` key holding their default tag. */
export const FRAMEWORK_REPOSITORIES = [
  { key: 'config.values.launch.vllm_repository', tagKey: 'inferenceFramework.vllm', role: 'vLLM endpoints' },
  { key: 'config.values.launch.tgi_repository', tagKey: 'inferenceFramework.text_generation_inference', role: 'TGI endpoints' },
  { key: 'config.values.launch.lightllm_repository', tagKey: 'inferenceFramework.lightllm', role: 'LightLLM endpoints' },
  { key: 'config.values.launch.tensorrt_llm_repository', tagKey: 'inferenceFramework.tensorrt_llm', role: 'TensorRT-LLM endpoints' },
  { key: 'config.values.launch.batch_inference_vllm_repository', tagKey: 'inferenceFramework.vllm_batch', role: 'batch inference jobs' },
  { key: 'config.values.launch.sglang_repository', tagKey: undefined, role: 'SGLang endpoints' },
] as const;

export const OTHER_IMAGES = [
  { key: 'utilityImages.busybox.repository', tagKey: 'utilityImages.busybox.tag', role: 'image-cache DaemonSets' },
  { key: 'utilityImages.curl.repository', tagKey: 'utilityImages.curl.tag', role: 'chart jobs' },
  { key: 'utilityImages.ubuntu.repository', tagKey: 'utilityImages.ubuntu.tag', role: 'balloon Deployments' },
  { key: 'triton.image.repository', tagKey: 'triton.image.tag', role: 'Triton-enhanced endpoints' },
] as const;
