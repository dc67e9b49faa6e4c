import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { ACCELERATOR_LABEL } from '../src/model-engine/gpu.js';
import { podRequests } from '../src/model-engine/scheduling.js';
import { apiUpdate } from './lib/commands.js';
import { clusterNameOf } from './lib/nodes.js';
import { unscheduledAs, unscheduledContext } from './lib/unscheduled.js';
import { forFirstPod, note, verdict } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'INSUFFICIENT_GPU',
    title: 'Nodes of the GPU type exist but none has enough free GPUs',
    rank: 80,
    docs: 'docs/endpoint.md#insufficient-gpu',
    reads: ['pods', 'events', 'nodes', 'nodePods'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => unscheduledAs(v, p, 'INSUFFICIENT_GPU'),
      (p) => {
        const u = unscheduledContext(v, p, 'INSUFFICIENT_GPU');
        const g = u.verdict;
        const f = v.facts;
        const s = v.subject;
        const matching = new Set(g.perNode.map((x) => x.node));
        const holders = (f.nodePods ?? []).filter((x) => x.spec.nodeName && matching.has(x.spec.nodeName) && (podRequests(x)['nvidia.com/gpu'] ?? 0) > 0);
        const balloons = holders.filter((x) => x.metadata.labels?.product === 'common-warm-nodes');
        const accel = s.gpuType ?? p.pod.spec.nodeSelector?.[ACCELERATOR_LABEL];
        const nodes = f.nodes.filter((n) => matching.has(n.metadata.name));
        const pool = f.hints?.nodePool;
        const pools = pool ? [...new Set(nodes.map((n) => n.metadata.labels?.[pool.label]).filter((x): x is string => !!x))] : [];
        const commands: string[] = [];
        let values: string | undefined;
        let fix: string;
        if (g.never) {
          const most = Math.max(0, ...g.perNode.map((x) => x.allocatable));
          fix = `The endpoint asks for ${g.requested} GPUs but no ${accel ?? 'matching'} node has more than ${most}: lower gpus to ${most} or fewer (tensor parallelism), or use a GPU type whose nodes have ${g.requested}.`;
          commands.push(apiUpdate(s, { gpus: most }));
        } else {
          fix = `Add ${accel ?? 'GPU'} capacity (scale the node group, or raise the autoscaler's maximum), or free GPUs held by other pods.`;
          const cluster = clusterNameOf(v) ?? '<cluster>';
          if (f.hints?.cloud === 'aws') for (const x of pools) commands.push(`aws eks update-nodegroup-config --cluster-name ${cluster} --nodegroup-name ${x} --scaling-config desiredSize=<current+1>,maxSize=<at least that>`);
          if (balloons.length > 0) {
            const gpusHeld = balloons.reduce((n, x) => n + (podRequests(x)['nvidia.com/gpu'] ?? 0), 0);
            fix += ` ${balloons.length} balloon pod(s) hold ${gpusHeld} GPU(s) here and only model-engine-high-priority pods preempt them (balloonConfig.reserveHighPriority): make the endpoint high_priority, or shrink the balloons.`;
            values = [
              '# helm replaces lists whole: keep your other balloons entries in this list',
              'balloons:',
              `  - acceleratorName: ${accel ?? '<type>'}`,
              `    replicaCount: 0   # its ${balloons.length} balloon pod(s) hold GPUs this endpoint needs`,
              '',
            ].join('\n');
            commands.push(apiUpdate(s, { high_priority: true }));
          }
        }
        return verdict(
          'INSUFFICIENT_GPU',
          'pod',
          `${u.pending}: ${g.detail}.`,
          [...u.evidence, u.cross, ...holders.slice(0, 6).map((x) => note(`${x.spec.nodeName} runs ${x.metadata.namespace}/${x.metadata.name} holding ${podRequests(x)['nvidia.com/gpu']} GPU(s)`))],
          { summary: fix, commands, ...(values ? { values } : {}) },
          [...u.next, ...nodes.slice(0, 3).map((n) => `kubectl describe node ${n.metadata.name}`)],
        );
      },
    );
  },
});
