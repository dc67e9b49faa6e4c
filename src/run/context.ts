/**
 * Builds a run's check context: which cloud, which namespaces, which ports. Shared by the CLI, the demo and
 * the CheckTester so tests resolve exactly what users get.
 *
 * What cannot be read is never guessed: a control-plane or endpoint namespace that RBAC (or a failing API) keeps
 * us from finding becomes a placeholder whose reads fail with that reason (src/run/kube-guard.ts), so the checks
 * that depend on it skip naming the permission instead of reading `default`.
 */
import { ApiError, FatalError, ForbiddenError, ifUnreadable } from '../engine/errors.js';
import type { BaseContext } from '../engine/runner.js';
import type { Cloud, ConfigMap, Deployment, KubePort, Namespaces, Node, ReportTarget, RunOptions, ValuesPort } from '../engine/index.js';
import type { KubeObject, RunPorts } from '../engine/types.js';
import { CLOUDS } from '../engine/types.js';
import { serviceConfigFromData } from '../model-engine/images.js';
import { cloudFromProviderId, profileFor } from '../matrix/index.js';
import { clusterNameFromContext } from '../model-engine/cluster-name.js';
import { policyFromEnv } from '../sources/net-policy.js';
import { unknownNamespace } from '../engine/runner.js';
import { guardKube, type GuardedKube } from './kube-guard.js';

import { GATEWAY_DEPLOYMENT, SERVICE_CONFIG_MAP } from '../model-engine/model-engine-config.js';
export { GATEWAY_DEPLOYMENT, SERVICE_CONFIG_MAP };

export interface ContextInput {
  kube?: KubePort;
  values?: ValuesPort;
  cloud?: Cloud;
  namespace?: string;
  endpointNamespace?: string;
  options?: Partial<RunOptions>;
  ports?: RunPorts;
  now?: Date;
  /** The kube context the cluster was reached by (or the one a snapshot was collected from). */
  clusterContext?: string;
  /**
   * The command diagnoses an installed control plane (triage, endpoint, collect): a `-n` namespace that does not
   * hold it, an `--endpoint-namespace` that does not exist, or no control plane anywhere is exit 2.
   */
  requireControlPlane?: boolean;
  /** The helm release name (default `model-engine`), one of the ways to find the control plane. */
  release?: string;
  /** Why the values are missing, when they could not be read (the release Secret). */
  valuesMissing?: ForbiddenError | ApiError;
}

export interface ResolvedContext {
  context: BaseContext;
  cloudSource: ReportTarget['cloudSource'];
  /** The service ConfigMap's parsed launch/infra config, when found in the cluster. */
  serviceConfig?: { launch: Record<string, unknown>; infra: Record<string, unknown> };
  /** What the run could not read and what that left unknown, one line each (shown in the report's header). */
  unread: string[];
}

type Unreadable = ForbiddenError | ApiError;

export function isCloud(x: unknown): x is Cloud {
  return typeof x === 'string' && (CLOUDS as readonly string[]).includes(x);
}

function clusterOf(context: string): { context: string; name?: string } {
  const name = clusterNameFromContext(context);
  return { context, ...(name ? { name } : {}) };
}

/** Parse the `launch_service_config` / `infra_service_config` YAML keys of the service ConfigMap. */
export function parseServiceConfig(cm: ConfigMap | undefined): ResolvedContext['serviceConfig'] {
  return serviceConfigFromData(cm?.data);
}

/** The same failure again, saying what it kept us from knowing and how to tell us instead. */
function because(e: Unreadable, consequence: string): Unreadable {
  return e instanceof ForbiddenError
    ? new ForbiddenError(e.verb, e.resource, e.namespace, consequence)
    : new ApiError(e.failure, e.what, `${e.detail}; ${consequence}`);
}

interface Located {
  namespace: string;
  /** How it was found, for messages: `Deployment model-engine`. */
  via: string;
}

/**
 * Where the control plane runs, from the cluster: the `model-engine` Deployment (the Helm-managed one first), else
 * the service ConfigMap, the gateway's pods, or the helm release Secret — so one denied resource does not leave
 * it unknown. Reads that could not be made are returned, the first (the Deployment list) naming the permission.
 */
