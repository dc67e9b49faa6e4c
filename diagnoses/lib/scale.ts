/** What holds an endpoint at zero replicas: a KEDA ScaledObject with `minReplicaCount: 0`, or the celery autoscaler. */
import type { ScaledObject } from '../../src/model-engine/endpoint-facts.js';
import type { EndpointView } from '../../src/model-engine/endpoint-view.js';

export interface ZeroScaler {
  /** The KEDA ScaledObject (sync/streaming endpoints with `min_workers: 0`). */
  scaledObject?: ScaledObject;
  /** The async endpoint's `celery.scaleml.autoscaler/minWorkers` annotation is `"0"`. */
  celery: boolean;
}

/** The scaler that put the endpoint at zero, if any (not a hand-made `kubectl scale`). */
export function zeroScaler(v: EndpointView): ZeroScaler | undefined {
  const so = v.facts.scaledObjects.find((x) => (x.spec?.minReplicaCount ?? 0) === 0);
  const celery = v.workload?.metadata.annotations?.['celery.scaleml.autoscaler/minWorkers'] === '0';
  return so || celery ? { ...(so ? { scaledObject: so } : {}), celery } : undefined;
}
