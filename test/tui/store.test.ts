import { describe, expect, it } from '@jest/globals';
import type { CheckResult, RunEvent } from '../../src/engine/types.js';
import { initialRunState, reduceRunEvent, rerunNotice, RunStore, withRerunResults, worstStatus } from '../../src/tui/store.js';
import { cloneReport, fixtureResults } from '../reporters/fixture-report.js';

const byId = (id: string) => fixtureResults.filter((r) => r.id === id);
const target = cloneReport().target;

describe('run state', () => {
  it('folds run events: planned, running with progress, finished in completion order, counts', () => {
    const events: [RunEvent, number][] = [
      [{ type: 'run:start', checks: [{ id: 'redis/auth', title: 't', area: 'redis' }, { id: 'redis/tls', title: 't', area: 'redis' }], target }, 1000],
      [{ type: 'check:start', id: 'redis/auth', title: 'The cache Redis accepts the configured credentials', area: 'redis' }, 1001],
      [{ type: 'check:start', id: 'redis/tls', title: 'TLS', area: 'redis' }, 1002],
      [{ type: 'check:progress', id: 'redis/auth', text: 'waiting for redis 10.0.0.4:6380…' }, 1003],
      [{ type: 'check:end', id: 'redis/tls', results: byId('redis/tls'), durationMs: 230 }, 1232],
    ];
    const s = events.reduce((st, [e, t]) => reduceRunEvent(st, e, t), initialRunState(0));
    expect(s.planned).toBe(2);
    expect(s.startedAt).toBe(1000);
    expect(s.running).toEqual([{ id: 'redis/auth', title: 'The cache Redis accepts the configured credentials', area: 'redis', startedAt: 1001, progress: 'waiting for redis 10.0.0.4:6380…' }]);
    expect(s.finished.map((f) => f.id)).toEqual(['redis/tls']);
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
    const results = statuses.map((status) => ({ ...fixtureResults[0]!, status }) as CheckResult);
    expect(worstStatus(results)).toBe(worst);
  });

  it('withRerunResults replaces one check’s results, re-sorts and re-counts', () => {
    const report = cloneReport();
    const passed = { ...byId('images/mirrored')[0]!, status: 'pass', messageId: 'pullable', message: 'ok' } as CheckResult;
    const next = withRerunResults(report, 'images/mirrored', [passed]);
    expect(next.counts).toEqual({ ...report.counts, fail: report.counts.fail - 1, pass: report.counts.pass + 1 });
    expect(next.results.filter((r) => r.id === 'images/mirrored')).toEqual([passed]);
    expect(next.results.findIndex((r) => r.id === 'images/mirrored')).toBeGreaterThan(next.results.findIndex((r) => r.status === 'skip'));
    expect(report.counts.fail).toBe(4); // pure: the input is untouched
  });

  it('the store tracks a re-run and announces its outcome', () => {
    const store = new RunStore(() => 5);
    const seen: string[] = [];
    store.subscribe(() => seen.push(store.getState().rerun?.progress ?? store.getState().notice?.text ?? '-'));
    store.setReport(cloneReport());
    store.rerunStart('redis/auth');
    store.rerunProgress('redis/auth', 'connecting…');
    store.rerunProgress('other/check', 'ignored');
    store.rerunEnd('redis/auth', byId('redis/auth'));
    expect(seen).toEqual(['-', '-', 'connecting…', 're-ran redis/auth: still FAIL']);
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
