// What the tests that drive the built CLI in tmux share: where the CLI is, and why they cannot run here (if so).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toolAvailable } from '../support/tools.js';

export const ROOT = resolve(import.meta.dirname, '../..');
// The test command builds before jest; MED_E2E_CLI points at another build (e.g. one made outside dist/).
export const CLI = process.env.MED_E2E_CLI ?? join(ROOT, 'dist/src/cli.js');
export const NODE = join(ROOT, 'node_modules/.bin/node');
export const DEMO = 'fixtures/clusters/demo-aws';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why a tmux test cannot run here, or undefined when it can. */
export const skipReason: string | undefined = !toolAvailable('tmux', has('tmux'), 'the tmux end-to-end tests')
  ? 'tmux is not installed'
  : !existsSync(CLI)
    ? `${CLI} is not built (npm run build)`
    : !existsSync(join(ROOT, DEMO))
      ? `the demo snapshot ${DEMO} is missing`
      : undefined;
