/**
 * CheckTester, in the spirit of ESLint's RuleTester: each check gets passing (`valid`) and failing (`invalid`)
 * cases over named fixtures; failing cases list every finding they produce (messageId, status, severity, object).
 */
import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import type { Check, CheckResult, Cloud, ObjectRef, RunOptions, RunPorts, Severity, Status } from '../../src/engine/index.js';
import { runCheck } from '../../src/engine/runner.js';
import { SnapshotKube, type Denial } from '../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot, type Snapshot } from '../../src/sources/snapshot/load.js';
import { loadValuesFiles } from '../../src/sources/values/load.js';
import { resolveContext } from '../../src/run/context.js';

export const REPO = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
export const fixture = (p: string) => resolve(REPO, p);

export interface CheckCase {
  name: string;
  /** Snapshot folder, relative to the repo root (e.g. `fixtures/clusters/demo-aws`). */
  snapshot?: string;
  /** Values files, relative to the repo root. */
  values?: string[];
  set?: string[];
  cloud?: Cloud;
  namespace?: string;
  endpointNamespace?: string;
  options?: Partial<RunOptions>;
  ports?: RunPorts;
  denials?: Denial[];
  timeoutMs?: number;
  /** The run's clock; default the snapshot's `collectedAt`. */
  now?: Date;
}

export interface ExpectedFinding {
  messageId: string;
  /** Default: `fail` or `warn`. */
  status?: Exclude<Status, 'pass'>;
  /** The severity the result carries (the check's default, or the finding's own). */
  severity?: Severity;
  /** The object the finding is about; the listed fields must match. */
  object?: Partial<ObjectRef>;
}

export interface InvalidCase extends CheckCase {
  /**
   * Every finding the case produces other than a pass, each once: a finding not listed fails the case as an expected
   * one that is missing does (ESLint's RuleTester counts errors the same way).
   */
  errors: ExpectedFinding[];
}

/** Whether a result is the one an expected finding describes. */
export function matches(r: CheckResult, e: ExpectedFinding): boolean {
  return (
    r.messageId === e.messageId &&
    (e.status ? r.status === e.status : r.status === 'fail' || r.status === 'warn') &&
    (!e.severity || r.severity === e.severity) &&
    (!e.object || Object.entries(e.object).every(([k, v]) => (r.object as Record<string, unknown> | undefined)?.[k] === v))
  );
}

/**
 * Pair expected findings with results one to one (most specific expectation first), and say what is left on either
 * side: expected findings nothing produced, and non-pass results nothing expected.
 */
export function pairFindings(results: readonly CheckResult[], expected: readonly ExpectedFinding[]): { missing: ExpectedFinding[]; unexpected: CheckResult[] } {
  const open = results.filter((r) => r.status !== 'pass');
  const specificity = (e: ExpectedFinding) => (e.status ? 1 : 0) + (e.severity ? 1 : 0) + Object.keys(e.object ?? {}).length;
  const missing: ExpectedFinding[] = [];
  for (const e of [...expected].sort((a, b) => specificity(b) - specificity(a))) {
    const i = open.findIndex((r) => matches(r, e));
    if (i < 0) missing.push(e);
    else open.splice(i, 1);
  }
  return { missing, unexpected: open };
}

const snapshots = new Map<string, Promise<Snapshot>>();
function cachedSnapshot(path: string): Promise<Snapshot> {
  const abs = fixture(path);
  let s = snapshots.get(abs);
  if (!s) snapshots.set(abs, (s = loadSnapshot(abs)));
  return s;
}

/** Run one check against a case and return its results. */
export async function runCase(check: Check, c: CheckCase): Promise<CheckResult[]> {
  const snapshot = c.snapshot ? await cachedSnapshot(c.snapshot) : undefined;
  const kube = snapshot ? new SnapshotKube(snapshot, c.denials ?? []) : undefined;
  const values =
    c.values || c.set ? await loadValuesFiles((c.values ?? []).map(fixture), c.set ?? []) : undefined;
  const { context } = await resolveContext({
    ...(kube ? { kube } : {}),
    ...(values ? { values } : {}),
    ...(c.cloud ? { cloud: c.cloud } : {}),
    ...(c.namespace ? { namespace: c.namespace } : {}),
    ...(c.endpointNamespace ? { endpointNamespace: c.endpointNamespace } : {}),
    ...(c.options ? { options: c.options } : {}),
    ...(c.ports ? { ports: c.ports } : {}),
    ...(c.now ? { now: c.now } : snapshot ? { now: snapshot.now } : {}),
  });
  return runCheck(check, context, { timeoutMs: c.timeoutMs ?? 20_000 });
}

const describeResults = (rs: CheckResult[]) =>
  rs.map((r) => `${r.status} ${r.messageId} ${r.object ? `${r.object.kind}/${r.object.namespace ?? ''}/${r.object.name}` : ''}: ${r.message}`).join('\n');

export function testCheck(check: Check, cases: { valid: CheckCase[]; invalid: InvalidCase[] }): void {
  describe(check.meta.id, () => {
    it('has at least one valid and one invalid case', () => {
      expect(cases.valid.length).toBeGreaterThan(0);
      expect(cases.invalid.length).toBeGreaterThan(0);
    });
    if (cases.valid.length > 0) {
      it.each(cases.valid.map((c) => [c.name, c] as const))('valid: %s', async (_name, c) => {
        const results = await runCase(check, c);
        const bad = results.filter((r) => r.status === 'fail' || r.status === 'warn' || r.status === 'error');
        if (bad.length > 0) throw new Error(`expected no failures, got:\n${describeResults(results)}`);
        expect(results.some((r) => r.status === 'pass')).toBe(true);
      });
    }
    if (cases.invalid.length > 0) {
      it.each(cases.invalid.map((c) => [c.name, c] as const))('invalid: %s', async (_name, c) => {
        const results = await runCase(check, c);
        const { missing, unexpected } = pairFindings(results, c.errors);
        if (missing.length > 0 || unexpected.length > 0) {
          const want = (e: ExpectedFinding) => `${e.status ?? 'fail|warn'} ${e.messageId}${e.severity ? ` (${e.severity})` : ''} ${JSON.stringify(e.object ?? {})}`;
          throw new Error(
            [
              ...missing.map((e) => `expected, not produced: ${want(e)}`),
              ...unexpected.map((r) => `produced, not expected: ${r.status} ${r.messageId} (${r.severity}) ${JSON.stringify(r.object ?? {})}`),
              'got:',
              describeResults(results),
            ].join('\n'),
          );
        }
        for (const r of results) {
          if (r.status === 'fail' || r.status === 'warn') expect(r.remediation.summary.length).toBeGreaterThan(0);
        }
      });
    }
  });
}
