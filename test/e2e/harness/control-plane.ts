/**
 * Start and stop the real control plane (test/e2e/harness/supervisor.ts) from a test run, a benchmark or a script.
 * The binaries come from `scripts/build-control-plane.sh` (test/control-plane/bin), or `$MED_CONTROL_PLANE_BIN`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControlPlaneState } from './supervisor.js';

export type { ControlPlaneState } from './supervisor.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = process.env.MED_CONTROL_PLANE_BIN ?? join(REPO, 'test/control-plane/bin');
export const PROGRAMS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'helm', 'kubectl'] as const;

/** The programs that are not built yet (empty when the control plane can start). */
export function missingPrograms(): string[] {
  return PROGRAMS.filter((p) => !existsSync(join(BIN, p)));
}

export interface RunningControlPlane {
  state: ControlPlaneState;
  stop(): Promise<void>;
}

/** Start etcd, kube-apiserver, controller-manager, scheduler and kwok; resolves when all of them answer. */
export async function startControlPlane(opts: { timeoutMs?: number; log?: (line: string) => void } = {}): Promise<RunningControlPlane> {
  const missing = missingPrograms();
  if (missing.length) throw new Error(`control plane: ${missing.join(', ')} not built in ${BIN} (run scripts/build-control-plane.sh)`);
  const dir = mkdtempSync(join(tmpdir(), 'med-control-plane-'));
  const stateFile = join(dir, 'state.json');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'test/e2e/harness/supervisor.ts'), '--dir', dir, '--bin', BIN, '--state', stateFile, '--parent', String(process.pid)],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const line of d.toString().split('\n').filter(Boolean)) opts.log?.(line);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const state = await new Promise<ControlPlaneState>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`control plane: not ready within ${(opts.timeoutMs ?? 180_000) / 1000}s\n${stderr}`));
    }, opts.timeoutMs ?? 180_000);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        clearTimeout(timer);
        resolvePromise(JSON.parse(readFileSync(stateFile, 'utf8')) as ControlPlaneState);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`control plane: supervisor exited (${code}) before ready\n${stderr}`));
    });
  });
  return {
    state,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
