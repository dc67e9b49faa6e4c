/**
 * The probe ports of a run (registry, redis, cloud APIs …), made once per run and shared by every check.
 * Each area adds its factory here; checks reach them as `ctx.ports.<name>` and declare them in `meta.needs`.
 */
import type { KubePort, RunOptions } from '../engine/types.js';
import { createCommitsPort, githubApiUrlFromEnv } from '../sources/commits/index.js';
import { IDENTITY_CLOUD_PORT } from '../engine/ports/identity-cloud.js';
import { createIdentityCloudPort, identityCloudOptionsFromEnv } from '../sources/cloud/identity.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { createRegistryPort } from '../sources/registry/index.js';
import { createCanaryPort } from '../sources/kube/canary.js';

export interface PortsInput {
  kube?: KubePort;
  options: RunOptions;
  signal: AbortSignal;
  /** The live cluster's kubeconfig (absent for snapshots); the canary port writes through it. */
  kubeConfig?: KubeConfig;
}

export async function createPorts(input: PortsInput): Promise<Record<string, unknown>> {
  const ports: Record<string, unknown> = {};
  const llmEngineRepo = input.options.extra.llmEngineRepo;
  ports.commits = createCommitsPort({ ...(llmEngineRepo ? { repoPath: llmEngineRepo } : {}), githubApiUrl: githubApiUrlFromEnv() });
  // Cloud control-plane reads only with --cloud-api; the clients load lazily on first use.
  if (input.options.cloudApi) ports[IDENTITY_CLOUD_PORT] = createIdentityCloudPort(identityCloudOptionsFromEnv());
  // Registry probes: OCI distribution API (+ ECR/GAR APIs with --cloud-api); pull secrets read through the kube port.
  ports.registry = createRegistryPort({ ...(input.kube ? { kube: input.kube } : {}), cloudApi: input.options.cloudApi });
  // The only write the doctor makes (create/watch/delete its own pods), only with --canary on a live cluster.
  if (input.options.canary && input.kubeConfig) ports.canary = createCanaryPort(input.kubeConfig);
  return ports;
}
