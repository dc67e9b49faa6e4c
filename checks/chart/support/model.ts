/**
 * The doctor's hand-kept model of chart 0.2.7 (facts §1.3): which objects `helm install` creates for a set of
 * values, used when no chart is rendered. It is built from the same pieces the values and identity checks use
 * (`chartFullname`, the PriorityClass names, the service-account namespaces), and the chart parity test
 * (test/values/chart-parity.test.ts) renders the real chart with every values fixture and fails when this model
 * and helm disagree.
 */
import type { ValuesPort } from '../../../src/engine/index.js';
import { helmHook } from '../../../src/engine/ports/chart.js';
import { chartFullname } from '../../../src/model-engine/identity.js';
import type { ComparableManifest } from './duplicates.js';
import type { Dependency } from './hook-order.js';

export interface PredictedObject extends ComparableManifest {
  /** Undefined for cluster-scoped objects. */
  namespace?: string;
  /** Where the chart writes it, e.g. `templates/service_account.yaml`. */
  template: string;
  /** What the model knows of the content (service accounts: annotations, token automount, pull secrets). */
  content: unknown;
  /** Whence a copy comes, for messages (`serviceAccount.namespaces`, annotations from `serviceAccount.annotations`). */
  source?: string;
  /** True for the workloads whose pods include `modelEngine.volumes` / `modelEngine.volumeMounts` (_helpers.tpl). */
  controlPlanePod?: boolean;
  /** The values key that turns it on (a hook Job's `db.runDbMigrationScript` …). */
  valuesKey?: string;
}

/** The apiVersion of each kind the model covers (for the API server's words: `Job.batch`, `Deployment.apps`). */
export const MODELLED_API_VERSIONS: Readonly<Record<string, string>> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  PriorityClass: 'scheduling.k8s.io/v1',
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Job: 'batch/v1',
};

/**
 * The meta every values check judging chart 0.2.7's model shares (values/required-fields, hook-jobs,
 * duplicate-objects): offline from the values alone, stepping aside for its chart/* twin when a chart is rendered.
 */
export const MODEL_CHECK_META = {
  clouds: 'all',
  cloudAgnostic: true,
  needs: ['values'],
  // The chart port when --chart renders: then the chart/* twin judges helm's own objects and these skip.
  uses: ['chart'],
  scopes: ['preflight', 'triage'],
} as const;

const CHART_NAME = 'model-engine';
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const on = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown) => (isMap(v) ? Object.keys(v).length > 0 : Array.isArray(v) ? v.length > 0 : on(v));

/**
 * An object whose `helm.sh/hook` annotation is there but empty (a values `null` renders it so), or names a phase
 * helm does not know, is a hook helm skips ("skipping unknown hooks") and never creates.
 */
export function skippedHook(annotations: unknown): boolean {
  return isMap(annotations) && helmHook(annotations).unknown;
}

/** The namespaces the chart renders its service accounts into: the release's and `serviceAccount.namespaces`. */
export function serviceAccountNamespaces(values: ValuesPort, releaseNamespace: string): string[] {
  const extra = values.get('serviceAccount.namespaces');
  return [releaseNamespace, ...(Array.isArray(extra) ? extra.map(String) : [])];
}

/** Hook fields of an object whose annotations come from the values. */
function hookOf(annotations: unknown): Pick<PredictedObject, 'hooks' | 'hookWeight' | 'skippedHook'> {
  const h = helmHook(isMap(annotations) ? annotations : undefined);
  const raw = isMap(annotations) && Object.hasOwn(annotations, 'helm.sh/hook') ? String(annotations['helm.sh/hook'] ?? '') : '';
  return { hooks: raw.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean), hookWeight: h.weight, ...(h.unknown ? { skippedHook: true } : {}) };
}

/** A chart hook with fixed annotations (`pre-install,pre-upgrade`, weight -3 …). */
const hook = (phases: string, weight: number): Pick<PredictedObject, 'hooks' | 'hookWeight'> => ({ hooks: phases.split(','), hookWeight: weight });
const PLAIN = { hooks: [] as string[], hookWeight: 0 };

/** Annotations as `toYaml` renders a values map (every value a string, as the API server needs). */
function annotationsOf(v: unknown): Record<string, unknown> {
  return isMap(v) ? { ...v } : {};
}

