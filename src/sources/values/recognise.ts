/**
 * Is this model-engine's values file at all? A values file of another chart (model-engine's own repository ships
 * `charts/k8s-startup-watcher`, facts §10.1) would otherwise be judged key by key and give a page of failures
 * that all mean "wrong file". It is refused with one line when it has none of the keys only model-engine's chart
 * reads and has keys that chart never reads. A partial overlay (`nodeSelector: null`, `tag: …`) is fine.
 */
import { isPlainMap, type Plain } from './merge.js';

/**
 * Every top-level key model-engine's chart 0.2.7 reads (`.Values.<key>` in its templates), plus `keyvaultName`,
 * which values_sample.yaml sets though no template reads it (facts §1.1). The chart parity test
 * (test/values/chart-parity.test.ts) fails when the chart's templates read a key that is missing here.
 */
export const CHART_TOP_LEVEL_KEYS: readonly string[] = [
  'affinity', 'automountServiceAccountToken', 'autoscaling', 'aws', 'azure', 'balloonConfig', 'balloonNodeSelector', 'balloons',
  'celeryBrokerType', 'celeryBrokerUrl', 'celeryElasticacheEnabled', 'celeryResultBackend', 'celery_autoscaler', 'celery_broker_type_redis',
  'celery_enable_sha256', 'config', 'containerSecurityContext', 'context', 'datadog', 'db', 'dd_trace_enabled', 'debug_mode',
  'destinationrule', 'endpointBuilder', 'extraEnvVars', 'extraPodEnvFrom', 'extraVolumeMounts', 'extraVolumes', 'forwarder',
  'fullnameOverride', 'gcp', 'gpuTolerations', 'hostDomain', 'image', 'imageBuilderServiceAccount', 'imageCache', 'imagePullSecrets',
  'inferenceFramework', 'keda', 'keyvaultName', 'message', 'modelCache', 'nodeSelector', 'podDisruptionBudget', 'podSecurityContext',
  'populateFineTuningRepository', 'recommendedHardware', 'redis', 'redisHost', 'redisPort', 'replicaCount', 'resources', 'restartKedaOperator',
  's3EndpointUrl', 'secrets', 'service', 'serviceAccount', 'serviceBuilderQueue', 'serviceIdentifier', 'serviceTemplate', 'spellbook', 'tag',
  'tolerations', 'triton', 'utilityImages', 'virtualservice',
];

/**
 * Keys (dotted paths) that only model-engine's chart has: one of them makes a file model-engine's. Generic keys
 * every chart has (`image`, `nodeSelector`, `resources`, `serviceAccount`, `context`, `datadog` …) do not count.
 */
export const MODEL_ENGINE_MARKERS: readonly string[] = [
  'config.values', 'tag', 'image.gatewayRepository', 'image.builderRepository', 'image.forwarderRepository', 'image.cacherRepository',
  'serviceTemplate', 'celeryBrokerType', 'celery_autoscaler', 'celery_broker_type_redis', 'celery_enable_sha256', 'balloons', 'balloonConfig',
  'balloonNodeSelector', 'inferenceFramework', 'db.runDbMigrationScript', 'db.runDbInitScript', 'imageCache', 'utilityImages',
  'dd_trace_enabled', 'gpuTolerations', 'keda', 'modelCache', 'spellbook', 'recommendedHardware', 'imageBuilderServiceAccount', 'triton',
  'redisHost', 'serviceIdentifier', 'keyvaultName', 'extraPodEnvFrom',
];

/** Sub-keys of generic top-level keys that model-engine's chart never reads: the shape of another chart. */
const FOREIGN_SUBKEYS: Readonly<Record<string, readonly string[]>> = {
  image: ['repository', 'tag', 'registry', 'name', 'digest'],
};

const has = (values: Plain, dotted: string): boolean => {
  let cur: unknown = values;
  for (const k of dotted.split('.')) {
    if (!isPlainMap(cur) || !Object.hasOwn(cur, k)) return false;
    cur = cur[k];
  }
  return true;
};

export interface ForeignValues {
  message: string;
  hint: string;
  /** The keys model-engine's chart does not read. */
  foreign: string[];
}

/** Why `values` (one file, before merging) is not model-engine's, or undefined when it may well be. */
export function foreignValuesProblem(values: Plain, file: string): ForeignValues | undefined {
  const keys = Object.keys(values);
  if (keys.length === 0) return undefined;
  if (MODEL_ENGINE_MARKERS.some((m) => has(values, m))) return undefined;
  const known = new Set(CHART_TOP_LEVEL_KEYS);
  const foreign = keys.filter((k) => !known.has(k)).map((k) => k);
  for (const [parent, subs] of Object.entries(FOREIGN_SUBKEYS)) {
    const v = values[parent];
    if (isPlainMap(v)) for (const s of subs) if (Object.hasOwn(v, s)) foreign.push(`${parent}.${s}`);
  }
  if (foreign.length === 0) return undefined;
  const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
  return {
    foreign,
    message: `${file} is not a values file of model-engine's chart: it has none of its keys (config.values, tag, image.gatewayRepository, …) and has keys that chart never reads (${shown})`,
    hint: "pass the values you give `helm install` for charts/model-engine (start from its values_sample.yaml), not another chart's",
  };
}
