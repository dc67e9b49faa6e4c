/**
 * The probe ports of a run (registry, redis, cloud APIs …), made once per run and shared by every check.
 * Each area adds its factory here; checks reach them as `ctx.ports.<name>` and declare them in `meta.needs`.
 */
import type { KubePort, RunOptions, RunPorts } from '../engine/types.js';
import { createCommitsPort, githubApiUrlFromEnv } from '../sources/commits/index.js';
import { IDENTITY_CLOUD_PORT } from '../engine/ports/identity-cloud.js';
import { createRegistryPort } from '../sources/registry/index.js';
import type { CanaryKubeConfig } from '../sources/kube/canary.js';
import { CLOUD_PORT, CloudApiError, type CloudPort, type CloudService, type EntraTokenSource } from '../engine/ports/cloud.js';
import { EXEC_PORT } from '../engine/ports/exec.js';
import { BrokerCloudSource, brokerCloudOptionsFromEnv } from '../sources/cloud/broker-cloud.js';
import { RedisSource } from '../sources/redis/probe.js';
import { policyFromEnv, type NetworkPolicy } from '../sources/net-policy.js';

import { GATEWAY_PORT } from '../engine/ports/gateway.js';
import { createGatewayPort, gatewayOptionsFromEnv } from '../sources/gateway/index.js';

/**
 * Whether network probes (registries, Redis, cloud APIs, GitHub) may leave this machine in a run: `--no-probes`
 * never; `--probes` as the environment allows (MED_NETWORK); unset, a live run probes and a `--snapshot` run does not
 * — a snapshot is the past, and probing today's registries from a laptop would mix two moments and reach networks
 * the user did not mean to touch.
 */
export function probePolicy(opts: { probes?: boolean; snapshot?: string }, env: NodeJS.ProcessEnv = process.env): NetworkPolicy {
  if (opts.probes === false) return 'none';
  if (opts.snapshot && opts.probes !== true) return 'none';
  return policyFromEnv(env);
}

/**
 * The cloud port of a run that may not reach the network (`--no-probes`, a snapshot without `--probes`) but asked for
 * `--cloud-api`: every call fails at once with the reason, and no SDK is loaded or called.
 */
export function offlineCloud(): CloudPort & EntraTokenSource {
  const refuse = (service: CloudService) =>
    Promise.reject(new CloudApiError(service, 'NetworkProbesDisabled', 'network probes are disabled (--no-probes, or --snapshot without --probes); no cloud API call was made'));
  return {
    describe: () => 'no cloud calls: network probes are disabled',
    secretJsonKey: () => refuse('secrets-manager'),
    entraToken: () => refuse('entra'),
    serviceBusQueue: () => refuse('service-bus'),
    serviceBusNamespace: () => refuse('service-bus'),
    sqsQueue: () => refuse('sqs'),
    rawToken: () => refuse('entra'),
  };
}

export interface PortsInput {
  kube?: KubePort;
  options: RunOptions;
  signal: AbortSignal;
  /** The live cluster's kubeconfig (absent for snapshots); the canary port writes through it. */
  kubeConfig?: CanaryKubeConfig;
}

export async function createPorts(input: PortsInput): Promise<RunPorts> {
  const ports: { -readonly [K in keyof RunPorts]: RunPorts[K] } = {};
  const llmEngineRepo = input.options.extra.llmEngineRepo;
  ports.commits = createCommitsPort({ ...(llmEngineRepo ? { repoPath: llmEngineRepo } : {}), githubApiUrl: githubApiUrlFromEnv(), policy: input.options.network });
  // Cloud control-plane reads only with --cloud-api; the clients load lazily on first use.
  if (input.options.cloudApi) {
    const { createIdentityCloudPort, identityCloudOptionsFromEnv } = await import('../sources/cloud/identity.js');
    ports[IDENTITY_CLOUD_PORT] = createIdentityCloudPort({ ...identityCloudOptionsFromEnv(), network: input.options.network });
  }
  // Registry probes: OCI distribution API (+ ECR/GAR APIs with --cloud-api); pull secrets read through the kube port.
  ports.registry = createRegistryPort({ ...(input.kube ? { kube: input.kube } : {}), cloudApi: input.options.cloudApi, network: input.options.network });
  // The only write the doctor makes (create/watch/delete its own pods), only with --canary on a live cluster.
  if (input.options.canary && input.kubeConfig) {
    // Loaded only when asked for: the probe pod needs @kubernetes/client-node's generated API (0.4 s, 50 MB more than
    // the live path's KubeConfig alone: src/sources/kube/client-node.ts).
    const { createCanaryPort } = await import('../sources/kube/canary.js');
    ports.canary = createCanaryPort(input.kubeConfig);
  }
  // Secrets Manager / Entra / Service Bus / SQS reads for the redis and broker checks, only with --cloud-api.
  // The SDK clients do not know the run's network policy, so a run that may not reach the network never makes them.
  const brokerCloud = !input.options.cloudApi ? undefined : input.options.network === 'none' ? offlineCloud() : new BrokerCloudSource(brokerCloudOptionsFromEnv());
  if (brokerCloud) ports[CLOUD_PORT] = brokerCloud;
  // Read-only Redis probes (PING/AUTH …) from this machine; Entra tokens for Azure Redis come from the cloud port.
  // Whether it may connect is the run's network policy (probePolicy): snapshots only with --probes.
  ports.redis = new RedisSource({ ...(brokerCloud ? { tokens: brokerCloud } : {}), network: input.options.network });
  // Probes from inside the gateway pod (model-engine's own config and redis-py), only with --exec on a live cluster.
  if (input.options.exec && input.kubeConfig) {
    const { createExecPort } = await import('../sources/kube/exec.js');
    ports[EXEC_PORT] = createExecPort(input.kubeConfig);
  }
  // model-engine's own API, only with --gateway-url (the endpoint doctor shows its record beside the cluster's).
  const gatewayUrl = input.options.extra.gatewayUrl;
  // The URL is a source the user named, not a probe: --no-probes and snapshot runs still read it (the
  // environment's policy, MED_NETWORK, still applies).
  const gatewayNetwork = input.options.network === 'none' ? policyFromEnv() : input.options.network;
  if (gatewayUrl) ports[GATEWAY_PORT] = createGatewayPort(gatewayOptionsFromEnv(gatewayUrl, gatewayNetwork));
  return ports;
}
