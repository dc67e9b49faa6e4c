// The report screen over real reports: the demo's triage (endpoints, three incidents and two warnings, skips,
// passes) and the endpoint command's report, as the CLI builds them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
// ink paints through chalk, which turns itself off when stdout is not a TTY (as under jest). The colour tests
// force it on, so "no escape codes with color: false" is a real assertion, not a side effect of the test runner.
import chalk from 'chalk';
import { cleanup } from 'ink-testing-library';
import { incidentsOf } from '../../src/model-engine/incidents.js';
import type { CheckResult, Report } from '../../src/engine/types.js';
import { isEndpointRows } from '../../src/reporters/diagnosis.js';
import { endpointReport, offNetworkReport, triageReport } from '../reporters/fixture-report.js';
import { ANSI, frame, KEY, press, recordActions, renderApp, resize, settle, storeWith, waitForFrame, type RecordedActions } from './helpers.js';

let savedLevel: typeof chalk.level;
let demo: Report;
let endpoint: Report;
let offNetwork: Report;
beforeAll(async () => {
  savedLevel = chalk.level;
  chalk.level = 1;
  [demo, endpoint, offNetwork] = await Promise.all([triageReport(), endpointReport('llama-3-70b'), offNetworkReport()]);
}, 60_000);
afterAll(() => {
  chalk.level = savedLevel;
});
afterEach(() => cleanup());

const lines = (f: string) => f.split('\n');
/** The counts line of the header, as the report under test has them. */
const countsLine = (r: Report) =>
  `✖ ${r.counts.fail} failed  ▲ ${r.counts.warn} warnings  ✔ ${r.counts.pass} passed  ○ ${r.counts.skip} skipped  ‼ ${r.counts.error} errors  in 1.2s`;
/** The items of the list before passes: every endpoint, every incident, every skip. */
const items = (r: Report) => (isEndpointRows(r.endpoints) ? r.endpoints.length : 0) + incidentsOf(r).length + r.counts.skip;
const selectedLine = (f: string) => lines(f).find((l) => l.startsWith('❯ ')) ?? '';
const widest = (f: string) => Math.max(...lines(f).map((l) => [...l].length));

