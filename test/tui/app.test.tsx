import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
// ink paints through chalk, which turns itself off when stdout is not a TTY (as under jest). The colour tests
// force it on, so "no escape codes with color: false" is a real assertion, not a side effect of the test runner.
import chalk from 'chalk';
import { cleanup } from 'ink-testing-library';
import type { CheckResult, Report } from '../../src/engine/types.js';
import { cloneReport, fixtureReport } from '../reporters/fixture-report.js';
import { ANSI, frame, KEY, press, recordActions, renderApp, resize, storeWith } from './helpers.js';

let savedLevel: typeof chalk.level;
beforeAll(() => {
  savedLevel = chalk.level;
  chalk.level = 1;
});
afterAll(() => {
  chalk.level = savedLevel;
});
afterEach(() => cleanup());

const lines = (f: string) => f.split('\n');
const selectedLine = (f: string) => lines(f).find((l) => l.startsWith('❯ ')) ?? '';

describe('report list', () => {
  it('shows the summary header: target, cloud and how it was found, namespaces, values, counts', async () => {
    const r = await renderApp(storeWith(cloneReport()));
    const f = frame(r);
    // Cut to the terminal's 100 columns (less the last one, which stays empty).
    expect(lines(f)[0]).toBe('model-engine-doctor 0.1.0 · triage · live cluster, context arn:aws:eks:us-west-2:111122223333:clus…');
    expect(f).toContain('cloud       aws (from config.values.infra.cloud_provider)');
    expect(f).toContain('namespaces  control plane model-engine, endpoints llm-engine');
    expect(f).toContain('values      values.yaml, values-prod.yaml');
    expect(f).toContain('✖ 4 failed  ▲ 2 warnings  ✔ 6 passed  ○ 3 skipped  ‼ 2 errors  in 31.2s');
  });

  it.each([
    ['fail', 'critical', '❯ ✖ FAIL   critical  nodes/lifecycle-label  No node is labelled node-lifecycle=normal'],
    ['fail', 'high', '  ✖ FAIL   high      images/mirrored  Image public.ecr.aws/b2z8n5q1/model-engine'],
    ['fail', 'medium', '  ✖ FAIL   medium    identity/service-account-role  ServiceAccount llm-engine/model-engine has no'],
    ['error', 'high', '  ‼ ERROR  high      storage/bucket-access  check failed to run: AccessDenied'],
    ['error', 'medium', '  ‼ ERROR  medium    broker/sqs-queues  check timed out after 30000 ms'],
    ['warn', 'medium', '  ▲ WARN   medium    broker/type  celeryBrokerType "elasticache" is not a forwarder broker type'],
    ['warn', 'low', '  ▲ WARN   low       endpoints/keda-trigger-auth  ScaledObject llm-engine/'],
    // Passes and skips carry no severity column: only findings are ranked.
    ['skip', 'info', '  ○ SKIP             nodes/gpu-capacity  skipped: RBAC forbidden: cannot list nodes at cluster scope'],
    ['pass', 'critical', '  ✔ PASS             config/cloud-provider  config.values.infra.cloud_provider is aws'],
  ])('draws a %s / %s row with glyph, word and severity', async (_status, _severity, expected) => {
    const r = await renderApp(storeWith(cloneReport()), { columns: 140, showAll: true });
    expect(lines(frame(r)).some((l) => l.startsWith(expected))).toBe(true);
  });

  it('groups by area, the area with the worst result first, failures first inside an area', async () => {
    const r = await renderApp(storeWith(cloneReport()), { showAll: true });
    const areas = lines(frame(r)).filter((l) => /^[a-z]+ {2}\d/.test(l)).map((l) => l.split(' ')[0]);
    expect(areas).toEqual(['nodes', 'images', 'redis', 'identity', 'storage', 'broker', 'endpoints', 'registry', 'config']);
    const broker = lines(frame(r)).filter((l) => l.includes('broker/'));
    expect(broker[0]).toContain('‼ ERROR');
    expect(broker[1]).toContain('▲ WARN');
  });

  it('j/k and the arrows move the selection in the order shown, and stop at the ends', async () => {
    const r = await renderApp(storeWith(cloneReport()), { showAll: true });
    expect(selectedLine(frame(r))).toContain('nodes/lifecycle-label');
    expect(selectedLine(await press(r, 'j'))).toContain('nodes/gpu-capacity'); // same area, shown next
    expect(selectedLine(await press(r, KEY.down))).toContain('images/mirrored');
    expect(selectedLine(await press(r, 'k'))).toContain('nodes/gpu-capacity');
    expect(selectedLine(await press(r, KEY.up, KEY.up, KEY.up))).toContain('nodes/lifecycle-label');
    expect(selectedLine(await press(r, 'G'))).toContain('config/service-config');
    expect(selectedLine(await press(r, 'j'))).toContain('config/service-config');
    expect(frame(r)).toContain('17/17 · filter all');
  });

  it('Enter opens the detail pane (message, object, evidence, fix, docs) and Esc / ← close it', async () => {
    const r = await renderApp(storeWith(cloneReport()), { columns: 120, showAll: true });
    const f = await press(r, 'j', 'j', KEY.enter);
    expect(f).toContain('✖ FAIL   high  images/mirrored');
    expect(f).toContain('Control-plane images are pullable from the cluster');
    expect(f).toContain('object  Deployment model-engine/model-engine');
    expect(f).toMatch(/Evidence\n {2}field {3}spec\.template\.spec\.containers\[0\]\.image of Deployment model-engine\/model-engine/);
    expect(f).toMatch(/ {2}event {3}Failed on Pod model-engine\/model-engine-6d5f8c7b9d-q8w4m: Failed to pull image/);
    expect(f).toContain('  probe   https://public.ecr.aws/v2/: no response within 5000 ms');
    expect(f).toContain('Fix\n  Mirror the image into 111122223333.dkr.ecr.us-west-2.amazonaws.com');
    expect(f).toContain('  $ helm upgrade model-engine charts/model-engine -n model-engine -f values.yaml -f values-prod.yaml');
    expect(f).toContain('  values:\n    image:\n      gatewayRepository: 111122223333.dkr.ecr.us-west-2.amazonaws.com/model-engine');
    expect(f).toContain('Docs\n  docs/checks/images/mirrored.md#air-gapped-clusters');
    expect(f).toContain('finding 3/17');
    expect(f).not.toContain('❯ '); // the list is replaced by the pane

    expect(selectedLine(await press(r, KEY.esc))).toContain('images/mirrored');
    await press(r, KEY.right);
    expect(frame(r)).toContain('object  Deployment model-engine/model-engine');
    expect(selectedLine(await press(r, KEY.left))).toContain('images/mirrored');
  });

  it('shows file:line of values evidence and numbered log lines in the detail pane', async () => {
    const r = await renderApp(storeWith(cloneReport()), { columns: 160 });
    const f = await press(r, '/', ...'redis/auth', KEY.enter, KEY.enter);
    expect(f).toContain('values  redis.auth = "REDACTED" (values-prod.yaml:96)');
    expect(f).toContain('log     model-engine-6d5f8c7b9d-q8w4m/model-engine line 212: redis.exceptions.AuthenticationError');
    // The log line's own ANSI colour codes are stripped before they reach the terminal; its spacing is kept.
    expect(f).toContain('line 211: ERROR:    Exception in ASGI application');
    expect(f).not.toMatch(ANSI);
  });

  it('scrolls a long detail pane with ↓ and moves to the next finding with n', async () => {
    const r = await renderApp(storeWith(cloneReport()), { columns: 80, rows: 24, showAll: true });
    const top = await press(r, '/', ...'redis/auth', KEY.enter, KEY.enter);
    expect(top).toMatch(/lines 1–\d+ of \d+/);
    const first = lines(top)[6];
    const scrolled = await press(r, KEY.down, KEY.down);
    expect(scrolled).toMatch(/lines 3–\d+ of \d+/);
    expect(lines(scrolled)[6]).not.toBe(first);
    await press(r, KEY.esc, KEY.esc); // close, then clear the text filter
    const next = await press(r, KEY.enter, 'n'); // the selection stayed on redis/auth; n goes to the row below it
    expect(next).toContain('✔ PASS   high  redis/tls');
    expect(next).toContain('finding 6/17');
    expect(await press(r, 'p')).toContain('✖ FAIL   high  redis/auth');
    expect(await press(r, 'p')).toContain('✔ PASS   high  images/pull-secrets');
  });

  it('/ filters by typed text on Enter; Esc while typing cancels; Esc in the list clears it', async () => {
    const r = await renderApp(storeWith(cloneReport()), { showAll: true });
    let f = await press(r, '/', 'r', 'e', 'd', 'i', 's');
    expect(f).toContain('/redis▌');
    expect(f).toContain('nodes/lifecycle-label'); // not applied until Enter
    f = await press(r, KEY.enter);
    const rows = lines(f).filter((l) => /^(❯| ) [✖‼▲○✔]/.test(l));
    // "redis" is in the id, message or evidence of these (the KEDA one names the redis TriggerAuthentication).
    expect(rows.map((l) => l.trim().split(/\s{2,}/).find((c) => c.includes('/')))).toEqual(
      expect.arrayContaining(['redis/auth', 'redis/tls']),
    );
    expect(f).toContain('· text "redis"');
    expect(f).not.toContain('nodes/lifecycle-label');

    f = await press(r, '/', KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, 'n', 'o', 'd', 'e', 's', KEY.esc);
    expect(f).toContain('· text "redis"'); // cancelled: the applied filter is unchanged

    f = await press(r, KEY.esc);
    expect(f).not.toContain('· text');
    expect(f).toContain('nodes/lifecycle-label');
  });

  it('a filter that matches nothing says so and how to widen it', async () => {
    const r = await renderApp(storeWith(cloneReport()), { showAll: true });
    const f = await press(r, '/', ...'no-such-thing', KEY.enter);
    expect(f).toContain('Nothing matches "no-such-thing" with status filter all. Esc clears the text; f changes the');
    expect(f).toContain('0 of 17 · filter all');
  });

  it('opens on failing + warnings when anything needs attention, and f cycles failing → failing + warnings → all', async () => {
    const r = await renderApp(storeWith(cloneReport()));
    const statuses = (f: string) => new Set(lines(f).flatMap((l) => /^(?:❯| ) ([✖‼▲○✔] [A-Z]+)/.exec(l)?.[1] ?? []));
    let f = frame(r);
    expect(statuses(f)).toEqual(new Set(['✖ FAIL', '‼ ERROR', '▲ WARN']));
    expect(f).toContain('1/8 (of 17) · filter failing + warnings');
    f = await press(r, 'f');
    expect(statuses(f)).toEqual(new Set(['✖ FAIL', '‼ ERROR', '▲ WARN', '○ SKIP', '✔ PASS']));
    expect(f).toContain('1/17 · filter all');
    f = await press(r, 'f');
    expect(statuses(f)).toEqual(new Set(['✖ FAIL', '‼ ERROR']));
    expect(f).toContain('1/6 (of 17) · filter failing (fail, error)');
    f = await press(r, 'f');
    expect(statuses(f)).toEqual(new Set(['✖ FAIL', '‼ ERROR', '▲ WARN']));
  });

  it('opens on everything when nothing needs attention', async () => {
    const report = cloneReport();
    report.results = report.results.filter((x) => x.status === 'pass' || x.status === 'skip');
    const r = await renderApp(storeWith(report));
    expect(frame(r)).toContain('1/9 · filter all');
  });

  it('handles keys that arrive together in one read (tmux send-keys, a held key)', async () => {
    const r = await renderApp(storeWith(cloneReport()));
    const f = await press(r, 'jj\r');
    expect(f).toContain('✖ FAIL   high  redis/auth');
    expect(await press(r, '\u001B')).toMatch(/^❯ .*redis\/auth/m);
    const searched = await press(r, '/keda\r');
    expect(searched).toContain('· text "keda"');
    expect(searched).toMatch(/^❯ ▲ WARN .*endpoints\/keda-trigger-auth/m);
  });

  it('keeps the selected finding selected when the filter changes, if it is still shown', async () => {
    const r = await renderApp(storeWith(cloneReport()));
    await press(r, '/', ...'broker', KEY.enter, 'j');
    expect(selectedLine(frame(r))).toContain('broker/type');
    expect(selectedLine(await press(r, KEY.esc))).toContain('broker/type');
  });

  it('says so when nothing is failing under the failing filter', async () => {
    const report = cloneReport();
    report.results = report.results.filter((x) => x.status === 'pass');
    report.counts = { pass: report.results.length, warn: 0, fail: 0, skip: 0, error: 0 };
    const r = await renderApp(storeWith(report));
    expect(await press(r, 'f')).toContain('Nothing failing. ✔ Press f to see the rest.');
    expect(await press(r, 'f')).toContain('Nothing failing or warning. ✔ Press f to see the rest.');
  });

  it('? shows the keys and any key closes the help', async () => {
    const r = await renderApp(storeWith(cloneReport()));
    let f = await press(r, '?');
    expect(f).toContain('Keys');
    expect(f).toMatch(/r +re-run the selected check/);
    expect(f).toMatch(/q +quit; the selected finding's fix is printed/);
    f = await press(r, 'x');
    expect(f).not.toContain('Keys');
    expect(selectedLine(f)).toContain('nodes/lifecycle-label');
  });

  it('q quits with the selected finding; r asks for a re-run of the selected check', async () => {
    const actions = recordActions();
    const r = await renderApp(storeWith(cloneReport()), { actions, showAll: true });
    await press(r, 'j', 'j', 'r');
    expect(actions.reruns).toEqual(['images/mirrored']);
    await press(r, 'q');
    expect(actions.quits.map((x) => x?.id)).toEqual(['images/mirrored']);
    await press(r, KEY.ctrlC);
    expect(actions.cancelled).toBe(1);
  });

  it('shows a re-run in progress and its outcome, and follows the check to its new row', async () => {
    const store = storeWith(cloneReport());
    const r = await renderApp(store, { showAll: true });
    await press(r, 'j', 'j'); // images/mirrored
    store.rerunStart('images/mirrored');
    store.rerunProgress('images/mirrored', 'probing https://public.ecr.aws/v2/ from a pod…');
    await press(r);
    expect(frame(r)).toMatch(/re-running images\/mirrored… {2}probing https:\/\/public\.ecr\.aws\/v2\/ from a pod…/);
    const passed: CheckResult = {
      ...(fixtureReport.results.find((x) => x.id === 'images/mirrored') as CheckResult),
      status: 'pass',
      severity: 'high',
      messageId: 'pullable',
      message: 'All control-plane images are pullable',
      evidence: [],
    };
    store.rerunEnd('images/mirrored', [passed]);
    const f = await press(r);
    expect(f).toContain('✔ re-ran images/mirrored: FAIL → PASS');
    // The row moved down among the passes (its messageId changed); the selection followed the check there.
    expect(selectedLine(f)).toContain('✔ PASS             images/mirrored  All control-plane images are pullable');
    expect(f).toContain('16/17 · filter all');
    expect(f).toContain('✖ 3 failed');
  });
});

describe('fits the terminal', () => {
  it('never draws a line wider than 80 columns, and cuts with …', async () => {
    const r = await renderApp(storeWith(cloneReport()), { columns: 80, rows: 40, showAll: true });
    for (const f of [frame(r), await press(r, 'j', 'j', KEY.enter), await press(r, KEY.esc, '?')]) {
      const ls = lines(f);
      expect(Math.max(...ls.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    }
    await press(r, 'x');
    expect(selectedLine(frame(r))).toBe('❯ ✖ FAIL   high      images/mirrored  Image public.ecr.aws/b2z8n5q1/model-engi…');
  });

  it('re-renders on resize', async () => {
    const r = await renderApp(storeWith(cloneReport()), { columns: 120, rows: 40 });
    expect(selectedLine(frame(r)).length).toBeGreaterThan(100);
    await resize(r, 60, 40);
    expect(Math.max(...lines(frame(r)).map((l) => [...l].length))).toBeLessThanOrEqual(60);
  });

  it('windows the list to the terminal height, with ↑/↓ more markers, keeping the selection in view', async () => {
    const r = await renderApp(storeWith(cloneReport()), { columns: 80, rows: 20, showAll: true });
    let f = frame(r);
    expect(lines(f).length).toBeLessThan(20);
    expect(f).toMatch(/↓ \d+ more/);
    f = await press(r, 'G');
    expect(f).toMatch(/↑ \d+ more/);
    expect(selectedLine(f)).toContain('config/service-config');
    expect(lines(f).length).toBeLessThan(20);
  });

  it('draws the list and a detail pane at 80 columns (snapshot)', async () => {
    const r = await renderApp(storeWith(cloneReport()), { columns: 80, rows: 30, showAll: true });
    expect(frame(r)).toMatchSnapshot('list');
    expect(await press(r, 'j', 'j', KEY.enter)).toMatchSnapshot('detail images/mirrored');
  });
});

describe('colour', () => {
  const report = (): Report => cloneReport();

  it('emits no ANSI codes at all with color: false', async () => {
    const r = await renderApp(storeWith(report()), { color: false });
    expect(r.frames.join('')).not.toMatch(ANSI);
    await press(r, 'j', KEY.enter, KEY.esc, '?', 'x', '/', 'x');
    expect(r.frames.join('')).not.toMatch(ANSI);
  });

  it('colours statuses when color is on, and marks the selection with a glyph as well as inverse video', async () => {
    const r = await renderApp(storeWith(report()), { color: true });
    const raw = r.lastFrame() ?? '';
    expect(raw).toMatch(ANSI);
    expect(raw).toMatch(/\u001b\[31m[^\u001b]*✖ FAIL/); // red FAIL
    expect(raw).toMatch(/\u001b\[7m/); // inverse on the selected row
    expect(raw).toContain('❯ ');
  });
});
