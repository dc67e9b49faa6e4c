/**
 * `model-engine-doctor endpoint` end to end, in process: the demo's three kinds of endpoint (mirror missing, no
 * H100 node, healthy), exit codes, NOT_FOUND, the text rendering, `--watch` until healthy and its cancellation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { endpointCommand } from '../../src/commands/endpoint.js';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { CancelledError } from '../../src/engine/errors.js';
import type { Report } from '../../src/engine/types.js';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { Capture, runMain } from '../support/capture.js';
import { fixture } from '../support/check-tester.js';

const DEMO = fixture('fixtures/clusters/demo-aws');
const MIXTRAL = 'end_ct4p8uhn2ojg00a4qkgg';
const LLAMA_70B = 'end_ct4pe5pn2ojg00a4qkh0';
const HEALTHY = 'end_ct3lsbpn2ojg00a4qke0';


let savedNetwork: string | undefined;
let tmp: string;
beforeAll(async () => {
  // Probes reach loopback only: the demo's images live in an ECR account that must never be contacted.
  savedNetwork = process.env.MED_NETWORK;
  process.env.MED_NETWORK = 'loopback';
  tmp = await mkdtemp(join(tmpdir(), 'med-endpoint-cmd-'));
});
afterAll(async () => {
  if (savedNetwork === undefined) delete process.env.MED_NETWORK;
  else process.env.MED_NETWORK = savedNetwork;
  await rm(tmp, { recursive: true, force: true });
});

const run = (args: string[]) => runMain(args);

describe('endpoint <id> on the demo snapshot', () => {
  it.each([
    [MIXTRAL, 'IMAGE_PULL', 'mixtral-8x7b', 3],
    [LLAMA_70B, 'NO_MATCHING_NODES', 'llama-3-70b', 3],
    [HEALTHY, 'HEALTHY', 'llama-3-8b-instruct', 0],
    // By name, and the async CPU endpoint.
    ['embeddings-cpu', 'HEALTHY', 'embeddings-cpu', 0],
  ])('%s → %s (%s, exit %s)', async (endpoint, cause, name, code) => {
    const r = await run(['endpoint', endpoint, '--snapshot', DEMO, '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report & { diagnosis: Diagnosis };
    expect(report.command).toBe('endpoint');
    expect(report.diagnosis.cause).toBe(cause);
    expect(report.diagnosis.endpoint).toMatchObject({ name, namespace: 'llm-engine' });
    // Exit by the diagnosis: the demo's crash-looping cacher fails a check but does not make a healthy endpoint fail.
    expect(report.results.some((x) => x.status === 'fail')).toBe(true);
    expect(r.code).toBe(code);
  });

  it('names the missing mirror and the H100 gap precisely', async () => {
    const mixtral = JSON.parse((await run(['endpoint', MIXTRAL, '--snapshot', DEMO, '-o', 'json'])).stdout) as { diagnosis: Diagnosis };
    expect(mixtral.diagnosis.summary).toContain('cannot pull 111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3');
    expect(mixtral.diagnosis.remediation.commands).toContain('aws ecr describe-images --registry-id 111122223333 --region us-east-1 --repository-name vllm --image-ids imageTag=0.6.3');
    const llama = JSON.parse((await run(['endpoint', LLAMA_70B, '--snapshot', DEMO, '-o', 'json'])).stdout) as { diagnosis: Diagnosis };
    expect(llama.diagnosis.summary).toContain('no node has k8s.amazonaws.com/accelerator=nvidia-hopper-h100');
    expect(llama.diagnosis.remediation.summary).toContain('or recreate the endpoint with a gpu_type the cluster has (nvidia-ampere-a10, nvidia-tesla-t4)');
  });

  it('NOT_FOUND exits 3 with a one-line message on stderr', async () => {
    const r = await run(['endpoint', 'end_ct4zz0000000000000000', '--snapshot', DEMO, '-o', 'json']);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as { diagnosis: Diagnosis }).diagnosis.cause).toBe('NOT_FOUND');
    expect(r.stderr).toContain('model-engine-doctor: endpoint not found: No endpoint end_ct4zz0000000000000000 in namespace llm-engine');
  });

  it('text shows the diagnosis first, then the endpoint-scoped checks', async () => {
    const r = await run(['endpoint', LLAMA_70B, '--snapshot', DEMO, '-o', 'text', '--no-color']);
    const at = (s: string) => r.stdout.indexOf(s);
    expect(at('Endpoint  llm-engine/llama-3-70b (end_ct4pe5pn2ojg00a4qkh0)  cause ✖ NO_MATCHING_NODES')).toBeGreaterThan(0);
    expect(at('Causal chain')).toBeGreaterThan(at('fix: '));
    expect(at('control-plane/deployments-available')).toBeGreaterThan(at('Look further'));
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('markdown carries the diagnosis section', async () => {
    const r = await run(['endpoint', MIXTRAL, '--snapshot', DEMO, '-o', 'markdown']);
    expect(r.stdout).toContain('## Endpoint `llm-engine/mixtral-8x7b (end_ct4p8uhn2ojg00a4qkgg)`: ✖ IMAGE_PULL');
    expect(r.stdout.indexOf('## Endpoint')).toBeLessThan(r.stdout.indexOf('## Incidents'));
  });
});

describe('endpoint --watch', () => {
  let server: SnapshotServer;
  let kubeconfig: string;
  beforeAll(async () => {
    server = await startSnapshotServer({ snapshot: await loadSnapshot(DEMO) });
    kubeconfig = join(tmp, 'kubeconfig');
    await writeFile(kubeconfig, server.kubeconfig);
  });
  afterAll(async () => server?.close());

  const waitFor = async (cond: () => boolean, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('-o json prints one line per evaluation and exits 0 once the endpoint is healthy', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const done = main(['endpoint', LLAMA_70B, '--kubeconfig', kubeconfig, '--watch', '--interval', '0.1', '-o', 'json'], { stdout, stderr });
    await waitFor(() => stdout.text.split('\n').filter(Boolean).length >= 2);
    // An H100 node group arrived and the pod started: the Deployment reports its replica available.
    server.mutate('llm-engine', 'launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0', (d) => {
      d.status = { ...(d.status as Record<string, unknown>), availableReplicas: 1, readyReplicas: 1, unavailableReplicas: 0 };
    }, 'deployments.apps');
    const code = await done;
    const lines = stdout.text.trim().split('\n').map((l) => JSON.parse(l) as { schemaVersion: number; evaluatedAt: string; diagnosis: Diagnosis });
    expect(code).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]!.diagnosis.cause).toBe('NO_MATCHING_NODES');
    expect(lines.at(-1)!.diagnosis.cause).toBe('HEALTHY');
    expect(lines.every((l) => l.schemaVersion === 1 && !Number.isNaN(Date.parse(l.evaluatedAt)))).toBe(true);
  });

  it('text prints a compact line only when the diagnosis changes, and Ctrl-C cancels', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const controller = new AbortController();
    const done = endpointCommand(MIXTRAL, { kubeconfig, watch: true, interval: 0.05, output: 'text' }, { stdout, stderr }, controller.signal);
    // Let it evaluate several times over an unchanging cluster.
    await waitFor(() => server.requestLog.filter((r) => r.path.includes('endpoint_id%3Dend_ct4p8uhn2ojg00a4qkgg') && r.path.includes('/deployments')).length >= 3);
    controller.abort();
    await expect(done).rejects.toBeInstanceOf(CancelledError);
    const lines = stdout.text.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d {2}mixtral-8x7b IMAGE_PULL — The main container of pod launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg-chddfkjdzw-8nplw cannot pull /);
  });

  it('Ctrl-C while a registry probe is in flight rejects with CancelledError, not the aborted fetch\'s AbortError', async () => {
    // A registry on loopback that accepts connections and never answers: the probe of the failing image hangs there.
    const sockets = new Set<Socket>();
    const blackHole = createServer((c) => void sockets.add(c));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
    const own = await startSnapshotServer({ snapshot: await loadSnapshot(DEMO) });
    try {
      own.mutate('llm-engine', 'launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg-chddfkjdzw-8nplw', (p) =>
        JSON.parse(JSON.stringify(p).replaceAll('111122223333.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6.3', `${host}/vllm:0.6.3`)) as typeof p,
      );
      const cfg = join(tmp, 'kubeconfig-black-hole');
      await writeFile(cfg, own.kubeconfig);
      const controller = new AbortController();
      const done = endpointCommand(MIXTRAL, { kubeconfig: cfg, watch: true, interval: 0.05, output: 'text' }, { stdout: new Capture(), stderr: new Capture() }, controller.signal);
      await waitFor(() => sockets.size > 0);
      controller.abort(); // as the CLI does on SIGINT: a bare abort(), whose reason is a DOMException
      await expect(done).rejects.toBeInstanceOf(CancelledError);
    } finally {
      for (const c of sockets) c.destroy();
      await new Promise((r) => blackHole.close(r));
      await own.close();
    }
  });

  it('main maps Ctrl-C during --watch to exit 130', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const done = main(['endpoint', MIXTRAL, '--kubeconfig', kubeconfig, '--watch', '--interval', '0.05', '-o', 'text'], { stdout, stderr });
    await waitFor(() => stdout.text.length > 0);
    process.emit('SIGINT');
    expect(await done).toBe(130);
    expect(stderr.text).toContain('cancelled');
  });
});
