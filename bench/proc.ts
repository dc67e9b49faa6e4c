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
}

export interface Running {
  /** Resolves when `ready` matched (or the process ended). */
  ready: Promise<void>;
  done: Promise<Measured>;
  stop: () => void;
}

/** Start a command, polling its peak RSS; `ready` marks when it says it is ready (a server's "serving …" line). */
export function measure(cmd: string, args: string[], opts: SpawnOptions & { ready?: RegExp } = {}): Running {
  const start = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  let peak = 0;
  let stderr = '';
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
      resolve({ wallMs: performance.now() - start, ...(readyMs !== undefined ? { readyMs } : {}), peakRssMb: peak, exit: code, stderr });
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
