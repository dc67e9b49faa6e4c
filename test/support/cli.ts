/** The CLI run in this process with captured streams (one helper: ./capture.ts), with the arguments echoed back. */
import { runMain, type MainRun } from './capture.js';

export { Capture } from './capture.js';

export interface CliRun extends MainRun {
  args: string[];
}

/** Run the CLI with `env` set for the run only (a value of `undefined` unsets the variable). */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return { args, ...(await runMain(args, env)) };
}
