/**
 * `serve` and `collect` at the full target size of issue 16 (5,000 nodes, 3,000 endpoints, ~100,000 pods, 45,600
 * events; MED_BENCH_SCALE=0.3 for 30 %): the synthetic cluster written as a snapshot folder, served by the built
 * CLI, listed by kubectl (paged) and by one unpaged request (streamed), collected through the live path, and the
 * collected snapshot served again. Wall time and peak RSS of each process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../src/engine/types.js';
import { lookupResource } from '../src/sources/kube/resources.js';
import { writeJsonLists } from '../src/sources/snapshot/collect.js';
import { PACKAGE_ROOT } from '../src/version.js';
import { loadSnapshot } from '../src/sources/snapshot/load.js';
import { bytesNeeded } from './bytes-needed.js';
import { countingProxy, measure, type Measured } from './proc.js';
import { syntheticCluster } from './synthetic.js';

const CLI = join(PACKAGE_ROOT, 'dist/src/cli.js');
const now = new Date('2026-11-20T09:30:00Z');

/** The objects as a snapshot folder: one JSON List file set per namespace and kind. */
async function writeSnapshot(dir: string, objects: KubeObject[]): Promise<void> {
  const files = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const rel = `${o.metadata.namespace ?? 'cluster'}/${lookupResource(o.kind!.toLowerCase())?.plural ?? o.kind!.toLowerCase()}`;
    const list = files.get(rel);
    if (list) list.push(o);
    else files.set(rel, [o]);
  }
  for (const [rel, objs] of files) await writeJsonLists((r) => join(dir, r), rel, objs);
  await writeFile(join(dir, 'snapshot-info.json'), JSON.stringify({ apiVersion: 'model-engine-doctor/v1', kind: 'SnapshotInfo', collectedAt: now.toISOString(), context: 'synthetic' }));
}

/** One unpaged GET, read as a stream: its bytes and wall time. */
function unpaged(url: string): Promise<{ ms: number; mb: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ ms: performance.now() - t0, mb: bytes / 1024 / 1024 }));
    }).on('error', reject);
  });
}

const secs = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const mb = (m: Measured) => `${m.peakRssMb.toFixed(0)} MB`;