async function locateControlPlane(kube: KubePort, release: string): Promise<{ found?: Located; failures: Unreadable[] }> {
  const failures: Unreadable[] = [];
  const attempt = <T>(read: () => Promise<T>) =>
    ifUnreadable(read, (e) => {
      failures.push(e);
      return undefined;
    });
  const first = (objs: KubeObject[]) => objs[0]?.metadata.namespace;
  const probes: { via: string; read: () => Promise<KubeObject[]>; pick: (objs: KubeObject[]) => string | undefined }[] = [
    {
      via: `Deployment ${GATEWAY_DEPLOYMENT}`,
      read: () => kube.list<Deployment>('deployments.apps', { fieldSelector: `metadata.name=${GATEWAY_DEPLOYMENT}` }),
      pick: (ds) => ds.find((d) => d.metadata.labels?.['app.kubernetes.io/managed-by'] === 'Helm')?.metadata.namespace ?? first(ds),
    },
    // The chart renders this ConfigMap into the endpoint namespace too; its gateway_namespace names the release's.
    { via: `ConfigMap ${SERVICE_CONFIG_MAP}`, read: () => kube.list<ConfigMap>('configmaps', { fieldSelector: `metadata.name=${SERVICE_CONFIG_MAP}` }), pick: gatewayNamespaceOf },
    { via: `pods labelled app=${GATEWAY_DEPLOYMENT}`, read: () => kube.list('pods', { labelSelector: `app=${GATEWAY_DEPLOYMENT}` }), pick: first },
    { via: `helm release ${release}`, read: () => kube.list('secrets', { labelSelector: `owner=helm,name=${release}` }), pick: first },
  ];
  for (const p of probes) {
    const namespace = p.pick((await attempt(p.read)) ?? []);
    if (namespace) return { found: { namespace, via: p.via }, failures };
  }
  return { failures };
}

/** The release namespace from service ConfigMaps: their `gateway_namespace`, else the one not named as endpoint namespace. */
function gatewayNamespaceOf(cms: KubeObject[]): string | undefined {
  const configs = cms.map((cm) => ({ ns: cm.metadata.namespace, launch: parseServiceConfig(cm as ConfigMap)?.launch }));
  const named = configs.map((c) => c.launch?.gateway_namespace).find((g): g is string => typeof g === 'string' && g !== '');
  if (named) return named;
  const endpoints = new Set(configs.map((c) => c.launch?.endpoint_namespace));
  return (configs.find((c) => !endpoints.has(c.ns)) ?? configs[0])?.ns;
}

/** The cluster's namespace names, or undefined when they cannot be listed (or a snapshot holds none). */
async function namespaceNames(kube: KubePort): Promise<string[] | undefined> {
  const list = await ifUnreadable(() => kube.list('namespaces'), () => undefined);
  return list?.length ? list.map((n) => n.metadata.name) : undefined;
}

