import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { creationEvidence, creationFailed, creationNext } from './lib/creation.js';
import { note, verdict } from './lib/verdict.js';

const AZURE_WI = 'mutation.azure-workload-identity.io';

export default defineEndpointCause({
  meta: {
    code: 'WEBHOOK_UNAVAILABLE',
    title: 'An admission webhook that fails closed cannot be reached',
    rank: 36,
    docs: 'docs/endpoint.md#webhook-unavailable',
    reads: ['replicaSets', 'events'],
  },
  match(v) {
    const c = creationFailed(v, 'webhook-unavailable');
    if (!c) return undefined;
    const hook = c.failure.name!;
    const svc = c.failure.service;
    const azure = hook === AZURE_WI;
    const where = svc ? `service ${svc.namespace}/${svc.name}` : 'its service';
    return verdict(
      'WEBHOOK_UNAVAILABLE',
      'replica-set',
      `ReplicaSet ${c.replicaSet.metadata.name} cannot create pods: the API server cannot call admission webhook ${hook} (${where}) and the webhook fails closed (failurePolicy: Fail): ${c.failure.detail}`,
      [
        ...creationEvidence(c),
        note(
          azure
            ? 'the Azure Workload Identity webhook mutates every pod labelled azure.workload.identity/use=true (model-engine labels endpoint pods so on Azure); while it is down, none of them can be created'
            : `every pod the webhook ${hook} selects fails to be created while it is down, not only this endpoint's`,
        ),
      ],
      {
        summary: azure
          ? `Bring the Azure Workload Identity webhook back (its pods behind ${where}: the AKS add-on runs it in kube-system, the Helm install in azure-workload-identity-system); the ReplicaSet retries on its own.`
          : `Bring webhook ${hook} back (the pods behind ${where}), or, if it is not needed, remove its configuration; the ReplicaSet retries on its own.`,
        commands: [
          ...(svc ? [`kubectl -n ${svc.namespace} get pods,endpointslices -l kubernetes.io/service-name=${svc.name}`, `kubectl -n ${svc.namespace} get deploy,pods -o wide`, `kubectl -n ${svc.namespace} get events --sort-by=.lastTimestamp`] : []),
          `kubectl get mutatingwebhookconfigurations,validatingwebhookconfigurations -o custom-columns=NAME:.metadata.name,WEBHOOKS:.webhooks[*].name,POLICY:.webhooks[*].failurePolicy | grep -F ${hook}`,
        ],
      },
      creationNext(v, c),
    );
  },
});
