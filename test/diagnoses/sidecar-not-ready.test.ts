import cause from '../../diagnoses/sidecar-not-ready.js';
import { shiftNow, testCause } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: 'the native istio-proxy sidecar gets no config from istiod; main waits',
      snapshot: 'endpoint-sidecar-not-ready',
      endpoint: 'end_ct5umvnn2ojg00a4qmn0',
      level: 'pod',
      summary: ['istio-proxy sidecar', '(4 restarts)', 'gets no configuration from istiod', 'http-forwarder and main wait for it'],
      commands: ['kubectl -n istio-system get deploy,pods -l app=istiod', 'kubectl get namespace llm-engine -L istio-injection,istio.io/rev'],
      evidence: ['Envoy proxy is NOT ready: config not received from XDS server', 'Startup probe failed', 'holdApplicationUntilProxyStarts'],
    },
  ],
  misses: [
    { name: 'the same pod 3 minutes after creation, before any restart of the proxy (simulated)', snapshot: 'endpoint-sidecar-not-ready', endpoint: 'end_ct5umvnn2ojg00a4qmn0', edit: (f) => shiftNow(-47 * 60_000)({ ...f, pods: f.pods.map((p) => ({ ...p, status: { ...p.status, initContainerStatuses: p.status?.initContainerStatuses?.map((c) => ({ ...c, restartCount: 0, lastState: {} })) } })) }) },
    { name: 'a pod without a sidecar, loading', snapshot: 'endpoint-starting', endpoint: 'end_ct5lbncn2ojg00a4qmc0' },
  ],
});
