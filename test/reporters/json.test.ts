import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { compareResults, countByStatus } from '../../src/engine/runner.js';
import type { Report } from '../../src/engine/types.js';
import { renderJson } from '../../src/reporters/json.js';
import { cloneReport, fixtureReport } from './fixture-report.js';

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
    expect(out).not.toContain('\u001b');
  });

  it('has a stable key order whatever order the objects were built in', () => {
    const shuffled = reverseKeys(fixtureReport) as Report;
    expect(Object.keys(shuffled)[0]).toBe('results');
    expect(renderJson(shuffled)).toBe(renderJson(fixtureReport));
  });

  it('orders known keys as documented and puts extensions after them, alphabetically', () => {
    const report = cloneReport();
    report.zeta = { b: 1, a: 2 };
    report.diagnosis = { endpoint: 'llm-7b', verdict: 'image-pull' };
    const parsed = JSON.parse(renderJson(report)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion', 'tool', 'command', 'target', 'startedAt', 'finishedAt', 'durationMs', 'counts', 'results',
      'diagnosis', 'zeta',
    ]);
    expect(Object.keys(parsed.zeta as object)).toEqual(['a', 'b']);
    const first = (parsed.results as Record<string, unknown>[])[0]!;
    expect(Object.keys(first)).toEqual([
      'id', 'area', 'title', 'status', 'severity', 'messageId', 'message', 'evidence', 'remediation', 'docs', 'durationMs',
    ]);
    const event = (first.evidence as Record<string, unknown>[])[1]!;
    expect(Object.keys(event)).toEqual(['type', 'object', 'eventType', 'reason', 'message', 'count', 'lastSeen']);
    expect(Object.keys(event.object as object)).toEqual(['kind', 'namespace', 'name']);
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
