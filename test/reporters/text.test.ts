import { beforeAll, describe, expect, it } from '@jest/globals';
import { incidentsOf } from '../../src/model-engine/incidents.js';
import type { Report } from '../../src/engine/types.js';
import { COMPACT_COMMANDS, renderText, wrapText } from '../../src/reporters/text.js';
import { ANSI_LOG, deniedReport, hostileReport, offNetworkReport, triageReport } from './fixture-report.js';

const ESC = /\u001b/;
const allCommands = (r: Report, each?: number) => incidentsOf(r).flatMap((i) => (r.results[i.lead]!.remediation?.commands ?? []).slice(0, each));
/** Rows a terminal of `width` columns needs for the text (long commands wrap there). */
const rows = (text: string, width: number) => text.split('\n').reduce((n, l) => n + Math.max(1, Math.ceil([...l].length / width)), 0);

let demo: Report;
let offNetwork: Report;
let denied: Report;
let hostile: Report;
beforeAll(async () => {
  [demo, offNetwork, denied, hostile] = await Promise.all([triageReport(), offNetworkReport(), deniedReport(), hostileReport()]);
}, 60_000);

describe('renderText of the demo', () => {
  it('matches the snapshot without colour', () => {
    expect(renderText(demo, { color: false })).toMatchSnapshot();
  });

  it('fits on a screen or two: three root causes and two warnings in well under 100 lines', () => {
    const out = renderText(demo, { color: false });
    // Two 50-row screens: 89 lines (was 707; 92 before the commands were capped at three per incident — -o wide has
    // the rest). Long commands are never wrapped by us, so a 100-column terminal shows a few more rows than lines.
    expect(out.trimEnd().split('\n').length).toBeLessThanOrEqual(89);
    expect(rows(out, 100)).toBeLessThanOrEqual(104);
    expect(rows(out, 120)).toBeLessThanOrEqual(97);
    // The same run seen from a laptop off the cluster's network: 18 unreachable images collapse to 4 lines.
    const off = renderText(offNetwork, { color: false });
    expect(off.split('\n').length).toBeLessThanOrEqual(100);
  });

  it('leads with the incidents, each with the view that names the cause and the others as "also seen as"', () => {
    const out = renderText(demo, { color: false });
    const heads = out.split('\n').filter((l) => /^#\d/.test(l));
    expect(heads).toEqual([
      '#1  ✖ FAIL  high  endpoints/serving',
      '#2  ✖ FAIL  high  endpoints/serving',
      '#3  ✖ FAIL  high  redis/log-errors · Deployment model-engine/model-engine-cacher',
      '#4  ▲ WARN  medium  values/scheduling · HelmValues nodeSelector',
      '#5  ▲ WARN  low  values/image-tag · HelmValues image.cacherRepository',
    ]);
    const one = out.slice(out.indexOf('#1 '), out.indexOf('#2 '));
    expect(one).toContain('NO_MATCHING_NODES');
    expect(one).toContain('fix: Add NVIDIA H100 nodes');
    expect(one).toContain('also seen as  ✖ gpu/accelerator-labels · ✖ gpu/capacity');
    const two = out.slice(out.indexOf('#2 '), out.indexOf('#3 '));
    expect(two).toContain('IMAGE_PULL');
    expect(two).toContain('also seen as  ✖ images/cluster-pull-errors');
    const three = out.slice(out.indexOf('#3 '), out.indexOf('#4 '));
    expect(three).toContain('also seen as  ✖ control-plane/deployments-available · ✖ control-plane/restarts-and-errors');
    // The endpoint table points at the incident that explains each failing endpoint.
    expect(out).toMatch(/llama-3-70b .*✖ NO_MATCHING_NODES {2}see #1/);
    expect(out).toMatch(/mixtral-8x7b .*✖ IMAGE_PULL {2}see #2/);
    expect(out).toContain('  2 serving or idle: embeddings-cpu, llama-3-8b-instruct');
  });

  it('hides passes unless --show-passed, and says how to list them', () => {
    const out = renderText(demo, { color: false });
    expect(out).not.toContain('✔ PASS');
    expect(out).toContain(`${demo.counts.pass} passed check results not shown: --show-passed lists them.`);
    const shown = renderText(demo, { color: false, showPassed: true });
    expect(shown.split('\n').filter((l) => l.includes('✔ PASS'))).toHaveLength(demo.counts.pass);
    expect(shown).not.toContain('not shown');
    // All endpoints, healthy ones included, once passes are asked for.
    expect(shown).toMatch(/embeddings-cpu .*✔ HEALTHY/);
  });

  it('lists the skipped checks on a few lines, and names a denied permission on a line of its own', () => {
    const out = renderText(demo, { color: false });
    expect(out).toMatch(new RegExp(`^Skipped {2}${demo.counts.skip}: identity/pods-federated ×2, images/canary-pull,`, 'm'));
    const gpu = renderText(denied, { color: false });
    expect(gpu).toMatch(/^ {2}○ SKIP {3}gpu\/\S+ — skipped: RBAC .*cannot list nodes/m);
  });

  it('does colour when asked, and the colour is only decoration', () => {
    const painted = renderText(demo, { color: true });
    expect(painted).toMatch(ESC);
    expect(painted.replace(/\u001b\[\d+m/g, '')).toBe(renderText(demo, { color: false }));
  });

  it('starts with the header and ends with the summary line', () => {
    const lines = renderText(demo, { color: false }).split('\n');
    expect(lines[0]).toBe('model-engine-doctor 0.1.0 · triage');
    expect(lines[1]).toBe('  target      snapshot fixtures/clusters/demo-aws');
    expect(lines.join('\n')).toContain('cloud       aws (from config.values.infra.cloud_provider)');
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe('8 failed, 2 warnings, 56 passed, 12 skipped, 0 errors (1.2s)');
  });

  it('never wraps a command, and keeps prose within the width', () => {
    for (const width of [60, 80, 100]) {
      for (const verbose of [false, true]) {
        const out = renderText(demo, { color: false, width, verbose });
        const lines = out.split('\n');
        // The endpoint table keeps its columns whatever the width (a terminal wraps it; it is never re-flowed).
        const table = new Set(lines.slice(lines.findIndex((l) => l.startsWith('Endpoints ')), lines.indexOf('', lines.findIndex((l) => l.startsWith('Endpoints ')))));
        // Every command in full (-o wide), or the first COMPACT_COMMANDS of each (the compact report): never wrapped.
        for (const cmd of allCommands(demo, verbose ? undefined : COMPACT_COMMANDS)) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ +\\$ ${escapeRe(cmd)}$`)));
        const verbatim = new Set(demo.results.flatMap((r) => [...(r.remediation?.commands ?? []).map((c) => `$ ${c}`), ...(r.remediation?.values ?? '').split('\n').map((l) => l.trim())]));
        for (const line of lines) {
          if ([...line].length <= width || table.has(line)) continue;
          // Only verbatim lines (commands, values snippets) and single unbreakable words may overflow.
          const body = line.trim();
          const ok = verbatim.has(body) || !body.replace(/^- /, '').includes(' ');
          expect({ line, ok }).toEqual({ line, ok: true });
        }
      }
    }
  });

  it('folds a long values snippet in the compact report, and shows it whole when verbose', () => {
    const out = renderText(demo, { color: false });
    expect(out).toContain('      + a 10-line values snippet: -o wide (or the TUI, -o markdown, -o json)');
    expect(out).toContain('        nodeSelector: null   # removes the chart default node-lifecycle=normal; {} does not');
    const verbose = renderText(demo, { color: false, verbose: true });
    expect(verbose).toContain('k8s.amazonaws.com/accelerator: nvidia-hopper-h100');
  });

  it('shows the first three commands of an incident and counts the rest on one line; -o wide (verbose) shows them all', () => {
    const out = renderText(demo, { color: false });
    const two = out.slice(out.indexOf('#2 '), out.indexOf('#3 '));
    const cmds = demo.results[incidentsOf(demo)[1]!.lead]!.remediation!.commands!;
    expect(cmds.length).toBe(5);
    expect(two.split('\n').filter((l) => /^ +\$ /.test(l)).map((l) => l.trim().slice(2))).toEqual(cmds.slice(0, 3));
    expect(two).toContain('      + 2 more commands: -o wide (or the TUI, -o markdown, -o json)');
    const verbose = renderText(demo, { color: false, verbose: true });
    const wide = verbose.slice(verbose.indexOf('#2 '), verbose.indexOf('#3 '));
    for (const c of cmds) expect(wide).toContain(`$ ${c}`);
    expect(wide).not.toContain('more command');
  });

  it('gives one telling evidence line in compact form, and every item with every view in full when verbose', () => {
    const out = renderText(demo, { color: false });
    expect(out).toMatch(/^ {4}evidence {2}event FailedScheduling ×6: 0\/6 nodes are available: .*\(\+5 more\)$/m);
    const verbose = renderText(demo, { color: false, verbose: true });
    expect(verbose).toContain('- 6 node(s) have node-lifecycle=normal');
    expect(verbose).toContain('also seen as:');
    expect(verbose).toMatch(/✖ FAIL {3}high {6}gpu\/capacity/);
    expect(verbose).toContain('messageId noMatchingNodes · 12ms');
  });
});

describe('renderText, other reports', () => {
  it('collapses registries this machine cannot reach to one line per host', () => {
    const out = renderText(offNetwork, { color: false });
    const hosts = out.split('\n').filter((l) => /^#\d+ +▲ WARN {2}\d+ images? not checked: \S+/.test(l));
    expect(hosts.map((l) => /checked: (\S+)/.exec(l)![1])).toEqual(['111122223333.dkr.ecr.us-east-1.amazonaws.com', 'gcr.io', 'public.ecr.aws', 'docker.io']);
    expect(hosts[0]).toContain('WARN  13 images not checked');
    expect(out).toContain('the nodes may reach what this machine cannot');
    expect(out).not.toContain('also seen as  ▲ images/framework-pullable');
  });

  it('emits no escape character from a log line full of them, and shows an error result with its text', () => {
    const out = renderText(hostile, { color: false, verbose: true, width: 200 });
    expect(hostile.results.some((r) => r.evidence.some((e) => e.type === 'log' && e.line === ANSI_LOG))).toBe(true);
    expect(out).not.toMatch(ESC);
    expect(out).toContain('line 211: ERROR: Exception in ASGI application');
    expect(out).toMatch(/‼ ERROR {2}high {2}broker\/queues/);
    expect(out).toContain('check timed out after 30s');
  });

  it('describes an empty run', () => {
    const report: Report = { ...demo, results: [], counts: { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 }, incidents: [], durationMs: 412 };
    delete report.endpoints;
    const out = renderText(report, { color: false });
    expect(out).toContain('No checks ran.');
    expect(out.trimEnd().split('\n').at(-1)).toBe('0 failed, 0 warnings, 0 passed, 0 skipped, 0 errors (412ms)');
  });

  it('computes the incidents of a report that does not carry them (an older JSON report)', () => {
    const { incidents: _i, ...old } = demo;
    expect(renderText(old as Report, { color: false })).toBe(renderText(demo, { color: false }));
  });
});

describe('wrapText', () => {
  it.each([
    ['a b c', 10, ['a b c']],
    ['aaa bbb ccc', 7, ['aaa bbb', 'ccc']],
    ['x https://a.very/long/url/that/does/not/fit y', 10, ['x', 'https://a.very/long/url/that/does/not/fit', 'y']],
    ['', 10, ['']],
    ['one  two', 20, ['one two']],
  ])('wraps %j at %i', (text, width, expected) => {
    expect(wrapText(text, width)).toEqual(expected);
  });

  it('gives the first line its own width', () => {
    expect(wrapText('aa bb cc dd', 5, 8)).toEqual(['aa bb', 'cc dd']);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
