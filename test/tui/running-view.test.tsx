import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { cleanup } from 'ink-testing-library';
import type { CheckResult, Report, ReportTarget, RunEvent } from '../../src/engine/types.js';
import { RunStore } from '../../src/tui/store.js';
import { triageReport } from '../reporters/fixture-report.js';
import { ANSI, KEY, recordActions, renderApp, waitForFrame } from './helpers.js';

afterEach(() => cleanup());
let demo: Report;
beforeAll(async () => {
  demo = await triageReport();
}, 60_000);

const target: ReportTarget = {
  mode: 'snapshot',
  snapshot: 'fixtures/clusters/demo-aws',
  cloud: 'aws',
  cloudSource: 'nodes',
  namespaces: { controlPlane: 'model-engine', endpoint: 'llm-engine' },
  valuesFiles: [],
  valuesOrigin: 'release',
};
const byId = (id: string): CheckResult[] => demo.results.filter((r) => r.id === id);
const CHECKS = [
  { id: 'values/cloud-provider', title: 'cloud_provider matches the cluster', area: 'values' },
  { id: 'redis/log-errors', title: 'No Redis authentication errors in control-plane logs', area: 'redis' },
  { id: 'images/cluster-pull-errors', title: 'No image-pull errors in the cluster', area: 'images' },
  { id: 'values/broker', title: 'celeryBrokerType matches the cloud', area: 'values' },
];
const start = (i: number): RunEvent => ({ type: 'check:start', ...CHECKS[i]! });
const end = (id: string, ms: number): RunEvent => ({ type: 'check:end', id, results: byId(id), durationMs: ms });
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
/** An elapsed time on the real clock, as formatDuration writes it: on a busy machine a frame may come after 1 s. */
const ELAPSED = String.raw`(?:\d+ms|\d+\.\ds|\d+m \d{2}s)`;

