/**
 * The doctor's hand-kept model of chart 0.2.7 (facts §1.3): which objects `helm install` creates for a set of
 * values, used when no chart is rendered. It is built from the same pieces the values and identity checks use
 * (`chartFullname`, the PriorityClass names, the service-account namespaces), and the chart parity test
 * (test/values/chart-parity.test.ts) renders the real chart with every values fixture and fails when this model
 * and helm disagree.
 */
import type { ValuesPort } from '../../../src/engine/index.js';
import { chartFullname } from '../../../src/model-engine/identity.js';

export interface PredictedObject {
  kind: string;
  name: string;
  /** Undefined for cluster-scoped objects. */
  namespace?: string;
}

const CHART_NAME = 'model-engine';
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const on = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown) => (isMap(v) ? Object.keys(v).length > 0 : Array.isArray(v) ? v.length > 0 : on(v));

/**
 * An object whose `helm.sh/hook` annotation is there but empty (a values `null` renders it so) is a hook of no known
 * type: helm skips it ("skipping unknown hooks") and never creates it.
 */
export function skippedHook(annotations: unknown): boolean {
  return isMap(annotations) && Object.hasOwn(annotations, 'helm.sh/hook') && !on(annotations['helm.sh/hook']);
}

/** The namespaces the chart renders its service accounts into: the release's and `serviceAccount.namespaces`. */
export function serviceAccountNamespaces(values: ValuesPort, releaseNamespace: string): string[] {
  const extra = values.get('serviceAccount.namespaces');
  return [releaseNamespace, ...(Array.isArray(extra) ? extra.map(String) : [])];
}

/** The objects the model says the chart renders (kinds the checks read: workloads, jobs, SAs, ConfigMaps, PriorityClasses). */
export function predictObjects(values: ValuesPort, releaseNamespace: string): PredictedObject[] {
  const out: PredictedObject[] = [];
  const add = (kind: string, name: string, namespace?: string) => out.push({ kind, name, ...(namespace ? { namespace } : {}) });
  const fullname = chartFullname(values);
  const sid = str(values.get('serviceIdentifier'));
  const endpointNs = str(values.get('config.values.launch.endpoint_namespace'));

  add('Deployment', fullname, releaseNamespace);
  add('Deployment', `${fullname}-endpoint-builder`, releaseNamespace);
  add('Deployment', `${fullname}-cacher`, releaseNamespace);
  if (!sid) {
    const balloons = values.get('balloons');
    for (const b of Array.isArray(balloons) ? balloons : []) {
      const acc = isMap(b) ? str(b.acceleratorName) : undefined;
      if (acc) add('Deployment', `${CHART_NAME}-balloon-${acc}`, releaseNamespace);
    }
    for (const p of ['default', 'high', 'low']) add('PriorityClass', `${fullname}-${p}-priority`);
  }
  if (on(values.get('celery_autoscaler.enabled'))) {
    // Go's printf renders an unset celeryBrokerType as "%!s(<nil>)": a name the API server rejects.
    add('StatefulSet', `celery-autoscaler-${str(values.get('celeryBrokerType')) ?? '%!s(<nil>)'}${sid ? `-${sid}` : ''}`, releaseNamespace);
  }

  for (const ns of serviceAccountNamespaces(values, releaseNamespace)) {
    if (!skippedHook(values.get('serviceAccount.annotations'))) add('ServiceAccount', fullname, ns);
    if (on(values.get('imageBuilderServiceAccount.create')) && !skippedHook(values.get('imageBuilderServiceAccount.annotations'))) add('ServiceAccount', 'kaniko', ns);
  }
  const inferenceName = str(values.get('serviceTemplate.serviceAccountName'));
  const inferenceAnnotations = values.get('serviceTemplate.serviceAccountAnnotations');
  if (on(values.get('serviceTemplate.createServiceAccount')) && nonEmpty(inferenceAnnotations) && !skippedHook(inferenceAnnotations) && inferenceName && endpointNs) {
    add('ServiceAccount', inferenceName, endpointNs);
  }

  if (isMap(values.get('config.values'))) {
    add('ConfigMap', `${fullname}-service-config`, releaseNamespace);
    // Rendered into endpoint_namespace; without one, helm puts the copy in the release namespace too (a clash).
    add('ConfigMap', `${fullname}-service-config`, endpointNs ?? releaseNamespace);
    add('ConfigMap', `${fullname}-service-template-config`, releaseNamespace);
  }
  add('ConfigMap', `${fullname}-inference-framework-latest-config`, releaseNamespace);
  if (nonEmpty(values.get('recommendedHardware'))) add('ConfigMap', `${fullname}-recommended-hardware-config`, releaseNamespace);
  if (isMap(values.get('aws')) && values.get('aws.configMap.create') === true) {
    const nss = values.get('aws.configMap.namespaces');
    for (const ns of Array.isArray(nss) ? nss.map(String) : []) add('ConfigMap', str(values.get('aws.configMap.name')) ?? 'default-config', ns);
  }

  const rev = 1;
  if (on(values.get('db.runDbMigrationScript'))) add('Job', `${fullname}-database-migration-${rev}`, releaseNamespace);
  if (on(values.get('db.runDbInitScript'))) add('Job', `${fullname}-database-setup-${rev}`, releaseNamespace);
  if (on(values.get('secrets.kubernetesDatabaseSecretName')) && on(values.get('spellbook.enabled'))) add('Job', `${fullname}-spellbook-setup-${rev}`, releaseNamespace);
  if (on(values.get('populateFineTuningRepository'))) add('Job', `${fullname}-populate-fine-tuning-repository-${rev}`, releaseNamespace);
  if (on(values.get('restartKedaOperator'))) add('Job', `${fullname}-restart-keda-operator-${rev}`, releaseNamespace);
  return out;
}