export async function serveScaleBench(scale = Number(process.env.MED_BENCH_SCALE ?? 1)): Promise<string[][]> {
  const dir = await mkdtemp(join(tmpdir(), 'med-bench-scale-'));
  const rows = [['step', 'wall', 'peak RSS', 'what']];
  try {
    let objects: KubeObject[] | undefined = syntheticCluster({
      endpoints: Math.round(3000 * scale),
      nodes: Math.round(5000 * scale),
      replicas: 32,
      nodeAgents: true,
      events: Math.round(45_600 * scale),
      brokenFraction: 0.03,
      now,
    });
    const count = (kind: string) => objects!.filter((o) => o.kind === kind).length;
    const size = `${count('Node')} nodes, ${count('Deployment') - 3} endpoints, ${count('Pod')} pods, ${count('Event')} events (${objects.length} objects)`;
    const snap = join(dir, 'snapshot');
    await writeSnapshot(snap, objects);
    objects = undefined;
    rows.push(['cluster', '', '', size]);

    const kc = join(dir, 'kubeconfig');
    const serve = measure(process.execPath, [CLI, 'serve', snap, '--port', '0', '--kubeconfig-out', kc], { ready: /serving snapshot/ });
    await serve.ready;
    const url = /server: (\S+)/.exec(await readFile(kc, 'utf8'))![1]!;

    let t0 = performance.now();
    const k = spawnSync('kubectl', ['--kubeconfig', kc, 'get', 'pods', '-A', '--chunk-size=500', '-o', 'name'], { maxBuffer: 1024 * 1024 * 1024 });
    const kubectlMs = performance.now() - t0;
    const listed = k.status === 0 ? k.stdout.toString().split('\n').filter(Boolean).length : `kubectl failed: ${k.stderr.toString().split('\n')[0]}`;
    const whole = await unpaged(`${url}/api/v1/pods`);

    // triage over the live path (issue 16's targets: ≤ 300 MB, ≤ 40 requests + list pages, ≤ 0.5× kubectl's time),
    // through a proxy counting the bytes read, with -v=6 logging each request; kubectl's full dump beside it.
    const proxy = await countingProxy(new URL(url));
    const kcProxied = join(dir, 'kubeconfig-proxied');
    await writeFile(kcProxied, (await readFile(kc, 'utf8')).replace(url, proxy.url));
    const triage = await measure(process.execPath, [CLI, 'triage', '-o', 'json', '-v=6', '--kubeconfig', kcProxied], { env: { ...process.env, CI: 'true' }, stdout: true }).done;
    const triageBytes = proxy.bytes();
    const requestLines = triage.stderr.split('\n').filter((l) => /^GET \S+ /.test(l));
    // What the run examined: a triage that never found the endpoint namespace would be fast for the wrong reason.
    let examined = 'report unreadable';
    try {
      const report = JSON.parse(triage.stdout) as { endpoints?: unknown[]; target?: { namespaces?: { endpoint?: string } } };
      examined = `${report.endpoints?.length ?? 0} endpoints examined in ${report.target?.namespaces?.endpoint ?? '?'}`;
    } catch {
      // left as said
    }
    const pages = requestLines.filter((l) => /[?&]continue=/.test(l)).length;
    // The same triage with V8's own heap settings (src/heap.ts), to show what the doctor's settings are worth.
    // Same path (the counting proxy, -v=6), so the two rows differ only in the heap settings.
    const untuned = await measure(process.execPath, [CLI, 'triage', '-o', 'json', '-v=6', '--kubeconfig', kcProxied], { env: { ...process.env, CI: 'true', MED_HEAP: 'v8' } }).done;
    // What those reads were worth: the distinct objects they returned, at the size the doctor keeps them.
    const needed = bytesNeeded(triage.stderr, await loadSnapshot(snap));
    t0 = performance.now();
    const dump = spawnSync('kubectl', ['--kubeconfig', kc, 'get', 'nodes,pods,events', '-A', '-o', 'json'], { maxBuffer: 4 * 1024 * 1024 * 1024, stdio: ['ignore', 'ignore', 'pipe'] });
    const dumpMs = performance.now() - t0;
    proxy.close();

    const out = join(dir, 'collected');
    const collect = await measure(process.execPath, [CLI, 'collect', out, '--kubeconfig', kc, '--endpoint-namespace', 'llm-engine'], { env: { ...process.env, CI: 'true' } }).done;
    serve.stop();
    const served = await serve.done;
    rows.push(['serve: start (load, redact, index)', secs(served.readyMs), '', 'until "serving snapshot"']);
    rows.push(['kubectl get pods -A (pages of 500)', secs(kubectlMs), '', `${listed} pods listed`]);
    rows.push(['GET /api/v1/pods, unpaged (streamed)', secs(whole.ms), '', `${whole.mb.toFixed(0)} MB`]);
    rows.push([
      'triage -o json (live path, against serve)',
      secs(triage.wallMs),
      mb(triage),
      `exit ${triage.exit}; ${examined}; ${requestLines.length} API requests (${requestLines.length - pages} + ${pages} continued pages); ${(triageBytes / 1024 / 1024).toFixed(1)} MB read for ${(needed.bytes / 1024 / 1024).toFixed(1)} MB of ${needed.objects} distinct objects as kept (${(triageBytes / needed.bytes).toFixed(2)}×)`,
    ]);
    rows.push(['triage -o json, V8\'s own heap settings (MED_HEAP=v8)', secs(untuned.wallMs), mb(untuned), `exit ${untuned.exit}`]);
    rows.push(['kubectl get nodes,pods,events -A -o json', secs(dumpMs), '', dump.status === 0 ? `ratio triage/kubectl ${(triage.wallMs / dumpMs).toFixed(2)}` : `kubectl failed: ${dump.stderr.toString().split('\n')[0]}`]);
    rows.push(['collect (live path, against serve)', secs(collect.wallMs), mb(collect), collect.exit === 0 ? (/wrote [^\n]*/.exec(collect.stderr)?.[0] ?? '') : `exit ${collect.exit}: ${collect.stderr.trim().split('\n').pop()}`]);
    rows.push(['serve, whole run', secs(served.wallMs), mb(served), `exit ${served.exit} (130: stopped by SIGINT)`]);

    if (collect.exit === 0) {
      const again = measure(process.execPath, [CLI, 'serve', out, '--port', '0', '--kubeconfig-out', join(dir, 'kc2')], { ready: /serving snapshot/ });
      await again.ready;
      again.stop();
      const r = await again.done;
      rows.push(['serve the collected snapshot: start', secs(r.readyMs), mb(r), /\((\d+) objects\)/.exec(r.stderr)?.[0] ?? r.stderr.trim().split('\n').pop() ?? '']);
      // The snapshot path (target ≤ 1 GB): triage --snapshot of what collect wrote.
      const offline = await measure(process.execPath, [CLI, 'triage', '-o', 'json', '--snapshot', out], { env: { ...process.env, CI: 'true' } }).done;
      rows.push(['triage --snapshot of the collected snapshot', secs(offline.wallMs), mb(offline), `exit ${offline.exit}`]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
