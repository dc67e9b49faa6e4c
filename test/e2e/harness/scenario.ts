/**
 * Scenario helpers: wait for what the real components say about an endpoint (the scheduler's FailedScheduling, the
 * ReplicaSet controller's FailedCreate), diagnose it with the doctor, and clean up.
 */
import { doctorJson, kubectl, kubectlJson, waitFor } from './cluster.js';
import type { BuiltEndpoint } from './builder.js';

export interface KubeEvent {
  reason: string;
  message: string;
  type: string;
  involvedObject: { kind: string; name: string; namespace?: string };
  source?: { component?: string };
  reportingComponent?: string;
}

export async function events(namespace: string): Promise<KubeEvent[]> {
  return (await kubectlJson<{ items: KubeEvent[] }>(['get', 'events', '-n', namespace])).items;
}

/** Wait until an event with `reason` is recorded for an object whose name starts with the endpoint's resource name. */
export async function waitForEvent(ep: BuiltEndpoint, reason: string, timeoutMs = 60_000): Promise<KubeEvent> {
  return waitFor(
    `${reason} event for ${ep.resourceName}`,
    async () => (await events(ep.namespace)).find((e) => e.reason === reason && e.involvedObject.name.startsWith(ep.resourceName)),
    timeoutMs,
    500,
  );
}

/** Wait until the endpoint's Deployment has `n` available replicas. */
export async function waitForAvailable(ep: BuiltEndpoint, n = 1): Promise<void> {
  await waitFor(`${ep.resourceName} available`, async () => {
    const d = await kubectlJson<{ status: { availableReplicas?: number } }>(['get', 'deployment', '-n', ep.namespace, ep.resourceName]);
    return (d.status.availableReplicas ?? 0) >= n;
  });
}

export interface Diagnosis {
  cause: string;
  summary?: string;
  chain?: unknown[];
  evidence?: unknown[];
  remediation?: { summary: string; commands?: string[] };
  [k: string]: unknown;
}

/** `model-engine-doctor endpoint <name> -o json` against the real API server; the diagnosis and exit code. */
export async function diagnose(name: string, extra: string[] = [], kubeconfig?: string): Promise<{ code: number | null; diagnosis: Diagnosis; text: string }> {
  const { code, report } = await doctorJson<{ diagnosis: Diagnosis }>(['endpoint', name, ...extra], kubeconfig ? { kubeconfig } : {});
  return { code, diagnosis: report.diagnosis, text: JSON.stringify(report.diagnosis) };
}

/** Delete every object of an endpoint (model-engine labels them all with endpoint_id), as the builder's delete does. */
export async function deleteEndpoint(ep: BuiltEndpoint): Promise<void> {
  const kinds = 'deployments,configmaps,services,horizontalpodautoscalers,poddisruptionbudgets,scaledobjects.keda.sh';
  await kubectl(['delete', kinds, '-n', ep.namespace, '-l', `endpoint_id=${ep.id}`, '--ignore-not-found', '--wait=false']);
  // Pods whose status a simulated kubelet wrote are not finalised by kwok: remove them as a node controller would.
  await kubectl(['delete', 'pods', '-n', ep.namespace, '-l', `app=${ep.resourceName}`, '--grace-period=0', '--force', '--ignore-not-found', '--wait=false']);
  // Pods go with their ReplicaSets (garbage collector); wait so their GPUs are free for the next scenario.
  await waitFor(
    `pods of ${ep.resourceName} gone`,
    async () => (await kubectl(['get', 'pods', '-n', ep.namespace, '-l', `app=${ep.resourceName}`, '-o', 'name'])).trim() === '',
    60_000,
    500,
  );
}
