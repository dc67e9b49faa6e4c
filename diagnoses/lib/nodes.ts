/** Node-pool commands (label a pool, scale a node group) with the cluster's name filled in when it is known. */
import type { Node } from '../../src/engine/index.js';
import { clusterNameFromContext } from '../../src/model-engine/cluster-name.js';
import type { EndpointView } from '../../src/model-engine/endpoint-view.js';

/** The EKS/GKE cluster name from the kube context (`arn:aws:eks:…:cluster/ml-prod`), when it says. */
export const clusterNameOf = (v: EndpointView): string | undefined => clusterNameFromContext(v.facts.hints?.context);

/** The cloud's command that puts `labels` on the node pools of `nodes`, so new nodes get them too. */
export function poolCommand(v: EndpointView, nodes: readonly Node[], labels: Record<string, string>): string[] {
  const pool = v.facts.hints?.nodePool;
  if (!pool) return [];
  const pools = [...new Set(nodes.map((n) => n.metadata.labels?.[pool.label]).filter((p): p is string => !!p))];
  const cluster = clusterNameOf(v);
  const joined = Object.entries(labels)
    .map(([k, val]) => `${k}=${val}`)
    .join(pool.labelSeparator);
  return pools.map((p) => pool.labelCommand.replace('{pool}', p).replace('{labels}', joined).replace(/<cluster>/g, cluster ?? '<cluster>'));
}
