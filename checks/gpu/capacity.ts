import { defineCheck, fail, pass, skip, warn, type Evidence, type Finding, type Node, type Pod } from '../../src/engine/index.js';
import { formatGpuCapacity, gpuCapacity, labelCommands, type GpuCapacityRow } from '../../src/model-engine/gpu.js';

/** Non-terminated pods, as the scheduler counts them. */
export const NON_TERMINATED = 'status.phase!=Succeeded,status.phase!=Failed';

export type RowVerdict =
  | { state: 'ok' }
  /** Pods wait for a type no Ready node has. */
  | { state: 'no-capacity'; waiting: number }
  /** Pods wait for more GPUs than are free. */
  | { state: 'exhausted'; waiting: number; wanted: number }
  /** Pods wait although enough GPUs are free: something else keeps them off those nodes. */
  | { state: 'blocked'; waiting: number; wanted: number };

/** Judge one type's row. Balloons waiting is normal (they hold spare room and yield it); endpoint and other pods are not. */
export function judgeRow(r: GpuCapacityRow): RowVerdict {
  const waiting = r.waiting.filter((w) => w.kind !== 'balloon');
  if (waiting.length === 0) return { state: 'ok' };
  if (r.readyNodes === 0) return { state: 'no-capacity', waiting: waiting.length };
  const wanted = waiting.reduce((s, w) => s + w.gpus, 0);
  // Free GPUs can still be out of reach: a node selector label missing, a taint, a per-node shortfall.
  return r.free >= wanted ? { state: 'blocked', waiting: waiting.length, wanted } : { state: 'exhausted', waiting: waiting.length, wanted };
}

export default defineCheck({
  meta: {
    id: 'gpu/capacity',
    title: 'GPU capacity per type covers what endpoints ask for',
    description:
      'A capacity table per GPU type (nodes Ready/total, GPUs allocatable, requested by running pods, free) and which endpoints have pods waiting for each type.',
    clouds: 'all',
    severity: 'high',
    needs: ['kube'],
    scopes: ['preflight', 'triage', 'endpoint'],
    messages: {
      table: '{{types}} GPU type(s): {{allocatable}} GPU(s) allocatable, {{requested}} requested, {{free}} free',
      noGpus: 'no GPU nodes and no pods waiting for GPUs',
      noCapacity: '{{waiting}} pod(s) wait for {{type}} ({{endpoints}}) and no Ready node has that type',
      exhausted: '{{waiting}} pod(s) wait for {{wanted}} {{type}} GPU(s) ({{endpoints}}) with {{free}} of {{allocatable}} free',
      blocked: '{{waiting}} pod(s) wait for {{wanted}} {{type}} GPU(s) ({{endpoints}}) although {{free}} of {{allocatable}} are free: something else keeps them off those nodes',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const [nodes, pods] = await Promise.all([kube.list<Node>('nodes'), kube.list<Pod>('pods', { fieldSelector: NON_TERMINATED, project: 'placement' })]);
    const cap = gpuCapacity(nodes, pods);
    if (cap.rows.length === 0 && cap.unlabelledGpuNodes.length === 0) return skip('noGpus');
    const table: Evidence[] = [
      { type: 'note', text: formatGpuCapacity(cap).join('\n') },
      ...(cap.unlabelledGpuNodes.length ? [{ type: 'note' as const, text: `GPU nodes without k8s.amazonaws.com/accelerator (not counted): ${cap.unlabelledGpuNodes.join(', ')}` }] : []),
      ...cap.rows.flatMap((r) =>
        r.degradedNodes.map((d): Evidence => ({ type: 'object', object: { kind: 'Node', name: d.name }, detail: `${r.type}: ${d.allocatable} of ${d.capacity} GPUs allocatable (see gpu/device-plugin)` })),
      ),
    ];
    const sum = (f: (r: GpuCapacityRow) => number) => cap.rows.reduce((s, r) => s + f(r), 0);
    const out: Finding[] = [
      pass('table', {
        data: { types: cap.rows.length, allocatable: sum((r) => r.allocatable), requested: sum((r) => r.requested), free: sum((r) => r.free) },
        evidence: table,
      }),
    ];
    for (const r of cap.rows) {
      const v = judgeRow(r);
      const endpoints = r.waitingEndpoints.slice(0, 5).join(', ') + (r.waitingEndpoints.length > 5 ? ` (+${r.waitingEndpoints.length - 5} more)` : '') || 'no endpoint';
      const evidence: Evidence[] = r.waiting
        .filter((w) => w.kind !== 'balloon')
        .slice(0, 5)
        .map((w) => ({ type: 'object', object: w.pod, detail: `${w.endpoint ? `endpoint ${w.endpoint}, ` : ''}${w.gpus} GPU(s), Pending` }));
      const data = { type: r.type, endpoints, free: r.free, allocatable: r.allocatable };
      switch (v.state) {
        case 'ok':
          break;
        case 'no-capacity':
          out.push(
            fail('noCapacity', {
              data: { ...data, waiting: v.waiting },
              evidence,
              remediation: {
                summary: `Add ${r.type} nodes (a node pool labelled k8s.amazonaws.com/accelerator=${r.type}, with cluster-autoscaler or Karpenter able to scale it), or move the endpoints to a type you have. See gpu/accelerator-labels.`,
                commands: [`kubectl get nodes -l k8s.amazonaws.com/accelerator=${r.type}`, ...labelCommands(ctx.matrix?.nodePool, [], [`k8s.amazonaws.com/accelerator=${r.type}`], ctx.cluster?.name)],
              },
            }),
          );
          break;
        case 'blocked':
          out.push(
            warn('blocked', {
              data: { ...data, waiting: v.waiting, wanted: v.wanted },
              severity: 'high',
              evidence,
              remediation: {
                summary: `The pods' scheduling events say why (a missing node label, a taint, CPU or memory short on the GPU node): see gpu/accelerator-labels and gpu/taints.`,
                commands: r.waiting.filter((w) => w.kind !== 'balloon').slice(0, 3).map((w) => `kubectl -n ${w.pod.namespace} describe pod ${w.pod.name}`),
              },
            }),
          );
          break;
        case 'exhausted':
          out.push(
            warn('exhausted', {
              data: { ...data, waiting: v.waiting, wanted: v.wanted },
              severity: r.free === 0 ? 'high' : 'medium',
              evidence: [
                ...evidence,
                ...r.unhealthyNodes.slice(0, 3).map((n): Evidence => ({ type: 'object', object: { kind: 'Node', name: n }, detail: 'GPUs in capacity but 0 allocatable (see gpu/device-plugin)' })),
                ...r.degradedNodes.slice(0, 3).map((d): Evidence => ({ type: 'object', object: { kind: 'Node', name: d.name }, detail: `${d.allocatable} of ${d.capacity} GPUs allocatable: ${d.capacity - d.allocatable} lost (see gpu/device-plugin)` })),
              ],
              remediation: {
                summary: `All ${r.type} GPUs are taken: let the autoscaler add nodes (check its max size and events), scale down idle endpoints, or free GPUs held by other pods.`,
                commands: [
                  `kubectl get pods -A --field-selector status.phase=Pending -o wide | grep -i launch-endpoint`,
                  ...(r.readyNodes > 0 ? [`kubectl describe nodes -l k8s.amazonaws.com/accelerator=${r.type} | grep -A6 'Allocated resources'`] : []),
                  'kubectl -n kube-system logs deploy/cluster-autoscaler --tail=50',
                ],
              },
            }),
          );
          break;
      }
    }
    return out;
  },
});
