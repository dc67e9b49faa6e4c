import { defineCheck, fail, get, pass, type Evidence, type Finding } from '../../src/engine/index.js';
import type { RenderedChart, RenderedObject } from '../../src/engine/ports/chart.js';
import { creationSequence } from './support/install-order.js';
import { FIELD_SOURCES, type FieldSource } from './support/model.js';
import { isFinding, manifestsOf, podSpecOf, RENDER_MESSAGES, renderedBy, renderedOrSkip, renderedPods, refOf, RENDERED_CHECK_META } from './support/rendered.js';
import { metadataProblems, podSpecProblems, refusal, type FieldProblem } from './support/required-fields.js';

const DOCS = 'docs/checks/chart/required-fields.md';

/** One refused field of one rendered object, and the values key it comes from when the model knows it. */
export interface RenderedFieldProblem {
  object: RenderedObject;
  problem: FieldProblem;
  /** Every problem of that object (the API server names them all in one answer). */
  all: FieldProblem[];
  source?: FieldSource;
}

/** The values key behind a pod-spec field, from the volume (mount) it belongs to (FIELD_SOURCES). */
export function fieldSource(spec: unknown, relative: string): FieldSource | undefined {
  const m = /^(?:containers\[(\d+)\]\.volumeMounts|volumes)\[(\d+)\]\.(.+)$/.exec(relative);
  if (!m) return undefined;
  const name = m[1] !== undefined ? get(spec, 'containers', Number(m[1]), 'volumeMounts', Number(m[2]), 'name') : get(spec, 'volumes', Number(m[2]), 'name');
  const on = m[1] !== undefined ? 'volumeMount' : 'volume';
  return FIELD_SOURCES.find((f) => f.on === on && f.volume === name && f.field === m[3]);
}

/** The fields of the objects helm would send that the API server (or client-go, for a nameless object) refuses. */
export function renderedFieldProblems(render: RenderedChart): RenderedFieldProblem[] {
  const out: RenderedFieldProblem[] = [];
  for (const o of render.objects.filter((x) => !x.skippedHook)) {
    const meta = metadataProblems(o.object);
    const ps = podSpecOf(o.object);
    const pod = ps ? podSpecProblems(ps.raw, ps.path) : [];
    const all = [...meta, ...pod];
    for (const problem of meta) {
      out.push({ object: o, problem, all, ...(o.template === 'templates/aws_config_map.yaml' ? { source: FIELD_SOURCES.find((f) => f.key === 'aws.configMap.name')! } : {}) });
    }
    for (const problem of pod) {
      const source = fieldSource(ps!.raw, problem.path.slice(ps!.path.length + 1));
      out.push({ object: o, problem, all, ...(source ? { source } : {}) });
    }
  }
  return out;
}

/** Problems of the endpoint templates (filled by the builder for every endpoint): only fields left empty. */
export function endpointTemplateProblems(render: RenderedChart): { key: string; problem: FieldProblem }[] {
  return renderedPods(render)
    .filter((p) => p.endpointTemplate)
    .flatMap((p) => podSpecProblems(p.raw, p.specPath).filter((x) => x.detail === 'Required value').map((problem) => ({ key: p.endpointTemplate!, problem })));
}

const what = (p: FieldProblem) =>
  p.detail === 'Required value' ? 'empty' : p.detail.startsWith('Not found') ? `naming a volume the pod does not have (${p.detail})` : `repeated (${p.detail})`;

