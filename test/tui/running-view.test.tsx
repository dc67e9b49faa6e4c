import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup } from 'ink-testing-library';
import type { CheckResult, ReportTarget, RunEvent } from '../../src/engine/types.js';
import { RunStore } from '../../src/tui/store.js';
import { cloneReport, fixtureResults } from '../reporters/fixture-report.js';
import { ANSI, frame, KEY, press, recordActions, renderApp } from './helpers.js';

afterEach(() => cleanup());

const target: ReportTarget = {
  mode: 'snapshot',
  snapshot: 'fixtures/clusters/demo-aws',
  cloud: 'aws',
  cloudSource: 'nodes',
  namespaces: { controlPlane: 'model-engine', endpoint: 'llm-engine' },
  valuesFiles: [],
  valuesOrigin: 'release',
};
const byId = (id: string): CheckResult[] => fixtureResults.filter((r) => r.id === id);
const CHECKS = [
  { id: 'config/cloud-provider', title: 'cloud_provider matches the cluster', area: 'config' },
  { id: 'redis/auth', title: 'The cache Redis accepts the configured credentials', area: 'redis' },
  { id: 'images/mirrored', title: 'Control-plane images are pullable from the cluster', area: 'images' },
  { id: 'broker/type', title: 'celeryBrokerType is one the async forwarder accepts', area: 'broker' },
];
const start = (i: number): RunEvent => ({ type: 'check:start', ...CHECKS[i]! });
const end = (id: string, ms: number): RunEvent => ({ type: 'check:end', id, results: byId(id), durationMs: ms });
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

describe('the live run', () => {
  it('shows a spinner row per running check with its progress text, finished rows, counts and elapsed time', async () => {
    const store = new RunStore();
    const r = await renderApp(store, { columns: 100, rows: 30 });
    store.dispatch({ type: 'run:start', checks: CHECKS, target });
    store.dispatch(start(0));
    store.dispatch(start(1));
    store.dispatch(start(2));
    store.dispatch({ type: 'check:progress', id: 'redis/auth', text: 'waiting for redis 10.0.0.4:6380…' });
    store.dispatch(end('config/cloud-provider', 4));
    let f = await press(r);
    const ls = f.split('\n');
    // The message is cut to fit; the duration is kept.
    expect(ls[0]).toBe('✔ PASS   config/cloud-provider  config.values.infra.cloud_provider is aws and the nodes run o…  4ms');
    const redis = ls.find((l) => l.includes('redis/auth'));
    expect(redis).toMatch(new RegExp(`^${SPINNER.source} redis/auth  waiting for redis 10\\.0\\.0\\.4:6380…  \\d+ms$`));
    // No progress yet: the title says what it is checking.
    expect(ls.find((l) => l.includes('images/mirrored'))).toMatch(/images\/mirrored {2}Control-plane images are pullable from the cluster/);
    expect(f).toMatch(/^1\/4 checks done in \d+ms · Ctrl-C cancels\n✖ 0 FAIL {2}‼ 0 ERROR {2}▲ 0 WARN {2}○ 0 SKIP {2}✔ 1 PASS$/m);

    store.dispatch(end('redis/auth', 231));
    store.dispatch(start(3));
    store.dispatch(end('images/mirrored', 5032));
    f = await press(r);
    // Finished rows stay in order of completion, with the worst status of the check.
    const done = f.split('\n').filter((l) => /^[✖‼▲○✔] [A-Z]+ /.test(l));
    expect(done.map((l) => l.split(/\s+/)[2])).toEqual(['config/cloud-provider', 'redis/auth', 'images/mirrored']);
    expect(done[1]).toMatch(/^✖ FAIL {3}redis\/auth {2}Redis at master\.llm-engine-cache.* {2}231ms$/);
    expect(done[2]).toMatch(/ {2}5\.0s$/);
    expect(f).not.toMatch(/redis\/auth {2}waiting/); // no longer running
    expect(f).toMatch(new RegExp(`${SPINNER.source} broker/type`));
    expect(f).toMatch(/3\/4 checks done in \d+ms · Ctrl-C cancels\n✖ 2 FAIL {2}‼ 0 ERROR {2}▲ 0 WARN {2}○ 0 SKIP {2}✔ 1 PASS/);
    expect(r.frames.join('')).not.toMatch(ANSI);
  });

  it('a check with several results shows its worst and how many more', async () => {
    const store = new RunStore();
    const r = await renderApp(store);
    store.dispatch({ type: 'run:start', checks: CHECKS, target });
    store.dispatch(start(1));
    store.dispatch({ type: 'check:end', id: 'redis/auth', results: [...byId('redis/tls'), ...byId('redis/auth')], durationMs: 12 });
    expect(await press(r)).toMatch(/^✖ FAIL {3}redis\/auth {2}Redis at .*… \(\+1 more\) {2}12ms$/m);
  });

  it('keeps the live area within the terminal: extra running checks collapse into "… and n more running"', async () => {
    const store = new RunStore();
    const r = await renderApp(store, { columns: 80, rows: 8 });
    const many = Array.from({ length: 10 }, (_, i) => ({ id: `gpu/check-${i}`, title: `GPU check ${i}`, area: 'gpu' }));
    store.dispatch({ type: 'run:start', checks: many, target });
    for (const c of many) store.dispatch({ type: 'check:start', ...c });
    const f = await press(r);
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
    await press(r, 'q', 'j'); // other keys do nothing while running
    expect(actions.quits).toEqual([]);
    const f = await press(r, KEY.ctrlC);
    expect(actions.cancelled).toBe(1);
    expect(f).toContain('cancelling: waiting for 1 running check to stop…');
    expect(f).not.toContain('Ctrl-C cancels');
  });

  it('switches to the report once it is set, after "building the report"', async () => {
    const store = new RunStore();
    const r = await renderApp(store);
    store.dispatch({ type: 'run:start', checks: CHECKS, target });
    store.dispatch({ type: 'run:end', report: cloneReport() });
    expect(await press(r)).toContain('checks done; building the report…');
    store.setReport(cloneReport());
    const f = await press(r);
    expect(f).toContain('✖ 4 failed  ▲ 2 warnings  ✔ 6 passed  ○ 3 skipped  ‼ 2 errors  in 31.2s');
    expect(f).toMatch(/^❯ ✖ FAIL/m);
  });
});
