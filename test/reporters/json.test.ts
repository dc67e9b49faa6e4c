import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { compareResults, countByStatus } from '../../src/engine/runner.js';
import type { Report } from '../../src/engine/types.js';
import { renderJson } from '../../src/reporters/json.js';
import { hostileReport, triageReport } from './fixture-report.js';

let fixtureReport: Report;
let demo: Report;
const cloneReport = () => structuredClone(fixtureReport);
beforeAll(async () => {
  [fixtureReport, demo] = await Promise.all([hostileReport(), triageReport()]);
}, 60_000);

/** The same data with every object's keys inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe('renderJson', () => {
  it('matches the snapshot', () => {
    expect(renderJson(fixtureReport)).toMatchSnapshot();
  });

  it('round-trips to the same report', () => {
    expect(JSON.parse(renderJson(fixtureReport))).toEqual(fixtureReport);
  });

  it('is pretty-printed with a trailing newline and no raw escape character', () => {
    const out = renderJson(fixtureReport);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')[1]).toBe('  "schemaVersion": 1,');
    // The ANSI in the fixture's log line is there, JSON-escaped, never raw.
    expect(out).toContain('\\u001b[31mERROR\\u001b[0m');
    expect(out).toContain('\\u0007');
    expect(out).not.toContain('\u001b');
  });

  it('has a stable key order whatever order the objects were built in', () => {
    const shuffled = reverseKeys(fixtureReport) as Report;
    expect(Object.keys(shuffled)[0]).not.toBe('schemaVersion');
    expect(renderJson(shuffled)).toBe(renderJson(fixtureReport));
  });

  it('orders known keys as documented and puts extensions after them, alphabetically', () => {
    const report = cloneReport();
    report.zeta = { b: 1, a: 2 };
    const parsed = JSON.parse(renderJson(report)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion', 'tool', 'command', 'target', 'startedAt', 'finishedAt', 'durationMs', 'counts', 'results', 'incidents',
      'endpoints', 'zeta',
    ]);
    expect(Object.keys(parsed.zeta as object)).toEqual(['a', 'b']);
    const first = (parsed.results as Record<string, unknown>[])[0]!;
    expect(Object.keys(first)).toEqual([
      'id', 'area', 'title', 'status', 'severity', 'messageId', 'message', 'object', 'evidence', 'remediation', 'docs', 'durationMs',
    ]);
    const event = (parsed.results as { evidence: Record<string, unknown>[] }[]).flatMap((r) => r.evidence).find((e) => e.type === 'event' && e.count !== undefined)!;
    expect(Object.keys(event)).toEqual(['type', 'object', 'eventType', 'reason', 'message', 'count', 'lastSeen']);
    expect(Object.keys(event.object as object)).toEqual(['kind', 'namespace', 'name']);
    expect(Object.keys((parsed.incidents as object[])[0]!)).toEqual(['rank', 'status', 'severity', 'lead', 'members', 'endpoints', 'keys']);
    const unreachable = { ...first, root: ['registry:gcr.io'] };
    expect(Object.keys(JSON.parse(renderJson({ ...report, results: [unreachable as never] })).results[0])).toContain('root');
  });

  it('carries the incidents: every result kept, the grouping added (docs/output-schema.md#incidents)', () => {
    const parsed = JSON.parse(renderJson(demo)) as Report & { incidents: { lead: number; members: number[] }[] };
    expect(parsed.results).toHaveLength(demo.results.length);
    expect(parsed.incidents.map((i) => parsed.results[i.lead]!.id)).toEqual(['endpoints/serving', 'endpoints/serving', 'redis/log-errors', 'values/scheduling', 'values/image-tag']);
    // The documented example is the demo's first incident.
    const doc = readFileSync(new URL('../../docs/output-schema.md', import.meta.url), 'utf8');
    const snippet = /## Incidents[\s\S]*?```json\n"incidents": ([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(JSON.parse(snippet!)).toEqual([parsed.incidents[0]]);
  });

  it('agrees with the example in docs/output-schema.md', () => {
    const doc = readFileSync(new URL('../../docs/output-schema.md', import.meta.url), 'utf8');
    const example = /## Example[\s\S]*?```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const report = JSON.parse(example!) as Report;
    // The documented example is exactly what the reporter prints for it: same keys, same order.
    expect(renderJson(report)).toBe(`${example}\n`);
    expect(report.counts).toEqual(countByStatus(report.results));
    expect([...report.results].sort(compareResults)).toEqual(report.results);
    expect(new Set(report.results.map((r) => r.status)).size).toBe(5);
  });
});
