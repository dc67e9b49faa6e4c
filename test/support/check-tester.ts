/**
 * CheckTester, in the spirit of ESLint's RuleTester: each check gets passing (`valid`) and failing (`invalid`)
 * cases over named fixtures; failing cases state the expected messageId and object.
 */
import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import type { Check, CheckResult, Cloud, ObjectRef, RunOptions, RunPorts, Status } from '../../src/engine/index.js';
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
}

export interface ExpectedFinding {
  messageId: string;
  status?: Exclude<Status, 'pass'>;
  object?: Partial<ObjectRef>;
}

export interface InvalidCase extends CheckCase {
  errors: ExpectedFinding[];
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
    ...(snapshot ? { now: snapshot.now } : {}),
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
        for (const e of c.errors) {
          const hit = results.find(
            (r) =>
              r.messageId === e.messageId &&
              (e.status ? r.status === e.status : r.status === 'fail' || r.status === 'warn') &&
              (!e.object ||
                Object.entries(e.object).every(([k, v]) => (r.object as Record<string, unknown> | undefined)?.[k] === v)),
          );
          if (!hit) {
            throw new Error(`expected ${e.status ?? 'fail|warn'} ${e.messageId} ${JSON.stringify(e.object ?? {})}, got:\n${describeResults(results)}`);
          }
          if (hit.status === 'fail' || hit.status === 'warn') {
            expect(hit.remediation.summary.length).toBeGreaterThan(0);
          }
        }
      });
    }
  });
}
