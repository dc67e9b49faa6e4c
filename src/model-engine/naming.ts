/**
 * How model-engine names an endpoint and its Kubernetes objects (facts §6.1): an id is `end_` and a 20-character
 * base32hex XID, and every object of the endpoint is `launch-endpoint-id-<id with _ → ->`
 * (`_endpoint_id_to_k8s_resource_group_name`), a pod or ReplicaSet adding its generated suffixes after it.
 */

/** model-engine endpoint ids: `end_` + a 20-character base32hex XID. */
export const ENDPOINT_ID = /^end_[0-9a-v]{20}$/;

/** `launch-endpoint-id-<id with _ → ->`: the name of every Kubernetes object of an endpoint. */
export function k8sNameOf(endpointId: string): string {
  return `launch-endpoint-id-${endpointId}`.replace(/_/g, '-');
}

/** The endpoint id back from an object name (`launch-endpoint-id-end-…` → `end_…`). */
export function endpointIdOf(k8sName: string): string | undefined {
  const m = /^launch-endpoint-id-end-([0-9a-v]{20})(?:-|$)/.exec(k8sName);
  return m ? `end_${m[1]}` : undefined;
}

/**
 * The endpoint id an object's name carries anywhere in it (`…end-<20>…` → `end_…`), for grouping findings into
 * incidents: looser than {@link endpointIdOf}, so an object named after the endpoint (an HPA, a ScaledObject) counts.
 */
export function endpointIdIn(name: string): string | undefined {
  const m = /(?:^|-)end-([0-9a-z]{20})(?=-|$)/.exec(name);
  return m ? `end_${m[1]}` : undefined;
}
