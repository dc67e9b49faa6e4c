import { beforeAll, describe, expect, it } from '@jest/globals';
import type { EndpointRow } from '../../src/engine/diagnosis.js';
import {
  causeStyle,
  isDiagnosis,
  isEndpointRows,
  renderDiagnosisLine,
  renderDiagnosisMarkdown,
  renderDiagnosisText,
  renderEndpointsMarkdown,
  renderEndpointsText,
} from '../../src/reporters/diagnosis.js';
import { renderMarkdown } from '../../src/reporters/markdown.js';
import { renderText } from '../../src/reporters/text.js';
import { STATUS_STYLES } from '../../src/reporters/theme.js';
import { healthy, imagePull } from '../tui/fixture-diagnosis.js';
import type { Report } from '../../src/engine/types.js';
import { triageReport } from './fixture-report.js';

let fixtureReport: Report;
const cloneReport = (): Report => {
  const { endpoints: _e, ...rest } = structuredClone(fixtureReport);
  return rest as Report;
};
beforeAll(async () => {
  fixtureReport = await triageReport();
}, 60_000);

const ROWS: EndpointRow[] = [
  { id: 'end_ct4pe5pn2ojg00a4qkh0', name: 'llama-3-70b', namespace: 'llm-engine', type: 'streaming', gpuType: 'nvidia-hopper-h100', desired: 1, ready: 0, cause: 'NO_MATCHING_NODES', summary: 'no node has k8s.amazonaws.com/accelerator=nvidia-hopper-h100' },
  { id: 'end_ct49q4hn2ojg00a4qkf0', name: 'embeddings-cpu', namespace: 'llm-engine', type: 'async', desired: 1, ready: 1, cause: 'HEALTHY', summary: '1/1 worker(s) available' },
  { id: 'end_ct5lbncn2ojg00a4qmc0', name: 'llama | pipe', namespace: 'llm-engine', type: 'sync', gpuType: 'nvidia-ampere-a10', desired: 1, ready: 0, cause: 'STARTING', summary: 'loading weights' },
];

