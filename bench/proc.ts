/** Child processes measured from outside: wall time, time to a line on stderr, peak RSS (VmHWM from /proc). */
import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measured {
  wallMs: number;
  /** When `ready` matched a stderr line: ms from spawn to it. */
  readyMs?: number;
  peakRssMb: number;
  exit: number | null;
  stderr: string;
  /** What it printed, when asked for (`stdout: true`). */
  stdout: string;
}

export interface Running {
  /** Resolves when `ready` matched (or the process ended). */
  ready: Promise<void>;
  done: Promise<Measured>;
  stop: () => void;
}

/** Start a command, polling its peak RSS; `ready` marks when it says it is ready (a server's "serving …" line). */
export function measure(cmd: string, args: string[], opts: SpawnOptions & { ready?: RegExp; stdout?: boolean } = {}): Running {
  const start = performance.now();
  const { stdout: keepStdout, ...spawnOpts } = opts;
  const child = spawn(cmd, args, { stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'], ...spawnOpts });
  let peak = 0;
  let stderr = '';
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  let readyMs: number | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 20);
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (readyMs === undefined && opts.ready?.test(stderr)) {
      readyMs = performance.now() - start;
      markReady();
    }
  });
  const done = new Promise<Measured>((resolve) =>
    child.once('exit', (code) => {
      clearInterval(timer);
      markReady();
      resolve({ wallMs: performance.now() - start, ...(readyMs !== undefined ? { readyMs } : {}), peakRssMb: peak, exit: code, stderr, stdout });
    }),
  );
  return {
    ready,
    done,
    stop: () => {
      sample();
      child.kill('SIGINT');
    },
  };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A loopback TCP proxy that counts the bytes the server sends back (TLS or not, passed through untouched). */
export async function countingProxy(target: URL): Promise<{ url: string; bytes: () => number; close: () => void }> {
  const net = await import('node:net');
  let bytes = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    upstream.on('data', (d: Buffer) => (bytes += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return { url: `${target.protocol}//127.0.0.1:${port}`, bytes: () => bytes, close: () => server.close() };
}
