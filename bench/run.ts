/**
 * Benchmarks (not timed tests): `npm run bench`. Measures triage over the live path (the real client against the
 * snapshot API server) on synthetic clusters of growing size, and reports wall time and the number of API requests —
 * which must not grow with the number of endpoints.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allChecks } from '../checks/index.js';
import { selectChecks } from '../src/engine/registry.js';
import { runChecks } from '../src/engine/runner.js';
import { resolveContext } from '../src/run/context.js';
import { connect, LiveKube, loadKubeConfig } from '../src/sources/kube/live-kube.js';
import { startSnapshotServer } from '../src/sources/server/api-server.js';
import { resourcesOf, loadSnapshot, type Snapshot } from '../src/sources/snapshot/load.js';
import { PACKAGE_ROOT } from '../src/version.js';
import { syntheticCluster } from './synthetic.js';

const now = new Date('2026-11-20T09:30:00Z');

async function triageOver(snapshot: Snapshot) {
  const server = await startSnapshotServer({ snapshot });
  const dir = await mkdtemp(join(tmpdir(), 'med-bench-'));
  try {
    const cfg = join(dir, 'kubeconfig');
    await writeFile(cfg, server.kubeconfig);
    const kc = loadKubeConfig({ kubeconfig: cfg });
    const t0 = performance.now();
    await connect(kc, { timeoutMs: 10_000 });
    const kube = new LiveKube(kc);
    const { context } = await resolveContext({ kube, now });
    const report = await runChecks({
      command: 'triage',
      toolVersion: 'bench',
      checks: selectChecks(allChecks, { scope: 'triage' }),
      context,
      target: { mode: 'live', namespaces: context.namespaces, valuesFiles: [] },
    });
    return { ms: Math.round(performance.now() - t0), requests: server.requestLog.length, results: report.results.length, fails: report.counts.fail };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const rows: string[][] = [['cluster', 'objects', 'wall ms', 'API requests', 'results', 'failed']];
const demo = await loadSnapshot(join(PACKAGE_ROOT, 'fixtures/clusters/demo-aws'));
const d = await triageOver(demo);
rows.push(['demo-aws', String(demo.objects.length), String(d.ms), String(d.requests), String(d.results), String(d.fails)]);
for (const endpoints of [100, 1000, 3000]) {
  const objects = syntheticCluster({ endpoints, nodes: Math.max(10, endpoints / 4), brokenFraction: 0.05, now });
  const snapshot: Snapshot = { path: `synthetic-${endpoints}`, objects, resources: resourcesOf(objects), logs: new Map(), info: undefined, now };
  const r = await triageOver(snapshot);
  rows.push([`synthetic ${endpoints} endpoints`, String(objects.length), String(r.ms), String(r.requests), String(r.results), String(r.fails)]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);

// Values parsing: linear in the number of keys, duplicates included.
const { valuesBench } = await import('./values.js');
const vrows = await valuesBench();
const vwidths = vrows[0]!.map((_, i) => Math.max(...vrows.map((r) => r[i]!.length)));
process.stdout.write('\n');
for (const r of vrows) process.stdout.write(`${r.map((c, i) => c.padEnd(vwidths[i]!)).join('  ')}\n`);

const table = (rows: string[][]) => {
  const w = rows[0]!.map((_, i) => rows.reduce((m, r) => Math.max(m, (r[i] ?? '').length), 0));
  process.stdout.write('\n');
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(w[i]!)).join('  ')}\n`);
};

// Start-up: --version, --help, the first TUI frame (issue 16).
const { startupBench } = await import('./startup.js');
table(await startupBench());

// serve and collect at the full target size (MED_BENCH_SCALE=0 skips it, 0.3 runs 30 %).
if (Number(process.env.MED_BENCH_SCALE ?? 1) > 0) {
  const { serveScaleBench } = await import('./serve-scale.js');
  table(await serveScaleBench());
}

// The real API server (bench/real-cluster.ts): minutes to hours to build the cluster, so only when asked.
if (process.env.MED_BENCH_CLUSTER === '1') {
  const { spawnSync } = await import('node:child_process');
  process.stdout.write('\n');
  const r = spawnSync('bash', ['-c', 'bash scripts/build-control-plane.sh && node --import tsx bench/real-cluster.ts'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