/** The kinds the model covers (the parity test compares only these). */
export const MODELLED_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'PriorityClass', 'ServiceAccount', 'ConfigMap', 'Job'];

/**
 * Keys chart 0.2.7's templates dereference without a default (found by rendering values_sample.yaml with each
 * key removed): without them `helm template` / `helm install` stops with "nil pointer evaluating …" before it
 * creates anything. `map`: the key must be a map (it may be empty); `value`: it must be set.
 */
export const TEMPLATE_REQUIREMENTS: readonly { path: string; need: 'map' | 'value'; template: string; example: string; when?: string }[] = [
  { path: 'image', need: 'map', template: 'templates/service_template_config_map.yaml', example: 'image:\n  gatewayRepository: <registry>/model-engine\n  builderRepository: <registry>/model-engine\n  forwarderRepository: <registry>/model-engine\n  pullPolicy: IfNotPresent' },
  { path: 'secrets', need: 'map', template: 'templates/spellbook_init_job.yaml', example: 'secrets:\n  kubernetesDatabaseSecretName: llm-engine-postgres-credentials' },
  { path: 'serviceAccount', need: 'map', template: 'templates/service_account_image_builder.yaml', example: 'serviceAccount:\n  annotations: {}\n  namespaces: []' },
  { path: 'service.port', need: 'value', template: 'templates/cacher_deployment.yaml', example: 'service:\n  type: ClusterIP\n  port: 80' },
  { path: 'virtualservice', need: 'map', template: 'templates/service_template_config_map.yaml', example: 'virtualservice:\n  enabled: false' },
  { path: 'hostDomain', need: 'map', template: 'templates/_helpers.tpl', example: 'hostDomain:\n  prefix: http://' },
  { path: 'destinationrule', need: 'map', template: 'templates/service_template_config_map.yaml', example: 'destinationrule:\n  enabled: false' },
  { path: 'replicaCount', need: 'map', template: 'templates/endpoint_builder_deployment.yaml', example: 'replicaCount:\n  gateway: 2\n  cacher: 1\n  builder: 1' },
  { path: 'autoscaling.horizontal', need: 'map', template: 'templates/gateway_hpa.yaml', example: 'autoscaling:\n  horizontal:\n    enabled: false' },
  { path: 'autoscaling.vertical', need: 'map', template: 'templates/gateway_vpa.yaml', example: 'autoscaling:\n  vertical:\n    enabled: false' },
  { path: 'autoscaling.prewarming', need: 'map', template: 'templates/proportional_t4_autoscaler_deployment.yaml', example: 'autoscaling:\n  prewarming:\n    enabled: false' },
  { path: 'celery_autoscaler', need: 'map', template: 'templates/celery_autoscaler_stateful_set.yaml', example: 'celery_autoscaler:\n  enabled: false' },
  { path: 'serviceTemplate', need: 'map', template: 'templates/service_template_config_map.yaml', example: 'serviceTemplate:\n  securityContext:\n    capabilities:\n      drop: [all]\n  mountInfraConfig: true' },
  { path: 'config.values.launch', need: 'map', template: 'templates/service_template_config_map.yaml', example: 'config:\n  values:\n    launch:\n      endpoint_namespace: llm-engine' },
  { path: 'triton.image', need: 'map', template: 'templates/service_template_config_map.yaml', example: 'triton:\n  image:\n    repository: <registry>/std-ml-srv\n    tag: <tag>' },
  { path: 'imageCache', need: 'map', template: 'templates/service_template_config_map.yaml', example: 'imageCache:\n  devices: []' },
  { path: 'aws.configMap', need: 'map', template: 'templates/aws_config_map.yaml', example: 'aws:\n  configMap:\n    name: default-config\n    create: false\n  profileName: default', when: 'aws' },
];

/** The template requirements these values miss: each one stops helm before anything is created. */
export function renderBlockers(values: ValuesPort): (typeof TEMPLATE_REQUIREMENTS)[number][] {
  return TEMPLATE_REQUIREMENTS.filter((r) => {
    if (r.when && !isMap(values.get(r.when))) return false;
    const v = values.get(r.path);
    return r.need === 'map' ? !isMap(v) : v === undefined || v === null;
  });
}