describe('the diagnosis block', () => {
  it('matches the snapshot as plain text', () => {
    expect(renderDiagnosisText(imagePull, { color: false, width: 100 }).join('\n')).toMatchSnapshot();
  });

  it('with colour is the same text plus SGR codes', () => {
    const painted = renderDiagnosisText(imagePull, { color: true, width: 100 }).join('\n');
    expect(painted).toMatch(/\u001b\[/);
    expect(painted.replace(/\u001b\[\d+m/g, '')).toBe(renderDiagnosisText(imagePull, { color: false, width: 100 }).join('\n'));
  });

  it('keeps commands whole (copyable) and draws the chain as a tree', () => {
    const text = renderDiagnosisText(imagePull, { color: false, width: 60 }).join('\n');
    for (const cmd of imagePull.remediation.commands!) expect(text).toContain(`$ ${cmd}`);
    expect(text).toContain('└─ ▲ WARN ReplicaSet');
    expect(text).toContain('✖ FAIL Container main');
  });

  it('does not print a fix for a healthy endpoint', () => {
    const text = renderDiagnosisText(healthy, { color: false, width: 100 }).join('\n');
    expect(text).toContain('cause ✔ HEALTHY');
    expect(text).not.toContain('fix:');
  });

  it('one line per watch evaluation', () => {
    expect(renderDiagnosisLine(imagePull)).toMatch(/^llama-3-8b-instruct IMAGE_PULL — The endpoint's pods cannot pull /);
  });

  it('as Markdown: heading with the cause, fenced commands, the chain as a nested list', () => {
    const md = renderDiagnosisMarkdown(imagePull).join('\n');
    expect(md).toMatchSnapshot();
    expect(md).toContain('```sh\naws ecr describe-images');
    expect(md).toMatch(/^ {4}- ✖ FAIL \*\*Pod\*\*/m);
  });
});

describe('the endpoints table', () => {
  it('as text: aligned columns, the cause with its glyph; the serving ones as a line of names unless all are asked for', () => {
    const lines = renderEndpointsText(ROWS, { color: false, width: 100 });
    expect(lines).toMatchSnapshot();
    expect(lines[0]).toBe('Endpoints  3 in llm-engine, 1 failing');
    expect(lines.at(-1)).toBe('  1 serving or idle: embeddings-cpu');
    const all = renderEndpointsText(ROWS, { color: false, width: 100, all: true, incidentOf: (id) => (id === 'end_ct4pe5pn2ojg00a4qkh0' ? 1 : undefined) });
    expect(all).toHaveLength(5);
    expect(all.find((l) => l.includes('llama-3-70b'))).toMatch(/✖ NO_MATCHING_NODES {2}see #1$/);
    expect(all.find((l) => l.includes('embeddings-cpu'))).toMatch(/✔ HEALTHY$/);
  });

  it('as Markdown: escapes pipes in cells, names the incident, lists only the failing ones when asked', () => {
    const md = renderEndpointsMarkdown(ROWS, { incidentOf: (id) => (id === 'end_ct4pe5pn2ojg00a4qkh0' ? 1 : undefined) }).join('\n');
    expect(md).toContain('| llama \\| pipe |');
    expect(md).toContain('| llama-3-70b | `end_ct4pe5pn2ojg00a4qkh0` | streaming | nvidia-hopper-h100 | 0/1 | ✖ NO_MATCHING_NODES | #1 |');
    const failing = renderEndpointsMarkdown(ROWS, { failingOnly: 10 }).join('\n');
    expect(failing).not.toContain('embeddings-cpu');
    expect(failing).toContain('1 more endpoints not listed (1 of them serving or idle; `-o json` has every row).');
  });

  it('classifies causes for colour and glyph', () => {
    expect(causeStyle('HEALTHY')).toBe(STATUS_STYLES.pass);
    expect(causeStyle('STARTING')).toBe(STATUS_STYLES.warn);
    expect(causeStyle('UNKNOWN')).toBe(STATUS_STYLES.warn);
    expect(causeStyle('CRASH_LOOP')).toBe(STATUS_STYLES.fail);
  });
});

describe('text and markdown reporters carry the extensions', () => {
  it('renderText puts the diagnosis and the endpoint table before the incidents, and nothing without them', () => {
    const plain = renderText(cloneReport(), { color: false });
    expect(plain).not.toMatch(/^Endpoints? /m);
    const report = { ...cloneReport(), diagnosis: imagePull, endpoints: ROWS };
    const out = renderText(report, { color: false });
    const incidents = out.indexOf('\nIncidents ');
    expect(out.indexOf('Endpoint  llm-engine/llama-3-8b-instruct (end_cq3kd0s2rxy5g2r0lsh0)  cause ✖ IMAGE_PULL')).toBeGreaterThan(0);
    expect(out.indexOf('Endpoints  3 in llm-engine, 1 failing')).toBeLessThan(incidents);
  });

  it('renderMarkdown puts them before the incidents, the diagnosis evidence folded', () => {
    const md = renderMarkdown({ ...cloneReport(), diagnosis: imagePull, endpoints: ROWS });
    expect(md.indexOf('## Endpoint `llm-engine/llama-3-8b-instruct (end_cq3kd0s2rxy5g2r0lsh0)`: ✖ IMAGE_PULL')).toBeLessThan(md.indexOf('## Incidents'));
    expect(md.indexOf('## Endpoints')).toBeLessThan(md.indexOf('## Incidents'));
    expect(md).toContain('<details>\n<summary>Evidence (1)</summary>');
  });

  it('ignores extensions that are not what they claim', () => {
    expect(isDiagnosis({ cause: 'X' })).toBe(false);
    expect(isEndpointRows([{ name: 'x' }])).toBe(false);
    expect(renderText({ ...cloneReport(), diagnosis: { cause: 1 }, endpoints: 'nope' }, { color: false })).toBe(renderText(cloneReport(), { color: false }));
  });
});
