import { beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { incidentsOf } from '../../src/model-engine/incidents.js';
import type { CheckResult, Report } from '../../src/engine/types.js';
import { code, escapeCell, escapeMarkdown, MARKDOWN_LIMIT, renderMarkdown } from '../../src/reporters/markdown.js';
import { fixture } from '../support/check-tester.js';
import { hostileReport, offNetworkReport, triageReport } from './fixture-report.js';

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
const cells = (row: string) => row.replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/);

let demo: Report;
let offNetwork: Report;
let hostile: Report;
beforeAll(async () => {
  [demo, offNetwork, hostile] = await Promise.all([triageReport(), offNetworkReport(), hostileReport()]);
}, 60_000);

describe('renderMarkdown of the demo', () => {
  it('matches the snapshot', () => {
    expect(renderMarkdown(demo)).toMatchSnapshot();
  });

  it('has a header table, the endpoints, then one section per incident with its fix and the other views', () => {
    const out = renderMarkdown(demo);
    expect(out.startsWith('# model-engine-doctor: triage\n')).toBe(true);
    expect(out).toContain('| Cloud | aws (from config.values.infra.cloud_provider) |');
    expect(out.indexOf('## Endpoints')).toBeLessThan(out.indexOf('## Incidents'));
    const sections = out.split('\n').filter((l) => l.startsWith('### '));
    expect(sections).toEqual([
      '### #1 ✖ FAIL · high · `endpoints/serving` on `Deployment llm-engine/launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0`',
      '### #2 ✖ FAIL · high · `endpoints/serving` on `Deployment llm-engine/launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg`',
      '### #3 ✖ FAIL · high · `redis/log-errors` on `Deployment model-engine/model-engine-cacher`',
      '### #4 ▲ WARN · medium · `values/scheduling` on `HelmValues nodeSelector`',
      '### #5 ▲ WARN · low · `values/image-tag` on `HelmValues image.cacherRepository`',
    ]);
    const three = out.slice(out.indexOf('### #3'), out.indexOf('### #4'));
    expect(three).toContain('**Also seen as:**\n\n- ✖ FAIL `control-plane/deployments-available` on `Deployment model-engine/model-engine-cacher`');
    expect(three).toContain('- ✖ FAIL `control-plane/restarts-and-errors` on `Deployment model-engine/model-engine-cacher`');
    expect(out).toMatch(/\| llama-3-70b \| `end_ct4pe5pn2ojg00a4qkh0` \| .* \| ✖ NO_MATCHING_NODES \| #1 \|/);
  });

  it('folds evidence in <details>, links the docs, and keeps commands and values in fenced blocks', () => {
    const out = renderMarkdown(demo);
    expect(out).toContain('<details>\n<summary>Evidence (6)</summary>\n\n- **field** `status.availableReplicas`');
    expect(out).toContain('**Docs:** [docs/endpoint.md#no-matching-nodes](docs/endpoint.md#no-matching-nodes) · [docs/checks/endpoints/serving.md](docs/checks/endpoints/serving.md)');
    expect(out).toContain('```sh\nkubectl -n model-engine logs deploy/model-engine-cacher --tail=200 | grep -E');
    expect(out).toContain('```yaml\nnodeSelector: null   # removes the chart default node-lifecycle=normal; {} does not\n```');
    // Each other view's own evidence and fix, folded.
    expect(out).toContain('<summary>✖ FAIL <code>gpu/capacity</code>: evidence and fix</summary>');
  });

  it('hides passes unless asked, and keeps a table of skips with their reasons', () => {
    const out = renderMarkdown(demo);
    expect(out).not.toContain('✔ PASS');
    expect(out).toContain(`${demo.counts.pass} passed check results are not listed (\`--show-passed\` lists them; \`-o json\` has every result).`);
    expect(out).toContain('| `images/canary-pull` | Not run: a canary pod is opt-in;');
    const shown = renderMarkdown(demo, { showPassed: true });
    expect(shown).toContain(`<summary>${demo.counts.pass} passed</summary>`);
    expect(shown.split('\n').filter((l) => l.startsWith('| `') && l.split(' | ').length === 3)).toHaveLength(demo.counts.pass);
  });

  it('escapes pipes so every table row keeps its cells, even inside code spans', () => {
    for (const out of [renderMarkdown(demo), renderMarkdown(hostile)]) {
      for (const table of out.split('\n\n').filter((b) => b.startsWith('| '))) {
        const rows = table.split('\n');
        const n = cells(rows[0]!).length;
        for (const row of rows) expect({ row, n: cells(row).length }).toEqual({ row, n });
      }
    }
  });
});

describe('renderMarkdown keeps a ticket under GitHub\'s limit', () => {
  // Every fixture cluster through the real checks: the largest Markdown any of them gives must fit.
  const names = readdirSync(fixture('fixtures/clusters')).filter((n) => !n.includes('.'));

  it(`stays under ${MARKDOWN_LIMIT} characters for every fixture snapshot`, async () => {
    const sizes: [string, number][] = [];
    for (const name of names) {
      // A snapshot of the cluster alone (a GPU check's fixture) holds no model-engine: triage refuses it with exit 2,
      // as it refuses a live cluster without one (no namespace is guessed); it has no report to size.
      const report = await triageReport(name).catch((e: unknown) => {
        if (e instanceof Error && /exited 2: model-engine-doctor: error: no model-engine control plane/.test(e.message)) return undefined;
        throw e;
      });
      if (report) sizes.push([name, renderMarkdown(report).length]);
    }
    sizes.push(['demo-aws off network', renderMarkdown(offNetwork).length]);
    sizes.sort((a, b) => b[1] - a[1]);
    expect(sizes.length).toBeGreaterThan(20);
    // The largest first: the demo off network was 67,728 characters before (over the 65,536 issue-body limit).
    expect(sizes[0]![1]).toBeLessThan(MARKDOWN_LIMIT);
  }, 120_000);

  it('drops detail in a fixed order, never the incidents, to fit a report with a thousand findings', () => {
    // The demo's findings repeated for many endpoints, each with long evidence: far over the limit in full.
    const many: CheckResult[] = [];
    for (let i = 0; i < 150; i++) {
      for (const r of demo.results.filter((x) => x.status === 'fail')) {
        const copy = structuredClone(r);
        copy.object = { kind: 'Deployment', namespace: 'llm-engine', name: `launch-endpoint-id-end-${String(i).padStart(20, 'x')}` };
        copy.evidence = copy.evidence.concat(copy.evidence).map((e) => (e.type === 'note' ? { ...e, text: `${e.text} ${'long '.repeat(80)}` } : e));
        many.push(copy);
      }
    }
    const big: Report = { ...demo, results: many, counts: { ...demo.counts, fail: many.length } };
    delete big.incidents;
    const out = renderMarkdown(big);
    expect(out.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    const incidents = incidentsOf(big);
    expect(incidents.length).toBeGreaterThan(100);
    // The first incidents keep their fix; the rest are one line each in a table.
    expect(out).toContain('### #1 ✖ FAIL');
    expect(out).toContain(`${incidents.length - 5} more incidents (this report is kept under 60,000 characters; \`-o json\` has them in full):`);
    expect(out).toMatch(/^\| #6 \| ✖ FAIL \| high \| `/m);
    expect(out).toMatch(/^\| … \| \| \| \| \d+ more \(`-o json`\) \|$/m);
    expect(out).not.toContain('Cut at');
  });
});

describe('renderMarkdown, other reports', () => {
  it('gives each registry this machine cannot reach one line, its images folded', () => {
    const out = renderMarkdown(offNetwork);
    const lines = out.split('\n').filter((l) => /^- \*\*#\d+\*\* ▲ WARN \d+ images? not checked: /.test(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('13 images not checked: 111122223333.dkr.ecr.us-east-1.amazonaws.com unreachable from here');
    expect(out).toContain('<summary>Images not checked on gcr.io (2)</summary>');
  });

  it('renders hostile text inertly: no escape codes, code spans that survive backticks, escaped HTML', () => {
    const out = renderMarkdown(hostile);
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u0007');
    expect(out).toContain('`Pod llm-engine/a|b`: a \\<tag\\> & "quotes" \\]\\]\\> and a bell  \\| pipe \\`tick\\` \\*star\\* (x3)');
    expect(out).toContain('**log** `model-engine/model-engine-cacher-ntxpc95s7g-78q5b/model-engine-cacher` line 211: ``ERROR:    Exception in ASGI application | `x` <b>*y*</b>``');
  });

  it.each([
    ['a|b', 'a\\|b'],
    ['*bold* and <b>', '\\*bold\\* and \\<b\\>'],
    ['cloud_provider _emph_', 'cloud_provider \\_emph\\_'],
    ['# not a heading', '\\# not a heading'],
    ['line\nbreak', 'line break'],
  ])('escapeMarkdown(%j) = %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('makes code spans that survive backticks and table cells that survive pipes and newlines', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(escapeCell('`a|b`\nc')).toBe('`a\\|b` c');
    expect(escapeCell('already \\| escaped')).toBe('already \\| escaped');
  });
});
