// JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters): one <testsuite> per area, one <testcase>
// per result. JUnit has no "warning": a warning is a passing test case whose details go to <system-out>.
// For `endpoint`, the diagnosis is the first suite and decides the outcome, as it decides the exit code: the
// endpoint-scoped checks are context there, so their failures are reported in <system-out> of passing cases and
// `failures` is 1 exactly when the command exits 3.
import { create } from 'xmlbuilder2';
import type { Diagnosis } from '../engine/diagnosis.js';
import { isFault } from '../../diagnoses/index.js';
import type { CheckResult, Report } from '../engine/types.js';
import { chainText, isDiagnosis } from './diagnosis.js';
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

/** The diagnosis as plain text for the body of its test case: cause, summary, fix, chain, evidence, next steps. */
export function diagnosisDetails(d: Diagnosis): string {
  const lines = [`${d.cause}: ${cleanLine(d.summary)}`, '', `Fix: ${cleanLine(d.remediation.summary)}`];
  for (const cmd of d.remediation.commands ?? []) lines.push(...cleanBlock(cmd).split('\n').map((l, i) => `  ${i === 0 ? '$' : ' '} ${l}`));
  if (d.remediation.values?.trim()) lines.push('  values:', ...cleanBlock(d.remediation.values).replace(/\n+$/, '').split('\n').map((l) => `    ${l}`));
  if (d.chain.length > 0) lines.push('', 'Causal chain:', ...chainText(d.chain, { color: false, width: 120, indent: 2 }));
  if (d.evidence.length > 0) lines.push('', 'Evidence:', ...d.evidence.map((e) => `  - ${evidenceLine(e)}`));
  if (d.next.length > 0) lines.push('', 'Look further:', ...d.next.map((n) => `  $ ${cleanLine(n)}`));
  if (d.remediation.docs) lines.push('', `Docs: ${cleanLine(d.remediation.docs)}`);
  return lines.join('\n');
}

/** Render a report as JUnit XML. */
export function renderJunit(report: Report): string {
  const diagnosis = report.command === 'endpoint' && isDiagnosis(report.diagnosis) ? report.diagnosis : undefined;
  const fault = diagnosis ? isFault(diagnosis.cause) : false;
  // With a diagnosis the checks are context: they do not fail the run (the exit code says the same).
  const counts = (results: readonly CheckResult[]) => ({
    tests: results.length,
    failures: diagnosis ? 0 : results.filter((r) => r.status === 'fail').length,
    errors: diagnosis ? 0 : results.filter((r) => r.status === 'error').length,
    skipped: results.filter((r) => r.status === 'skip').length,
  });
  const checks = counts(report.results);
  const total = diagnosis ? { ...checks, tests: checks.tests + 1, failures: fault ? 1 : 0 } : checks;
  // Control characters are not allowed in XML 1.0; the cleaners drop them, this catches anything left.
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' });
  const root = doc.ele('testsuites', {
    name: cleanLine(`${report.tool.name} ${report.command}`),
    ...total,
    time: seconds(report.durationMs),
    timestamp: report.startedAt,
  });
  if (diagnosis) {
    const e = diagnosis.endpoint;
    const suite = root.ele('testsuite', { name: 'endpoint', tests: 1, failures: fault ? 1 : 0, errors: 0, skipped: 0, time: seconds(0), timestamp: report.startedAt });
    const tc = suite.ele('testcase', { classname: 'endpoint', name: cleanLine(`${e.namespace}/${e.name ?? e.id ?? '?'} serves`), time: seconds(0) });
    if (fault) tc.ele('failure', { message: cleanLine(`${diagnosis.cause}: ${diagnosis.summary}`), type: diagnosis.cause }).txt(diagnosisDetails(diagnosis));
    else tc.ele('system-out').txt(diagnosisDetails(diagnosis));
  }
  for (const group of groupByArea(report.results)) {
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
      ...counts(group.results),
      time: seconds(times.reduce((a, b) => a + b, 0)),
      timestamp: report.startedAt,
    });
    group.results.forEach((r, i) => {
      const tc = suite.ele('testcase', { classname: cleanLine(group.area), name: names[i]!, time: seconds(times[i]) });
      switch (r.status) {
        case 'fail':
          if (diagnosis) tc.ele('system-out').txt(`${STATUS_STYLES.fail.word} (${r.severity}; context for the endpoint diagnosis, not counted): ${resultDetails(r)}`);
          else tc.ele('failure', { message: cleanLine(r.message), type: cleanLine(r.messageId) }).txt(resultDetails(r));
          break;
        case 'error':
          if (diagnosis) tc.ele('system-out').txt(`${STATUS_STYLES.error.word} (context for the endpoint diagnosis, not counted): ${resultDetails(r)}`);
          else tc.ele('error', { message: cleanLine(r.error), type: cleanLine(r.messageId) }).txt(resultDetails(r));
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
