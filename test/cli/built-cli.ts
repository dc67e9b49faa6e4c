/**
 * The built CLI in a child process, started through its bin entry (bin/model-engine-doctor.cjs → dist/src/cli.js)
 * with the pinned Node, exactly as `npx model-engine-doctor` runs it. The test command builds before jest
 * (scripts/test-all.sh); without a build these tests skip and say why.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
export { demoServer } from '../support/demo-server.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/model-engine-doctor.cjs');
export const NODE = join(ROOT, 'node_modules/.bin/node');
export const DIST_CLI = process.env.MED_E2E_CLI ?? join(ROOT, 'dist/src/cli.js');
export const DEMO = join(ROOT, 'fixtures/clusters/demo-aws');

/** Why the built-CLI tests cannot run here, or undefined when they can. */
export const builtSkipReason = !existsSync(DIST_CLI) ? `${DIST_CLI} is not built (npm run build)` : undefined;

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Send SIGINT after this many ms (commands that run until Ctrl-C: serve, --watch). */
  interruptAfterMs?: number;
  /** Send SIGINT once stdout so far satisfies this (e.g. after N lines of a --watch). */
  interruptWhen?: (stdout: string) => boolean;
  /** Kill after this long (a hung command fails the test instead of jest's timeout). Default 60 s. */
  timeoutMs?: number;
  node?: string;
  /** The entry script; default the bin launcher. */
  entry?: string;
}

/** A child process's environment: the caller's minus CI and KUBECONFIG (tests say what they want), loopback only. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MED_NETWORK: 'loopback', CI: 'true', NO_COLOR: '1' };
  delete env.KUBECONFIG;
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not the CLI's business
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runBuilt(args: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(opts.node ?? NODE, [opts.entry ?? BIN, ...args], { cwd: opts.cwd ?? ROOT, env: baseEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!interrupted && opts.interruptWhen?.(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const interrupt = opts.interruptAfterMs ? setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs) : undefined;
    const kill = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(interrupt);
      clearTimeout(kill);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** The one-line error contract: no stack trace, at most `lines` lines on stderr. */
export function oneLine(r: Run, lines = 1): boolean {
  return !/\n\s+at /.test(r.stderr) && r.stderr.trim().split('\n').length <= lines;
}
