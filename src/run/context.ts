/**
 * Builds a run's check context: which cloud, which namespaces, which ports. Shared by the CLI, the demo and
 * the CheckTester so tests resolve exactly what users get.
 */
import { ifForbidden } from '../engine/errors.js';
import type { BaseContext } from '../engine/runner.js';
import type { Cloud, ConfigMap, Deployment, KubePort, Namespaces, Node, ReportTarget, RunOptions, ValuesPort } from '../engine/index.js';
import { CLOUDS } from '../engine/types.js';
import { serviceConfigFromData } from '../model-engine/images.js';
import { cloudFromProviderId, profileFor } from '../matrix/index.js';
import { clusterNameFromContext } from '../model-engine/cluster-name.js';
import { policyFromEnv } from '../sources/net-policy.js';

import { GATEWAY_DEPLOYMENT, SERVICE_CONFIG_MAP } from '../model-engine/model-engine-config.js';
export { GATEWAY_DEPLOYMENT, SERVICE_CONFIG_MAP };

export interface ContextInput {
  kube?: KubePort;
  values?: ValuesPort;
  cloud?: Cloud;
  namespace?: string;
  endpointNamespace?: string;
  options?: Partial<RunOptions>;
  ports?: Record<string, unknown>;
  now?: Date;
  /** The kube context the cluster was reached by (or the one a snapshot was collected from). */
  clusterContext?: string;
}

export interface ResolvedContext {
  context: BaseContext;
  cloudSource: ReportTarget['cloudSource'];
  /** The service ConfigMap's parsed launch/infra config, when found in the cluster. */
  serviceConfig?: { launch: Record<string, unknown>; infra: Record<string, unknown> };
}

export function isCloud(x: unknown): x is Cloud {
  return typeof x === 'string' && (CLOUDS as readonly string[]).includes(x);
}

function clusterOf(context: string): { context: string; name?: string } {
  const name = clusterNameFromContext(context);
  return { context, ...(name ? { name } : {}) };
}

const tolerant = <T>(fn: () => Promise<T>): Promise<T | undefined> => ifForbidden(fn, () => undefined);

/** Parse the `launch_service_config` / `infra_service_config` YAML keys of the service ConfigMap. */
export function parseServiceConfig(cm: ConfigMap | undefined): ResolvedContext['serviceConfig'] {
  return serviceConfigFromData(cm?.data);
}

export async function resolveContext(input: ContextInput): Promise<ResolvedContext> {
  const { kube, values } = input;
  // Control-plane namespace: flag, else where the gateway Deployment runs.
  let controlPlane = input.namespace;
  if (!controlPlane && kube) {
    const gw = await tolerant(() => kube.list<Deployment>('deployments.apps', { fieldSelector: `metadata.name=${GATEWAY_DEPLOYMENT}` }));
    controlPlane = gw?.find((d) => d.metadata.labels?.['app.kubernetes.io/managed-by'] === 'Helm')?.metadata.namespace ?? gw?.[0]?.metadata.namespace;
  }
  // helm's own default when nothing says otherwise; findings that rest on it say it was assumed.
  const assumed: ('controlPlane' | 'endpoint')[] = controlPlane ? [] : ['controlPlane'];
  controlPlane ??= 'default';

  let serviceConfig: ResolvedContext['serviceConfig'];
  if (kube) {
    const cm = await tolerant(() => kube.get<ConfigMap>('configmaps', SERVICE_CONFIG_MAP, controlPlane));
    serviceConfig = parseServiceConfig(cm);
  }

  const statedEndpoint =
    input.endpointNamespace ??
    (typeof serviceConfig?.launch.endpoint_namespace === 'string' ? serviceConfig.launch.endpoint_namespace : undefined) ??
    (typeof values?.get('config.values.launch.endpoint_namespace') === 'string'
      ? (values.get('config.values.launch.endpoint_namespace') as string)
      : undefined);
  if (statedEndpoint === undefined) assumed.push('endpoint');
  const endpoint = statedEndpoint ?? controlPlane;

  let cloud = input.cloud;
  let cloudSource: ReportTarget['cloudSource'] = cloud ? 'flag' : undefined;
  if (!cloud) {
    const v = values?.get('config.values.infra.cloud_provider');
    if (isCloud(v)) [cloud, cloudSource] = [v, 'values'];
  }
  if (!cloud && isCloud(serviceConfig?.infra.cloud_provider)) {
    [cloud, cloudSource] = [serviceConfig.infra.cloud_provider as Cloud, 'configmap'];
  }
  if (!cloud && kube) {
    const nodes = await tolerant(() => kube.list<Node>('nodes'));
    const found = nodes?.map((n) => cloudFromProviderId(n.spec?.providerID)).find(Boolean);
    if (found) [cloud, cloudSource] = [found, 'nodes'];
  }

  const namespaces: Namespaces = { controlPlane, endpoint, ...(assumed.length > 0 ? { assumed } : {}) };
  const options: RunOptions = {
    canary: input.options?.canary ?? false,
    exec: input.options?.exec ?? false,
    cloudApi: input.options?.cloudApi ?? false,
    network: input.options?.network ?? policyFromEnv(),
    extra: input.options?.extra ?? {},
  };
  return {
    context: {
      cloud,
      matrix: profileFor(cloud),
      namespaces,
      kube,
      values,
      options,
      now: input.now ?? new Date(),
      ...(input.clusterContext ? { cluster: clusterOf(input.clusterContext) } : {}),
      ports: input.ports ?? {},
    },
    cloudSource,
    ...(serviceConfig ? { serviceConfig } : {}),
  };
}
