import { defineCheck, fail, ifUnreadable, pass, type CheckContext, type Evidence, type Finding, type KubeObject } from '../../src/engine/index.js';
import type { RenderedChart } from '../../src/engine/ports/chart.js';
import type { Node, Pod } from '../../src/engine/kube-types.js';
import { NODE_STATE_TAINTS, selectorMisses, untoleratedTaints } from '../../src/model-engine/scheduling.js';
import { isFinding, podLabel, RENDER_MESSAGES, refOf, renderedEvidence, renderedOrSkip, renderedPods, type RenderedPod, RENDERED_CHECK_META } from './support/rendered.js';

const DOCS = 'docs/checks/chart/scheduling.md';

/** PriorityClasses every cluster has. */
const SYSTEM_CLASSES = new Set(['system-cluster-critical', 'system-node-critical']);
/**
 * `${PRIORITY}` of the endpoint templates: model-engine fills in one of these names, hard-coded in
 * `k8s_resource_types.py` whatever the chart's fullname (facts §6.4).
 */
export const ENDPOINT_PRIORITY_CLASSES = ['model-engine-default-priority', 'model-engine-high-priority'] as const;

/** The PriorityClass names a pod template needs (endpoint templates: the two model-engine fills in). */
export function neededPriorityClasses(p: RenderedPod): string[] {
  const name = p.spec.priorityClassName;
  if (!name) return [];
  if (/^\$\{PRIORITY\}$/.test(name)) return [...ENDPOINT_PRIORITY_CLASSES];
  return name.includes('${') ? [] : [name];
}

/** `k=v, k2=v2`, or `none`. */
const selectorText = (s: Record<string, string> | undefined) => (s && Object.keys(s).length > 0 ? Object.entries(s).map(([k, v]) => `${k}=${v}`).join(', ') : 'none');

/** The cluster's nodes, when a cluster is given and lets us list them. */
async function clusterNodes(ctx: CheckContext): Promise<Node[] | undefined> {
  const kube = ctx.kube;
  if (!kube) return undefined;
  // RBAC or the API refusing: the placement is shown, not judged.
  return ifUnreadable(() => kube.list<Node>('nodes'), () => undefined);
}

async function clusterHas(ctx: CheckContext, name: string): Promise<boolean | undefined> {
  if (!ctx.kube) return undefined;
  try {
    return (await ctx.kube.get<KubeObject>('priorityclasses.scheduling.k8s.io', name)) !== undefined;
  } catch {
    return undefined;
  }
}

