import { defineCheck, fail, pass, skip, warn, type Finding } from '../../src/engine/index.js';
import { isChartPort } from '../../src/engine/ports/chart.js';
import { RENDERED_CHECK_META } from './support/rendered.js';

const DOCS = 'docs/checks/chart/renders.md';

export default defineCheck({
  meta: {
    id: 'chart/renders',
    title: 'The chart renders with these values',
    description: '`helm template` renders the chart (--chart, or charts/model-engine of --llm-engine-repo) with the same values flags, release and namespace.',
    ...RENDERED_CHECK_META,
    severity: 'critical',
    messages: {
      rendered: 'helm template rendered {{count}} objects ({{hooks}} hooks) from chart {{chart}} {{version}} for release {{release}} in namespace {{namespace}}',
      failed: 'helm template fails with these values: {{error}}; helm install and helm upgrade would fail the same way',
      noHelm: 'The chart at {{path}} was not rendered: {{error}}',
      namespaceAssumed:
        'The chart was rendered for namespace {{namespace}}, which the doctor assumed (no -n given, and no installed control plane found): gateway_namespace, service accounts and every namespaced object follow the release namespace',
      noChart: 'No chart was rendered: pass --chart PATH (or --llm-engine-repo with charts/model-engine) to check what helm renders, not only the values',
    },
  },
  async run(ctx) {
    const port = ctx.ports.chart;
    if (!isChartPort(port)) return skip('noChart');
    ctx.progress(`rendering ${port.path} with helm template`);
    const r = await port.render(ctx.signal);
    if (r.ok) {
      const findings: Finding[] = [];
      if (ctx.namespaces.assumed?.includes('controlPlane')) {
        findings.push(
          warn('namespaceAssumed', {
            severity: 'low',
            data: { namespace: r.release.namespace },
            evidence: [{ type: 'note', text: r.command }],
            remediation: { summary: 'Pass -n with the namespace you will helm install into, so the chart renders (and the doctor checks) what you will get.', commands: ['model-engine-doctor preflight -n <release namespace> --chart <chart> -f <values.yaml>'], docs: DOCS },
          }),
        );
      }
      findings.push(pass('rendered', {
        data: {
          count: r.objects.length,
          hooks: r.objects.filter((o) => o.hooks.length > 0).length,
          chart: r.chart.name,
          version: r.chart.version,
          release: r.release.name,
          namespace: r.release.namespace,
        },
        evidence: [{ type: 'note', text: r.command }],
      }));
      return findings;
    }
    if (r.kind === 'no-helm') return skip('noHelm', { data: { path: r.chartPath, error: r.error } });
    return fail('failed', {
      data: { error: r.error },
      evidence: [{ type: 'note', text: r.command }],
      remediation: {
        summary:
          r.kind === 'timeout'
            ? 'Run the same helm template by hand to see where it hangs.'
            : "Fix the values (or the chart) so helm template succeeds; the error names the template and the value it needed.",
        commands: [r.command],
        docs: DOCS,
      },
    });
  },
});
