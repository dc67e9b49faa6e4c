/**
 * `npm run demo` (and `prepare`) build only when the sources changed: scripts/build-if-changed.mjs against the stamp
 * scripts/post-build.mjs writes. The real scripts run in a small project whose `build` is a stand-in for tsc (it
 * copies src/ to dist/ and counts its runs), so each case costs milliseconds; the real build is exercised in
 * test/dist/npm-package.slow.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
let project: string;

const STAND_IN_BUILD = `// Stand-in for tsc: dist/src/cli.js from src/cli.ts, and one line per run in build.log.
import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
mkdirSync('dist/src', { recursive: true });
copyFileSync('src/cli.ts', 'dist/src/cli.js');
appendFileSync('build.log', 'built\\n');
`;

function write(rel: string, text: string) {
  mkdirSync(dirname(join(project, rel)), { recursive: true });
  writeFileSync(join(project, rel), text);
}

/** `node scripts/build-if-changed.mjs [--check]` in the project, with npm and the pinned node on PATH. */
function buildIfChanged(...args: string[]) {
  const r = spawnSync(process.execPath, ['scripts/build-if-changed.mjs', ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const builds = () => (existsSync(join(project, 'build.log')) ? readFileSync(join(project, 'build.log'), 'utf8').split('\n').filter(Boolean).length : 0);

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'med-stamp-'));
  for (const f of ['scripts/build-if-changed.mjs', 'scripts/post-build.mjs']) {
    mkdirSync(dirname(join(project, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(project, f));
  }
  write(
    'package.json',
    JSON.stringify({ name: 'stamp-test', private: true, type: 'module', scripts: { build: 'node stand-in-build.mjs && node scripts/post-build.mjs' } }),
  );
  write('stand-in-build.mjs', STAND_IN_BUILD);
  write('src/cli.ts', 'console.log("v1");\n');
  write('checks/a/b.ts', 'export const b = 1;\n');
  write('diagnoses/c/d.ts', 'export const d = 1;\n');
  write('bench/run.ts', 'export {};\n');
  write('tsconfig.json', '{}\n');
  // The build's folders are those its include names (as in the repository's own tsconfig.build.json).
  write('tsconfig.build.json', JSON.stringify({ include: ['src', 'checks', 'diagnoses', 'bench'] }));
  write('test/a.test.ts', '// a test\n');
  write('docs/a.md', '# a\n');
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

describe('scripts/build-if-changed.mjs', () => {
  it('builds a project that has no dist/, says why, and stamps it', () => {
    const r = buildIfChanged();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('building dist/: dist/src/cli.js is missing');
    expect(builds()).toBe(1);
    expect(readFileSync(join(project, 'dist/.build-stamp'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(buildIfChanged('--check')).toMatchObject({ code: 0, stdout: 'dist/ is up to date\n' });
  });

  it('does not build again when nothing changed, nor when files are only touched', () => {
    buildIfChanged();
    const before = statSync(join(project, 'dist/src/cli.js')).mtimeMs;
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(project, 'src/cli.ts'), later, later);
    const r = buildIfChanged();
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(builds()).toBe(1);
    expect(statSync(join(project, 'dist/src/cli.js')).mtimeMs).toBe(before);
  });

  it.each([
    ['a source file changed', () => write('src/cli.ts', 'console.log("v2");\n')],
    ['a source file was added', () => write('src/new.ts', 'export {};\n')],
    ['a source file was removed', () => rmSync(join(project, 'checks/a/b.ts'))],
    ['a check changed', () => write('checks/a/b.ts', 'export const b = 2;\n')],
    ['a diagnosis cause changed', () => write('diagnoses/c/d.ts', 'export const d = 2;\n')],
    ['a benchmark changed', () => write('bench/run.ts', 'export const x = 1;\n')],
    ['tsconfig.json changed', () => write('tsconfig.json', '{ "compilerOptions": {} }\n')],
    ['tsconfig.build.json changed', () => write('tsconfig.build.json', '{ "include": ["src", "checks", "diagnoses", "bench", "more"] }\n')],
    ['package.json changed', () => write('package.json', readFileSync(join(project, 'package.json'), 'utf8').replace('stamp-test', 'stamp-test-2'))],
  ])('builds again when %s', (_why, change) => {
    buildIfChanged();
    change();
    expect(buildIfChanged('--check')).toMatchObject({ code: 1, stdout: 'build needed: the sources changed since the last build\n' });
    const r = buildIfChanged();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('building dist/: the sources changed since the last build');
    expect(builds()).toBe(2);
    expect(buildIfChanged('--check').code).toBe(0);
  });

  it.each([
    ['a test changed', () => write('test/a.test.ts', '// changed\n')],
    ['the docs changed', () => write('docs/a.md', '# b\n')],
    ['a folder the build does not include changed', () => write('scripts/other.mjs', '// other\n')],
  ])('does not build when only %s', (_why, change) => {
    buildIfChanged();
    change();
    expect(buildIfChanged().stderr).toBe('');
    expect(builds()).toBe(1);
  });

  it('builds when dist/ lost its entry point or its stamp, and fails with the build when the build fails', () => {
    buildIfChanged();
    rmSync(join(project, 'dist/src/cli.js'));
    expect(buildIfChanged().stderr).toContain('dist/src/cli.js is missing');
    rmSync(join(project, 'dist/.build-stamp'));
    expect(buildIfChanged().stderr).toContain('no dist/.build-stamp');
    expect(builds()).toBe(3);
    write('stand-in-build.mjs', 'process.exit(2);\n');
    write('src/cli.ts', 'console.log("v3");\n');
    expect(buildIfChanged().code).toBe(2);
    // No stamp for a failed build: the next run tries again.
    expect(buildIfChanged('--check').code).toBe(1);
  });
});
