/**
 * --request-timeout at connect: an API server that accepts the connection and never answers (a wedged apiserver,
 * a proxy holding the socket) gives one line and exit 2 within the timeout, not a hang and not a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FatalError } from '../../src/engine/errors.js';
import { connect, loadKubeConfig } from '../../src/sources/kube/live-kube.js';
import { buildKubeconfig } from '../../src/sources/server/api-server.js';
import { runMain } from '../support/capture.js';

let dir: string;
let silent: Server;
let kubeconfig: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-connect-timeout-'));
  silent = createServer((s) => void sockets.add(s)); // accepts, reads, never answers
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, buildKubeconfig({ server: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, context: 'wedged' }));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('an API server that never answers', () => {
  it('connect gives up after the request timeout with a FatalError (exit 2) naming the server and the flag', async () => {
    const t0 = performance.now();
    const err = await connect(loadKubeConfig({ kubeconfig }), { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as FatalError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^the cluster at http:\/\/127\.0\.0\.1:\d+ did not answer: .* \(context "wedged"\)$/);
    expect((err as FatalError).hint).toMatch(/--request-timeout/);
    expect(sockets.size).toBeGreaterThan(0);
  });

  it('triage --request-timeout 400ms: one line, the hint, exit 2', async () => {
    const r = await runMain(['triage', '--kubeconfig', kubeconfig, '--request-timeout', '400ms', '-o', 'json'], { CI: 'true' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^model-engine-doctor: error: the cluster at http:\/\/127\.0\.0\.1:\d+ did not answer: .*\nhint: a slow API server may need a longer --request-timeout\n$/);
  });
});
