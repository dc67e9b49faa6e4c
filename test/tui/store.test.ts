import { beforeAll, describe, expect, it } from '@jest/globals';
import { groupIncidents } from '../../src/model-engine/incidents.js';
import type { CheckResult, Report, RunEvent } from '../../src/engine/types.js';
import { initialRunState, reduceRunEvent, rerunNotice, RunStore, withRerunResults, worstStatus } from '../../src/tui/store.js';
import { triageReport } from '../reporters/fixture-report.js';

let demo: Report;
beforeAll(async () => {
  demo = await triageReport();
}, 60_000);
const cloneReport = () => structuredClone(demo);
const byId = (id: string) => demo.results.filter((r) => r.id === id);

describe('run state', () => {
  it('folds run events: planned, running with progress, finished in completion order, counts', () => {
    const target = demo.target;
    const events: [RunEvent, number][] = [
      [{ type: 'run:start', checks: [{ id: 'redis/connectivity', title: 't', area: 'redis' }, { id: 'redis/cache-url', title: 't', area: 'redis' }], target }, 1000],
      [{ type: 'check:start', id: 'redis/connectivity', title: 'Cache and broker Redis answer', area: 'redis' }, 1001],
      [{ type: 'check:start', id: 'redis/cache-url', title: 'Cache Redis URL', area: 'redis' }, 1002],
      [{ type: 'check:progress', id: 'redis/connectivity', text: 'waiting for redis 10.0.0.4:6380…' }, 1003],
      [{ type: 'check:end', id: 'redis/cache-url', results: byId('redis/cache-url'), durationMs: 230 }, 1232],
    ];
    const s = events.reduce((st, [e, t]) => reduceRunEvent(st, e, t), initialRunState(0));
    expect(s.planned).toBe(2);
    expect(s.startedAt).toBe(1000);
    expect(s.running).toEqual([{ id: 'redis/connectivity', title: 'Cache and broker Redis answer', area: 'redis', startedAt: 1001, progress: 'waiting for redis 10.0.0.4:6380…' }]);
    expect(s.finished.map((f) => f.id)).toEqual(['redis/cache-url']);
    expect(s.counts).toEqual({ pass: 1, warn: 0, fail: 0, skip: 0, error: 0 });
    const end = reduceRunEvent(s, { type: 'run:end', report: cloneReport() }, 2000);
    expect(end.phase).toBe('finalizing');
    expect(end.running).toEqual([]);
    expect(end.endedAt).toBe(2000);
  });

  it.each([
    [['pass', 'skip'], 'skip'],
    [['pass', 'warn', 'error'], 'error'],
    [['warn', 'fail', 'error'], 'fail'],
    [[], 'pass'],
  ] as const)('worstStatus(%j) is %s', (statuses, worst) => {
    const results = statuses.map((status) => ({ ...demo.results[0]!, status }) as CheckResult);
    expect(worstStatus(results)).toBe(worst);
  });

  it('withRerunResults replaces one check’s results, re-sorts, re-counts and re-groups the incidents', () => {
    const report = cloneReport();
    const lead = byId('redis/log-errors').find((r) => r.status === 'fail')!;
    const passed = { ...lead, status: 'pass', messageId: 'clean', message: 'ok', evidence: [] } as CheckResult;
    const next = withRerunResults(report, 'redis/log-errors', [passed]);
    const failing = byId('redis/log-errors').filter((r) => r.status === 'fail').length;
    expect(next.counts).toEqual({ ...report.counts, fail: report.counts.fail - failing, pass: report.counts.pass - (byId('redis/log-errors').length - failing) + 1 });
    expect(next.results.filter((r) => r.id === 'redis/log-errors')).toEqual([passed]);
    expect(next.results.findIndex((r) => r.id === 'redis/log-errors')).toBeGreaterThan(next.results.findIndex((r) => r.status === 'skip'));
    expect(next.incidents).toEqual(groupIncidents(next.results));
    expect(report.counts.fail).toBe(8); // pure: the input is untouched
  });

  it('the store tracks a re-run and announces its outcome', () => {
    const store = new RunStore(() => 5);
    const seen: string[] = [];
    store.subscribe(() => seen.push(store.getState().rerun?.progress ?? store.getState().notice?.text ?? '-'));
    store.setReport(cloneReport());
    store.rerunStart('redis/log-errors');
    store.rerunProgress('redis/log-errors', 'connecting…');
    store.rerunProgress('other/check', 'ignored');
    store.say('copied the fix (OSC 52)'); // a notice that leaves the re-run alone
    expect(store.getState().rerun?.id).toBe('redis/log-errors');
    store.rerunEnd('redis/log-errors', byId('redis/log-errors'));
    expect(seen).toEqual(['-', '-', 'connecting…', 'connecting…', 're-ran redis/log-errors: still FAIL']);
    expect(store.getState().rerun).toBeUndefined();
  });

  it.each([
    ['fail', 'pass', 're-ran x/y: FAIL → PASS'],
    ['warn', 'warn', 're-ran x/y: still WARN'],
    ['pass', 'error', 're-ran x/y: PASS → ERROR'],
  ] as const)('rerunNotice %s → %s', (before, after, text) => {
    expect(rerunNotice('x/y', before, after)).toBe(text);
  });
});
