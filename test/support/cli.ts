/** The CLI run in this process with captured streams: what the CLI, endpoint and security tests drive. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli.js';

/** A stream that keeps what is written to it; not a terminal unless a test says so. */
export class Capture extends Writable {
  text = '';
  isTTY = false;
  columns = 100;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

export interface CliRun {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI with `env` set for the run only (a value of `undefined` unsets the variable). */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(args, { stdout, stderr });
    return { args, code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
