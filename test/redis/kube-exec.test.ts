import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeExec, unbootstrap } from '../../src/sources/kube/exec.js';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import type { ExecRequest } from '../../src/sources/server/exec-ws.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { fixture } from '../support/check-tester.js';

const POD = { namespace: 'model-engine', pod: 'model-engine-7c9d8f6b4d-k2x9p', container: 'model-engine' };
const seen: ExecRequest[] = [];
const PROBE_RESULT = {
  target: 'rediss://8e1d2c3b-4a5f-4e6d-9b8c-7a6f5e4d3c2b:REDACTED@ml-prod-cache.redis.cache.windows.net:6380/0',
  steps: [
    { name: 'dns', ok: true, ms: 2, detail: 'ml-prod-cache.redis.cache.windows.net resolved to 10.30.1.7' },
    { name: 'tcp', ok: true, ms: 3, detail: 'connected to 10.30.1.7:6380' },
    { name: 'tls', ok: true, ms: 9, detail: 'TLSv1.3; certificate verified' },
    { name: 'auth', ok: false, ms: 4, detail: 'AuthenticationError: invalid username-password pair or user is disabled.' },
  ],
  failedStep: 'auth',
  errorCode: 'WRONGPASS',
};

describe('KubeExec over the exec API of the snapshot server (WebSocket, v4.channel.k8s.io)', () => {
  let server: SnapshotServer;
  let denied: SnapshotServer;
  let kc: KubeConfig;
  beforeAll(async () => {
    const snapshot = await loadSnapshot(fixture('fixtures/clusters/azure-cacher-token'));
    const execHandler = (r: ExecRequest) => {
      seen.push(r);
      const script = unbootstrap(r.command[2] ?? '') ?? '';
      if (r.command.at(-1) === 'azure-servicebus') return { stdout: 'MED-RESULT 7.11.4\n' };
      if (r.command.at(-1) === 'missing-dist') return { stdout: 'MED-RESULT \n' };
      if (script.includes('hmi_config')) return { stdout: `MED-RESULT ${JSON.stringify(PROBE_RESULT)}\n`, stderr: 'warning: something harmless\n' };
      return { stderr: "python: can't open file\n", exitCode: 2 };
    };
    server = await startSnapshotServer({ snapshot, token: 't0ken', execHandler });
    denied = await startSnapshotServer({ snapshot, execHandler, denials: [{ verb: 'create', resource: 'pods/exec' }] });
    kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), denied?.close()]);
  });

  it('runs the probe in the gateway pod and parses its result', async () => {
    const r = await new KubeExec(kc).redisProbe(POD, 'cache', { aclCommands: [['GET', 'k']], timeoutMs: 3000 });
    expect(r.from).toBe('pod model-engine/model-engine-7c9d8f6b4d-k2x9p');
    expect([r.failedStep, r.errorCode]).toEqual(['auth', 'WRONGPASS']);
    const req = seen.at(-1)!;
    expect(req).toMatchObject({ namespace: 'model-engine', pod: POD.pod, container: 'model-engine' });
    expect(req.command.slice(0, 2)).toEqual(['python', '-c']);
    expect(JSON.parse(req.command[3]!)).toMatchObject({ which: 'cache', acl: [['GET', 'k']] });
  });

  it('reads a package version (or none)', async () => {
    const exec = new KubeExec(kc);
    expect(await exec.pythonPackageVersion(POD, 'azure-servicebus')).toBe('7.11.4');
    expect(await exec.pythonPackageVersion(POD, 'missing-dist')).toBeUndefined();
  });

  it('returns the exit code and stderr of a failing command', async () => {
    const out = await new KubeExec(kc).run(POD, ['python', 'nope.py']);
    expect(out).toEqual({ exitCode: 2, stdout: '', stderr: "python: can't open file\n" });
  });

  it('names the missing permission when pods/exec is forbidden, and a pod that does not exist', async () => {
    const k = new KubeConfig();
    k.loadFromString(denied.kubeconfig);
    await expect(new KubeExec(k).run(POD, ['true'])).rejects.toThrow('forbidden: cannot create pods/exec in namespace model-engine');
    await expect(new KubeExec(kc).run({ ...POD, pod: 'gone' }, ['true'])).rejects.toThrow(/exec into model-engine\/gone/);
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(new KubeExec(kc).run(POD, ['true'], ac.signal)).rejects.toThrow('cancelled');
  });
});

describe('exec frames larger than 64 KiB', () => {
  it('arrive whole (64-bit WebSocket lengths)', async () => {
    const snapshot = await loadSnapshot(fixture('fixtures/clusters/azure-cacher-token'));
    const big = 'x'.repeat(70_000) + '\n';
    const server = await startSnapshotServer({ snapshot, execHandler: () => ({ stdout: big }) });
    try {
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig);
      const out = await new KubeExec(kc).run(POD, ['cat', 'big']);
      expect(out.stdout.length).toBe(big.length);
      expect(out.exitCode).toBe(0);
    } finally {
      await server.close();
    }
  });
});
