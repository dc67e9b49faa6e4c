// Reporter fixtures built from real runs, so a snapshot test shows what a user would see: the CLI's own path
// (`triage`/`endpoint … -o json`, the real checks over a fixture snapshot, incidents included), with the clock pinned
// so renders are stable. Variants cover what the demo does not: registries this machine cannot reach (real probes,
// refused by the test network guard as a firewall would), RBAC denials (through the snapshot API server), an error
// result and hostile text (terminal escapes, Markdown and XML metacharacters).
import { groupIncidents } from '../../src/model-engine/incidents.js';
import { compareResults } from '../../src/engine/runner.js';
import type { CheckResult, Report } from '../../src/engine/types.js';
import { startSnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { runMain } from '../support/capture.js';
import { fixture } from '../support/check-tester.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { Capture } from '../support/capture.js';

const STARTED = '2026-11-20T09:30:00.000Z';

/** The clock pinned: the run's times and each result's duration, so two runs render the same. */
export function pinned(report: Report, snapshot?: string): Report {
  return {
    ...report,
    target: { ...report.target, ...(snapshot && report.target.snapshot ? { snapshot } : {}) },
    startedAt: STARTED,
    finishedAt: '2026-11-20T09:30:01.234Z',
    durationMs: 1234,
    results: report.results.map((r) => ({ ...r, durationMs: 12 })),
  };
}

// Runs one at a time: the network policy is read from the environment, which two interleaved runs would share.
let queue: Promise<unknown> = Promise.resolve();

/** Run the CLI in process and parse its JSON report. `network: 'all'` lets probes try (the test guard refuses them). */
function runJson(args: string[], network: 'loopback' | 'all' = 'loopback'): Promise<Report> {
  const run = queue.then(() => runJsonNow(args, network));
  queue = run.catch(() => undefined);
  return run;
}

async function runJsonNow(args: string[], network: 'loopback' | 'all'): Promise<Report> {
  // Snapshot runs probe only when asked (--probes); the fixtures keep the probes' answers (refused off loopback).
  const probes = args.includes('--snapshot') ? ['--probes'] : [];
  const { code, stdout, stderr } = await runMain([...args, ...probes, '-o', 'json'], { MED_NETWORK: network, CI: 'true' });
  if (code !== 0 && code !== 3) throw new Error(`model-engine-doctor ${args.join(' ')} exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as Report;
}

const cache = new Map<string, Promise<Report>>();
const once = (key: string, make: () => Promise<Report>): Promise<Report> => {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = make()));
  return p.then((r) => structuredClone(r));
};

/** `triage --snapshot fixtures/clusters/<name>`: the demo by default (3 root causes, 2 warnings, the rest passes and skips). */
export function triageReport(name = 'demo-aws', opts: { network?: 'loopback' | 'all' } = {}): Promise<Report> {
  const rel = `fixtures/clusters/${name}`;
  return once(`triage ${name} ${opts.network ?? 'loopback'}`, async () => pinned(await runJson(['triage', '--snapshot', fixture(rel)], opts.network), rel));
}

/** The demo as a laptop outside the cluster's network sees it: every registry probe refused (one line per host). */
export const offNetworkReport = (): Promise<Report> => triageReport('demo-aws', { network: 'all' });

/** `endpoint <endpoint> --snapshot fixtures/clusters/<name>`. */
export function endpointReport(endpoint: string, name = 'demo-aws'): Promise<Report> {
  const rel = `fixtures/clusters/${name}`;
  return once(`endpoint ${name} ${endpoint}`, async () => pinned(await runJson(['endpoint', endpoint, '--snapshot', fixture(rel)]), rel));
}

/** The demo through the snapshot API server with `list nodes` denied: the checks that need nodes skip, naming it. */
export function deniedReport(): Promise<Report> {
  return once('denied', async () => {
    const server = await startSnapshotServer({ snapshot: await loadSnapshot(fixture('fixtures/clusters/demo-aws')), denials: [{ verb: 'list', resource: 'nodes' }] });
    const dir = await mkdtemp(join(tmpdir(), 'med-fixture-'));
    try {
      const cfg = join(dir, 'kubeconfig');
      await writeFile(cfg, server.kubeconfig);
      const report = pinned(await runJson(['triage', '--kubeconfig', cfg, '--only', 'gpu,control-plane']));
      return { ...report, target: { ...report.target, context: 'snapshot-api', server: 'https://127.0.0.1:6443' } };
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

const ANSI_LOG = '\u001b[31mERROR\u001b[0m:    Exception in ASGI application | `x` <b>*y*</b>';

/**
 * The demo with hostile text where the cluster supplies it (a log line full of escape codes, an event message with
 * Markdown, HTML and XML metacharacters, a pipe in an object name) and one check that timed out, as the runner
 * records it. Ids and messageIds stay real.
 */
export async function hostileReport(): Promise<Report> {
  const report = await triageReport();
  const results = report.results.map((r): CheckResult => structuredClone(r));
  const logs = results.find((r) => r.id === 'redis/log-errors' && r.status === 'fail')!;
  logs.evidence.push({ type: 'log', namespace: 'model-engine', pod: 'model-engine-cacher-ntxpc95s7g-78q5b', container: 'model-engine-cacher', line: ANSI_LOG, lineNumber: 211 });
  const pull = results.find((r) => r.id === 'images/cluster-pull-errors')!;
  pull.evidence.push({ type: 'event', object: { kind: 'Pod', namespace: 'llm-engine', name: 'a|b' }, reason: 'Failed', message: 'a <tag> & "quotes" ]]> and a bell \u0007 | pipe `tick` *star*', count: 3 });
  const queues = results.findIndex((r) => r.id === 'broker/queues');
  const q = results[queues]!;
  results[queues] = { id: q.id, area: q.area, title: q.title, docs: q.docs, severity: 'high', messageId: 'timeout', message: 'check timed out after 30s', status: 'error', error: 'check timed out after 30s', evidence: [], durationMs: 30000 };
  results.sort(compareResults);
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) counts[r.status] += 1;
  const { incidents: _old, ...rest } = report;
  const out: Report = { ...rest, results, counts };
  return { ...out, incidents: groupIncidents(results) };
}

export { ANSI_LOG };
