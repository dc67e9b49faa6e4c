import type { Remediation } from '../src/engine/index.js';
import { defineEndpointCause, type CreationFailure } from '../src/model-engine/endpoint-view.js';
import { creationEvidence, creationFailed, creationNext } from './lib/creation.js';
import { note, verdict } from './lib/verdict.js';

type Fix = Omit<Remediation, 'docs'>;

/** What denied the pods, in words, and where to change it. */
function fixFor(c: CreationFailure, ns: string): { who: string; fix: Fix } {
  const f = c.failure;
  switch (f.kind) {
    case 'pod-security': {
      const level = f.name!.split(':')[0];
      return {
        who: `Pod Security Admission (namespace ${ns} enforces ${f.name})`,
        fix: {
          summary: `Endpoint pods set no securityContext (model-engine renders them without runAsNonRoot, seccomp or dropped capabilities), so they cannot meet the "${level}" Pod Security level: lower the enforce level of namespace ${ns} (check with a server-side dry run first), or exempt it in the API server's PodSecurity configuration.`,
          commands: [
            `kubectl get namespace ${ns} -L pod-security.kubernetes.io/enforce,pod-security.kubernetes.io/enforce-version`,
            `kubectl label --dry-run=server --overwrite namespace ${ns} pod-security.kubernetes.io/enforce=baseline`,
            `kubectl label --overwrite namespace ${ns} pod-security.kubernetes.io/enforce=baseline`,
          ],
        },
      };
    }
    case 'policy':
      return {
        who: `ValidatingAdmissionPolicy ${f.name} (binding ${f.binding})`,
        fix: {
          summary: `Exclude namespace ${ns} (or pods labelled managed-by=model-engine) in the binding's matchResources, or change the policy; the ReplicaSet retries on its own.`,
          commands: [`kubectl get validatingadmissionpolicy ${f.name} -o yaml`, `kubectl get validatingadmissionpolicybinding ${f.binding} -o yaml`],
        },
      };
    default: {
      const kyverno = /kyverno/.test(f.name ?? '');
      const gatekeeper = /gatekeeper/.test(f.name ?? '');
      const constraint = /^\[([^\]]+)\]/.exec(f.detail)?.[1];
      return {
        who: kyverno ? `Kyverno (webhook ${f.name})` : gatekeeper ? `OPA Gatekeeper (webhook ${f.name}${constraint ? `, constraint ${constraint}` : ''})` : `admission webhook ${f.name}`,
        fix: {
          summary: kyverno
            ? `Add a Kyverno PolicyException for namespace ${ns} (pods labelled managed-by=model-engine) for the policies the message names, or change those policies; the ReplicaSet retries on its own.`
            : gatekeeper
              ? `Add ${ns} to the constraint's spec.match.excludedNamespaces (or fix what it requires); the ReplicaSet retries on its own.`
              : `Change the policy behind webhook ${f.name}, or exempt namespace ${ns}; the ReplicaSet retries on its own.`,
          commands: kyverno
            ? [`kubectl get clusterpolicies,policies -A`, `kubectl -n ${ns} get policyreports`]
            : gatekeeper
              ? [`kubectl get constraints${constraint ? ` | grep ${constraint}` : ''}`]
              : [`kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o custom-columns=NAME:.metadata.name,WEBHOOKS:.webhooks[*].name`],
        },
      };
    }
  }
}

export default defineEndpointCause({
  meta: {
    code: 'ADMISSION_DENIED',
    title: 'An admission policy denies the pods',
    rank: 33,
    docs: 'docs/endpoint.md#admission-denied',
    reads: ['replicaSets', 'events'],
  },
  match(v) {
    const c = creationFailed(v, 'pod-security', 'policy', 'webhook-denied');
    if (!c) return undefined;
    const ns = v.subject.namespace;
    const { who, fix } = fixFor(c, ns);
    return verdict(
      'ADMISSION_DENIED',
      'replica-set',
      `ReplicaSet ${c.replicaSet.metadata.name} cannot create pods: ${who} denies them: ${c.failure.detail}`,
      [...creationEvidence(c), note(`denied by ${who}`)],
      fix,
      creationNext(v, c),
    );
  },
});
