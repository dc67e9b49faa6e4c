/**
 * The exec port over the Kubernetes exec API (client-node's `Exec`, WebSocket `v5/v4.channel.k8s.io`): runs
 * model-engine's own Python in a gateway pod. Commands are built here and parsed here; the pod's output is
 * scrubbed of anything credential-shaped before it reaches a result.
 */
import { Writable } from 'node:stream';
import { deflateSync, inflateSync } from 'node:zlib';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { CancelledError } from '../../engine/errors.js';
import type { ExecOutput, ExecPort, PodRef } from '../../engine/ports/exec.js';
import type { RedisProbeOptions, RedisProbeResult } from '../../engine/ports/redis.js';
import { redactText } from '../../engine/redact.js';
import { PACKAGE_VERSION_PY, REDIS_PROBE_PY, RESULT_MARKER } from './redis-probe-script.js';

export const DEFAULT_EXEC_TIMEOUT_MS = 30_000;

/**
 * A script as a short `python -c` program: zlib + base64, so the exec URL (the command travels in the query
 * string) stays a few KB — API-server proxies often refuse request lines over 8 KB.
 */
export function bootstrap(script: string): string {
  const packed = deflateSync(Buffer.from(script, 'utf8'), { level: 9 }).toString('base64');
  return `import base64,zlib;exec(compile(zlib.decompress(base64.b64decode("${packed}")),"model-engine-doctor","exec"))`;
}

/** The script inside a {@link bootstrap} program (tests, debugging). */
export function unbootstrap(code: string): string | undefined {
  const m = /b64decode\("([A-Za-z0-9+/=]+)"\)/.exec(code);
  return m ? inflateSync(Buffer.from(m[1]!, 'base64')).toString('utf8') : undefined;
}

/** The argv for the in-pod Redis probe: `python -c <script> <json args>`. */
export function redisProbeCommand(which: 'cache' | 'broker', opts: Omit<RedisProbeOptions, 'pings' | 'signal'> & { db?: number } = {}): string[] {
  const args = {
    which,
    db: opts.db ?? 0,
    timeout: Math.max(1, Math.round((opts.timeoutMs ?? 5000) / 1000)),
    acl: opts.aclCommands ?? [],
    lists: opts.listLengths ?? [],
  };
  return ['python', '-c', bootstrap(REDIS_PROBE_PY), JSON.stringify(args)];
}

export function packageVersionCommand(distribution: string): string[] {
  return ['python', '-c', bootstrap(PACKAGE_VERSION_PY), distribution];
}

/** The result line of a script's stdout, or undefined. */
export function resultLine(stdout: string): string | undefined {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(RESULT_MARKER));
  return line === undefined ? undefined : line.slice(RESULT_MARKER.length).trim();
}

/** Parse the probe script's output into a probe result (throws with the stderr tail when there is none). */
export function parseProbeOutput(out: ExecOutput, from: string): RedisProbeResult {
  const line = resultLine(out.stdout);
  if (line === undefined) {
    const tail = (out.stderr || out.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`the probe printed no result (exit ${out.exitCode ?? '?'}): ${redactText(tail).slice(0, 500)}`);
  }
  const r = JSON.parse(line) as RedisProbeResult;
  return {
    ...r,
    target: redactText(String(r.target ?? '')),
    from,
    steps: (r.steps ?? []).map((s) => ({ ...s, detail: redactText(String(s.detail ?? '')) })),
    ...(r.acl ? { acl: r.acl.map((v) => ({ ...v, detail: redactText(String(v.detail ?? '')) })) } : {}),
  };
}

/** The exit code in an exec `Status` (`Success` → 0; `NonZeroExitCode` → its cause). */
export function exitCodeOf(status: V1Status | undefined): number | undefined {
  if (!status) return undefined;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message !== undefined ? Number(cause.message) : 1;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString('utf8');
    if (this.text.length > 1_000_000) this.text = this.text.slice(-1_000_000);
    cb();
  }
}

export class KubeExec implements ExecPort {
  private readonly exec: Exec;
  constructor(
    kc: KubeConfig,
    private readonly timeoutMs = DEFAULT_EXEC_TIMEOUT_MS,
  ) {
    this.exec = new Exec(kc);
  }

  /** Run a command to completion (or timeout/abort, which closes the stream). */
  async run(pod: PodRef, command: string[], signal?: AbortSignal, timeoutMs = this.timeoutMs): Promise<ExecOutput> {
    if (signal?.aborted) throw new CancelledError();
    const stdout = new Collect();
    const stderr = new Collect();
    let status: V1Status | undefined;
    let ws: Awaited<ReturnType<Exec['exec']>>;
    try {
      ws = await this.exec.exec(pod.namespace, pod.pod, pod.container, command, stdout, stderr, null, false, (s) => (status = s));
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      throw new Error(/403|forbidden/i.test(msg) ? `forbidden: cannot create pods/exec in namespace ${pod.namespace}` : `exec into ${pod.namespace}/${pod.pod}: ${redactText(msg.split('\n')[0]!)}`);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`exec into ${pod.namespace}/${pod.pod} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        ws.close();
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      ws.on('error', (e: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(new Error(`exec into ${pod.namespace}/${pod.pod}: ${e.message}`));
      });
    });
    const code = exitCodeOf(status);
    return { ...(code !== undefined ? { exitCode: code } : {}), stdout: stdout.text, stderr: stderr.text };
  }

  async redisProbe(pod: PodRef, which: 'cache' | 'broker', opts: Omit<RedisProbeOptions, 'pings'> & { db?: number } = {}): Promise<RedisProbeResult> {
    const out = await this.run(pod, redisProbeCommand(which, opts), opts.signal, Math.max(this.timeoutMs, (opts.timeoutMs ?? 5000) * 8));
    return parseProbeOutput(out, `pod ${pod.namespace}/${pod.pod}`);
  }

  async pythonPackageVersion(pod: PodRef, distribution: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string | undefined> {
    const out = await this.run(pod, packageVersionCommand(distribution), opts.signal, opts.timeoutMs);
    const v = resultLine(out.stdout);
    if (v === undefined) throw new Error(`python printed no version (exit ${out.exitCode ?? '?'}): ${redactText(out.stderr.trim().split('\n').slice(-1)[0] ?? '')}`);
    return v === '' ? undefined : v;
  }
}

export function createExecPort(kc: KubeConfig): ExecPort {
  return new KubeExec(kc);
}
