/**
 * What e2e tests use to drive the real control plane: its state, kubectl and helm (the binaries built beside it),
 * polling, user kubeconfigs (client certificates signed by the cluster CA) and the doctor itself, run in process
 * through `main()` exactly as the CLI runs it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../../src/cli.js';
import { BIN, REPO } from './control-plane.js';
import { clientCert, kubeconfig as makeKubeconfig } from './pki.js';
import type { ControlPlaneState } from './supervisor.js';

export { REPO, BIN };

/** Why the e2e tier cannot run here (the control plane was not started), or undefined. */
export function e2eUnavailable(): string | undefined {
  if (process.env.MED_E2E_SKIP) return process.env.MED_E2E_SKIP;
  if (!process.env.MED_E2E_STATE) return 'e2e: no control plane (run through jest.e2e.config.js)';
  return undefined;
}

let cached: ControlPlaneState | undefined;
export function cluster(): ControlPlaneState {
  cached ??= JSON.parse(readFileSync(process.env.MED_E2E_STATE!, 'utf8')) as ControlPlaneState;
  return cached;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function exec(file: string, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: { ...process.env, ...opts.env }, maxBuffer: 512 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, ...(opts.cwd ? { cwd: opts.cwd } : {}) },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** kubectl (the pinned build) as the admin, or with another kubeconfig: exit code and both streams. */
export function kubectlRun(args: string[], opts: { input?: string; kubeconfig?: string } = {}): Promise<Run> {
  return exec(join(BIN, 'kubectl'), [`--kubeconfig=${opts.kubeconfig ?? cluster().kubeconfig}`, ...args], { input: opts.input });
}

/** kubectl's stdout; throws with stderr on failure unless `allowFail`. */
export async function kubectl(args: string[], opts: { input?: string; kubeconfig?: string; allowFail?: boolean } = {}): Promise<string> {
  const r = await kubectlRun(args, opts);
  if (r.code !== 0 && !opts.allowFail) throw new Error(`kubectl ${args.join(' ')} → ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

export async function kubectlJson<T = unknown>(args: string[], opts: { kubeconfig?: string } = {}): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'], opts)) as T;
}

/** Apply objects (or YAML text) with server-side apply, as the admin. */
export async function apply(objects: string | object | object[]): Promise<void> {
  const input =
    typeof objects === 'string'
      ? objects
      : (Array.isArray(objects) ? objects : [objects]).map((o) => JSON.stringify(o)).join('\n---\n');
  await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=e2e', '-f', '-'], { input });
}

export async function helm(args: string[], opts: { allowFail?: boolean } = {}): Promise<Run> {
  const r = await exec(join(BIN, 'helm'), [...args, `--kubeconfig=${cluster().kubeconfig}`], {
    env: { HELM_CACHE_HOME: join(tmpdir(), 'med-helm-cache'), HELM_CONFIG_HOME: join(tmpdir(), 'med-helm-config'), HELM_DATA_HOME: join(tmpdir(), 'med-helm-data') },
    timeoutMs: 300_000,
  });
  if (r.code !== 0 && !opts.allowFail) throw new Error(`helm ${args.join(' ')} → ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/** Poll `fn` until it returns a truthy value (returned) or the timeout passes (throws with `what`). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A kubeconfig for a certificate user `name` (in `groups`), signed by the cluster CA. Grants nothing by itself. */
export function userKubeconfig(name: string, groups: string[] = []): string {
  const state = cluster();
  const dir = join(state.dir, 'users');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.kubeconfig`);
  const cert = clientCert({ dir: state.pki }, name, groups);
  const text = makeKubeconfig({ server: state.server, caCert: state.caCert, user: name, client: cert, context: `e2e-${name}` });
  writeFileSync(path, text);
  return path;
}

class Capture extends Writable {
  text = '';
  isTTY = false;
  columns = 120;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

/** Run the doctor in process (`main(argv)`), as the admin unless `kubeconfig` says otherwise. */
export async function doctor(args: string[], opts: { kubeconfig?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const stdout = new Capture();
  const stderr = new Capture();
  const env: Record<string, string | undefined> = { KUBECONFIG: opts.kubeconfig ?? cluster().kubeconfig, CI: 'true', NO_COLOR: '1', ...opts.env };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(args, { stdout, stderr });
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Run the doctor and parse its JSON report; fails the test with stderr when the output is not JSON. */
export async function doctorJson<T = Record<string, unknown>>(args: string[], opts: Parameters<typeof doctor>[1] = {}): Promise<{ code: number | null; report: T; stderr: string }> {
  const r = await doctor([...args, '-o', 'json'], opts);
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch {
    throw new Error(`doctor ${args.join(' ')} exited ${r.code} without JSON:\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  }
}
