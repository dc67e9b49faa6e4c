import { defineCheck, fail, pass, type CheckContext, type Evidence, type Finding, type KubeObject } from '../../src/engine/index.js';
import type { RenderedChart } from '../../src/engine/ports/chart.js';
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
    for (const g of placementGroups(render)) {
      const values = ctx.values;
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
    return findings;
  },
});
