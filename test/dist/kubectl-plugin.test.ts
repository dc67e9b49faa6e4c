/**
 * As a kubectl plugin: invoked as `kubectl-model_engine_doctor` (krew's symlink, npm's second bin, or any link of
 * that name) the usage says `kubectl model-engine-doctor …`; by its own name it says `model-engine-doctor …`.
 * The built CLI through a symlink, and through the real kubectl's plugin mechanism.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KUBECTL_PLUGIN_BIN, programName } from '../../src/program-name.js';
import { findKubectl, ROOT } from './tools.js';

const CLI = join(ROOT, 'dist/src/cli.js');
/** The pinned Node (the CLI's shebang is `env node`). */
const NODE_BIN = join(ROOT, 'node_modules/.bin');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function run(file: string, args: string[], path: string): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { env: { PATH: path, HOME: dir, NO_COLOR: '1' }, timeout: 30_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Why the built CLI cannot be tested: dist/ missing or built from other sources (the test command builds first). */
function builtCliProblem(): string | undefined {
  const check = spawnSync(process.execPath, [join(ROOT, 'scripts/build-if-changed.mjs'), '--check'], { encoding: 'utf8' });
  return check.status === 0 ? undefined : `${check.stdout.trim() || check.stderr.trim()} (npm run build)`;
}

describe('programName (how usage names the tool)', () => {
  it.each([
    ['/home/me/.krew/bin/kubectl-model_engine_doctor', 'kubectl model-engine-doctor'],
    ['kubectl-model_engine_doctor', 'kubectl model-engine-doctor'],
    ['/usr/local/lib/node_modules/model-engine-doctor/dist/src/cli.js', 'model-engine-doctor'],
    ['/usr/local/bin/model-engine-doctor', 'model-engine-doctor'],
    ['./model-engine-doctor', 'model-engine-doctor'],
    ['/usr/local/bin/kubectl-model-engine-doctor', 'model-engine-doctor'], // kubectl looks up underscores only
    [undefined, 'model-engine-doctor'],
  ])('%s → %s', (invokedAs, expected) => {
    expect(programName(invokedAs)).toBe(expected);
  });

  it('the plugin executable is the name kubectl looks up for `kubectl model-engine-doctor` (dashes become underscores)', () => {
    expect(KUBECTL_PLUGIN_BIN).toBe(`kubectl-${'model-engine-doctor'.replaceAll('-', '_')}`);
  });

  it("package.json installs the plugin executable as a second bin, pointing at the same file as the tool's own", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin[KUBECTL_PLUGIN_BIN]).toBe(pkg.bin['model-engine-doctor']);
  });
});

let dir: string;
const problem = builtCliProblem();
const kubectl = findKubectl();
if (problem) process.stderr.write(`SKIPPED kubectl plugin end-to-end tests: ${problem}\n`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-plugin-'));
  await symlink(CLI, join(dir, KUBECTL_PLUGIN_BIN));
  await symlink(CLI, join(dir, 'model-engine-doctor'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

(problem ? describe.skip : describe)('the built CLI through a symlink', () => {
  const path = () => [dir, NODE_BIN, '/usr/bin', '/bin'].join(delimiter);

  it('as kubectl-model_engine_doctor: usage, examples and subcommand usage say `kubectl model-engine-doctor`', async () => {
    const help = await run(join(dir, KUBECTL_PLUGIN_BIN), ['--help'], path());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kubectl model-engine-doctor \[options\] \[command\]/);
    expect(help.stdout).toContain('$ kubectl model-engine-doctor triage --snapshot ./snap -o markdown');
    expect(help.stdout).not.toMatch(/\$ model-engine-doctor /);
    const sub = await run(join(dir, KUBECTL_PLUGIN_BIN), ['triage', '--help'], path());
    expect(sub.stdout).toMatch(/^Usage: kubectl model-engine-doctor triage \[options\]/);
  });

  it('found on PATH by its bare name, as model-engine-doctor: usage says `model-engine-doctor`', async () => {
    const help = await run('model-engine-doctor', ['--help'], path());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: model-engine-doctor \[options\] \[command\]/);
    expect(help.stdout).toContain('$ model-engine-doctor demo');
  });
});

(problem || !kubectl ? describe.skip : describe)(`the real kubectl's plugin mechanism (${kubectl ?? 'no kubectl found'})`, () => {
  if (!problem && !kubectl) process.stderr.write('SKIPPED kubectl plugin mechanism test: no kubectl (test/control-plane/bin, MED_KUBECTL or PATH)\n');
  const path = () => [dir, NODE_BIN, '/usr/bin', '/bin'].join(delimiter);

  it('`kubectl model-engine-doctor --help` runs the plugin, whose usage names it as kubectl does', async () => {
    const help = await run(kubectl!, ['model-engine-doctor', '--help'], path());
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kubectl model-engine-doctor \[options\] \[command\]/);
  });

  it('`kubectl model-engine-doctor --version` prints the version; `kubectl plugin list` lists the plugin', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const v = await run(kubectl!, ['model-engine-doctor', '--version'], path());
    expect(v.stdout.trim()).toBe(version);
    const list = await run(kubectl!, ['plugin', 'list'], path());
    expect(list.stdout).toContain(join(dir, KUBECTL_PLUGIN_BIN));
  });
});
