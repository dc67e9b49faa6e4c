import { defineCheck, fail, pass, refOf, skip, str, warn, type Finding, type Node, type NodePoolProfile, type Pod } from '../../src/engine/index.js';
import { GPU_TAINT_KEY, isGpuNode, podAccelerator } from '../../src/model-engine/gpu.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** Taints the cluster adds and removes by itself (node conditions, autoscaler, Karpenter): not configuration. */
const TRANSIENT = /^(node\.kubernetes\.io\/|node\.cloudprovider\.kubernetes\.io\/|ToBeDeletedByClusterAutoscaler$|DeletionCandidateOfClusterAutoscaler$|karpenter\.sh\/disrupt)/;

/** Kubernetes' toleration matching (`ToleratesTaint`). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** What endpoint GPU pods tolerate (facts §6.4): `nvidia.com/gpu Exists NoSchedule` plus one per `gpuTolerations[].key`. */
export function endpointTolerations(extraKeys: readonly string[]): Toleration[] {
  return [GPU_TAINT_KEY, ...extraKeys].map((key) => ({ key, operator: 'Exists', effect: 'NoSchedule' }));
}

export type TaintVerdict = { state: 'ok' } | { state: 'untainted' } | { state: 'untolerated'; taints: Taint[] };

/** A GPU node must carry the nvidia.com/gpu taint, and every scheduling taint on it must be one endpoint pods tolerate. */
export function judgeTaints(node: Node, tolerations: readonly Toleration[]): TaintVerdict {
  const taints = (node.spec?.taints ?? []).filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !TRANSIENT.test(t.key));
  const untolerated = taints.filter((t) => !tolerations.some((tol) => tolerates(tol, t)));
  if (untolerated.length > 0) return { state: 'untolerated', taints: untolerated };
  if (!taints.some((t) => t.key === GPU_TAINT_KEY)) return { state: 'untainted' };
  return { state: 'ok' };
}

const fmt = (t: Taint) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;

export default defineCheck({
  meta: {
    id: 'gpu/taints',
    title: 'GPU nodes are tainted for GPU pods only',
    description:
      'GPU nodes carry the nvidia.com/gpu taint endpoint pods tolerate (so CPU pods stay off them), and no other scheduling taint that endpoint pods do not tolerate (only nvidia.com/gpu:NoSchedule and gpuTolerations keys).',
    clouds: 'all',
    severity: 'high',
    needs: ['kube'],
    messages: {
      ok: '{{count}} GPU node(s) are tainted nvidia.com/gpu and carry no taint endpoint pods cannot tolerate',
      noGpuNodes: 'no GPU nodes in the cluster',
      untainted: 'GPU node {{node}} has no nvidia.com/gpu taint, so CPU pods can fill it and block GPU endpoints',
      untolerated: 'GPU node {{node}} has taint(s) {{taints}} that endpoint pods do not tolerate, so no endpoint can run there',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const [nodes, endpointPods] = await Promise.all([kube.list<Node>('nodes'), kube.list<Pod>('pods', { namespace: ctx.namespaces.endpoint })]);
    const gpuNodes = nodes.filter(isGpuNode);
    if (gpuNodes.length === 0) return skip('noGpuNodes');
    // gpuTolerations from the values; without values, whatever live GPU endpoint pods tolerate.
    const fromValues = ctx.values?.get('gpuTolerations');
    const extraKeys = Array.isArray(fromValues)
      ? fromValues.map((t) => str(t, 'key')).filter((k): k is string => k !== undefined)
      : [...new Set(endpointPods.filter((p) => podAccelerator(p)).flatMap((p) => (p.spec.tolerations ?? []).map((t) => t.key).filter((k): k is string => !!k)))];
    const tolerations = endpointTolerations(extraKeys);
    const out: Finding[] = [];
    let ok = 0;
    for (const n of gpuNodes) {
      const v = judgeTaints(n, tolerations);
      const object = refOf(n, 'Node');
      const node = n.metadata.name;
      const taintEvidence = { type: 'field' as const, object, path: 'spec.taints', value: (n.spec?.taints ?? []).map(fmt).join(', ') || '(none)' };
      switch (v.state) {
        case 'ok':
          ok++;
          break;
        case 'untainted':
          out.push(
            warn('untainted', {
              data: { node },
              object,
              severity: 'medium',
              evidence: [taintEvidence],
              remediation: {
                summary: 'Taint the GPU node pool nvidia.com/gpu=true:NoSchedule (on the pool, so new nodes get it too); endpoint pods already tolerate it.',
                commands: [`kubectl taint node ${node} ${GPU_TAINT_KEY}=true:NoSchedule`, ...poolTaintCommand(ctx.matrix?.nodePool, n)],
              },
            }),
          );
          break;
        case 'untolerated': {
          const keys = [...new Set(v.taints.map((t) => t.key))];
          out.push(
            fail('untolerated', {
              data: { node, taints: v.taints.map(fmt).join(', ') },
              object,
              evidence: [taintEvidence, { type: 'note', text: `endpoint pods tolerate: ${tolerations.map((t) => `${t.key} Exists ${t.effect}`).join('; ')}` }],
              remediation: {
                summary: v.taints.every((t) => t.effect === 'NoSchedule')
                  ? 'Add the taint keys to gpuTolerations (endpoint pods then tolerate them) and upgrade, or remove the taints from the pool.'
                  : 'Endpoint pods only tolerate NoSchedule taints: change these NoExecute taints to NoSchedule (or remove them) on the pool.',
                values: `gpuTolerations:\n${keys.map((k) => `  - key: ${k}`).join('\n')}`,
                commands: [...v.taints.map((t) => `kubectl taint node ${node} ${t.key}:${t.effect}-`)],
              },
            }),
          );
          break;
        }
      }
    }
    if (ok > 0) out.push(pass('ok', { data: { count: ok } }));
    return out;
  },
});

/** The pool-level taint command from the matrix, so new nodes come up tainted too. */
function poolTaintCommand(pool: NodePoolProfile | undefined, node: Node): string[] {
  if (!pool?.gpuTaintCommand) return [];
  return [pool.gpuTaintCommand.replaceAll('{pool}', node.metadata.labels?.[pool.label] ?? '<pool>')];
}