describe('the live run', () => {
  it('shows a spinner row per running check with its progress text, finished rows, counts and elapsed time', async () => {
    const store = new RunStore();
    const r = await renderApp(store, { columns: 100, rows: 30 });
    store.dispatch({ type: 'run:start', checks: CHECKS, target });
    store.dispatch(start(0));
    store.dispatch(start(1));
    store.dispatch(start(2));
    store.dispatch({ type: 'check:progress', id: 'redis/log-errors', text: 'reading 2 cacher logs…' });
    store.dispatch(end('values/cloud-provider', 4));
    let f = await waitForFrame(r, 'the first finished check', (x) => x.startsWith('✔ PASS'));
    const ls = f.split('\n');
    // The message is cut to fit; the duration is kept.
    expect(ls[0]).toBe('✔ PASS   values/cloud-provider  config.values.infra.cloud_provider is aws (AWS: tested in pro…  4ms');
    const redis = ls.find((l) => l.includes('redis/log-errors'));
    expect(redis).toMatch(new RegExp(`^${SPINNER.source} redis/log-errors  reading 2 cacher logs…  ${ELAPSED}$`));
    // No progress yet: the title says what it is checking.
    expect(ls.find((l) => l.includes('images/cluster-pull-errors'))).toMatch(/images\/cluster-pull-errors {2}No image-pull errors in the cluster/);
    expect(f).toMatch(new RegExp(`^1/4 checks done in ${ELAPSED} · Ctrl-C cancels\n✖ 0 FAIL {2}‼ 0 ERROR {2}▲ 0 WARN {2}○ 0 SKIP {2}✔ 1 PASS$`, 'm'));

    store.dispatch(end('redis/log-errors', 231));
    store.dispatch(start(3));
    store.dispatch(end('images/cluster-pull-errors', 5032));
    f = await waitForFrame(r, 'three finished checks', (x) => x.includes('3/4 checks done'));
    // Finished rows stay in order of completion, with the worst status of the check.
    const done = f.split('\n').filter((l) => /^[✖‼▲○✔] [A-Z]+ /.test(l));
    expect(done.map((l) => l.split(/\s+/)[2])).toEqual(['values/cloud-provider', 'redis/log-errors', 'images/cluster-pull-errors']);
    expect(done[1]).toMatch(/^✖ FAIL {3}redis\/log-errors {2}2 Redis authentication error.*\(\+2 more\) {2}231ms$/);
    expect(done[2]).toMatch(/ {2}5\.0s$/);
    expect(f).not.toMatch(/redis\/log-errors {2}reading/); // no longer running
    expect(f).toMatch(new RegExp(`${SPINNER.source} values/broker`));
    // redis/log-errors reported one failure and two passes (gateway, builder).
    expect(f).toMatch(new RegExp(`3/4 checks done in ${ELAPSED} · Ctrl-C cancels\n✖ 2 FAIL {2}‼ 0 ERROR {2}▲ 0 WARN {2}○ 0 SKIP {2}✔ 3 PASS`));
    expect(r.frames.join('')).not.toMatch(ANSI);
  });

  it('a check with several results shows its worst and how many more', async () => {
    const store = new RunStore();
    const r = await renderApp(store);
    store.dispatch({ type: 'run:start', checks: CHECKS, target });
    store.dispatch(start(1));
    store.dispatch({ type: 'check:end', id: 'redis/log-errors', results: byId('redis/log-errors').reverse(), durationMs: 12 });
    expect(await waitForFrame(r, 'the finished row', (x) => x.includes('12ms'))).toMatch(/^✖ FAIL {3}redis\/log-errors {2}2 Redis .*… \(\+2 more\) {2}12ms$/m);
  });

  it('keeps the live area within the terminal: extra running checks collapse into "… and n more running"', async () => {
    const store = new RunStore();
    const r = await renderApp(store, { columns: 80, rows: 8 });
    const many = Array.from({ length: 10 }, (_, i) => ({ id: `gpu/check-${i}`, title: `GPU check ${i}`, area: 'gpu' }));
    store.dispatch({ type: 'run:start', checks: many, target });
    for (const c of many) store.dispatch({ type: 'check:start', ...c });
    const f = await waitForFrame(r, 'the collapsed live area', (x) => x.includes('more running'));
    expect(f.split('\n').length).toBeLessThan(8);
    expect(f).toContain('… and 7 more running');
    expect(Math.max(...f.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
  });

  it('Ctrl-C during the run asks to cancel, and the view says it is cancelling', async () => {
    const store = new RunStore();
    const actions = recordActions();
    const realCancel = actions.cancel;
    actions.cancel = () => {
      realCancel();
      store.cancelling();
    };
    const r = await renderApp(store, { actions });
    store.dispatch({ type: 'run:start', checks: CHECKS, target });
    store.dispatch(start(1));
    await waitForFrame(r, 'the running check', (x) => x.includes('redis/log-errors'));
    // Other keys do nothing while running. Keys are read in order: once Ctrl-C has acted, q and j have been read.
    r.stdin.write('q');
    r.stdin.write('j');
    r.stdin.write(KEY.ctrlC);
    const f = await waitForFrame(r, 'the cancelling notice', (x) => x.includes('cancelling:'));
    expect(actions.quits).toEqual([]);
    expect(actions.cancelled).toBe(1);
    expect(f).toContain('cancelling: waiting for 1 running check to stop…');
    expect(f).not.toContain('Ctrl-C cancels');
  });

  it('switches to the report once it is set, after "building the report"', async () => {
    const store = new RunStore();
    const r = await renderApp(store);
    store.dispatch({ type: 'run:start', checks: CHECKS, target });
    store.dispatch({ type: 'run:end', report: structuredClone(demo) });
    expect(await waitForFrame(r, 'the finalizing phase', (x) => x.includes('checks done; building the report…'))).toContain('building the report');
    store.setReport(structuredClone(demo));
    const f = await waitForFrame(r, 'the report', (x) => x.includes('filter failing + warnings'));
    const c = demo.counts;
    expect(f).toContain(`✖ ${c.fail} failed  ▲ ${c.warn} warnings  ✔ ${c.pass} passed  ○ ${c.skip} skipped  ‼ ${c.error} errors  in 1.2s`);
    expect(f).toMatch(/^❯ ✖ NO_MATCHING_NODES/m);
  });
});
