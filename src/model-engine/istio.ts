/**
 * The Istio sidecar of endpoint pods. model-engine annotates sync and streaming endpoint pods
 * `sidecar.istio.io/holdApplicationUntilProxyStarts: "true"` (facts §6.3), so when the namespace has injection on,
 * the app containers do not start until `istio-proxy` is ready: a proxy that never gets ready (istiod unreachable,
 * no certificate) holds the whole pod. Async pods are annotated `sidecar.istio.io/inject: "false"`.
 */
import type { ContainerStatus, Pod } from '../engine/kube-types.js';

export const ISTIO_PROXY = 'istio-proxy';

/**
 * The `istio-proxy` container's status, when the pod has one that started and is not ready: a classic sidecar (in
 * `containers`) or a native one (an init container with `restartPolicy: Always`, Istio's native-sidecar mode).
 */
export function unreadySidecar(pod: Pod): ContainerStatus | undefined {
  const cs = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((c) => c.name === ISTIO_PROXY);
  if (!cs || cs.ready) return undefined;
  const started = !!cs.state?.running || !!cs.state?.terminated || (cs.restartCount ?? 0) > 0 || cs.state?.waiting?.reason === 'CrashLoopBackOff';
  return started ? cs : undefined;
}

export type SidecarProblem = 'istiod-unreachable' | 'certificate' | 'other';

/** What the proxy's log says is wrong, and the line that says it (the last such line). */
export function sidecarProblem(log: string): { kind: SidecarProblem; line: string; lineNumber: number } | undefined {
  // Unreachable first: a proxy that cannot reach istiod also fails to get its certificate, and says so first.
  const rules: [SidecarProblem, RegExp][] = [
    ['istiod-unreachable', /config not received from XDS server|xds-grpc closed|:15012[^\n]*(?:i\/o timeout|connection refused|no such host)|disconnected from XDS server|StreamAggregatedResources gRPC config stream/i],
    ['certificate', /certificate signed by unknown authority|failed to sign CSR|CSR signing failed|x509: |failed to generate secret/i],
  ];
  const lines = log.split(/\r?\n/);
  for (const [kind, re] of rules) {
    for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i]!)) return { kind, line: lines[i]!.trim(), lineNumber: i + 1 };
  }
  return undefined;
}
