import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { unscheduledAs, unscheduledContext } from './lib/unscheduled.js';
import { forFirstPod, note, verdict } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'UNTOLERATED_TAINT',
    title: 'Every matching node has a taint the pod does not tolerate',
    rank: 70,
    docs: 'docs/endpoint.md#untolerated-taint',
    reads: ['pods', 'events', 'nodes'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => unscheduledAs(v, p, 'UNTOLERATED_TAINT'),
      (p) => {
        const u = unscheduledContext(v, p, 'UNTOLERATED_TAINT');
        const byTaint = new Map<string, string[]>();
        for (const t of u.verdict.taints) {
          const k = `${t.taint.key}${t.taint.value ? `=${t.taint.value}` : ''}:${t.taint.effect}`;
          byTaint.set(k, [...(byTaint.get(k) ?? []), t.node]);
        }
        const commands = [...byTaint].flatMap(([k, nodes]) => (nodes[0] === '?' ? [] : [`kubectl taint node ${nodes.slice(0, 10).join(' ')} ${k}-`]));
        const keys = [...new Set(u.verdict.taints.map((t) => t.taint.key))].filter((k) => k !== 'nvidia.com/gpu');
        const gpu = v.subject.gpus > 0;
        const values = gpu && keys.length ? ['# endpoint pods tolerate each gpuTolerations[].key (Exists, NoSchedule) — NoExecute taints still repel them', 'gpuTolerations:', ...keys.map((k) => `  - key: ${k}`), ''].join('\n') : undefined;
        return verdict(
          'UNTOLERATED_TAINT',
          'pod',
          `${u.pending}: ${u.verdict.detail}.`,
          [...u.evidence, u.cross, ...[...byTaint].map(([k, nodes]) => note(`taint ${k} on ${nodes.join(', ')}`))],
          {
            summary: gpu
              ? `Remove the taint from the GPU nodes, or make endpoint pods tolerate it with gpuTolerations in the helm values (applies to endpoints created or updated afterwards).`
              : `Remove the taint from the nodes this CPU endpoint should use (CPU endpoints get no tolerations from the chart), or give it untainted nodes.`,
            commands: commands.length ? commands : [`kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints`],
            ...(values ? { values } : {}),
          },
          u.next,
        );
      },
    );
  },
});
