import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { apiUpdate } from './lib/commands.js';
import { zeroScaler } from './lib/scale.js';
import { field, verdict } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'SCALED_TO_ZERO',
    title: 'Idle at zero replicas; the first request or task scales it up',
    rank: 180,
    benign: true,
    docs: 'docs/endpoint.md#scaled-to-zero',
    reads: ['deployments', 'scaledObjects'],
  },
  match(v) {
    if (v.situation !== 'scaled-to-zero') return undefined;
    const z = zeroScaler(v);
    if (!z) return undefined;
    const kind = v.subject.workloadKind;
    const w = v.workload;
    const so = z.scaledObject;
    return verdict(
      'SCALED_TO_ZERO',
      'endpoint',
      so
        ? `${kind} ${w?.metadata.name} is at 0 replicas because KEDA ScaledObject ${so.metadata.name} has minReplicaCount 0 (min_workers 0): the first request scales it up (expect a cold start).`
        : `${kind} ${w?.metadata.name} is at 0 replicas because its async queue is empty and min_workers is 0 (celery autoscaler): a queued task scales it up.`,
      [...(w ? [field(w, kind, 'spec.replicas', 0)] : []), ...(so ? [field(so, 'ScaledObject', 'spec.minReplicaCount', so.spec?.minReplicaCount ?? 0)] : [field(w!, kind, "metadata.annotations['celery.scaleml.autoscaler/minWorkers']", '0')])],
      { summary: 'Nothing to fix. To avoid cold starts, set min_workers to 1 or more.', commands: [apiUpdate(v.subject, { min_workers: 1 })] },
      [`kubectl -n ${v.subject.namespace} describe scaledobject ${so?.metadata.name ?? v.subject.k8sName}`],
    );
  },
});
