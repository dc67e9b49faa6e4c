/**
 * The real kubectl against the snapshot API server (HTTPS with a CA and a token, and plain HTTP).
 * Skipped only when kubectl is not on PATH.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { toolAvailable } from '../support/tools.js';
import { FIXTURE, loadFixture, PODS } from './helpers.js';

const kubectlOnPath = (process.env.PATH ?? '').split(delimiter).some((d) => {
  try {
    accessSync(join(d, 'kubectl'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let tlsServer: SnapshotServer;
let httpServer: SnapshotServer;

function kubectl(server: 'tls' | 'http', ...args: string[]): Promise<Run> {
  const kubeconfig = join(dir, server === 'tls' ? 'kubeconfig-tls' : 'kubeconfig-http');
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
      // A private HOME keeps kubectl's discovery cache and config out of the user's ~/.kube.
      { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 8000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const rows = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));

(toolAvailable('kubectl', kubectlOnPath, 'kubectl against the snapshot API server') ? describe : describe.skip)('kubectl against the snapshot API server', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'med-kubectl-'));
    const snapshot = await loadFixture();
    tlsServer = await startSnapshotServer({ snapshot, tls: true, token: 'kubectl-test-token' });
    httpServer = await startSnapshotServer({ snapshot });
    await writeFile(join(dir, 'kubeconfig-tls'), tlsServer.kubeconfig);
    await writeFile(join(dir, 'kubeconfig-http'), httpServer.kubeconfig);
  });
  afterAll(async () => {
    await tlsServer?.close();
    await httpServer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('get pods -A lists every pod with kubectl columns', async () => {
    const r = await kubectl('tls', 'get', 'pods', '-A');
    expect(r.stderr).toBe('');
    const table = rows(r.stdout);
    expect(table[0]).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(table.slice(1).map((row) => `${row[0]}/${row[1]}`)).toEqual([
      `kube-system/${PODS.keda}`,
      `llm-engine/${PODS.crashing}`,
      `llm-engine/${PODS.pending}`,
      `llm-engine/${PODS.gateway1}`,
      `llm-engine/${PODS.gateway2}`,
      `llm-engine/${PODS.builder}`,
    ]);
    expect(table[2]).toEqual(['llm-engine', PODS.crashing, '1/2', 'CrashLoopBackOff', '4 (3m19s ago)', '24m']);
    // The bearer token reached the server on every request.
    expect(tlsServer.requestLog.every((e) => e.status === 200)).toBe(true);
  });

  it('get nodes', async () => {
    const r = await kubectl('tls', 'get', 'nodes');
    const table = rows(r.stdout);
    expect(table[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(table.slice(1).map((row) => [row[0], row[1], row[4]])).toEqual([
      ['ip-10-0-1-23.us-west-2.compute.internal', 'Ready', 'v1.29.3-eks-ae9a62a'],
      ['ip-10-0-2-45.us-west-2.compute.internal', 'Ready', 'v1.29.3-eks-ae9a62a'],
      ['ip-10-0-3-77.us-west-2.compute.internal', 'Ready', 'v1.29.3-eks-ae9a62a'],
    ]);
  });

  it('logs -n ns pod -c container prints the collected log', async () => {
    const r = await kubectl('tls', 'logs', '-n', 'llm-engine', PODS.crashing, '-c', 'main');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(await readFile(join(FIXTURE, 'logs/llm-engine', PODS.crashing, 'main.log'), 'utf8'));
    const prev = await kubectl('tls', 'logs', '-n', 'llm-engine', PODS.crashing, '-c', 'main', '--previous', '--tail', '1');
    expect(prev.stdout).toMatch(/^torch\.cuda\.OutOfMemoryError/);
  });

  it('get pods -l and --field-selector filter server-side', async () => {
    const byLabel = await kubectl('tls', 'get', 'pods', '-n', 'llm-engine', '-l', 'app=model-engine', '-o', 'name');
    expect(byLabel.stdout.trim().split('\n')).toEqual([`pod/${PODS.gateway1}`, `pod/${PODS.gateway2}`]);
    const unscheduled = await kubectl('tls', 'get', 'pods', '-A', '--field-selector', 'spec.nodeName=', '-o', 'name');
    expect(unscheduled.stdout.trim()).toBe(`pod/${PODS.pending}`);
    const bad = await kubectl('tls', 'get', 'pods', '-A', '--field-selector', 'foo=bar');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Error from server (BadRequest)');
    expect(bad.stderr).toContain('field label not supported: foo');
  });

  it('get deploy -o json round-trips the snapshot object', async () => {
    const r = await kubectl('tls', 'get', 'deploy', '-n', 'llm-engine', '-o', 'json');
    const printed = JSON.parse(r.stdout) as { kind: string; items: unknown[] };
    const fixture = JSON.parse(await readFile(join(FIXTURE, 'deployments.json'), 'utf8')) as { items: unknown[] };
    expect(printed.kind).toBe('List');
    expect(printed.items).toEqual(fixture.items);
  });

  it('resolves CRD short names and prints their printer columns', async () => {
    const r = await kubectl('tls', 'get', 'so', '-n', 'llm-engine');
    const table = rows(r.stdout);
    expect(table[0]!.slice(0, 6)).toEqual(['NAME', 'SCALETARGETKIND', 'SCALETARGETNAME', 'MIN', 'MAX', 'TRIGGERS']);
    expect(table[1]!.slice(0, 6)).toEqual([
      'launch-endpoint-id-end-cp3ihvs2v2qg00aaaa0g',
      'apps/v1.Deployment',
      'launch-endpoint-id-end-cp3ihvs2v2qg00aaaa0g',
      '0',
      '2',
      'redis',
    ]);
  });

  it('reports NotFound and refused writes as the real server does, over plain HTTP too', async () => {
    const missing = await kubectl('http', 'get', 'pod', 'nope', '-n', 'llm-engine');
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
    const del = await kubectl('http', 'delete', 'pod', PODS.gateway1, '-n', 'llm-engine');
    expect(del.stderr).toContain('MethodNotAllowed');
    const ns = await kubectl('http', 'get', 'ns', '-o', 'name');
    expect(ns.stdout.trim().split('\n')).toEqual(['namespace/default', 'namespace/kube-system', 'namespace/llm-engine']);
  });
});
