/**
 * Exec credential plugins (kubeconfig `users[].user.exec`) run by the real @kubernetes/client-node against the
 * snapshot API server over HTTPS with a bearer token. A plugin that hangs — and the child it started — is killed
 * on timeout and on Ctrl-C; its error output and the kubeconfig's server password never reach a message.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CancelledError, FatalError } from '../../src/engine/errors.js';
import { guardExecPlugins, runningExecPlugins } from '../../src/sources/kube/exec-plugins.js';
import { connect, loadKubeConfig } from '../../src/sources/kube/live-kube.js';
import { buildKubeconfig, startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { runCli } from '../support/cli.js';
import { closedPort, demoSnapshot } from './harness.js';
import { alive, cli, pidsIn, until } from './processes.js';

let dir: string;
let server: SnapshotServer;
const TOKEN = 'exec-issued-token-1234';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-faults-exec-'));
  server = await startSnapshotServer({ snapshot: await demoSnapshot(), tls: true, token: TOKEN });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** A kubeconfig whose user runs `script` (a shell script) as its exec plugin; returns its path and the pid file. */
async function pluginKubeconfig(script: string): Promise<{ kubeconfig: string; pids: string }> {
  const id = n++;
  const pids = join(dir, `pids-${id}`);
  const plugin = join(dir, `plugin-${id}`);
  await writeFile(plugin, `#!/bin/sh\n${script.replaceAll('$PIDS', pids)}\n`, { mode: 0o755 });
  const kubeconfig = join(dir, `kubeconfig-${id}`);
  await writeFile(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'eks', cluster: { server: server.url, 'certificate-authority-data': Buffer.from(server.caPem!).toString('base64') } }],
      users: [{ name: 'eks-user', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin, interactiveMode: 'Never' } } }],
      contexts: [{ name: 'eks', context: { cluster: 'eks', user: 'eks-user' } }],
      'current-context': 'eks',
    }),
  );
  return { kubeconfig, pids };
}

/** A plugin that starts a child, writes both pids, and never answers. */
const HUNG = 'sleep 300 &\necho $! > $PIDS.tmp\necho $$ >> $PIDS.tmp\nmv $PIDS.tmp $PIDS\nsleep 300';

describe('a plugin that hangs', () => {
  it('is given its time, then killed with its child; one line, exit 2', async () => {
    const { kubeconfig, pids } = await pluginKubeconfig(HUNG);
    const kc = loadKubeConfig({ kubeconfig });
    expect(guardExecPlugins(kc)).toBe(true); // client-node still lets us start plugins in their own group
    const t0 = performance.now();
    const err = await connect(kc, { timeoutMs: 5000, execTimeoutMs: 800 }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as FatalError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^cannot get credentials for context "eks": the exec plugin .*plugin-\d+ gave no credentials within 800ms; it was stopped$/);
    const [child, plugin] = await pidsIn(pids);
    expect(await until(() => !alive(child!) && !alive(plugin!), 3000)).toBe(true);
    expect(runningExecPlugins()).toBe(0);
    expect(server.requestLog).toHaveLength(0);
  });

  it('Ctrl-C while it runs: exit 130 at once, plugin and child killed', async () => {
    const { kubeconfig, pids } = await pluginKubeconfig(HUNG);
    const pending = runCli(['triage', '--kubeconfig', kubeconfig, '-o', 'json'], { CI: 'true' });
    const [child, plugin] = await pidsIn(pids);
    expect(alive(plugin!)).toBe(true);
    const t0 = performance.now();
    process.emit('SIGINT', 'SIGINT');
    const r = await pending;
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(await until(() => !alive(child!) && !alive(plugin!), 3000)).toBe(true);
  });

  it('as a real process: Ctrl-C twice exits 130 within a second and leaves no plugin behind', async () => {
    const { kubeconfig, pids } = await pluginKubeconfig(HUNG);
    const doctor = cli(['triage', '--kubeconfig', kubeconfig, '-o', 'json']);
    const [child, plugin] = await pidsIn(pids, 60_000);
    expect(alive(plugin!)).toBe(true);
    const t0 = performance.now();
    doctor.proc.kill('SIGINT');
    setTimeout(() => doctor.proc.kill('SIGINT'), 50);
    const { code } = await doctor.exited;
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(code).toBe(130);
    expect(doctor.stdout()).toBe('');
    expect(await until(() => !alive(child!) && !alive(plugin!), 3000)).toBe(true);
  }, 90_000);
});

describe('credentials never reach a message', () => {
  it("a failing plugin's error output is one redacted line", async () => {
    const { kubeconfig } = await pluginKubeconfig(`echo "error: refresh failed: token=${TOKEN} Authorization: Bearer abcdefghijklmnopqrstuvwx password=hunter2hunter2" >&2\necho "second line" >&2\nexit 1`);
    const err = await connect(loadKubeConfig({ kubeconfig }), { timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    const message = (err as Error).message;
    expect(message).toMatch(/^cannot get credentials for context "eks": error: refresh failed: /);
    expect(message).not.toContain('\n');
    for (const secret of [TOKEN, 'abcdefghijklmnopqrstuvwx', 'hunter2hunter2']) expect(message).not.toContain(secret);
  });

  it("the kubeconfig server URL's password is not echoed when the server cannot be reached", async () => {
    const port = await closedPort();
    const kubeconfig = join(dir, 'with-password');
    await writeFile(kubeconfig, buildKubeconfig({ server: `http://admin:s3cr3t-pa55@127.0.0.1:${port}`, context: 'prod' }));
    const r = await runCli(['triage', '--kubeconfig', kubeconfig, '-o', 'json'], { CI: 'true' });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('s3cr3t-pa55');
    expect(r.stderr).toMatch(/^model-engine-doctor: error: cannot reach the cluster at http:\/\/admin:REDACTED@127\.0\.0\.1:\d+: /);
  });

  it('a working plugin is run once for the whole run (its answer is cached), and its token is used', async () => {
    const { kubeconfig, pids } = await pluginKubeconfig(
      `echo $$ >> $PIDS\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"${TOKEN}","expirationTimestamp":"2099-01-01T00:00:00Z"}}'`,
    );
    const r = await runCli(['triage', '--kubeconfig', kubeconfig, '-o', 'json', '--only', 'control-plane'], { CI: 'true' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3); // the demo's control plane has a crash-looping cacher
    const runs = (await readFile(pids, 'utf8')).trim().split('\n');
    expect(runs).toHaveLength(1);
  });
});

describe('Ctrl-C while connecting', () => {
  it('rejects with CancelledError at once, even when the server never answers', async () => {
    const stalled = await startSnapshotServer({ snapshot: await demoSnapshot(), faults: [{ match: { path: '/version' }, action: 'stall' }] });
    try {
      const kubeconfig = join(dir, 'stalled');
      await writeFile(kubeconfig, stalled.kubeconfig);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      const t0 = performance.now();
      await expect(connect(loadKubeConfig({ kubeconfig }), { timeoutMs: 30_000, signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
      expect(performance.now() - t0).toBeLessThan(1500);
    } finally {
      await stalled.close();
    }
  });
});
