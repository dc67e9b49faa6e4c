/**
 * The npm package as users get it (slow: a full build and an install of every dependency). A fresh copy of the
 * repository (its files as git sees them, no dist/) is packed with `npm pack`: `prepare` builds dist/, and the
 * tarball holds what the CLI reads at run time and nothing of the tests. Then `npx --yes ./<tarball> demo -o json`
 * installs it with its dependencies and runs it; and `npm run demo` in that copy does not build again.
 *
 * Simulated part: the npm registry's metadata, served on loopback from package-lock.json (test/dist/lock-registry.ts),
 * because tests reach loopback only. Every package tarball comes from the local npm cache, as `npm ci` left it:
 * the test fails if npm had to ask for one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startLockRegistry, type LockRegistry } from './lock-registry.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string>; engines: { node: string } };
const TARBALL = `${PKG.name}-${PKG.version}.tgz`;
const NODE_BIN = join(ROOT, 'node_modules/.bin');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
/** Asynchronous, so the loopback registry in this process can answer while npm runs. */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(cmd, args, {
      cwd,
      env: {
        ...process.env,
        PATH: `${NODE_BIN}:${process.env.PATH ?? ''}`,
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
        NO_COLOR: '1',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The repository's files as a fresh clone has them (tracked, plus new files not ignored), with node_modules linked. */
function freshCopy(to: string) {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .stdout.split('\0')
    .filter((f) => f && f !== 'node_modules' && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(join(ROOT, f), join(to, f));
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(to, 'node_modules'));
}

/** npx installs into ~/.npm/_npx/<hash>: the folder whose package.json asks for this tarball. */
function npxInstall(tarball: string): string | undefined {
  const base = join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_npx');
  if (!existsSync(base)) return undefined;
  return readdirSync(base)
    .map((d) => join(base, d))
    .find((d) => existsSync(join(d, 'package.json')) && readFileSync(join(d, 'package.json'), 'utf8').includes(tarball));
}

/** The system's older Node (Debian's), to check the engines line; and why that check cannot run, if it cannot. */
const OLD_NODE = '/usr/bin/node';
function oldNodeProblem(): string | undefined {
  const version = existsSync(OLD_NODE) ? spawnSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (!/^v(1\d|2[01])\./.test(version)) return `no Node older than 22 at ${OLD_NODE}`;
  // The Node-version launcher is another change (issue 16); until it is merged the bin is the CLI itself, and an
  // older Node fails later with a stack trace from undici.
  if (PKG.bin['model-engine-doctor'] === 'dist/src/cli.js') return 'package.json bin is still dist/src/cli.js (no Node-version launcher yet)';
  return undefined;
}
const oldNodeSkip = oldNodeProblem();
if (oldNodeSkip) process.stderr.write(`SKIPPED the older-Node check: ${oldNodeSkip}\n`);

const du = (dir: string) => Number(spawnSync('du', ['-sk', dir], { encoding: 'utf8' }).stdout.split('\t')[0]) * 1024;

let work: string;
let repo: string;
let out: string;
let packed: Run;
let files: string[] = [];
let registry: LockRegistry;
let npx: Run;
let installed: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'med-npm-'));
  repo = join(work, 'repo');
  out = join(work, 'out');
  mkdirSync(out);
  freshCopy(repo);
  packed = await run('npm', ['pack', '--json', '--pack-destination', out], repo);
  if (packed.code === 0) {
    const json = packed.stdout.slice(packed.stdout.indexOf('['));
    files = (JSON.parse(json) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  }
  registry = await startLockRegistry(join(ROOT, 'package-lock.json'));
  const user = join(work, 'user');
  mkdirSync(user);
  cpSync(join(out, TARBALL), join(user, TARBALL));
  npx = await run('npx', ['--yes', `./${TARBALL}`, 'demo', '-o', 'json'], user, { npm_config_registry: registry.url });
  installed = npxInstall(join(user, TARBALL).replace(/^\//, ''));
}, 900_000);

afterAll(async () => {
  await registry?.close();
  // npx's install of this temporary tarball is of no use to anyone later.
  if (installed) rmSync(installed, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
  // A fresh copy of the repository and an npx install: thousands of files, which a loaded machine took over the
  // default 5 s (and once over 30 s) to delete.
}, 300_000);

describe('npm pack of a fresh copy of the repository', () => {
  it('runs prepare, which builds dist/ because the copy has none', () => {
    expect(packed.code).toBe(0);
    expect(packed.stderr).toContain('building dist/: dist/src/cli.js is missing');
  });

  it('holds the built CLI, the checks, the demo snapshot the demo command serves, the docs its reports link to', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/src/cli.js', 'dist/src/version.js', 'dist/src/commands/demo.js']));
    expect(files.filter((f) => f.startsWith('dist/checks/')).length).toBeGreaterThan(40);
    // Every folder the build compiles but the benchmarks: the CLI imports them all (the causes of \`endpoint\` too).
    const built = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }).include.filter((d) => d !== 'bench');
    for (const dir of built) expect(files.filter((f) => f.startsWith(`dist/${dir}/`)).length).toBeGreaterThan(0);
    const demo = spawnSync('git', ['ls-files', 'fixtures/clusters/demo-aws'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(demo.length).toBeGreaterThan(20);
    expect(demo.some((f) => f.endsWith('.log'))).toBe(true);
    expect(files).toEqual(expect.arrayContaining(demo));
    expect(files.filter((f) => f.startsWith('docs/checks/')).length).toBeGreaterThan(40);
    for (const bin of Object.values(PKG.bin)) expect(files).toContain(bin);
  });

  it('holds no tests, no other fixtures, no TypeScript sources, no benchmarks, no build stamp', () => {
    const unwanted = files.filter(
      (f) =>
        f.startsWith('test/') ||
        (f.startsWith('fixtures/') && !f.startsWith('fixtures/clusters/demo-aws/')) ||
        f.startsWith('src/') ||
        f.startsWith('checks/') ||
        f.startsWith('bench/') ||
        f.startsWith('dist/bench/') ||
        f.startsWith('scripts/') ||
        f.endsWith('.ts') ||
        f === 'dist/.build-stamp',
    );
    expect(unwanted).toEqual([]);
  });
});

describe('npx --yes ./<tarball> demo -o json', () => {
  it('installs the package from the tarball and runs the demo: the JSON report, exit 3 (the demo cluster has failures)', () => {
    expect(npx.stderr).toContain('demo: serving the embedded model-engine cluster snapshot');
    expect(npx.code).toBe(3);
    const report = JSON.parse(npx.stdout) as { tool: { version: string }; results: { status: string }[] };
    expect(report.tool.version).toBe(PKG.version);
    expect(report.results.filter((r) => r.status === 'fail').length).toBeGreaterThan(0);
  });

  it('took every dependency from the local npm cache: the registry was asked for metadata only', () => {
    expect(registry.packuments.length).toBeGreaterThan(100);
    expect(registry.misses.filter((m) => m.includes('/-/'))).toEqual([]);
  });

  it('installs both bins, and the README states the installed size within 20%', () => {
    expect(installed).toBeDefined();
    const bins = join(installed!, 'node_modules/.bin');
    expect(existsSync(join(bins, 'model-engine-doctor'))).toBe(true);
    expect(existsSync(join(bins, 'kubectl-model_engine_doctor'))).toBe(true);
    const measuredMb = du(join(installed!, 'node_modules')) / 1e6;
    const stated = readFileSync(join(ROOT, 'README.md'), 'utf8').match(/installs about (\d+) MB/);
    expect(stated).not.toBeNull();
    const statedMb = Number(stated![1]);
    expect(Math.abs(measuredMb - statedMb) / statedMb).toBeLessThan(0.2);
  });

  (oldNodeSkip ? it.skip : it)(`on a Node older than engines (${PKG.engines.node}), says so in one line`, () => {
    const r = spawnSync(OLD_NODE, [join(installed!, 'node_modules', PKG.name, PKG.bin['model-engine-doctor']!), 'demo', '-o', 'json'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/Node(\.js)? .*22/);
  });
});

describe('npm run demo in the packed copy', () => {
  it('does not build again (prepare just did), and builds only after a source changes', async () => {
    const demo = await run('npm', ['run', '--silent', 'demo', '--', '-o', 'json'], repo);
    expect(demo.stderr).not.toContain('building dist/');
    expect(demo.code).toBe(3);
    expect(JSON.parse(demo.stdout)).toMatchObject({ tool: { version: PKG.version } });
    writeFileSync(join(repo, 'src/version.ts'), `${readFileSync(join(repo, 'src/version.ts'), 'utf8')}// changed\n`);
    const check = await run('node', ['scripts/build-if-changed.mjs', '--check'], repo);
    expect(check).toMatchObject({ code: 1, stdout: 'build needed: the sources changed since the last build\n' });
  });
});
