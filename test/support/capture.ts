/**
 * The CLI's `main` in process, as the tests drive it: captured stdout/stderr shaped like a non-TTY terminal, the
 * environment changed for the run and restored after it, and an optional Ctrl-C (SIGINT) for commands that run
 * until one (serve, --watch).
 */
import { Writable } from 'node:stream';
import { main } from '../../src/cli.js';

/** A stream that keeps what is written to it, shaped like a non-TTY stdout/stderr. */
export class Capture extends Writable {
  text = '';
  isTTY = false;
  columns = 100;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `main(args)` with `env` applied (undefined deletes a variable), then restore the environment. */
export async function runMain(args: string[], env: Record<string, string | undefined> = {}, opts: { interruptAfterMs?: number } = {}): Promise<MainRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const timer = opts.interruptAfterMs ? setTimeout(() => process.emit('SIGINT', 'SIGINT'), opts.interruptAfterMs) : undefined;
  try {
    const code = await main(args, { stdout, stderr });
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    clearTimeout(timer);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
