import { defineCheck, fail, isNodeReady, pass, type Evidence, type Finding, type Node, type ValuesPort } from '../../src/engine/index.js';
import { isGpuNode, isSchedulable, labelCommands, matchesSelector } from '../../src/model-engine/gpu.js';

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const ref = (path: string) => ({ kind: 'HelmValues', name: path });
const nodeRef = (n: Node) => ({ kind: 'Node', name: n.metadata.name });
const DOCS = 'docs/checks/cluster/node-labels.md';
const fmt = (sel: Record<string, string>) => Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',');

function selectorOf(values: ValuesPort): Record<string, string> {
  const v = values.get('nodeSelector');
  if (!isMap(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

// GPU types (balloons, image cache, endpoint pods) and their accelerator labels belong to gpu/accelerator-labels,
// which also checks that GPU nodes carry this nodeSelector; this check owns the selector on the nodes at large.
export default defineCheck({
  meta: {
    id: 'cluster/node-labels',
    title: 'Nodes carry the labels the values select on',
    description: 'Some Ready node matches nodeSelector (node-lifecycle=normal by default), which every control-plane and endpoint pod selects. GPU accelerator labels: gpu/accelerator-labels.',
    clouds: 'all',
    severity: 'high',
    needs: ['kube', 'values'],
    scopes: ['preflight', 'triage'],
    messages: {
      selectorOk: '{{count}} Ready node(s) match nodeSelector {{selector}} (control-plane and endpoint pods)',
      noSelector: 'nodeSelector is empty: control-plane and CPU endpoint pods may run on any node',
      selectorNoNodes:
        'No node is labelled {{selector}} (nodeSelector): every control-plane pod and every endpoint pod will stay Pending ({{total}} nodes, none matching)',
      selectorNotReady: 'The {{count}} node(s) labelled {{selector}} are all NotReady or cordoned: pods that select them stay Pending',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const nodes = await ctx.kube!.list<Node>('nodes');
    const selector = selectorOf(values);
    const sel = fmt(selector);
    const selEvidence = Object.keys(selector).map((k) => values.evidence(['nodeSelector', k]));

    if (Object.keys(selector).length === 0) {
      return pass('noSelector', { object: ref('nodeSelector'), evidence: [values.evidence('nodeSelector')] });
    }
    const matching = nodes.filter((n) => matchesSelector(n, selector));
    const ready = matching.filter(isSchedulable);
    if (ready.length > 0) {
      return pass('selectorOk', { data: { count: ready.length, selector: sel }, object: ref('nodeSelector'), evidence: selEvidence });
    }
    // Offer the CPU nodes: GPU nodes get this label with their accelerator label (gpu/accelerator-labels).
    const cmds = labelCommands(ctx.matrix?.nodePool, nodes.filter(isSchedulable).filter((n) => !isGpuNode(n)), Object.entries(selector).map(([k, v]) => `${k}=${v}`), ctx.cluster?.name);
    // Labelled nodes that are only cordoned or NotReady need to come back, not a label elsewhere.
    const remediation =
      matching.length === 0
        ? {
            summary: `Label the nodes the control plane and endpoints should run on with ${sel}, or set nodeSelector: null in the values to drop the selector.`,
            values: 'nodeSelector: null   # only if any node will do; {} does not remove the chart default\n',
            commands: cmds,
            docs: DOCS,
          }
        : {
            summary: `Uncordon the labelled nodes once their maintenance is over, and bring NotReady ones back (their conditions say why); or label other nodes with ${sel}.`,
            commands: matching.slice(0, 5).map((n) => (isNodeReady(n) ? `kubectl uncordon ${n.metadata.name}` : `kubectl describe node ${n.metadata.name}`)),
            docs: DOCS,
          };
    const finding: Finding = fail(matching.length === 0 ? 'selectorNoNodes' : 'selectorNotReady', {
      severity: 'critical',
      data: { selector: sel, total: nodes.length, count: matching.length },
      object: ref('nodeSelector'),
      evidence: [...selEvidence, ...matching.slice(0, 5).map((n): Evidence => ({ type: 'object', object: nodeRef(n), detail: isNodeReady(n) ? 'cordoned' : 'NotReady' }))],
      remediation,
    });
    return finding;
  },
});
