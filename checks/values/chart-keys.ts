import { parse, stringify } from 'yaml';
import { defineCheck, fail, isRecord, pass, rec, skip, type Evidence } from '../../src/engine/index.js';
import { renderBlockers, TEMPLATE_REQUIREMENTS } from '../chart/support/model.js';

const DOCS = 'docs/checks/values/chart-keys.md';

export default defineCheck({
  meta: {
    id: 'values/chart-keys',
    title: 'Keys the chart cannot render without',
    description:
      "Every key chart 0.2.7's templates read without a default is set: without one, helm template / helm install stops with \"nil pointer evaluating …\" before creating anything.",
    clouds: 'all',
    cloudAgnostic: true,
    severity: 'critical',
    needs: ['values'],
    uses: ['chart'],
    scopes: ['preflight', 'triage'],
    messages: {
      ok: 'Every key the chart reads without a default is set ({{count}})',
      judgedByRender: 'The chart is rendered with helm in this run: chart/renders says whether these values render',
      installed: 'The values are an installed release\'s, which helm rendered',
      missing:
        'helm install stops before creating anything: the chart\'s templates read {{keys}} without a default, and these values do not set {{them}} ({{first}}: "nil pointer evaluating …")',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    // With --chart, helm itself says whether the chart renders (chart/renders): one finding per cause.
    if (ctx.ports.chart) return skip('judgedByRender');
    // An installed release rendered, by definition (its stored chart values may be an older chart's).
    if (values.origin === 'release') return skip('installed');
    const missing = renderBlockers(values);
    if (missing.length === 0) return pass('ok', { data: { count: TEMPLATE_REQUIREMENTS.length } });
    const evidence: Evidence[] = missing.map((m) => values.evidence(m.path));
    evidence.push({ type: 'note', text: `read by ${[...new Set(missing.map((m) => m.template))].join(', ')} (chart 0.2.7; --chart renders yours)` });
    return fail('missing', {
      object: { kind: 'HelmValues', name: missing[0]!.path },
      data: { keys: missing.map((m) => m.path).join(', '), them: missing.length === 1 ? 'it' : 'them', first: missing[0]!.template },
      evidence,
      remediation: {
        summary: "Add the keys (values_sample.yaml has them all); an empty map is enough where the chart only reads flags from it.",
        values: mergedSnippet(missing.map((m) => m.example)),
        docs: DOCS,
      },
    });
  },
});

/** One YAML block from several examples (`autoscaling:` written once, its children merged). */
export function mergedSnippet(examples: readonly string[]): string {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(b)) {
      const cur = a[k];
      if (isRecord(cur) && isRecord(v)) merge(cur, v);
      else a[k] = v;
    }
    return a;
  };
  const out = examples.reduce<Record<string, unknown>>((acc, e) => merge(acc, rec(parse(e)) ?? {}), {});
  return stringify(out);
}
