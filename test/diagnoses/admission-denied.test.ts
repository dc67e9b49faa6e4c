import { describe, expect, it } from '@jest/globals';
import cause from '../../diagnoses/admission-denied.js';
import type { EndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import { runCause, testCause, withFailedCreate } from '../support/cause-tester.js';

const POD = 'launch-endpoint-id-end-ct5sivjn2ojg00a4qmj0-q2r4s6t8v3-7xk2p';

testCause(cause, {
  matches: [
    {
      name: 'Pod Security Admission: the endpoint namespace enforces restricted',
      snapshot: 'endpoint-admission-denied',
      endpoint: 'end_ct5sivjn2ojg00a4qmj0',
      level: 'replica-set',
      summary: ['Pod Security Admission (namespace llm-engine enforces restricted:latest) denies them', 'runAsNonRoot != true'],
      commands: ['kubectl label --dry-run=server --overwrite namespace llm-engine pod-security.kubernetes.io/enforce=baseline'],
      evidence: ['violates PodSecurity \\"restricted:latest\\"'],
    },
    {
      name: 'Gatekeeper denies a privileged container (message replaced; simulated)',
      snapshot: 'endpoint-admission-denied',
      endpoint: 'end_ct5sivjn2ojg00a4qmj0',
      edit: withFailedCreate('Error creating: admission webhook "validation.gatekeeper.sh" denied the request: [psp-privileged-container] Privileged container is not allowed: main, securityContext: {"privileged": true}'),
      summary: ['OPA Gatekeeper (webhook validation.gatekeeper.sh, constraint psp-privileged-container)'],
      commands: ['kubectl get constraints | grep psp-privileged-container'],
    },
    {
      name: 'Kyverno blocks the pod (message replaced; simulated)',
      snapshot: 'endpoint-admission-denied',
      endpoint: 'end_ct5sivjn2ojg00a4qmj0',
      edit: withFailedCreate(`Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: \n\nresource Pod/llm-engine/${POD} was blocked due to the following policies \n\nrequire-requests-limits:\n  validate-resources: 'validation error: CPU and memory resource requests and limits are required.'`),
      summary: ['Kyverno (webhook validate.kyverno.svc-fail) denies them', 'require-requests-limits'],
      commands: ['kubectl -n llm-engine get policyreports'],
    },
    {
      name: 'a ValidatingAdmissionPolicy (message replaced; simulated)',
      snapshot: 'endpoint-admission-denied',
      endpoint: 'end_ct5sivjn2ojg00a4qmj0',
      edit: withFailedCreate(`Error creating: pods "${POD}" is forbidden: ValidatingAdmissionPolicy 'require-cost-center' with binding 'require-cost-center-binding' denied request: pods must carry the cost-center label`),
      summary: ['ValidatingAdmissionPolicy require-cost-center (binding require-cost-center-binding)'],
      commands: ['kubectl get validatingadmissionpolicybinding require-cost-center-binding -o yaml'],
    },
  ],
  misses: [
    { name: 'a webhook that cannot be called', snapshot: 'endpoint-webhook-unavailable', endpoint: 'end_ct5tjvkn2ojg00a4qmk0' },
    { name: 'a quota', snapshot: 'endpoint-quota-exceeded', endpoint: 'end_ct5g6i7n2ojg00a4qm70' },
  ],
});

describe('a rollout refused by admission while the old ReplicaSet serves', () => {
  /** healthy-aws with a newer ReplicaSet that Pod Security refuses (ReplicaSet and event added; simulated). */
  const refusedRollout = (f: EndpointFacts): EndpointFacts => {
    const old = f.replicaSets[0]!;
    const name = `${old.metadata.name.replace(/-[a-z0-9]+$/, '')}-7c9d8e6f5b`;
    const rs = {
      ...old,
      metadata: { ...old.metadata, name, uid: 'rs-new', annotations: { ...old.metadata.annotations, 'deployment.kubernetes.io/revision': '2' } },
      spec: { ...old.spec, replicas: 1 },
      status: { replicas: 0 },
    };
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.1`, namespace: f.namespace },
      involvedObject: { kind: 'ReplicaSet', name, namespace: f.namespace, uid: 'rs-new' },
      reason: 'FailedCreate',
      type: 'Warning',
      count: 12,
      lastTimestamp: f.now,
      message: `Error creating: pods "${name}-x2v9q" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true (pod or containers "http-forwarder", "main" must set securityContext.runAsNonRoot=true)`,
    };
    return { ...f, replicaSets: [...f.replicaSets, rs], events: [...f.events, event] };
  };

  it('is a stuck update, not HEALTHY', async () => {
    const { verdict, diagnosis } = await runCause(cause, { name: 'rollout', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct', edit: refusedRollout });
    expect(verdict?.level).toBe('replica-set');
    expect(diagnosis.cause).toBe('ADMISSION_DENIED');
    expect(diagnosis.summary).toMatch(/^The endpoint still serves 1\/1 worker\(s\) from ReplicaSet \S+, but its update is stuck: ReplicaSet \S+-7c9d8e6f5b cannot create pods: Pod Security Admission/);
  });
});
