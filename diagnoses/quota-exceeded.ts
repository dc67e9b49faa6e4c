import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { creationEvidence, creationFailed, creationNext } from './lib/creation.js';
import { verdict } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'QUOTA_EXCEEDED',
    title: 'A ResourceQuota or LimitRange rejects the pods',
    rank: 30,
    docs: 'docs/endpoint.md#quota-exceeded',
    reads: ['replicaSets', 'events'],
  },
  match(v) {
    const c = creationFailed(v, 'quota');
    if (!c) return undefined;
    const quota = c.failure.name;
    const ns = v.subject.namespace;
    return verdict(
      'QUOTA_EXCEEDED',
      'replica-set',
      `ReplicaSet ${c.replicaSet.metadata.name} cannot create pods: ${c.failure.detail}`,
      creationEvidence(c),
      {
        summary: quota ? `Raise ResourceQuota ${quota} in ${ns} (or free what it counts), then the ReplicaSet retries on its own.` : `Raise the namespace LimitRange in ${ns}, or lower the endpoint's request.`,
        commands: quota ? [`kubectl -n ${ns} describe resourcequota ${quota}`, `kubectl -n ${ns} edit resourcequota ${quota}`] : [`kubectl -n ${ns} describe limitrange`],
      },
      creationNext(v, c),
    );
  },
});
