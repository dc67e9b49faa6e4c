// JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters): one <testsuite> per area, one <testcase>
// per result. JUnit has no "warning": a warning is a passing test case whose details go to <system-out>.
import { create } from 'xmlbuilder2';
import type { CheckResult, Report } from '../engine/types.js';
import { cleanBlock, cleanLine, docsPaths, evidenceLine, formatObject, groupByArea, resultName } from './format.js';
import { STATUS_STYLES } from './theme.js';

const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/** Evidence, fix and docs of a result as plain text for the body of <failure>, <error> or <system-out>. */
export function resultDetails(r: CheckResult): string {
  const lines: string[] = [cleanLine(r.message)];
  if (r.status === 'error' && cleanLine(r.error) !== cleanLine(r.message)) lines.push(`Error: ${cleanLine(r.error)}`);
  lines.push('');
  if (r.object) lines.push(`Object: ${formatObject(r.object)}`);
  lines.push(`Severity: ${r.severity}`, `Message id: ${cleanLine(r.messageId)}`);
  if (r.evidence.length > 0) {
    lines.push('', 'Evidence:');
    for (const e of r.evidence) lines.push(`  - ${evidenceLine(e)}`);
  }
  const rem = r.remediation;
  if (rem) {
    lines.push('', `Fix: ${cleanLine(rem.summary)}`);
    for (const cmd of rem.commands ?? []) lines.push(...cleanBlock(cmd).split('\n').map((l, i) => `  ${i === 0 ? '$' : ' '} ${l}`));
    if (rem.values !== undefined && rem.values.trim() !== '') {
      lines.push('  values:', ...cleanBlock(rem.values).replace(/\n+$/, '').split('\n').map((l) => `    ${l}`));
    }
  }
  const docs = docsPaths(r);
  if (docs.length > 0) lines.push('', `Docs: ${docs.join(' ')}`);
  return lines.join('\n');
}

/** Test case names, unique within a suite: `<id> <Kind ns/name>`, then the message id, then a counter. */
function uniqueNames(results: readonly CheckResult[]): string[] {
  const base = results.map(resultName);
  const dup = (names: string[], i: number) => names.some((n, j) => j !== i && n === names[i]);
  const withId = base.map((n, i) => (dup(base, i) ? `${n} [${cleanLine(results[i]!.messageId)}]` : n));
  const seen = new Map<string, number>();
  return withId.map((n, i) => {
    if (!dup(withId, i)) return n;
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return `${n} #${k}`;
  });
}

/** Render a report as JUnit XML. */
export function renderJunit(report: Report): string {
  const groups = groupByArea(report.results);
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const r of report.results) {
    total.tests += 1;
    if (r.status === 'fail') total.failures += 1;
    if (r.status === 'error') total.errors += 1;
    if (r.status === 'skip') total.skipped += 1;
  }
  // Control characters are not allowed in XML 1.0; the cleaners drop them, this catches anything left.
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' });
  const root = doc.ele('testsuites', {
    name: cleanLine(`${report.tool.name} ${report.command}`),
    tests: total.tests,
    failures: total.failures,
    errors: total.errors,
    skipped: total.skipped,
    time: seconds(report.durationMs),
    timestamp: report.startedAt,
  });
  for (const group of groups) {
    const names = uniqueNames(group.results);
    // A check that returns several results ran once: its time goes to its first test case only, so the
    // case times add up to the suite time instead of counting one check run several times.
    const timed = new Set<string>();
    const times = group.results.map((r) => {
      if (timed.has(r.id)) return 0;
      timed.add(r.id);
      return r.durationMs ?? 0;
    });
    const suite = root.ele('testsuite', {
      name: cleanLine(group.area),
      tests: group.results.length,
      failures: group.results.filter((r) => r.status === 'fail').length,
      errors: group.results.filter((r) => r.status === 'error').length,
      skipped: group.results.filter((r) => r.status === 'skip').length,
      time: seconds(times.reduce((a, b) => a + b, 0)),
      timestamp: report.startedAt,
    });
    group.results.forEach((r, i) => {
      const tc = suite.ele('testcase', { classname: cleanLine(group.area), name: names[i]!, time: seconds(times[i]) });
      switch (r.status) {
        case 'fail':
          tc.ele('failure', { message: cleanLine(r.message), type: cleanLine(r.messageId) }).txt(resultDetails(r));
          break;
        case 'error':
          tc.ele('error', { message: cleanLine(r.error), type: cleanLine(r.messageId) }).txt(resultDetails(r));
          break;
        case 'skip':
          tc.ele('skipped', { message: cleanLine(r.message) });
          break;
        case 'warn':
          tc.ele('system-out').txt(`${STATUS_STYLES.warn.word} (${r.severity}): ${resultDetails(r)}`);
          break;
        case 'pass':
          break;
        default: {
          const unreachable: never = r;
          throw new Error(`unknown status ${String((unreachable as CheckResult).status)}`);
        }
      }
    });
  }
  return `${root.end({ prettyPrint: true })}\n`;
}
