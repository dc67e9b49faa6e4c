/**
 * The installed release as helm wrote it, and the three ways to read one cluster agreeing: live against the real API
 * server, `triage --snapshot` of a `collect`ed snapshot, and `serve` of that snapshot + `--kubeconfig`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { auditEvents, type AuditEvent } from './harness/audit.js';
import { createEndpoint } from './harness/builder.js';
import { doctor, doctorJson, e2eUnavailable, kubectlJson } from './harness/cluster.js';
import { chartUnavailable, installModelEngine, uninstall, type Install } from './harness/install.js';
import { boundPods, crashLoop, CUSTOM_STATUS, imagePullBackOff } from './harness/kubelet.js';
import { waitForAvailable, waitForEvent } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/snapshots.test.ts SKIPPED\n`);

interface Result {
  id: string;
  status: string;
  messageId: string;
  message: string;
  object?: { kind: string; name: string; namespace?: string };
  durationMs?: number;
  evidence?: { type: string; source?: { file: string } }[];
}
interface Report {
  results: Result[];
  endpoints?: { id?: string; name: string; cause: string }[];
  [k: string]: unknown;
}

/** What must be equal between two readings of the same cluster: every result but its timing. */
const comparable = (r: Report) => ({ results: r.results.map(({ durationMs: _d, ...rest }) => rest), endpoints: r.endpoints });
/**
 * Live and snapshot readings are seconds apart, so ages in messages ("Pending for 9s") may differ by that much;
 * everything else must be equal. (A snapshot and its serve share one clock, collectedAt, and are compared exactly.)
 */
const ageless = (r: Report) => JSON.parse(JSON.stringify(comparable(r)).replace(/\b(for|since|after) \d+(s|m|h|d)( \d+(s|m))?\b/g, '$1 <age>')) as unknown;

(skip ? describe.skip : describe)('live, collect → --snapshot, and serve agree on a real cluster', () => {
  let install: Install;
  let dir: string;
  let live: Report;
  let liveSince: string;
  let replay: Report;
  let server: SnapshotServer | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'med-e2e-snap-'));
    install = await installModelEngine({
      cloud: 'aws',
      nodes: [{ name: 'snap-a100-0', cloud: 'aws', gpus: 8, acceleratorLabel: 'nvidia-ampere-a100' }],
    });
    const healthy = await createEndpoint({ name: 'llama-3-8b', gpuType: 'nvidia-ampere-a100', gpus: 1 });
    const h100 = await createEndpoint({ name: 'llama-3-70b', gpuType: 'nvidia-hopper-h100', gpus: 4 });
    const pull = await createEndpoint({ name: 'mixtral-8x7b', gpuType: 'nvidia-ampere-a100', gpus: 2, podAnnotations: CUSTOM_STATUS });
    const crash = await createEndpoint({ name: 'qwen-crash', gpuType: 'nvidia-ampere-a100', gpus: 1, podAnnotations: CUSTOM_STATUS });
    await waitForAvailable(healthy);
    await waitForEvent(h100, 'FailedScheduling');
    await imagePullBackOff((await boundPods(pull.namespace, pull.resourceName))[0]!);
    await crashLoop((await boundPods(crash.namespace, crash.resourceName))[0]!, 'main', 5, ['Traceback (most recent call last):', 'RuntimeError: CUDA error: no kernel image is available for execution on the device']);
    liveSince = new Date().toISOString();
    live = (await doctorJson<Report>(['triage'])).report;
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    if (install) await uninstall(install);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 300_000);

  it('reads each pod once on the real API server: the cluster-wide pod list asks for the namespaces not read whole (metadata.namespace!=)', () => {
    const pods = auditEvents('e2e-admin', liveSince).filter((e) => !/kubectl/.test(e.userAgent ?? '') && e.verb === 'list' && e.objectRef?.resource === 'pods');
    const uri = (e: AuditEvent) => decodeURIComponent(e.requestURI);
    const clusterWide = pods.filter((e) => !e.objectRef?.namespace);
    // The real server accepted the selector (a refusal would have sent the doctor back to one unfiltered list).
    expect(clusterWide.filter((e) => uri(e).includes(`metadata.namespace!=${install.namespace}`) && e.responseStatus?.code === 200).length).toBeGreaterThan(0);
    expect(clusterWide.filter((e) => e.responseStatus?.code !== 200)).toEqual([]);
    expect(clusterWide.filter((e) => !uri(e).includes('metadata.namespace!=') && !uri(e).includes('labelSelector='))).toEqual([]);
    // The namespace read whole is read once.
    expect(pods.filter((e) => e.objectRef?.namespace === install.namespace && !uri(e).includes('continue=') && !uri(e).includes('Selector='))).toHaveLength(1);
  });

  it('reads the installed values from the release Secret real helm wrote (helm.sh/release.v1, revision 1)', async () => {
    const secrets = await kubectlJson<{ items: { metadata: { name: string; labels: Record<string, string> }; type: string }[] }>([
      'get',
      'secrets',
      '-n',
      install.namespace,
      '-l',
      'owner=helm,name=model-engine',
    ]);
    expect(secrets.items.map((s) => [s.metadata.name, s.type])).toEqual([['sh.helm.release.v1.model-engine.v1', 'helm.sh/release.v1']]);
    const text = await doctor(['triage', '--only', 'values', '-o', 'text']);
    expect(text.stdout).toMatch(/values\s+release model-engine revision 1/);
    // Values evidence cites the release (user-supplied values) or the chart's defaults — never a local file.
    const sources = new Set(live.results.flatMap((r) => (r.evidence ?? []).filter((e) => e.type === 'values').map((e) => e.source?.file ?? '(unset)')));
    expect([...sources].some((s) => /^release model-engine revision 1/.test(s))).toBe(true);
    for (const s of sources) expect(s).toMatch(/^release model-engine revision 1|^chart defaults|^\(unset\)$/);
  });

  it('diagnoses each endpoint as the real components left it', () => {
    const causes = Object.fromEntries((live.endpoints ?? []).map((e) => [e.name, e.cause]));
    expect(causes).toEqual({
      'llama-3-8b': 'HEALTHY',
      'llama-3-70b': 'NO_MATCHING_NODES',
      'mixtral-8x7b': 'IMAGE_PULL',
      'qwen-crash': 'CRASH_LOOP',
    });
  });

  it('collect from the real API server, then triage --snapshot gives the live results', async () => {
    const snap = join(dir, 'snap');
    const c = await doctor(['collect', '-o', snap]);
    expect(c.code).toBe(0);
    expect((await readdir(snap)).length).toBeGreaterThan(0);
    // With the live run's probe policy (a snapshot run probes only when asked), so the two compare like for like.
    replay = (await doctorJson<Report>(['triage', '--snapshot', snap, '--probes'])).report;
    expect(ageless(replay)).toEqual(ageless(live));
  });

  it('serve of that snapshot + --kubeconfig gives the live results too', async () => {
    const snap = join(dir, 'snap');
    server = await startSnapshotServer({ snapshot: await loadSnapshot(snap) });
    const kubeconfig = join(dir, 'served.kubeconfig');
    await writeFile(kubeconfig, server.kubeconfig);
    const served = (await doctorJson<Report>(['triage'], { kubeconfig })).report;
    expect(comparable(served)).toEqual(comparable(replay));
  });
});
