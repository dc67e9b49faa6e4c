import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { creationEvidence, creationFailed, creationNext } from './lib/creation.js';
import { verdict } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'MISSING_SERVICE_ACCOUNT',
    title: 'The ServiceAccount endpoint pods run as does not exist',
    rank: 20,
    docs: 'docs/endpoint.md#missing-service-account',
    reads: ['replicaSets', 'events'],
  },
  match(v) {
    const c = creationFailed(v, 'service-account');
    if (!c) return undefined;
    const sa = c.failure.name!;
    const ns = v.subject.namespace;
    return verdict(
      'MISSING_SERVICE_ACCOUNT',
      'replica-set',
      `ReplicaSet ${c.replicaSet.metadata.name} cannot create pods: ServiceAccount ${ns}/${sa} does not exist. The chart creates it in the endpoint namespace only when serviceTemplate.createServiceAccount is true and serviceTemplate.serviceAccountAnnotations is not empty.`,
      creationEvidence(c),
      {
        summary: `Create ServiceAccount ${sa} in ${ns} with the workload-identity annotation the endpoints need (or let the chart create it), then the ReplicaSet retries on its own.`,
        commands: [`kubectl -n ${ns} create serviceaccount ${sa}`, `kubectl -n ${v.subject.cpNamespace} get serviceaccount ${sa} -o jsonpath='{.metadata.annotations}'`],
        values: ['serviceTemplate:', '  createServiceAccount: true', `  serviceAccountName: ${sa}`, '  serviceAccountAnnotations:', '    eks.amazonaws.com/role-arn: <role the endpoints use>   # or the Azure/GCP identity annotation', ''].join('\n'),
      },
      creationNext(v, c),
    );
  },
});
