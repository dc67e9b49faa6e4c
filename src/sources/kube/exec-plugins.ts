/**
 * Exec credential plugins (kubeconfig `users[].user.exec`: `aws eks get-token`, `gke-gcloud-auth-plugin`,
 * `kubelogin`) stay in @kubernetes/client-node's hands (its ExecAuth runs them and caches what they print). We hand
 * its ExecAuth a spawn that starts each plugin in a process group of its own, so a plugin that hangs or that the
 * user cancels is killed together with every child it started, including when the doctor exits on a second Ctrl-C.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { KubeConfig } from '@kubernetes/client-node';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
const POSIX = process.platform !== 'win32';

/** Kill every plugin still running, with its children (its whole process group on POSIX). Synchronous. */
export function killExecPlugins(): void {
  for (const child of running) {
    try {
      if (POSIX && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // The group is already gone.
    }
  }
}

/** How many plugin processes are running now (for tests and the exit hook). */
export const runningExecPlugins = (): number => running.size;

function groupSpawn(command: string, args: readonly string[] | undefined, opts: SpawnOptions | undefined): ChildProcess {
  const child = spawn(command, args ?? [], { ...opts, detached: POSIX });
  running.add(child);
  // `close` comes once every process holding the plugin's stdout/stderr is gone: only then is the group done.
  child.on('close', () => running.delete(child));
  child.on('error', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killExecPlugins);
  }
  return child;
}

/**
 * Make `kc` run exec plugins through {@link groupSpawn}. client-node keeps its ExecAuth (and the `execFn` it
 * spawns with) private, so this reaches in; false when its shape changed (plugins then run as client-node runs
 * them, still bounded in time by the caller). test/faults/exec-plugin.test.ts fails if that happens.
 */
export function guardExecPlugins(kc: KubeConfig): boolean {
  const authenticators = (kc as unknown as { authenticators?: unknown[] }).authenticators;
  const exec = authenticators?.find((a) => typeof (a as { execFn?: unknown } | null)?.execFn === 'function') as { execFn: typeof groupSpawn } | undefined;
  if (!exec) return false;
  exec.execFn = groupSpawn;
  return true;
}

/** The exec plugin the current user runs, if any. */
export function execPluginOf(kc: KubeConfig): string | undefined {
  const user = kc.getCurrentUser() as { exec?: { command?: string }; authProvider?: { config?: { exec?: { command?: string } } } } | null;
  return user?.exec?.command ?? user?.authProvider?.config?.exec?.command;
}