/** The service accounts of service_account.yaml, service_account_image_builder.yaml and service_account_inference.yaml. */
function predictServiceAccounts(values: ValuesPort, releaseNamespace: string, fullname: string): PredictedObject[] {
  const out: PredictedObject[] = [];
  const azure = values.get('azure');
  const gcp = values.get('gcp');
  const azureOn = nonEmpty(azure);
  const gcpOn = nonEmpty(gcp);
  const pullSecrets = azureOn ? { imagePullSecrets: [{ name: 'egp-ecr-regcred' }] } : {};

  const cpAnnotations = values.get('serviceAccount.annotations');
  const cp: Record<string, unknown> = nonEmpty(cpAnnotations) ? annotationsOf(cpAnnotations) : {};
  if (azureOn) cp['azure.workload.identity/client-id'] = values.get('azure.client_id') ?? null;
  if (gcpOn && on(values.get('gcp.iam_service_account'))) cp['iam.gke.io/gcp-service-account'] = values.get('gcp.iam_service_account');
  // `annotations:` is written when any of the three is set, even with nothing under it (null), as the gcp block of
  // values.yaml does with no iam_service_account.
  const cpRendersAnnotations = nonEmpty(cpAnnotations) || azureOn || gcpOn;
  const automount = values.get('automountServiceAccountToken');
  const builderAnnotations = values.get('imageBuilderServiceAccount.annotations');
  for (const ns of serviceAccountNamespaces(values, releaseNamespace)) {
    out.push({
      kind: 'ServiceAccount',
      name: fullname,
      namespace: ns,
      template: 'templates/service_account.yaml',
      ...hookOf(cpAnnotations),
      content: { ...(cpRendersAnnotations ? { metadata: { annotations: Object.keys(cp).length > 0 ? cp : null } } : {}), automountServiceAccountToken: automount ?? null, ...pullSecrets },
      source: `for ${ns === releaseNamespace ? 'the release namespace' : 'serviceAccount.namespaces'}, annotations from serviceAccount.annotations${azureOn ? ' and azure.client_id' : gcpOn && on(values.get('gcp.iam_service_account')) ? ' and gcp.iam_service_account' : ''}`,
    });
    if (on(values.get('imageBuilderServiceAccount')) && on(values.get('imageBuilderServiceAccount.create'))) {
      out.push({
        kind: 'ServiceAccount',
        name: 'kaniko',
        namespace: ns,
        template: 'templates/service_account_image_builder.yaml',
        ...hookOf(builderAnnotations),
        content: nonEmpty(builderAnnotations) ? { metadata: { annotations: annotationsOf(builderAnnotations) } } : {},
        source: 'for imageBuilderServiceAccount.create, annotations from imageBuilderServiceAccount.annotations',
      });
    }
  }

  const inferenceName = str(values.get('serviceTemplate.serviceAccountName'));
  const inferenceAnnotations = values.get('serviceTemplate.serviceAccountAnnotations');
  const endpointNs = str(values.get('config.values.launch.endpoint_namespace'));
  if (on(values.get('serviceTemplate')) && on(values.get('serviceTemplate.createServiceAccount')) && nonEmpty(inferenceAnnotations) && inferenceName && endpointNs) {
    const a = annotationsOf(inferenceAnnotations);
    if (azureOn) a['azure.workload.identity/client-id'] = values.get('azure.inference_client_id') || (values.get('azure.client_id') ?? null);
    if (gcpOn) {
      const gsa = values.get('gcp.inference_service_account') || values.get('gcp.iam_service_account');
      if (on(gsa)) a['iam.gke.io/gcp-service-account'] = gsa;
    }
    out.push({
      kind: 'ServiceAccount',
      name: inferenceName,
      namespace: endpointNs,
      template: 'templates/service_account_inference.yaml',
      ...hookOf(inferenceAnnotations),
      content: { metadata: { annotations: a }, ...pullSecrets },
      source: `for serviceTemplate.createServiceAccount, annotations from serviceTemplate.serviceAccountAnnotations${azureOn ? ' and azure.inference_client_id or client_id' : a['iam.gke.io/gcp-service-account'] !== undefined && !Object.hasOwn(annotationsOf(inferenceAnnotations), 'iam.gke.io/gcp-service-account') ? ' and gcp.inference_service_account or iam_service_account' : ''}`,
    });
  }
  return out;
}

/** What a hook Job of the chart needs before its pods run (`modelEngine.volumes` and its service account). */
function jobDependencies(values: ValuesPort, fullname: string): Dependency[] {
  const at = 'spec.template.spec';
  const deps: Dependency[] = [
    { kind: 'ServiceAccount', name: fullname, path: `${at}.serviceAccountName` },
    { kind: 'ConfigMap', name: `${fullname}-service-template-config`, path: `${at}.volumes[1].configMap.name` },
  ];
  let i = 2;
  if (nonEmpty(values.get('aws'))) {
    const name = str(values.get('aws.configMap.name'));
    if (name) deps.push({ kind: 'ConfigMap', name, path: `${at}.volumes[${i}].configMap.name` });
    i++;
  }
  if (nonEmpty(values.get('config.values'))) {
    deps.push({ kind: 'ConfigMap', name: `${fullname}-service-config`, path: `${at}.volumes[${i}].configMap.name` });
    deps.push({ kind: 'ConfigMap', name: `${fullname}-service-config`, path: `${at}.volumes[${i + 1}].configMap.name` });
  }
  return deps;
}