/** One line per group of pod templates with the same node selector and tolerations. */
export function placementGroups(render: RenderedChart): { selector: string; tolerations: string; pods: RenderedPod[] }[] {
  const groups = new Map<string, { selector: string; tolerations: string; pods: RenderedPod[] }>();
  for (const p of renderedPods(render)) {
    const selector = selectorText(p.spec.nodeSelector);
    const tolerations = (p.spec.tolerations ?? []).map((t) => `${t.key ?? '*'}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}:${t.effect ?? '*'}`).join(', ') || 'none';
    const key = `${selector}|${tolerations}`;
    const g = groups.get(key) ?? { selector, tolerations, pods: [] };
    g.pods.push(p);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export default defineCheck({
  meta: {
    id: 'chart/scheduling',
    title: 'Priority classes, node selectors and tolerations as rendered',
    description:
      "Every PriorityClass a rendered pod (or endpoint template) names is rendered or exists; the node selectors and tolerations after helm's merge, per workload.",
    ...RENDERED_CHECK_META,
    severity: 'critical',
    messages: {
      ...RENDER_MESSAGES,
      priorityClassMissing:
        '{{where}} uses PriorityClass {{name}}, which the chart does not render{{cluster}}: its pods are rejected ("no PriorityClass with name {{name}} was found")',
      priorityClassesOk: 'Every PriorityClass the rendered pods use exists: {{names}}',
      placement: '{{count}} pod templates need nodes with {{selector}} and tolerate {{tolerations}}: {{pods}}',
      noNodeFits:
        '{{pods}} need nodes with {{selector}} tolerating {{tolerations}}, and none of the cluster\'s {{nodes}} nodes is one ({{lacking}} lack the labels, {{tainted}} more carry a taint they do not tolerate): their pods stay Pending',
    },
  },
  async run(ctx) {
    const render = await renderedOrSkip(ctx);
    if (isFinding(render)) return render;
    const rendered = new Set(render.objects.filter((o) => o.object.kind === 'PriorityClass').map((o) => o.object.metadata.name));
    const findings: Finding[] = [];
    const used = new Map<string, RenderedPod[]>();
    for (const p of renderedPods(render)) for (const n of neededPriorityClasses(p)) used.set(n, [...(used.get(n) ?? []), p]);
    for (const [name, pods] of used) {
      if (rendered.has(name) || SYSTEM_CLASSES.has(name)) continue;
      const inCluster = await clusterHas(ctx, name);
      if (inCluster) continue;
      const first = pods[0]!;
      const evidence: Evidence[] = [
        ...renderedEvidence(first.owner, render, `${first.specPath}.priorityClassName`, first.spec.priorityClassName),
        { type: 'note', text: `PriorityClasses the chart renders: ${[...rendered].join(', ') || 'none'}` },
        ...(ctx.values ? [ctx.values.evidence('fullnameOverride'), ctx.values.evidence('serviceIdentifier')] : []),
      ];
      findings.push(
        fail('priorityClassMissing', {
          severity: first.endpointTemplate ? 'critical' : 'high',
          object: { kind: 'PriorityClass', name },
          data: {
            where: pods.length > 1 ? `${podLabel(first)} (and ${pods.length - 1} more)` : podLabel(first),
            name,
            cluster: inCluster === false ? ' and the cluster does not have' : ctx.kube ? '' : ' (no cluster given to look for an existing one)',
          },
          evidence,
          remediation: {
            summary: first.endpointTemplate
              ? `model-engine hard-codes ${ENDPOINT_PRIORITY_CLASSES.join(' and ')} for endpoint pods: drop fullnameOverride/serviceIdentifier (which rename or skip the chart's PriorityClasses), or create them yourself.`
              : `Create PriorityClass ${name}, or let the chart render it.`,
            commands: [`kubectl get priorityclass ${name}`, `kubectl create priorityclass ${name} --value=${name.endsWith('high-priority') ? 100000 : 1}${name.endsWith('default-priority') ? ' --preemption-policy=Never' : ''}`],
            docs: DOCS,
          },
        }),
      );
    }
    if (findings.length === 0 && used.size > 0) {
      findings.push(pass('priorityClassesOk', { data: { names: [...used.keys()].join(', ') }, evidence: render.objects.filter((o) => o.object.kind === 'PriorityClass').flatMap((o) => renderedEvidence(o, render)) }));
    }
    const nodes = await clusterNodes(ctx);
    // The workloads no node can take, by placement group: one finding for them all (one values key, one cause).
    const stranded: { g: ReturnType<typeof placementGroups>[number]; judged: RenderedPod[]; lacking: Node[]; tainted: Node[]; pod: Pod }[] = [];
    for (const g of placementGroups(render)) {
      const values = ctx.values;
      // Judged against the cluster's nodes when there is one: the control plane's own workloads. Not endpoint
      // templates (their selector is filled in per endpoint; gpu/* and the endpoint diagnosis judge those), not
      // balloons (they hold room on GPU pools an autoscaler may keep at zero nodes).
      const judged = g.pods.filter((p) => !p.endpointTemplate && !p.owner.template.includes('balloon'));
      if (nodes && nodes.length > 0 && judged.length > 0) {
        const pod = { metadata: { name: 'rendered' }, spec: judged[0]!.spec } as unknown as Pod;
        const lacking: Node[] = [];
        const tainted: Node[] = [];
        for (const n of nodes) {
          if (selectorMisses(pod, n).length > 0) lacking.push(n);
          else if (untoleratedTaints(n, pod.spec.tolerations).some((t) => !NODE_STATE_TAINTS.has(t.key))) tainted.push(n);
        }
        if (lacking.length + tainted.length === nodes.length) {
          stranded.push({ g, judged, lacking, tainted, pod });
          continue;
        }
      }
      const provenance: Evidence[] = values
        ? Object.keys(g.pods[0]!.spec.nodeSelector ?? {})
            .filter((k) => values.get(['nodeSelector', k]) !== undefined || values.get(['balloonNodeSelector', k]) !== undefined)
            .map((k) => values.evidence([g.pods[0]!.owner.template.includes('balloon') ? 'balloonNodeSelector' : 'nodeSelector', k]))
        : [];
      findings.push(
        pass('placement', {
          object: refOf(g.pods[0]!.owner, render),
          data: { count: g.pods.length, selector: g.selector, tolerations: g.tolerations, pods: g.pods.map(podLabel).slice(0, 8).join(', ') + (g.pods.length > 8 ? ', …' : '') },
          evidence: [...renderedEvidence(g.pods[0]!.owner, render, `${g.pods[0]!.specPath}.nodeSelector`, g.pods[0]!.spec.nodeSelector ?? {}), ...provenance],
        }),
      );
    }
    const first = stranded[0];
    if (first && nodes) {
      const { judged, lacking, tainted, pod } = first;
      const pods = stranded.flatMap((x) => x.judged);
      const example = tainted[0] ?? lacking[0]!;
      findings.push(
        fail('noNodeFits', {
          severity: 'high',
          object: refOf(judged[0]!.owner, render),
          data: {
            pods: pods.map(podLabel).slice(0, 4).join(', ') + (pods.length > 4 ? ', …' : ''),
            selector: first.g.selector,
            tolerations: [...new Set(stranded.map((x) => x.g.tolerations))].join(' or '),
            nodes: nodes.length,
            lacking: lacking.length,
            tainted: tainted.length,
          },
          evidence: [
            ...stranded.flatMap((x) => renderedEvidence(x.judged[0]!.owner, render, `${x.judged[0]!.specPath}.nodeSelector`, x.judged[0]!.spec.nodeSelector ?? {})),
            {
              type: 'object',
              object: { kind: 'Node', name: example.metadata.name },
              detail: tainted[0]
                ? `matches the selector but has taint(s) ${untoleratedTaints(example, pod.spec.tolerations).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')}`
                : `lacks ${selectorMisses(pod, example).join(', ')}`,
            },
            ...(ctx.values ? [ctx.values.evidence('nodeSelector'), ctx.values.evidence('tolerations')] : []),
          ],
          remediation: {
            summary:
              tainted.length > 0
                ? 'Tolerate the taint of the nodes meant for the control plane (values tolerations), or run it on untainted nodes.'
                : 'Label the nodes meant for the control plane with the selector, or set nodeSelector in the values to labels your nodes have (nodeSelector: null drops the chart default node-lifecycle: normal).',
            commands: ['kubectl get nodes --show-labels', 'kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints'],
            docs: DOCS,
          },
        }),
      );
    }
    return findings;
  },
});
