/**
 * Chart ↔ image skew (facts §10.2). The endpoint builder fills the templates of ConfigMap
 * `model-engine-service-template-config` with Python `string.Template.substitute`: a `${VAR}` the image's code does
 * not supply raises KeyError and every endpoint build ends UPDATE_FAILED. So a chart needs an image built at or
 * after the commit that introduced each variable its templates use.
 */

/** `${NAME}` variables of a template text (`$$` escapes and lower-case `${queue_name}`-style names included). */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))];
}

export interface VariableIntroduction {
  name: string;
  pr: string;
  /** The llm-engine commit whose image is the first to supply it. */
  commit: string;
  /** What an older image does with it. */
  older: string;
}

/**
 * Variables the chart's templates gained after images were published, with the commit that supplies them
 * (facts §10.2, llm-engine HEAD a8236961). Source commits: #836 1dd7db53, #849 a8236961 (and #835 efbbe3cb, which
 * added DD_ENV to the templates before the code supplied it).
 */
export const INTRODUCED_VARIABLES: readonly VariableIntroduction[] = [
  {
    name: 'FORWARDER_MAX_CONCURRENCY',
    pr: '#836',
    commit: '1dd7db53',
    older: 'raises KeyError: \'FORWARDER_MAX_CONCURRENCY\' in string.Template.substitute',
  },
  {
    name: 'DD_ENV',
    pr: '#849',
    commit: 'a8236961',
    older: "raises KeyError: 'DD_ENV' (images between efbbe3cb #835 and a8236961 write ${DD_ENV} literally into a label, which the API server rejects with 422)",
  },
];

/**
 * Every other variable the endpoint templates of chart 0.2.7 (at a8236961) use: supplied by every image the
 * doctor knows of (the templates used them before #836). Read from the rendered ConfigMap
 * model-engine-service-template-config (`_helpers.tpl` adds some, e.g. ${BROKER_NAME}, ${IMAGE_HASH}); the
 * chart parity test (test/values/chart-parity.test.ts) fails when the chart uses a variable in neither list.
 */
export const BASELINE_VARIABLES: readonly string[] = [
  'API_VERSION', 'AUTHENTICATION_REF', 'AWS_ROLE', 'BATCH_CURL_JOB_ACTIVE_DEADLINE_SECONDS', 'BATCH_JOB_MAX_RUNTIME',
  'BATCH_JOB_NUM_WORKERS', 'BATCH_JOB_TIMEOUT', 'BATCH_JOB_TTL_SECONDS_AFTER_FINISHED', 'BROKER_NAME',
  'CELERY_S3_BUCKET', 'CHANGE_CAUSE_MESSAGE', 'COMMAND', 'CONCURRENCY', 'CONCURRENT_REQUESTS_PER_WORKER',
  'CONFIG_DATA_SERIALIZED', 'CPUS', 'CREATED_BY', 'CRON_SCHEDULE', 'DD_TRACE_ENABLED', 'DNS_HOST_DOMAIN',
  'DOCKER_IMAGE_BATCH_JOB_BUNDLE_ID', 'ENDPOINT_CONFIG_SERIALIZED', 'ENDPOINT_ID', 'ENDPOINT_NAME',
  'FILE_CONTENTS_B64ENCODED', 'FORWARDER_CONFIG_FILE_NAME', 'FORWARDER_CPUS_LIMIT', 'FORWARDER_MEMORY_LIMIT',
  'FORWARDER_PORT', 'FORWARDER_STORAGE_LIMIT', 'FORWARDER_STREAM_ROUTES', 'FORWARDER_SYNC_ROUTES', 'FORWARDER_TYPE',
  'FORWARDER_WORKER_COUNT', 'GIT_TAG', 'GPUS', 'GPU_TYPE', 'HEALTHCHECK_ROUTE', 'HOST', 'IMAGE', 'IMAGE_HASH',
  'INFRA_SERVICE_CONFIG_VOLUME_MOUNT_PATH', 'INPUT_LOCATION', 'JOB_CONFIG', 'JOB_ID', 'JOB_METADATA',
  'LOCAL_FILE_NAME', 'LWS_SIZE', 'MAIN_ENV', 'MAX_WORKERS', 'MEMORY', 'MIN_WORKERS', 'MODEL_CACHE_PVC_NAME',
  'MOUNT_PATH', 'NAME', 'NAMESPACE', 'NODE_PORT_DICT', 'OWNER', 'PER_WORKER', 'PREDICT_ROUTE', 'PRIORITY', 'PRODUCT',
  'PROMETHEUS_SERVER_ADDRESS', 'QUEUE', 'READINESS_INITIAL_DELAY', 'REDIS_DB_INDEX', 'REDIS_HOST_PORT', 'REQUEST_ID',
  'RESOURCE_NAME', 'RESULTS_S3_BUCKET', 'S3_FILE', 'SERIALIZATION_FORMAT', 'SERVICEBUS_NAMESPACE',
  'SERVICE_NAME_OVERRIDE', 'SERVICE_TARGET_PORT', 'SERVICE_TYPE', 'SQS_QUEUE_URL', 'STORAGE_DICT',
  'STREAMING_PREDICT_ROUTE', 'TEAM', 'TRIGGER_ID', 'TRITON_COMMIT_TAG', 'TRITON_CPUS', 'TRITON_MEMORY_DICT',
  'TRITON_STORAGE_DICT', 'USER_CONTAINER_PORT', 'WORKER_COMMAND', 'WORKER_ENV',
];

/** The variables chart 0.2.7's endpoint templates use (the doctor's model when no chart or cluster is read). */
export const CHART_0_2_7_VARIABLES: readonly string[] = [...BASELINE_VARIABLES, ...INTRODUCED_VARIABLES.map((v) => v.name)].sort();

/** Image tags whose commits the doctor knows (facts §10.2), for when neither a clone nor GitHub can answer. */
export const KNOWN_TAGS: Readonly<Record<string, { supplies: readonly string[]; note: string }>> = {
  e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f4: {
    supplies: [],
    note: "values_sample.yaml's tag: a commit of 2026-03-31 that is not on main and predates #836 and #849",
  },
  a82369619a365b79a45e49ef6af1045653102615: { supplies: ['FORWARDER_MAX_CONCURRENCY', 'DD_ENV'], note: 'llm-engine main at #849 (chart 0.2.7)' },
};
