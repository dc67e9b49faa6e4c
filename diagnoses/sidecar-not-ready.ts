import type { Evidence } from '../src/engine/index.js';
import { defineEndpointCause, podEvents, type PodView } from '../src/model-engine/endpoint-view.js';
import { formatAge, oneLine } from '../src/model-engine/format.js';
import { ISTIO_PROXY, sidecarProblem } from '../src/model-engine/istio.js';
import { isStarting } from './lib/grace.js';
import { eventEvidence, field, forFirstPod, logEvidence, note, verdict } from './lib/verdict.js';

const stuckSidecar = (p: PodView) => p.state.kind === 'sidecar';

export default defineEndpointCause({
  meta: {
    code: 'SIDECAR_NOT_READY',
    title: 'The Istio sidecar never gets ready, so the app containers never start',
    rank: 105,
    docs: 'docs/endpoint.md#sidecar-not-ready',
    reads: ['pods', 'events', 'logs'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => stuckSidecar(p) && !isStarting(v, p),
      (p) => {
        const cs = p.state.kind === 'sidecar' ? p.state.container : undefined;
        const ns = v.subject.namespace;
        const probes = podEvents(v.facts, p.pod, ISTIO_PROXY).filter((e) => e.reason === 'Unhealthy' || e.reason === 'Killing' || e.reason === 'FailedPostStartHook');
        const log = v.facts.logs.find((l) => l.pod === p.name && l.container === ISTIO_PROXY);
        const problem = log ? sidecarProblem(log.text) : undefined;
        const holding = (p.pod.status?.containerStatuses ?? []).filter((c) => c.name !== ISTIO_PROXY && c.state?.waiting).map((c) => c.name);
        const evidence: Evidence[] = [
          field(p.pod, 'Pod', `status.containerStatuses[${ISTIO_PROXY}].ready`, false),
          ...((cs?.restartCount ?? 0) > 0 ? [field(p.pod, 'Pod', `status.containerStatuses[${ISTIO_PROXY}].restartCount`, cs!.restartCount)] : []),
          ...probes.slice(0, 2).map(eventEvidence),
          ...(problem && log ? [logEvidence(ns, log, problem.line, problem.lineNumber)] : []),
          ...(holding.length ? [note(`${holding.join(', ')} wait for the proxy (sidecar.istio.io/holdApplicationUntilProxyStarts)`)] : []),
        ];
        const why =
          problem?.kind === 'istiod-unreachable'
            ? 'it gets no configuration from istiod'
            : problem?.kind === 'certificate'
              ? 'it cannot get its workload certificate from istiod'
              : probes[0]
                ? oneLine(probes[0].message)
                : 'its readiness probe on :15021/healthz/ready fails';
        return verdict(
          'SIDECAR_NOT_READY',
          'pod',
          `The istio-proxy sidecar of pod ${p.name} has not been ready for ${formatAge(p.ageMs)}${(cs?.restartCount ?? 0) > 0 ? ` (${cs!.restartCount} restarts)` : ''}: ${why}${holding.length ? `; ${holding.join(' and ')} wait for it and never start` : ''}.`,
          evidence,
          {
            summary:
              problem?.kind === 'certificate'
                ? "Fix istiod's certificate signing for this namespace (istiod logs, the cluster's CA); the proxy retries on its own."
                : 'Make istiod reachable from the pod (istiod running, port 15012 open through NetworkPolicies and security groups, the revision the namespace names installed), or turn injection off for the endpoint namespace if the mesh is not needed (model-engine does not need Istio unless istio_enabled).',
            commands: [
              'kubectl -n istio-system get deploy,pods -l app=istiod',
              `kubectl -n ${ns} logs ${p.name} -c ${ISTIO_PROXY} --tail=100`,
              `kubectl get namespace ${ns} -L istio-injection,istio.io/rev`,
              'istioctl proxy-status',
            ],
          },
          [`kubectl -n ${ns} describe pod ${p.name}`],
        );
      },
    );
  },
});