/** `endpoint_namespace` of the service ConfigMap in `namespace`, when readable. */
async function endpointNamespaceOf(kube: KubePort, namespace: string): Promise<string | undefined> {
  const cm = await ifUnreadable(() => kube.get<ConfigMap>('configmaps', SERVICE_CONFIG_MAP, namespace), () => undefined);
  const v = parseServiceConfig(cm)?.launch.endpoint_namespace;
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * `-n NS` on a command that diagnoses an installed control plane: NS must hold it (its Deployment, service
 * ConfigMap or release). When it does not, exit 2 naming where the `model-engine` Deployment runs instead. When
 * RBAC keeps us from looking, the user's word stands.
 */
async function confirmControlPlane(kube: KubePort, ns: string, release: string, where: string): Promise<void> {
  const reads = [
    () => kube.get('deployments.apps', GATEWAY_DEPLOYMENT, ns),
    async () => (await kube.list('secrets', { namespace: ns, labelSelector: `owner=helm,name=${release}` }))[0],
    // The chart renders the service ConfigMap into the endpoint namespace too: only its gateway_namespace counts.
    async () => {
      const cm = await kube.get('configmaps', SERVICE_CONFIG_MAP, ns);
      return cm && gatewayNamespaceOf([cm]) === ns ? cm : undefined;
    },
  ];
  for (const read of reads) {
    const hit = await ifUnreadable(read, () => 'unknown' as const);
    if (hit) return; // found, or could not look: either way we go on with what the user said
  }
  const names = await namespaceNames(kube);
  const { found } = await locateControlPlane(kube, release);
  if (found?.namespace === ns) return;
  let instead = `no namespace of ${where} holds a model-engine Deployment`;
  if (found) {
    const endpoints = await endpointNamespaceOf(kube, found.namespace);
    const role = endpoints === ns ? ` (${ns} is its endpoint namespace: that is --endpoint-namespace)` : '';
    instead = `the model-engine Deployment runs in namespace ${found.namespace}${role}: pass -n ${found.namespace}, or leave -n out`;
  }
  const what = names && !names.includes(ns) ? `namespace ${ns} does not exist in ${where}` : `namespace ${ns} holds no model-engine control plane (no Deployment ${GATEWAY_DEPLOYMENT}, ConfigMap ${SERVICE_CONFIG_MAP} or helm release ${release})`;
  throw new FatalError(`${what}; ${instead}`);
}

/** `--endpoint-namespace NS` must exist (when the cluster lets us list namespaces). */
async function confirmEndpointNamespace(kube: KubePort, ns: string, controlPlane: string, where: string): Promise<void> {
  const names = await namespaceNames(kube);
  if (!names || names.includes(ns)) return;
  const configured = await endpointNamespaceOf(kube, controlPlane);
  const instead = configured
    ? `model-engine's endpoints run in namespace ${configured} (endpoint_namespace in ConfigMap ${controlPlane}/${SERVICE_CONFIG_MAP}): pass --endpoint-namespace ${configured}, or leave it out`
    : 'leave --endpoint-namespace out to use endpoint_namespace from the service ConfigMap';
  throw new FatalError(`namespace ${ns} does not exist in ${where}; ${instead}`);
}

interface ControlPlane {
  namespace: string;
  /** Why it is unknown (then `namespace` is a placeholder). */
  unknown?: Unreadable;
  /** Nothing stated or found it: helm's own default, which findings resting on it say was assumed. */
  assumed?: true;
}

async function resolveControlPlane(input: ContextInput, guard: GuardedKube | undefined, release: string, where: string): Promise<ControlPlane> {
  if (input.namespace) {
    if (guard && input.requireControlPlane) await confirmControlPlane(guard, input.namespace, release, where);
    return { namespace: input.namespace };
  }
  // Offline: helm's own default namespace, where `helm install` without -n puts the release.
  if (!guard) return { namespace: 'default', assumed: true };
  const { found, failures } = await locateControlPlane(guard, release);
  if (found) return { namespace: found.namespace };
  const first = failures[0];
  if (first) {
    const namespace = unknownNamespace('control-plane');
    const reason = () => because(first, 'needed to find the control-plane namespace; pass -n NAMESPACE');
    guard.markUnresolved(namespace, reason);
    return { namespace, unknown: reason() };
  }
  if (input.requireControlPlane) {
    throw new FatalError(
      `no model-engine control plane in ${where}: no Deployment ${GATEWAY_DEPLOYMENT}, ConfigMap ${SERVICE_CONFIG_MAP}, pods labelled app=${GATEWAY_DEPLOYMENT} or helm release ${release} in any namespace`,
      2,
      'pass -n NAMESPACE if it is installed under other names (and --release NAME); before an install, run preflight',
    );
  }
  // Preflight before the install: nothing to find, and helm installs into `default` unless told otherwise.
  return { namespace: 'default', assumed: true };
}

export async function resolveContext(input: ContextInput): Promise<ResolvedContext> {
  const { values } = input;
  const guard = input.kube ? guardKube(input.kube) : undefined;
  const release = input.release ?? 'model-engine';
  const where = input.clusterContext ? `context "${input.clusterContext}"` : (guard?.target ?? 'the cluster');
  const unread: string[] = [];
  const cp = await resolveControlPlane(input, guard, release, where);
  const controlPlane = cp.namespace;
  if (cp.unknown) unread.push(`control-plane namespace unknown: ${cp.unknown.message}`);
  // helm's own default when nothing says otherwise; findings that rest on it say it was assumed. A namespace that
  // could not be read is unknown (a placeholder), never assumed.
  const assumed: ('controlPlane' | 'endpoint')[] = cp.assumed ? ['controlPlane'] : [];
  let endpointUnknown: Unreadable | undefined;

  let serviceConfig: ResolvedContext['serviceConfig'];
  let configFailure: Unreadable | undefined;
  if (guard) {
    const cm = await ifUnreadable(
      () => guard.get<ConfigMap>('configmaps', SERVICE_CONFIG_MAP, controlPlane),
      (e) => {
        configFailure = e;
        return undefined;
      },
    );
    serviceConfig = parseServiceConfig(cm);
  }

  const fromValues = values?.get('config.values.launch.endpoint_namespace');
  let endpoint =
    input.endpointNamespace ??
    (typeof serviceConfig?.launch.endpoint_namespace === 'string' ? serviceConfig.launch.endpoint_namespace : undefined) ??
    (typeof fromValues === 'string' && fromValues ? fromValues : undefined);
  if (endpoint && input.endpointNamespace && guard && input.requireControlPlane && !cp.unknown) {
    await confirmEndpointNamespace(guard, endpoint, controlPlane, where);
  }
  if (!endpoint && configFailure && guard) {
    // The ConfigMap that names it could not be read: not knowing beats reading the control-plane namespace instead.
    const failure = configFailure;
    endpoint = unknownNamespace('endpoint');
    const reason = () => because(failure, `needed to find the endpoint namespace (endpoint_namespace in ConfigMap ${SERVICE_CONFIG_MAP}); pass --endpoint-namespace NAMESPACE`);
    guard.markUnresolved(endpoint, reason);
    endpointUnknown = reason();
    if (!cp.unknown) unread.push(`endpoint namespace unknown: ${endpointUnknown.message}`);
  }
  if (!endpoint) {
    // Nothing names it (and nothing kept us from reading what would): model-engine's default is the release's own.
    endpoint = controlPlane;
    if (!cp.unknown) assumed.push('endpoint');
  }

  let cloud = input.cloud;
  let cloudSource: ReportTarget['cloudSource'] = cloud ? 'flag' : undefined;
  let cloudMissing: Unreadable | undefined;
  if (!cloud) {
    const v = values?.get('config.values.infra.cloud_provider');
    if (isCloud(v)) [cloud, cloudSource] = [v, 'values'];
  }
  if (!cloud && isCloud(serviceConfig?.infra.cloud_provider)) {
    [cloud, cloudSource] = [serviceConfig.infra.cloud_provider as Cloud, 'configmap'];
  }
  if (!cloud && guard) {
    const nodes = await ifUnreadable(
      () => guard.list<Node>('nodes'),
      (e) => {
        cloudMissing = e;
        return undefined;
      },
    );
    const found = nodes?.map((n) => cloudFromProviderId(n.spec?.providerID)).find(Boolean);
    if (found) [cloud, cloudSource] = [found, 'nodes'];
  }
  if (!cloud && cloudMissing) unread.push(`cloud unknown: ${cloudMissing.message}; pass --cloud`);
  if (input.valuesMissing) unread.push(`helm values: ${input.valuesMissing.message}; pass -f values.yaml`);

  const namespaces: Namespaces = { controlPlane, endpoint, ...(assumed.length > 0 ? { assumed } : {}) };
  const options: RunOptions = {
    canary: input.options?.canary ?? false,
    exec: input.options?.exec ?? false,
    cloudApi: input.options?.cloudApi ?? false,
    network: input.options?.network ?? policyFromEnv(),
    extra: input.options?.extra ?? {},
  };
  const missing = {
    ...(input.valuesMissing && !values ? { values: input.valuesMissing } : {}),
    ...(cloudMissing && !cloud ? { cloud: cloudMissing } : {}),
    // Checks cannot use a namespace that is not known: reading it throws the reason (src/engine/runner.ts).
    ...(cp.unknown ? { controlPlaneNamespace: cp.unknown } : {}),
    ...(endpointUnknown ? { endpointNamespace: endpointUnknown } : {}),
  };
  return {
    context: {
      cloud,
      matrix: profileFor(cloud),
      namespaces,
      kube: guard,
      values,
      options,
      now: input.now ?? new Date(),
      ...(input.clusterContext ? { cluster: clusterOf(input.clusterContext) } : {}),
      ports: input.ports ?? {},
      ...(Object.keys(missing).length ? { missing } : {}),
    },
    cloudSource,
    ...(serviceConfig ? { serviceConfig } : {}),
    unread,
  };
}
