import cause from '../../diagnoses/webhook-unavailable.js';
import { testCause, withFailedCreate } from '../support/cause-tester.js';

testCause(cause, {
  matches: [
    {
      name: "Kyverno's fail-closed webhook times out",
      snapshot: 'endpoint-webhook-unavailable',
      endpoint: 'end_ct5tjvkn2ojg00a4qmk0',
      level: 'replica-set',
      summary: ['cannot call admission webhook validate.kyverno.svc-fail (service kyverno/kyverno-svc)', 'context deadline exceeded'],
      commands: ['kubectl -n kyverno get pods,endpointslices -l kubernetes.io/service-name=kyverno-svc', 'grep -F validate.kyverno.svc-fail'],
    },
    {
      name: 'the Azure Workload Identity webhook has no endpoints (message replaced; simulated)',
      snapshot: 'endpoint-webhook-unavailable',
      endpoint: 'end_ct5tjvkn2ojg00a4qmk0',
      edit: withFailedCreate(
        'Error creating: Internal error occurred: failed calling webhook "mutation.azure-workload-identity.io": failed to call webhook: Post "https://azure-wi-webhook-webhook-service.azure-workload-identity-system.svc:443/mutate-v1-pod?timeout=10s": no endpoints available for service "azure-wi-webhook-webhook-service"',
      ),
      summary: ['mutation.azure-workload-identity.io', 'no endpoints available'],
      commands: ['kubectl -n azure-workload-identity-system get pods,endpointslices -l kubernetes.io/service-name=azure-wi-webhook-webhook-service'],
      evidence: ['azure.workload.identity/use=true'],
    },
  ],
  misses: [
    { name: 'a policy denial', snapshot: 'endpoint-admission-denied', endpoint: 'end_ct5sivjn2ojg00a4qmj0' },
    { name: 'a missing PriorityClass', snapshot: 'endpoint-missing-priority-class', endpoint: 'end_ct5e4g5n2ojg00a4qm50' },
  ],
});