describe('the report list', () => {
  it('shows the summary header: target, cloud and how it was found, namespaces, values, counts', async () => {
    const r = await renderApp(storeWith(demo));
    const f = frame(r);
    expect(lines(f)[0]).toBe('model-engine-doctor 0.1.0 · triage · snapshot fixtures/clusters/demo-aws');
    expect(f).toContain('cloud       aws (from config.values.infra.cloud_provider)');
    expect(f).toContain('namespaces  control plane model-engine, endpoints llm-engine');
    expect(f).toContain('values      release model-engine revision 3 (over the installed release)');
    expect(f).toContain(countsLine(demo));
  });

  it('shows the endpoints table and the incidents, ranked, each with how many other views it has', async () => {
    const r = await renderApp(storeWith(demo));
    const f = frame(r);
    expect(f).toContain('Endpoints  4 in llm-engine, 2 failing');
    expect(selectedLine(f)).toBe('❯ ✖ NO_MATCHING_NODES  llama-3-70b   0/1  nvidia-hopper-h100  end_ct4pe5pn2ojg00a4qkh0  → #1');
    expect(f).toContain('  ✖ IMAGE_PULL         mixtral-8x7b  0/1  nvidia-ampere-a10   end_ct4p8uhn2ojg00a4qkgg  → #2');
    expect(f).toContain('  + 2 serving or idle: embeddings-cpu, llama-3-8b-instruct (f: all)');
    expect(f).toContain('Incidents  3 failing, 2 warnings');
    const incidents = lines(f).filter((l) => /^ {2}#\d/.test(l));
    expect(incidents.map((l) => /^.*?\S+\/\S+/.exec(l)![0])).toEqual([
      '  #1  ✖ FAIL   high      endpoints/serving',
      '  #2  ✖ FAIL   high      endpoints/serving',
      '  #3  ✖ FAIL   high      redis/log-errors',
      '  #4  ▲ WARN   medium    values/scheduling',
      '  #5  ▲ WARN   low       values/image-tag',
    ]);
    expect(incidents[0]).toMatch(/ {2}\+2$/);
    expect(incidents[2]).toMatch(/ {2}\+2$/);
    // Passes are hidden: the status line says how to show them (once the filter shows the rest).
    expect(f).not.toContain('✔ PASS');
  });

  it.each([
    ['a failing endpoint, cause first', '❯ ✖ NO_MATCHING_NODES  llama-3-70b'],
    ['a healthy endpoint', '  ✔ HEALTHY            embeddings-cpu       1/1  cpu'],
    ['a failing incident', '  #3  ✖ FAIL   high      redis/log-errors  2 Redis authentication error(s)'],
    ['a warning', '  #5  ▲ WARN   low       values/image-tag  image.cacherRepository is set but never read'],
    ['a skip (no severity column)', '  ○ SKIP   identity/cloud-trust  needs cloud API access; rerun with --cloud-api'],
  ])('draws %s with glyph and word', async (_what, expected) => {
    const r = await renderApp(storeWith(demo), { columns: 140, showAll: true });
    expect(lines(frame(r)).some((l) => l.startsWith(expected))).toBe(true);
  });

  it('lists passes only with --show-passed', async () => {
    const hidden = await renderApp(storeWith(demo), { showAll: true, rows: 120 });
    expect(frame(hidden)).not.toContain('✔ PASS');
    expect(frame(hidden)).toContain(`· ${demo.counts.pass} passes hidden (--show-passed)`);
    cleanup();
    const shown = await renderApp(storeWith(demo), { showAll: true, showPassed: true, rows: 120 });
    expect(frame(shown)).toContain(`Passed  ${demo.counts.pass}`);
    expect(frame(shown)).toMatch(/^ {2}✔ PASS {3}control-plane\/config-maps {2}ConfigMap /m);
    expect(frame(shown)).not.toContain('passes hidden');
  });

  it('j/k and the arrows move the selection in the order shown, and stop at the ends', async () => {
    const r = await renderApp(storeWith(demo));
    expect(selectedLine(frame(r))).toContain('llama-3-70b');
    expect(selectedLine(await press(r, 'j'))).toContain('mixtral-8x7b');
    expect(selectedLine(await press(r, KEY.down))).toContain('#1  ✖ FAIL');
    expect(selectedLine(await press(r, 'k'))).toContain('mixtral-8x7b');
    expect(selectedLine(await press(r, KEY.up, KEY.up, KEY.up))).toContain('llama-3-70b');
    expect(selectedLine(await press(r, 'G'))).toContain('#5');
    expect(selectedLine(await press(r, 'j'))).toContain('#5');
    expect(frame(r)).toContain(`7/7 (of ${items(demo)}) · filter failing + warnings`);
  });

  it('opens on failing + warnings when anything needs attention, and f cycles failing → failing + warnings → all', async () => {
    const r = await renderApp(storeWith(demo));
    const kinds = (f: string) => new Set(lines(f).flatMap((l) => /(?:^[❯ ] |#\d+ {2})([✖‼▲○✔]) [A-Z_]+/.exec(l)?.[1] ?? []));
    let f = frame(r);
    expect(kinds(f)).toEqual(new Set(['✖', '▲']));
    expect(f).toContain(`1/7 (of ${items(demo)}) · filter failing + warnings`);
    f = await press(r, 'f');
    expect(kinds(f)).toEqual(new Set(['✖', '▲', '○', '✔']));
    expect(f).toContain(`Skipped  ${demo.counts.skip}`);
    expect(f).toContain(`1/${items(demo)} · filter all`);
    f = await press(r, 'f');
    expect(kinds(f)).toEqual(new Set(['✖']));
    expect(f).toContain(`1/5 (of ${items(demo)}) · filter failing (fail, error)`);
  });

  it('opens on everything when nothing needs attention, and says so under the failing filter', async () => {
    const report: Report = { ...demo, results: demo.results.filter((x) => x.status === 'pass' || x.status === 'skip'), incidents: [] };
    delete report.endpoints;
    const r = await renderApp(storeWith(report));
    expect(frame(r)).toContain(`1/${report.counts.skip} · filter all`);
    expect(await press(r, 'f')).toContain('Nothing failing. ✔ Press f to see the rest.');
    expect(await press(r, 'f')).toContain('Nothing failing or warning. ✔ Press f to see the rest.');
  });
});

describe('details', () => {
  it('Enter on a failing endpoint opens the incident that explains it: its fix first, then the other views, then the evidence', async () => {
    const r = await renderApp(storeWith(demo), { columns: 120, rows: 120 });
    const f = await press(r, KEY.enter);
    expect(lines(f)[6]).toBe('#1 ✖ FAIL   high  endpoints/serving');
    expect(f).toContain('object  Deployment llm-engine/launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0');
    const order = ['Fix', 'Also seen as (2)', 'Evidence', 'Docs'].map((h) => lines(f).indexOf(h));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(f).toContain('  ✖ FAIL   gpu/accelerator-labels  Pod llm-engine/launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0-zdcvnnzjdf-g9c9j');
    expect(f).toContain('  ✖ FAIL   gpu/capacity');
    expect(f).toMatch(/^ {2}event {3}FailedScheduling on Pod llm-engine\//m);
    expect(f).toContain('  docs/endpoint.md#no-matching-nodes');
    expect(f).toContain('item 3/7');
    expect(f).not.toContain('❯ '); // the list is replaced by the pane
    // Esc / ← go back to the list, the incident still selected.
    expect(selectedLine(await press(r, KEY.esc))).toContain('#1  ✖ FAIL');
    await press(r, KEY.right);
    expect(frame(r)).toContain('Also seen as (2)');
    expect(selectedLine(await press(r, KEY.left))).toContain('#1  ✖ FAIL');
  });

  it('scrolls a long detail pane and moves to the next or previous item with n and p', async () => {
    const r = await renderApp(storeWith(demo), { columns: 80, rows: 24 });
    const top = await press(r, 'j', 'j', KEY.enter);
    expect(top).toMatch(/lines 1–\d+ of \d+/);
    const first = lines(top)[4];
    const scrolled = await press(r, KEY.down, KEY.down);
    expect(scrolled).toMatch(/lines 3–\d+ of \d+/);
    expect(lines(scrolled)[4]).not.toBe(first);
    expect(await press(r, 'n')).toMatch(/^#2 ✖ FAIL {3}high {2}endpoints\/serving$/m);
    expect(await press(r, 'n')).toMatch(/^#3 ✖ FAIL {3}high {2}redis\/log-errors$/m);
    expect(await press(r, 'p', 'p', 'p')).toContain('✖ IMAGE_PULL  endpoint llm-engine/mixtral-8x7b');
  });

  it('shows file:line of values evidence and log lines as logged', async () => {
    const r = await renderApp(storeWith(demo), { columns: 160, rows: 80 });
    const f = await press(r, '/', ...'image.cacherRepository', KEY.enter, KEY.enter);
    expect(f).toContain('values  image.cacherRepository = "111122223333.dkr.ecr.us-east-1.amazonaws.com/model-engine" (release model-engine revision 3 (user-supplied values))');
    const logs = await press(r, KEY.esc, KEY.esc, '/', ...'redis/log-errors', KEY.enter, KEY.enter);
    expect(logs).toMatch(/^ {2}log {5}model-engine-cacher-ntxpc95s7g-78q5b\/model-engine-cacher line 2: /m);
    expect(logs).not.toMatch(ANSI);
  });
});

describe('at 80×24', () => {
  it('folds the header so the list and the fix have the rows: a command of the fix is on screen one key after start', async () => {
    const r = await renderApp(storeWith(demo), { columns: 80, rows: 24 });
    const list = frame(r);
    expect(lines(list).slice(0, 2)).toEqual([
      'model-engine-doctor · triage · aws · snapshot fixtures/clusters/demo-aws',
      `  ${countsLine(demo)}`,
    ]);
    expect(lines(list).length).toBeLessThan(24);
    const detail = await press(r, KEY.enter);
    expect(detail).toMatch(/^Fix$/m);
    expect(detail).toMatch(/^ {2}\$ aws eks create-nodegroup --cluster-name ml-prod /m);
    expect(lines(detail).length).toBeLessThan(24);
    expect(widest(detail)).toBeLessThanOrEqual(79);
  });

  it('never cuts a cause code or its glyph, however narrow', async () => {
    for (const columns of [80, 60, 40]) {
      const r = await renderApp(storeWith(demo), { columns, rows: 24 });
      expect(selectedLine(frame(r))).toMatch(/^❯ ✖ NO_MATCHING_NODES {2}/);
      expect(frame(r)).toMatch(/^ {2}✖ IMAGE_PULL {9}/m);
      cleanup();
      const e = await renderApp(storeWith(endpoint), { columns, rows: 24 });
      expect(selectedLine(frame(e))).toMatch(/^❯ ✖ NO_MATCHING_NODES {2}/);
      expect(await press(e, KEY.enter)).toMatch(/^✖ NO_MATCHING_NODES( {2}endpoint |$)/m);
      cleanup();
    }
  });

  it('breaks commands only between shell words (with \\), and scrolls a word too long for the line with > and <', async () => {
    const r = await renderApp(storeWith(demo), { columns: 80, rows: 60 });
    let f = await press(r, KEY.enter);
    const code = (s: string) => lines(s).filter((l) => /^ {2}(\$ | {4})\S/.test(l));
    // The create-nodegroup command, joined back from its lines, is the command itself: no word was split.
    const lead = demo.results[incidentsOf(demo)[0]!.lead] as CheckResult;
    const nodegroup = lead.remediation!.commands![0]!;
    const shown = code(f).map((l) => l.replace(/^ {2}\$ /, '').trim());
    const start = shown.findIndex((l) => l.startsWith('aws eks create-nodegroup'));
    const joined: string[] = [];
    for (let i = start; i < shown.length; i++) {
      joined.push(shown[i]!.replace(/ \\$/, ''));
      if (!shown[i]!.endsWith(' \\')) break;
    }
    expect(joined.join(' ')).toBe(nodegroup);
    // The curl URL is longer than a line: cut at the edge with …, never broken; > brings the rest into view.
    const url = 'http://model-engine.model-engine.svc.cluster.local/v1/model-endpoints/end_ct4pe5pn2ojg00a4qkh0';
    const urlLine = (s: string) => lines(s).find((l) => l.includes('http://model-engine.') || l.includes('v1/model-endpoints/')) ?? '';
    expect(urlLine(f)).toMatch(/^ {6}http:\/\/model-engine\.model-engine\.svc\.cluster\.local\/v1\/model-endp.*…$/);
    expect(f).toContain('long commands cut: > scrolls right');
    f = await press(r, '>');
    expect(urlLine(f)).toMatch(/^ {4}…/);
    f = await press(r, '>', '>'); // as far as it goes
    expect(urlLine(f)).toMatch(/^ {4}….*\/v1\/model-endpoints\/end_ct4pe5pn2ojg00a4qkh0 \\$/);
    expect(url.endsWith(urlLine(f).trim().slice(1).replace(/ \\$/, ''))).toBe(true);
    expect(f).toContain('· < long commands cut');
    f = await press(r, '<', '<', '<', '<');
    expect(urlLine(f)).toMatch(/^ {6}http:\/\/model-engine\./);
    expect(f).not.toContain('· < long');
  });
});

describe('keys that act', () => {
  it('q quits with the fix of the selected item; on an endpoint, the fix of its incident', async () => {
    const actions = recordActions();
    const r = await renderApp(storeWith(demo), { actions });
    await press(r, 'q');
    expect(actions.quits).toHaveLength(1);
    const fix = actions.quits[0]!;
    expect(fix.split('\n').slice(0, 3)).toEqual([
      '# ✖ FAIL endpoints/serving · Deployment llm-engine/launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0',
      expect.stringMatching(/^# fix: Add NVIDIA H100 nodes labelled/),
      expect.stringMatching(/^aws eks create-nodegroup --cluster-name ml-prod /),
    ]);
    expect(fix).toContain('# also seen as: ✖ FAIL gpu/capacity');
  });

  it('c copies the fix of the selected item; r re-runs the check that leads it; Ctrl-C cancels', async () => {
    const actions = recordActions();
    const r = await renderApp(storeWith(demo), { actions });
    await press(r, 'j', 'j', 'j', 'j', 'c', 'r');
    expect(actions.copies).toHaveLength(1);
    expect(actions.copies[0]!.what).toBe('the fix of incident #3 (redis/log-errors)');
    expect(actions.copies[0]!.fix).toMatch(/^# ✖ FAIL redis\/log-errors · Deployment model-engine\/model-engine-cacher\n# fix: /);
    expect(actions.reruns).toEqual(['redis/log-errors']);
    await press(r, KEY.ctrlC);
    expect(actions.cancelled).toBe(1);
  });

  it('/ filters by typed text on Enter, across every view of an incident; Esc while typing cancels; Esc in the list clears it', async () => {
    const r = await renderApp(storeWith(demo));
    let f = await press(r, '/', 'c', 'a', 'c', 'h', 'e', 'r');
    expect(f).toContain('/cacher▌');
    f = await press(r, KEY.enter);
    // "cacher" is in #3's views (the cacher Deployment), in #4 (its pods) and in #5 (image.cacherRepository).
    expect(lines(f).filter((l) => /^[❯ ] #\d/.test(l)).map((l) => l.slice(2, 4))).toEqual(['#3', '#4', '#5']);
    expect(selectedLine(f)).toContain('#3'); // the selected endpoint is filtered out: the first item is selected
    expect(f).toContain('· text "cacher"');
    f = await press(r, '/', KEY.backspace, 'x', KEY.esc);
    expect(f).toContain('· text "cacher"'); // cancelled: the applied filter is unchanged
    f = await press(r, KEY.esc);
    expect(f).not.toContain('· text');
    const none = await press(r, '/', ...'no-such-thing', KEY.enter);
    expect(none).toContain('Nothing matches "no-such-thing" with status filter failing + warnings. Esc clears the text; f');
    expect(none).toContain(`0 of ${items(demo)} · filter failing + warnings · text "no-such-thing"`);
  });

  it('handles keys that arrive together in one read (tmux send-keys, a held key)', async () => {
    const r = await renderApp(storeWith(demo));
    const f = await press(r, 'jj\r');
    expect(f).toMatch(/^#1 ✖ FAIL {3}high {2}endpoints\/serving$/m);
    expect(await press(r, '\u001B')).toMatch(/^❯ #1 /m);
    const searched = await press(r, '/cacher\r');
    expect(searched).toContain('· text "cacher"');
  });

  it('? shows the keys and any key closes the help', async () => {
    const r = await renderApp(storeWith(demo));
    let f = await press(r, '?');
    expect(f).toContain('Keys');
    expect(f).toMatch(/c +copy the selected item's fix to the clipboard \(OSC 52\)/);
    expect(f).toMatch(/< > +in the details: scroll commands too long for the screen/);
    f = await press(r, 'x');
    expect(f).not.toContain('Keys');
    expect(selectedLine(f)).toContain('llama-3-70b');
  });

  it('shows a re-run in progress and its outcome, and re-groups the incidents', async () => {
    const store = storeWith(demo);
    const r = await renderApp(store);
    await press(r, 'j', 'j', 'j', 'j'); // #3: the cacher's Redis credentials
    store.rerunStart('redis/log-errors');
    store.rerunProgress('redis/log-errors', 'reading the cacher logs…');
    await waitForFrame(r, 'the re-run progress', (f) => /re-running redis\/log-errors… {2}reading the cacher logs…/.test(f));
    const lead = demo.results.find((x) => x.id === 'redis/log-errors' && x.status === 'fail')!;
    const passed: CheckResult = { ...lead, status: 'pass', messageId: 'clean', message: 'No Redis authentication errors in the cacher logs', evidence: [] };
    store.rerunEnd('redis/log-errors', [passed]);
    const f = await waitForFrame(r, 'the re-run outcome', (s) => s.includes('✔ re-ran redis/log-errors: FAIL → PASS'));
    // The cacher incident is now led by the next most direct view (a check before the symptom); it stays high.
    expect(f).toMatch(/#3 {2}✖ FAIL {3}high {6}control-plane\/restarts-and-errors/);
    expect(f).toContain('✖ 7 failed');
  });
});

describe('the endpoint view', () => {
  it('puts the diagnosis first as an item, cause first, with its summary and fix under it', async () => {
    const r = await renderApp(storeWith(endpoint), { columns: 100, rows: 40 });
    const f = frame(r);
    expect(f).toContain('Endpoint diagnosis');
    expect(selectedLine(f)).toBe('❯ ✖ NO_MATCHING_NODES  llm-engine/llama-3-70b (end_ct4pe5pn2ojg00a4qkh0)');
    expect(f).toMatch(/^ {4}fix: Add NVIDIA H100 nodes labelled/m);
    expect(f).toContain('Incidents  3 failing');
  });

  it('Enter opens its whole causal chain and evidence, scrollable; q prints the diagnosis fix, not a check row', async () => {
    const actions: RecordedActions = recordActions();
    const r = await renderApp(storeWith(endpoint), { columns: 80, rows: 24, actions });
    let f = await press(r, KEY.enter);
    expect(lines(f)[3]).toBe('✖ NO_MATCHING_NODES  endpoint llm-engine/llama-3-70b (end_ct4pe5pn2ojg00a4qkh0)');
    expect(f).toMatch(/lines 1–\d+ of \d+/);
    f = await press(r, 'G');
    expect(f).toContain('Look further');
    // The checks' incidents about the same endpoint close the diagnosis: the same missing node pool.
    expect(f).toContain('Seen by the checks too');
    expect(f).toMatch(/^ {2}#1 ✖ FAIL {3}gpu\/capacity {2}1 pod\(s\) wait for nvidia-hopper-h100/m);
    const all: string[] = [];
    await press(r, 'g');
    for (let i = 0; i < 8; i++) all.push(...lines(await press(r, KEY.pageDown)));
    const seen = all.join('\n');
    expect(seen).toContain('Causal chain');
    expect(seen).toMatch(/└─ [✖▲✔○] [A-Z]+ (ReplicaSet|Pod) /);
    expect(seen).toContain('Evidence');
    // q in the list on a check row would print that row's fix; here the diagnosis is selected.
    await press(r, KEY.esc, 'j', 'k', 'q');
    expect(actions.quits[0]!.split('\n').slice(0, 3)).toEqual([
      '# endpoint llm-engine/llama-3-70b: NO_MATCHING_NODES',
      expect.stringMatching(/^# Pod launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0-zdcvnnzjdf-g9c9j has been Pending/),
      expect.stringMatching(/^# fix: Add NVIDIA H100 nodes/),
    ]);
  });
});

describe('fits the terminal', () => {
  it('never draws a line wider than the terminal, in the list, the details and the help', async () => {
    const r = await renderApp(storeWith(demo), { columns: 80, rows: 40, showAll: true });
    for (const f of [frame(r), await press(r, 'j', 'j', KEY.enter), await press(r, KEY.esc, '?')]) expect(widest(f)).toBeLessThanOrEqual(79);
  });

  it('re-renders on resize', async () => {
    const r = await renderApp(storeWith(demo), { columns: 120, rows: 40 });
    expect(widest(frame(r))).toBeGreaterThan(80);
    await resize(r, 60, 40);
    expect(widest(frame(r))).toBeLessThanOrEqual(60);
  });

  it('windows the list to the terminal height, with ↑/↓ more markers, keeping the selection in view', async () => {
    const r = await renderApp(storeWith(demo), { columns: 80, rows: 20, showAll: true });
    let f = frame(r);
    expect(lines(f).length).toBeLessThan(20);
    expect(f).toMatch(/↓ \d+ more/);
    f = await press(r, 'G');
    expect(f).toMatch(/↑ \d+ more/);
    expect(selectedLine(f)).toContain('identity/cloud-trust');
    expect(lines(f).length).toBeLessThan(20);
  });

  it('gives each registry this machine cannot reach one row', async () => {
    const r = await renderApp(storeWith(offNetwork), { columns: 120, rows: 40 });
    const rows = lines(frame(r)).filter((l) => /images? not checked: /.test(l));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/#\d+ +▲ WARN {3}medium {4}13 images not checked: 111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.com unreachable/);
  });

  it('draws the list and an incident at 80 columns (snapshot)', async () => {
    const r = await renderApp(storeWith(demo), { columns: 80, rows: 30 });
    expect(frame(r)).toMatchSnapshot('list');
    expect(await press(r, 'j', 'j', 'j', 'j', KEY.enter)).toMatchSnapshot('incident #3');
  });
});

describe('colour', () => {
  it('emits no ANSI codes at all with color: false', async () => {
    const r = await renderApp(storeWith(demo), { color: false });
    expect(r.frames.join('')).not.toMatch(ANSI);
    await press(r, 'j', KEY.enter, KEY.esc, '?', 'x', '/', 'x');
    expect(r.frames.join('')).not.toMatch(ANSI);
  });

  it('colours statuses when color is on, and marks the selection with a glyph as well as inverse video', async () => {
    const r = await renderApp(storeWith(demo), { color: true });
    const raw = await settle(r).then(() => r.lastFrame() ?? '');
    expect(raw).toMatch(ANSI);
    expect(raw).toMatch(/\u001b\[31m[^\u001b]*✖ FAIL/); // red FAIL
    expect(raw).toMatch(/\u001b\[7m/); // inverse on the selected row
    expect(raw).toContain('❯ ');
  });
});
