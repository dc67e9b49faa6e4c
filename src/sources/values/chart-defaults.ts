/**
 * The defaults of model-engine's helm chart (`charts/model-engine/values.yaml`). They are merged under every
 * user values file, as `helm install` does, so a check sees what the templates see: e.g. the default
 * `nodeSelector: {node-lifecycle: normal}` that a user's `nodeSelector: {}` does not remove.
 */

export const CHART_NAME = 'model-engine';
export const CHART_VERSION = '0.2.7';

/** The provenance of every key that comes from the chart defaults. */
export const CHART_DEFAULTS_SOURCE = `chart defaults (${CHART_NAME} ${CHART_VERSION} values.yaml)`;

/**
 * The chart's values.yaml. Keep it to the keys the chart itself ships; keys that templates read but the chart
 * does not default (`tag`, `image.*`, `config.*`, `serviceAccount`, …) must stay absent here so checks can
 * tell "the user never set it".
 */
export const CHART_DEFAULTS_YAML = `# model-engine chart ${CHART_VERSION} (charts/model-engine/values.yaml, appVersion 1.0.0)
dd_trace_enabled: true
datadog:
  env: ""
spellbook:
  enabled: false
celery_enable_sha256: null
debug_mode: null
celery_broker_type_redis: null
redis:
  auth:
  authSecretName: ""
  authSecretKey: ""
  enableTLS: false
  enableAuth: false
  kedaSecretName: ""
  unsafeSsl: false
db:
  runDbInitScript: false
  runDbMigrationScript: true
balloonConfig:
  reserveHighPriority: true
balloonNodeSelector:
  node-lifecycle: normal
nodeSelector:
  node-lifecycle: normal
keda:
  cooldownPeriod: 300
inferenceFramework:
  vllm: "latest"
  deepspeed: "latest"
  text_generation_inference: "latest"
  lightllm: "latest"
  tensorrt_llm: "latest"
  vllm_batch: "0.17.1-batch"
  vllm_batch_v2: "0.17.1-batch"
extraEnvVars: []
extraVolumes: []
extraVolumeMounts: []
extraPodEnvFrom: []
modelCache:
  enabled: false
  storage: 100Gi
  storageClassName: null
  accessMode: ReadWriteMany
  mountPath: /mnt/model-cache
  lockStaleSeconds: 600
automountServiceAccountToken: true
utilityImages:
  busybox:
    repository: "public.ecr.aws/docker/library/busybox"
    tag: "latest"
  curl:
    repository: "curlimages/curl"
    tag: "7.72.0"
  ubuntu:
    repository: "public.ecr.aws/ubuntu/ubuntu"
    tag: "latest"
gpuTolerations: []
gcp:
  project_id: ""
  pubsub_topic_prefix: "launch-endpoint-id-"
  pubsub_subscription_prefix: "launch-endpoint-id-"
`;
