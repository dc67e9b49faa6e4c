import { defineCheck, fail, pass, skip, type Evidence, type Finding } from '../../src/engine/index.js';
import { creationSequence } from '../chart/support/install-order.js';
import { FIELD_SOURCES, MODELLED_API_VERSIONS, MODEL_CHECK_META, predictFieldProblems, predictObjects, type PredictedFieldProblem } from '../chart/support/model.js';
import { renderedChart } from '../chart/support/rendered.js';
import { refusal } from '../chart/support/required-fields.js';

const DOCS = 'docs/checks/values/required-fields.md';

export default defineCheck({
  meta: {
    id: 'values/required-fields',
    title: 'No value renders into a required field empty (values)',
    description:
      "Values chart 0.2.7 writes into fields the API server requires are set (aws.configMap.mountPath and aws.configMap.name when aws is set): helm template renders them empty without complaint, helm install fails. Chart 0.2.7's model, offline.",
    ...MODEL_CHECK_META,
    severity: 'critical',
    messages: {
      ok: 'Every value chart 0.2.7 writes into a field the API server requires is set ({{keys}})',
      notRendered: 'aws is not set, so chart 0.2.7 renders none of the fields these values could leave empty ({{keys}})',
      emptyField:
        '{{key}} is not set, and {{why}}: the chart renders {{fields}} empty in {{objects}}. helm template does not notice, but helm install and helm upgrade fail when helm sends {{first}}: {{error}}',
      judgedByRender: 'The chart is rendered with helm in this run: chart/required-fields checks what it renders',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    if (await renderedChart(ctx)) return skip('judgedByRender');
    const objects = predictObjects(values, ctx.namespaces.controlPlane);
    const problems = predictFieldProblems(values, ctx.namespaces.controlPlane, objects);
    const keys = [...new Set(FIELD_SOURCES.map((f) => f.key))].join(', ');
    if (problems.length === 0) {
      const set = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length > 0;
      const rendered = FIELD_SOURCES.some((f) => set(values.get(f.when)));
      return pass(rendered ? 'ok' : 'notRendered', { data: { keys } });
    }
    const order = creationSequence(objects, 'install');
    const position = (o: object) => order.find((s) => s.object === o)?.index ?? Number.MAX_SAFE_INTEGER;
    const byKey = new Map<string, PredictedFieldProblem[]>();
    for (const p of problems) byKey.set(p.source.key, [...(byKey.get(p.source.key) ?? []), p]);
    const findings: Finding[] = [];
    for (const [key, group] of byKey) {
      const source = group[0]!.source;
      const carriers = [...new Set(group.flatMap((p) => p.objects))].sort((a, b) => position(a) - position(b));
      const first = carriers[0]!;
      const firstProblems = group.filter((p) => p.objects.includes(first)).map((p) => ({ path: p.path, detail: 'Required value' }));
      const evidence: Evidence[] = [
        values.evidence(key),
        values.evidence(source.when),
        { type: 'note', text: `chart 0.2.7: templates/_helpers.tpl ${source.helper} writes ${key} into ${group.map((p) => p.path).join(' and ')} of ${carriers.map((o) => `${o.kind} ${o.name || '(no name)'} (${o.template})`).join(', ')} (--chart renders yours)` },
      ];
      findings.push(
        fail('emptyField', {
          object: { kind: 'HelmValues', name: key },
          root: [`values:${key}`],
          data: {
            key,
            why: source.why,
            fields: [...new Set(group.map((p) => p.path))].join(' and '),
            objects: carriers.map((o) => `${o.kind} ${o.name || '(no name)'}`).join(', '),
            first: `${first.kind} ${first.name || '(no name)'}${first.hooks.length > 0 ? ` (a ${first.hooks.join(',')} hook)` : ''}`,
            error: refusal(first.kind, MODELLED_API_VERSIONS[first.kind], first.name, firstProblems),
          },
          evidence,
          remediation: { summary: `Set ${key}.`, values: source.example, docs: DOCS },
        }),
      );
    }
    return findings;
  },
});
