import cause from '../../diagnoses/scale-from-zero-blocked.js';
import type { EndpointFacts, ScaledObject } from '../../src/model-engine/endpoint-facts.js';
import { testCause } from '../support/cause-tester.js';

/** KEDA healthy-looking: the ScaledObject Ready and no trigger errors left (edited; simulated). */
const quiet = (f: EndpointFacts): EndpointFacts => ({
  ...f,
  events: f.events.filter((e) => e.reason !== 'KEDAScalerFailed'),
  scaledObjects: f.scaledObjects.map((so): ScaledObject => ({ ...so, status: { ...so.status, conditions: (so.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { type: 'Ready', status: 'True', reason: 'ScaledObjectReady' } : c)) } })),
});

testCause(cause, {
  matches: [
    {
      name: 'the Prometheus trigger cannot resolve prometheus_server_address; the ScaledObject is not Ready',
      snapshot: 'endpoint-scale-from-zero-blocked',
      endpoint: 'end_ct5rmtun2ojg00a4qmq0',
      level: 'endpoint',
      summary: ['is at 0 replicas', 'will not scale up on the next request', 'is not Ready (TriggerError: Triggers defined in ScaledObject are not working correctly)', 'no such host'],
      commands: ['kubectl -n llm-engine describe scaledobject launch-endpoint-id-end-ct5rmtun2ojg00a4qmq0', '"min_workers":1'],
      evidence: ['KEDAScalerFailed', 'fallback.replicas is 0'],
    },
    {
      name: 'the KEDA operator pod is crash-looping (pod status edited; simulated)',
      snapshot: 'endpoint-scale-from-zero-blocked',
      endpoint: 'end_ct5rmtun2ojg00a4qmq0',
      edit: (f) =>
        quiet({
          ...f,
          kedaPods: f.kedaPods!.map((p) =>
            p.metadata.labels?.app === 'keda-operator' ? { ...p, status: { ...p.status, phase: 'Running', containerStatuses: p.status!.containerStatuses!.map((c) => ({ ...c, ready: false, restartCount: 31, state: { waiting: { reason: 'CrashLoopBackOff' } } })) } } : p,
          ),
        }),
      summary: ['the KEDA operator has no ready pod (keda/keda-operator-6d8f9c7b5d-qx2lm Running)'],
      commands: ['kubectl get pods -A -l app=keda-operator'],
    },
    {
      name: "the Redis trigger's TriggerAuthentication does not exist (removed; simulated)",
      snapshot: 'endpoint-scale-from-zero-blocked',
      endpoint: 'end_ct5rmtun2ojg00a4qmq0',
      edit: (f) => quiet({ ...f, triggerAuthentications: [] }),
      summary: ['its redis trigger has TriggerAuthentication keda-trigger-auth-redis-secret does not exist'],
      evidence: ['spec.triggers[0].authenticationRef.name'],
    },
    {
      name: 'KEDA in fallback (Fallback=True after failureThreshold failed polls; Active Unknown), the Ready condition and events gone (simulated)',
      snapshot: 'endpoint-scale-from-zero-blocked',
      endpoint: 'end_ct5rmtun2ojg00a4qmq0',
      edit: (f) => {
        const q = quiet(f);
        return {
          ...q,
          scaledObjects: q.scaledObjects.map((so): ScaledObject => ({
            ...so,
            status: {
              ...so.status,
              conditions: [
                ...(so.status?.conditions ?? []).filter((c) => c.type !== 'Fallback' && c.type !== 'Active'),
                { type: 'Active', status: 'Unknown', reason: 'ScalerError', message: 'prometheus query failed' },
                { type: 'Fallback', status: 'True', reason: 'FallbackExists', message: 'At least one trigger is falling back on this scaled object' },
              ],
            },
          })),
        };
      },
      summary: ['KEDA is in fallback (FallbackExists: At least one trigger is falling back on this scaled object), holding fallback.replicas 0'],
      evidence: ['status.conditions[Fallback]', 'status.conditions[Active]'],
    },
  ],
  misses: [
    { name: 'scaled to zero and KEDA ready to scale it up', snapshot: 'endpoint-scaled-to-zero', endpoint: 'end_ct5mcodn2ojg00a4qmd0' },
    { name: 'the same endpoint once the trigger works again (simulated)', snapshot: 'endpoint-scale-from-zero-blocked', endpoint: 'end_ct5rmtun2ojg00a4qmq0', edit: quiet },
    { name: 'a serving endpoint', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct' },
  ],
});
