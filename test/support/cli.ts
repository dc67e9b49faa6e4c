/** Running the CLI in process, as a user would from a shell: its exit code and what it wrote to stdout and stderr. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli.js';

/** A stream that keeps what was written; not a TTY, 100 columns, like a pipe. */
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
  code: number;
  stdout: string;
  stderr: string;
}

/** `main(args)` with `env` set for the run (undefined removes a variable) and restored after. */
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
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