export default defineCheck({
  meta: {
    id: 'chart/required-fields',
    title: 'Rendered objects have the fields the API server requires',
    description:
      'Every object helm would send has a name, and every pod template its container names and images, env names, volume names and mount paths: helm template does not ask the API server, helm install does and fails.',
    ...RENDERED_CHECK_META,
    severity: 'critical',
    messages: {
      ...RENDER_MESSAGES,
      ok: '{{count}} rendered objects ({{pods}} with pod templates) have every field the API server requires',
      emptyField:
        '{{objects}} {{have}} {{field}} {{what}}{{source}}: helm template does not notice, but helm install and helm upgrade fail when helm sends {{first}}: {{error}}',
      endpointTemplateField:
        'The endpoint template {{templates}} {{have}} {{field}} {{what}}: the builder\'s create of every such endpoint would be refused ({{error}})',
    },
  },
  async run(ctx) {
    const render = await renderedOrSkip(ctx);
    if (isFinding(render)) return render;
    const problems = renderedFieldProblems(render);
    const order = creationSequence(manifestsOf(render), 'install');
    const position = (o: RenderedObject) => order.find((s) => s.object.rendered === o)?.index ?? Number.MAX_SAFE_INTEGER;
    const groups = new Map<string, RenderedFieldProblem[]>();
    for (const p of problems) {
      const key = `${p.problem.path}\u0000${p.problem.detail}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const findings: Finding[] = [];
    for (const group of groups.values()) {
      const sorted = [...group].sort((a, b) => position(a.object) - position(b.object));
      const first = sorted[0]!;
      const source = first.source;
      const evidence: Evidence[] = [
        ...sorted.slice(0, 8).flatMap((p): Evidence[] => [
          { type: 'field', object: refOf(p.object, render), path: p.problem.path, value: null },
          { type: 'object', object: refOf(p.object, render), detail: `${renderedBy(p.object)}${source ? ` (${source.helper} in templates/_helpers.tpl)` : ''}` },
        ]),
        ...(source && ctx.values ? [ctx.values.evidence(source.key), ctx.values.evidence(source.when)] : []),
      ];
      findings.push(
        fail('emptyField', {
          // About the values key when the model knows it (else the first object helm sends); a declared root keeps
          // the objects it cites from joining it to other findings about them (the hook order of the same Job).
          object: source ? { kind: 'HelmValues', name: source.key } : refOf(first.object, render),
          root: [source ? `values:${source.key}` : `field:${first.problem.path}`],
          data: {
            objects: sorted.map((p) => `${p.object.object.kind} ${p.object.object.metadata.name || '(no name)'}`).join(', '),
            have: sorted.length === 1 ? 'has' : 'have',
            field: first.problem.path,
            what: what(first.problem),
            source: source ? ` (${source.key} is not set, and ${source.why})` : '',
            first: `${first.object.object.kind} ${first.object.object.metadata.name || '(no name)'}${first.object.hooks.length > 0 ? ` (a ${first.object.hooks.join(',')} hook)` : ''}`,
            error: refusal(first.object.object.kind ?? '', first.object.object.apiVersion, first.object.object.metadata.name, first.all),
          },
          evidence,
          remediation: {
            summary: source
              ? `Set ${source.key} in the values.`
              : `Set the value that ${first.object.template} writes into ${first.problem.path}, so helm renders it.`,
            ...(source ? { values: source.example } : {}),
            commands: [`${render.command} --show-only ${first.object.template}`],
            docs: DOCS,
          },
        }),
      );
    }
    const byField = new Map<string, { keys: string[]; problem: FieldProblem }>();
    for (const t of endpointTemplateProblems(render)) {
      const rel = t.problem.path.replace(/^data\["[^"]+"\] /, '');
      const g = byField.get(rel) ?? { keys: [], problem: { ...t.problem, path: rel } };
      g.keys.push(t.key);
      byField.set(rel, g);
    }
    const templateConfig = render.objects.find((o) => o.object.kind === 'ConfigMap' && o.object.metadata.name.endsWith('-service-template-config'));
    for (const g of byField.values()) {
      findings.push(
        fail('endpointTemplateField', {
          severity: 'high',
          ...(templateConfig ? { object: refOf(templateConfig, render) } : {}),
          data: { templates: g.keys.join(', '), have: g.keys.length === 1 ? 'has' : 'have', field: g.problem.path, what: what(g.problem), error: `${g.problem.path}: ${g.problem.detail}` },
          evidence: templateConfig ? [{ type: 'object', object: refOf(templateConfig, render), detail: renderedBy(templateConfig) }] : [],
          remediation: { summary: `Set the value ${templateConfig?.template ?? 'the template'} writes into ${g.problem.path}.`, docs: DOCS },
        }),
      );
    }
    if (findings.length > 0) return findings;
    const pods = render.objects.filter((o) => podSpecOf(o.object)).length;
    return pass('ok', { data: { count: render.objects.length, pods } });
  },
});
