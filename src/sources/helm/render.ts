/**
 * `helm template` with the user's values flags, release name and namespace, as a ChartPort. helm is run once per
 * run (no shell, a timeout, the run's abort signal); its output is parsed into objects with their templates.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ChartPort, ChartRender } from '../../engine/ports/chart.js';
import type { ValuesFlags } from '../values/load.js';
import { findHelm } from './binary.js';
import { parseRenderedManifest } from './manifest.js';

export type HelmValuesFlags = ValuesFlags;

export interface RenderOptions {
  chartPath: string;
  release: string;
  namespace: string;
  flags: HelmValuesFlags;
  /** What `-f -` reads (the doctor read stdin once already). */
  stdinText?: string;
  /** The helm binary; default `findHelm()`. */
  helm?: string;
  /** Kubernetes version for `.Capabilities` (`--kube-version`), e.g. the live cluster's. */
  kubeVersion?: string;
  timeoutMs?: number;
  /** Cap on helm's output. */
  maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const FLAG_ARGS: readonly [keyof HelmValuesFlags, string][] = [
  ['files', '--values'],
  ['setJson', '--set-json'],
  ['set', '--set'],
  ['setString', '--set-string'],
  ['setFile', '--set-file'],
  ['setLiteral', '--set-literal'],
];

/** helm's argument list: `template <release> <chart> --namespace <ns> …values flags`. */
export function helmTemplateArgs(opts: Pick<RenderOptions, 'chartPath' | 'release' | 'namespace' | 'flags' | 'kubeVersion'>): string[] {
  const args = ['template', opts.release, opts.chartPath, '--namespace', opts.namespace];
  if (opts.kubeVersion) args.push('--kube-version', opts.kubeVersion);
  for (const [key, flag] of FLAG_ARGS) for (const v of opts.flags[key] ?? []) args.push(flag, v);
  return args;
}

/** The command for people: values of inline flags hidden (they may hold credentials), files shown. */
export function displayCommand(args: readonly string[]): string {
  const shown: string[] = ['helm'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    shown.push(a);
    if (a.startsWith('--set') && i + 1 < args.length) {
      const v = args[++i]!;
      const eq = v.indexOf('=');
      shown.push(a === '--set-json' && v.trim().startsWith('{') ? "'{…}'" : eq > 0 ? `${v.slice(0, eq)}=…` : '…');
    }
  }
  return shown.map((s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`)).join(' ');
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  failure?: 'missing' | 'timeout' | 'aborted' | 'too-large';
}

function runHelm(helm: string, args: string[], stdin: string | undefined, signal: AbortSignal, timeoutMs: number, maxBytes: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(helm, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, env: { ...process.env, HELM_DEBUG: 'false' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failure: RunResult['failure'];
    const stop = (why: NonNullable<RunResult['failure']>) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size > maxBytes) stop('too-large');
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.reduce((n, x) => n + x.length, 0) < 1024 * 1024) err.push(b);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') failure ??= 'missing';
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(failure ? { failure } : {}) });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

/** helm's own error, one line: `Error: …` without the prefix. */
export function helmErrorLine(stderr: string): string {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Error:'));
  if (start < 0) return lines.map((l) => l.trim()).filter(Boolean).pop() ?? 'helm failed without a message';
  // helm v4 continues the error on indented lines ("executing … at <.Values.x>:", "nil pointer …").
  const parts = [lines[start]!.replace(/^Error:\s*/, '').trim()];
  for (const l of lines.slice(start + 1)) {
    if (!/^\s+\S/.test(l)) break;
    parts.push(l.trim());
  }
  return parts.join(' ').replace(/:\s*$/, '');
}

async function chartMeta(chartPath: string): Promise<{ name: string; version: string; appVersion?: string } | undefined> {
  try {
    const meta = parseYaml(await readFile(join(chartPath, 'Chart.yaml'), 'utf8')) as Record<string, unknown> | null;
    if (!meta || typeof meta.name !== 'string') return undefined;
    return { name: meta.name, version: String(meta.version ?? ''), ...(meta.appVersion !== undefined ? { appVersion: String(meta.appVersion) } : {}) };
  } catch {
    return undefined;
  }
}

/** Render the chart. Never throws for helm's own failures: they are a {@link ChartRender} with `ok: false`. */
export async function renderChart(opts: RenderOptions, signal: AbortSignal): Promise<ChartRender> {
  const args = helmTemplateArgs(opts);
  const command = displayCommand(args);
  const base = { command, chartPath: opts.chartPath };
  const meta = await chartMeta(opts.chartPath);
  if (!meta) return { ok: false, kind: 'not-a-chart', error: `${opts.chartPath} is not a helm chart (no readable Chart.yaml with a name)`, ...base };
  let helm = opts.helm;
  if (!helm) {
    const found = findHelm();
    if (!found.path) return { ok: false, kind: 'no-helm', error: found.why ?? 'helm not found', ...base };
    helm = found.path;
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const res = await runHelm(helm, args, opts.stdinText, signal, timeoutMs, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  switch (res.failure) {
    case 'missing':
      return { ok: false, kind: 'no-helm', error: `${helm} could not be run (not found)`, ...base };
    case 'timeout':
      return { ok: false, kind: 'timeout', error: `helm template did not finish in ${timeoutMs / 1000} s`, ...base };
    case 'aborted':
      return { ok: false, kind: 'timeout', error: 'cancelled', ...base };
    case 'too-large':
      return { ok: false, kind: 'helm-error', error: `helm template wrote more than ${(opts.maxBytes ?? DEFAULT_MAX_BYTES) / 1024 / 1024} MiB`, ...base };
    case undefined:
      break;
  }
  if (res.code !== 0) return { ok: false, kind: 'helm-error', error: helmErrorLine(res.stderr), ...base };
  let objects;
  try {
    objects = parseRenderedManifest(res.stdout);
  } catch (e) {
    return { ok: false, kind: 'helm-error', error: (e as Error).message, ...base };
  }
  return {
    ok: true,
    chart: { ...meta, path: opts.chartPath },
    release: { name: opts.release, namespace: opts.namespace },
    objects,
    command,
  };
}

/**
 * A ChartPort that renders on first use and shares the answer. helm is stopped by `runSignal` (Ctrl-C), never by
 * the signal of the check that happened to ask first: that one ends when its check ends, while others still wait.
 */
export function createChartPort(opts: RenderOptions, runSignal?: AbortSignal): ChartPort {
  let pending: Promise<ChartRender> | undefined;
  return {
    path: opts.chartPath,
    render() {
      pending ??= renderChart(opts, runSignal ?? new AbortController().signal);
      return pending;
    },
  };
}
