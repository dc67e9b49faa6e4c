/**
 * The fault suite's rig: the demo cluster served by the snapshot API server with `serve --fault` / `--deny` specs
 * (parsed by the very code `serve` uses), a kubeconfig on disk, and the CLI run in process against it.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/engine/types.js';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { parseDenySpecs, parseFaultSpec } from '../../src/sources/server/faults.js';
import { loadSnapshot, type Snapshot } from '../../src/sources/snapshot/load.js';
import { fixture } from '../support/check-tester.js';
import { runCli } from '../support/cli.js';

export const DEMO = fixture('fixtures/clusters/demo-aws');
export const MIXTRAL = 'mixtral-8x7b';

let demo: Promise<Snapshot> | undefined;
export const demoSnapshot = (): Promise<Snapshot> => (demo ??= loadSnapshot(DEMO));

export interface Rehearsal {
  server: SnapshotServer;
  kubeconfig: string;
  close(): Promise<void>;
}

let n = 0;
/** The demo cluster with these `serve --fault` / `--deny` specs, and a kubeconfig for it in `dir`. */
export async function rehearse(dir: string, specs: { fault?: string[]; deny?: string[] } = {}): Promise<Rehearsal> {
  const snapshot = await demoSnapshot();
  const server = await startSnapshotServer({
    snapshot,
    faults: (specs.fault ?? []).map(parseFaultSpec),
    denials: parseDenySpecs(specs.deny ?? [], snapshot),
  });
  const kubeconfig = join(dir, `kubeconfig-${n++}`);
  await writeFile(kubeconfig, server.kubeconfig);
  return { server, kubeconfig, close: () => server.close() };
}

export interface Outcome {
  code: number;
  report?: Report;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `model-engine-doctor <command> --kubeconfig K -o json …`, timed. */
export async function doctor(args: string[], kubeconfig: string): Promise<Outcome> {
  const t0 = performance.now();
  const r = await runCli([...args, '--kubeconfig', kubeconfig, '-o', 'json'], { CI: 'true' });
  const ms = performance.now() - t0;
  return { ...r, ms, ...(r.stdout.trim() ? { report: JSON.parse(r.stdout) as Report } : {}) };
}

/** What two runs over the same cluster must agree on: every result (durations aside), the table, the diagnosis. */
export function comparable(report: Report | undefined) {
  if (!report) return undefined;
  const { server: _server, ...target } = report.target;
  return {
    target,
    counts: report.counts,
    results: report.results.map(({ durationMs: _d, ...r }) => r),
    endpoints: report.endpoints,
    diagnosis: report.diagnosis,
  };
}

/** The requests a server saw to paths matching `re`, with their statuses (0: no answer). */
export const seen = (r: Rehearsal, re: RegExp) => r.server.requestLog.filter((e) => re.test(e.path.split('?')[0]!)).map((e) => e.status);

/** A temporary folder for the suite, and the fault-free triage of the demo cluster as the reference. */
export function useDemo(name: string): { dir: string; baseline: Outcome } {
  const state = { dir: '', baseline: undefined as unknown as Outcome };
  beforeAll(async () => {
    state.dir = await mkdtemp(join(tmpdir(), `med-faults-${name}-`));
    await rehearsing(state.dir, {}, async (clean) => {
      state.baseline = await doctor(['triage'], clean.kubeconfig);
    });
  }, 60_000);
  afterAll(async () => {
    await rm(state.dir, { recursive: true, force: true });
  });
  return state;
}

/** `fn` against the demo cluster with these specs; the server is closed after, whatever happens. */
export async function rehearsing<T>(dir: string, specs: { fault?: string[]; deny?: string[] }, fn: (r: Rehearsal) => Promise<T>): Promise<T> {
  const r = await rehearse(dir, specs);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

export { closedPort } from '../support/net.js';
