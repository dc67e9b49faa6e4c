/**
 * The resource table: how kubectl's names (`deployments.apps`) map to API paths, kinds and scope.
 * Kinds found in a snapshot but missing here are added from the objects themselves (see `resourceForObject`).
 */
export interface ResourceInfo {
  kind: string;
  plural: string;
  singular: string;
  group: string; // '' for core
  version: string;
  namespaced: boolean;
  shortNames?: string[];
  verbs?: string[];
}

const r = (kind: string, plural: string, group: string, version: string, namespaced: boolean, shortNames?: string[]): ResourceInfo => ({
  kind,
  plural,
  singular: kind.toLowerCase(),
  group,
  version,
  namespaced,
  ...(shortNames ? { shortNames } : {}),
});

export const KNOWN_RESOURCES: readonly ResourceInfo[] = [
  r('Pod', 'pods', '', 'v1', true, ['po']),
  r('Node', 'nodes', '', 'v1', false, ['no']),
  r('Namespace', 'namespaces', '', 'v1', false, ['ns']),
  r('Event', 'events', '', 'v1', true, ['ev']),
  r('ConfigMap', 'configmaps', '', 'v1', true, ['cm']),
  r('Secret', 'secrets', '', 'v1', true),
  r('Service', 'services', '', 'v1', true, ['svc']),
  r('ServiceAccount', 'serviceaccounts', '', 'v1', true, ['sa']),
  r('PersistentVolumeClaim', 'persistentvolumeclaims', '', 'v1', true, ['pvc']),
  r('PersistentVolume', 'persistentvolumes', '', 'v1', false, ['pv']),
  r('ResourceQuota', 'resourcequotas', '', 'v1', true, ['quota']),
  r('LimitRange', 'limitranges', '', 'v1', true, ['limits']),
  r('Endpoints', 'endpoints', '', 'v1', true, ['ep']),
  r('Deployment', 'deployments', 'apps', 'v1', true, ['deploy']),
  r('ReplicaSet', 'replicasets', 'apps', 'v1', true, ['rs']),
  r('StatefulSet', 'statefulsets', 'apps', 'v1', true, ['sts']),
  r('DaemonSet', 'daemonsets', 'apps', 'v1', true, ['ds']),
  r('Job', 'jobs', 'batch', 'v1', true),
  r('CronJob', 'cronjobs', 'batch', 'v1', true, ['cj']),
  r('HorizontalPodAutoscaler', 'horizontalpodautoscalers', 'autoscaling', 'v2', true, ['hpa']),
  r('PodDisruptionBudget', 'poddisruptionbudgets', 'policy', 'v1', true, ['pdb']),
  r('PriorityClass', 'priorityclasses', 'scheduling.k8s.io', 'v1', false, ['pc']),
  r('StorageClass', 'storageclasses', 'storage.k8s.io', 'v1', false, ['sc']),
  r('ClusterRole', 'clusterroles', 'rbac.authorization.k8s.io', 'v1', false),
  r('ClusterRoleBinding', 'clusterrolebindings', 'rbac.authorization.k8s.io', 'v1', false),
  r('Role', 'roles', 'rbac.authorization.k8s.io', 'v1', true),
  r('RoleBinding', 'rolebindings', 'rbac.authorization.k8s.io', 'v1', true),
  r('CustomResourceDefinition', 'customresourcedefinitions', 'apiextensions.k8s.io', 'v1', false, ['crd', 'crds']),
  r('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', 'admissionregistration.k8s.io', 'v1', false),
  r('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', 'admissionregistration.k8s.io', 'v1', false),
  r('APIService', 'apiservices', 'apiregistration.k8s.io', 'v1', false),
  r('ScaledObject', 'scaledobjects', 'keda.sh', 'v1alpha1', true, ['so']),
  r('TriggerAuthentication', 'triggerauthentications', 'keda.sh', 'v1alpha1', true, ['ta']),
  r('VirtualService', 'virtualservices', 'networking.istio.io', 'v1alpha3', true, ['vs']),
  r('DestinationRule', 'destinationrules', 'networking.istio.io', 'v1beta1', true, ['dr']),
  r('ServiceEntry', 'serviceentries', 'networking.istio.io', 'v1beta1', true, ['se']),
  r('VerticalPodAutoscaler', 'verticalpodautoscalers', 'autoscaling.k8s.io', 'v1', true, ['vpa']),
  r('LeaderWorkerSet', 'leaderworkersets', 'leaderworkerset.x-k8s.io', 'v1', true, ['lws']),
];

/**
 * API groups every Kubernetes API server serves itself. The other groups in the table above (keda.sh, istio, LWS,
 * VPA) come from CRDs and exist only where they are installed.
 */
export const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'rbac.authorization.k8s.io',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'apiregistration.k8s.io',
  'networking.k8s.io',
  'events.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'node.k8s.io',
  'certificates.k8s.io',
]);

/** `plural[.group]`, kubectl's fully qualified resource name. */
export const qualifiedName = (info: ResourceInfo): string => (info.group ? `${info.plural}.${info.group}` : info.plural);
export const apiVersionOf = (info: ResourceInfo): string => (info.group ? `${info.group}/${info.version}` : info.version);

const byQualified = new Map(KNOWN_RESOURCES.map((i) => [qualifiedName(i), i]));

/** Look up a resource by `plural`, `plural.group`, kind or short name. */
export function lookupResource(name: string, extra: readonly ResourceInfo[] = []): ResourceInfo | undefined {
  const all = [...extra, ...KNOWN_RESOURCES];
  const hit = all.find((i) => qualifiedName(i) === name) ?? byQualified.get(name);
  if (hit) return hit;
  const lower = name.toLowerCase();
  return all.find(
    (i) => i.plural === lower || i.kind.toLowerCase() === lower || i.singular === lower || i.shortNames?.includes(lower),
  );
}

/** Guess the plural of a kind the way the API conventionally does (for CRDs with no definition in a snapshot). */
export function pluralize(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('s') || k.endsWith('x') || k.endsWith('ch') || k.endsWith('sh')) return `${k}es`;
  if (k.endsWith('y') && !/[aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/** The resource an object belongs to (known table first, then derived from its apiVersion and kind). */
export function resourceForObject(apiVersion: string, kind: string, namespaced: boolean): ResourceInfo {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
  const known = KNOWN_RESOURCES.find((i) => i.kind === kind && i.group === group);
  if (known) return known.version === version ? known : { ...known, version };
  return { kind, plural: pluralize(kind), singular: kind.toLowerCase(), group, version, namespaced };
}

const VERSION_RE = /^v\d+((alpha|beta)\d+)?$/;

/**
 * Whether `served` has a resource (`scaledobjects.keda.sh`, `pods`) or a group/version (`keda.sh/v1alpha1`,
 * `v1`), optionally with a resource (`keda.sh/v1alpha1/scaledobjects`). The port contract of `hasResource`.
 */
export function hasServed(served: readonly ResourceInfo[], resource: string): boolean {
  const parts = resource.split('/');
  if (parts.length > 1 || VERSION_RE.test(resource)) {
    const [group, version, plural] = VERSION_RE.test(parts[0]!) ? ['', parts[0]!, parts[1]] : [parts[0]!, parts[1], parts[2]];
    return served.some((r) => r.group === group && r.version === version && (plural === undefined || r.plural === plural));
  }
  const hit = lookupResource(resource, served);
  return hit !== undefined && served.some((r) => r.group === hit.group && r.plural === hit.plural);
}
