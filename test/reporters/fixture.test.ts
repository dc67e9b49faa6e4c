// The fixture must look like what the runner produces, or the reporter tests prove nothing.
import { describe, expect, it } from '@jest/globals';
import { compareResults, countByStatus } from '../../src/engine/runner.js';
import { SEVERITIES, STATUSES, type Evidence } from '../../src/engine/types.js';
import { fixtureReport } from './fixture-report.js';

describe('reporter fixture', () => {
  it('is sorted the way the runner sorts results', () => {
    expect([...fixtureReport.results].sort(compareResults)).toEqual(fixtureReport.results);
  });

  it('has counts that match its results', () => {
    expect(fixtureReport.counts).toEqual(countByStatus(fixtureReport.results));
  });

  it('covers every status, every evidence type and most severities', () => {
    expect(new Set(fixtureReport.results.map((r) => r.status))).toEqual(new Set(STATUSES));
    const types: Evidence['type'][] = ['field', 'values', 'event', 'log', 'probe', 'object', 'note'];
    const seen = new Set(fixtureReport.results.flatMap((r) => r.evidence.map((e) => e.type)));
    expect(seen).toEqual(new Set(types));
    const severities = new Set(fixtureReport.results.filter((r) => r.status !== 'skip').map((r) => r.severity));
    expect(SEVERITIES.filter((s) => s !== 'info').every((s) => severities.has(s))).toBe(true);
  });

  it('gives every fail and warn a remediation (the contract the reporters rely on)', () => {
    for (const r of fixtureReport.results) {
      if (r.status === 'fail' || r.status === 'warn') expect(r.remediation.summary.length).toBeGreaterThan(0);
    }
  });
});
