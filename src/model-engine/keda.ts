/**
 * What scale-from-zero needs from KEDA (facts §6.5, §10.4): a sync or streaming endpoint with `min_workers: 0` has a
 * ScaledObject (`minReplicaCount: 0`, a Redis or Azure Service Bus trigger, and a Prometheus trigger at
 * `prometheus_server_address`); only the KEDA operator, polling those triggers, takes it from 0 to 1 (the metrics API
 * server feeds the HPA from 1 up). Pure reading of the collected objects.
 */
import type { Pod } from '../engine/kube-types.js';
import type { KubeObject } from '../engine/types.js';
import type { ScaledObject } from './endpoint-facts.js';

export type KedaComponent = 'keda-operator' | 'keda-operator-metrics-apiserver';

const ready = (p: Pod) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready);

/** Each KEDA component's pods and how many are ready; undefined when the pods were not read. */
export function kedaComponents(pods: readonly Pod[] | undefined): Record<KedaComponent, { pods: Pod[]; ready: number }> | undefined {
  if (!pods) return undefined;
  const of = (app: KedaComponent) => {
    const mine = pods.filter((p) => p.metadata.labels?.app === app);
    return { pods: mine, ready: mine.filter(ready).length };
  };
  return { 'keda-operator': of('keda-operator'), 'keda-operator-metrics-apiserver': of('keda-operator-metrics-apiserver') };
}

export interface TriggerProblem {
  trigger: string;
  /** `spec.triggers[i]…`, for the evidence. */
  path: string;
  problem: string;
}

/** Triggers that cannot work as written: a TriggerAuthentication that does not exist, an empty server address. */
export function triggerProblems(so: ScaledObject, triggerAuthentications: readonly KubeObject[] | undefined): TriggerProblem[] {
  const out: TriggerProblem[] = [];
  (so.spec?.triggers ?? []).forEach((t, i) => {
    const auth = t.authenticationRef?.name;
    if (auth && (t.authenticationRef?.kind ?? 'TriggerAuthentication') === 'TriggerAuthentication' && triggerAuthentications && !triggerAuthentications.some((a) => a.metadata.name === auth)) {
      out.push({ trigger: t.type, path: `spec.triggers[${i}].authenticationRef.name`, problem: `TriggerAuthentication ${auth} does not exist` });
    }
    if (t.type === 'prometheus' && !t.metadata?.serverAddress) out.push({ trigger: t.type, path: `spec.triggers[${i}].metadata.serverAddress`, problem: 'no serverAddress (infra.prometheus_server_address is not set)' });
    if (t.type === 'redis' && !t.metadata?.address && !t.metadata?.addressFromEnv && !t.metadata?.host) out.push({ trigger: t.type, path: `spec.triggers[${i}].metadata.address`, problem: 'no Redis address' });
  });
  return out;
}

/** The ScaledObject's condition of this type, when it is not True. */
export function failingCondition(so: ScaledObject, type: 'Ready' | 'Active' | 'Fallback'): { status: string; reason?: string; message?: string } | undefined {
  const c = so.status?.conditions?.find((x) => x.type === type);
  if (!c) return undefined;
  if (type === 'Fallback') return c.status === 'True' ? c : undefined;
  return c.status !== 'True' ? c : undefined;
}