/** The objects the model says the chart renders (kinds the checks read: workloads, jobs, SAs, ConfigMaps, PriorityClasses), in manifest order per template. */
export function predictObjects(values: ValuesPort, releaseNamespace: string): PredictedObject[] {
  const out: PredictedObject[] = [];
  const add = (kind: string, name: string, namespace: string | undefined, template: string, extra: Partial<PredictedObject> = {}) =>
    out.push({ kind, name, ...(namespace ? { namespace } : {}), template, ...PLAIN, content: undefined, ...extra });
  const fullname = chartFullname(values);
  const sid = str(values.get('serviceIdentifier'));
  const endpointNs = str(values.get('config.values.launch.endpoint_namespace'));
  const cpPod = { controlPlanePod: true };

  add('Deployment', fullname, releaseNamespace, 'templates/gateway_deployment.yaml', cpPod);
  add('Deployment', `${fullname}-endpoint-builder`, releaseNamespace, 'templates/endpoint_builder_deployment.yaml', cpPod);
  add('Deployment', `${fullname}-cacher`, releaseNamespace, 'templates/cacher_deployment.yaml', cpPod);
  if (!sid) {
    const balloons = values.get('balloons');
    for (const b of Array.isArray(balloons) ? balloons : []) {
      const acc = isMap(b) ? str(b.acceleratorName) : undefined;
      if (acc) add('Deployment', `${CHART_NAME}-balloon-${acc}`, releaseNamespace, acc === 'cpu' ? 'templates/balloon_cpu_deployment.yaml' : 'templates/balloon_deployments.yaml');
    }
    for (const p of ['default', 'high', 'low']) add('PriorityClass', `${fullname}-${p}-priority`, undefined, `templates/model_engine_${p}_priority_class.yaml`);
  }
  if (on(values.get('celery_autoscaler.enabled'))) {
    // Go's printf renders an unset celeryBrokerType as "%!s(<nil>)": a name the API server rejects.
    add('StatefulSet', `celery-autoscaler-${str(values.get('celeryBrokerType')) ?? '%!s(<nil>)'}${sid ? `-${sid}` : ''}`, releaseNamespace, 'templates/celery_autoscaler_stateful_set.yaml');
  }

  out.push(...predictServiceAccounts(values, releaseNamespace, fullname));

  const infraHook = hook('pre-install,pre-upgrade', -3);
  if (nonEmpty(values.get('config.values'))) {
    add('ConfigMap', `${fullname}-service-config`, releaseNamespace, 'templates/service_config_map.yaml', infraHook);
    // Rendered into endpoint_namespace; without one, helm puts the copy in the release namespace too (a clash).
    add('ConfigMap', `${fullname}-service-config`, endpointNs ?? releaseNamespace, 'templates/service_config_map.yaml', infraHook);
    add('ConfigMap', `${fullname}-service-template-config`, releaseNamespace, 'templates/service_template_config_map.yaml', infraHook);
  }
  add('ConfigMap', `${fullname}-inference-framework-latest-config`, releaseNamespace, 'templates/inference_framework_config.yaml', hook('pre-install', -3));
  if (nonEmpty(values.get('recommendedHardware'))) add('ConfigMap', `${fullname}-recommended-hardware-config`, releaseNamespace, 'templates/recommended_hardware_config_map.yaml');
  if (nonEmpty(values.get('aws')) && values.get('aws.configMap.create') === true) {
    const nss = values.get('aws.configMap.namespaces');
    for (const ns of Array.isArray(nss) ? nss.map(String) : []) add('ConfigMap', str(values.get('aws.configMap.name')) ?? '', ns, 'templates/aws_config_map.yaml', infraHook);
  }

  const rev = 1;
  const job = { ...cpPod, dependencies: jobDependencies(values, fullname) };
  const jobs: [key: string, name: string, template: string, phases: string, weight: number][] = [
    ['db.runDbMigrationScript', 'database-migration', 'database_migration_job.yaml', 'pre-install,pre-upgrade', -1],
    ['db.runDbInitScript', 'database-setup', 'database_init_job.yaml', 'pre-install,pre-upgrade', -2],
    ['spellbook.enabled', 'spellbook-setup', 'spellbook_init_job.yaml', 'post-install', 0],
    ['populateFineTuningRepository', 'populate-fine-tuning-repository', 'populate_fine_tuning_repository_job.yaml', 'post-install', 1],
    ['restartKedaOperator', 'restart-keda-operator', 'restart_keda_operator.yaml', 'post-install', 1],
  ];
  for (const [key, name, template, phases, weight] of jobs) {
    // The spellbook Job also needs the Kubernetes database Secret's name.
    if (!on(values.get(key)) || (key === 'spellbook.enabled' && !on(values.get('secrets.kubernetesDatabaseSecretName')))) continue;
    add('Job', `${fullname}-${name}-${rev}`, releaseNamespace, `templates/${template}`, { ...hook(phases, weight), ...job, valuesKey: key });
  }
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

/**
 * Values the chart writes into a field the API server requires, where nothing stops them from rendering empty
 * (found by installing model-engine's own values_sample.yaml into a real API server: `helm template` succeeds,
 * `helm install` fails). Each names the volume (mount) of `modelEngine.volumes` / `modelEngine.volumeMounts`
 * (templates/_helpers.tpl) it lands in, so a finding on the rendered chart can name the key too.
 */
export interface FieldSource {
  /** The values key. */
  key: string;
  /** When the chart renders the field at all (a Go template `if`): a values path that must be non-empty. */
  when: string;
  /** The volume (`volume`) or volume mount (`volumeMount`) of the control-plane pods, by name, and its field. */
  on: 'volume' | 'volumeMount';
  volume: string;
  field: string;
  /** The helper that renders it. */
  helper: string;
  /** Index in the pod spec's `volumes` / the container's `volumeMounts` (the helper's order; stable while `when` holds). */
  index: number;
  why: string;
  example: string;
}

export const FIELD_SOURCES: readonly FieldSource[] = [
  {
    key: 'aws.configMap.mountPath',
    when: 'aws',
    on: 'volumeMount',
    volume: 'config-volume',
    field: 'mountPath',
    helper: 'modelEngine.volumeMounts',
    index: 2,
    why: 'with `aws` set every control-plane pod mounts the AWS config there (AWS_CONFIG_FILE=/opt/.aws/config)',
    example: 'aws:\n  configMap:\n    mountPath: /opt/.aws/config   # where AWS_CONFIG_FILE points in every control-plane pod\n',
  },
  {
    key: 'aws.configMap.name',
    when: 'aws',
    on: 'volume',
    volume: 'config-volume',
    field: 'configMap.name',
    helper: 'modelEngine.volumes',
    index: 2,
    why: 'with `aws` set every control-plane pod mounts the AWS config ConfigMap of that name',
    example: 'aws:\n  configMap:\n    name: default-config\n',
  },
];

/** Where a field source lands in a pod spec (`containers[0].volumeMounts[2].mountPath`, relative to the spec). */
export function fieldSourcePath(f: FieldSource): string {
  return f.on === 'volume' ? `volumes[${f.index}].${f.field}` : `containers[0].volumeMounts[${f.index}].${f.field}`;
}

/** A required field the model says renders empty: the key, and the objects it lands in. */
export interface PredictedFieldProblem {
  source: FieldSource;
  objects: PredictedObject[];
  /** The field path in each object (`spec.template.spec.` + `fieldSourcePath`). */
  path: string;
}

/** The field sources these values leave empty, with the objects that carry them (only when the chart renders them at all). */
export function predictFieldProblems(values: ValuesPort, releaseNamespace: string, objects = predictObjects(values, releaseNamespace)): PredictedFieldProblem[] {
  const out: PredictedFieldProblem[] = [];
  for (const f of FIELD_SOURCES) {
    // A missing parent map is a nil pointer at render time (values/chart-keys), not an empty field.
    if (!nonEmpty(values.get(f.when)) || !isMap(values.get(f.key.split('.').slice(0, -1).join('.')))) continue;
    if (on(values.get(f.key))) continue;
    const carriers = objects.filter((o) => o.controlPlanePod);
    if (carriers.length > 0) out.push({ source: f, objects: carriers, path: `spec.template.spec.${fieldSourcePath(f)}` });
  }
  // aws_config_map.yaml names its ConfigMaps aws.configMap.name: unset, they have no name at all.
  const unnamed = objects.filter((o) => o.name === '');
  const nameSource = FIELD_SOURCES.find((f) => f.key === 'aws.configMap.name')!;
  if (unnamed.length > 0) out.push({ source: nameSource, objects: unnamed, path: 'metadata.name' });
  return out;
}
