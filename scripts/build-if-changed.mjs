#!/usr/bin/env node
/**
 * `npm run build`, but only when what it compiles changed since the last build: `npm run demo` and `prepare`
 * start at once on an up-to-date dist/.
 *
 *   node scripts/build-if-changed.mjs           # build if needed
 *   node scripts/build-if-changed.mjs --check   # exit 1 if a build is needed, 0 if dist/ is up to date
 *
 * The stamp dist/.build-stamp holds a SHA-256 over the build's inputs (below), written by scripts/post-build.mjs at
 * the end of every successful build; content, not mtimes, so a checkout or a touch does not force a build.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What `npm run build` reads: its configs, the build scripts, and the folders tsconfig.build.json includes (read
 * from it, so a folder added to the build is an input without a second list to keep in step).
 */
export function buildInputs(root = ROOT) {
  const config = join(root, 'tsconfig.build.json');
  let include = [];
  if (existsSync(config)) {
    try {
      include = JSON.parse(readFileSync(config, 'utf8')).include ?? [];
    } catch (e) {
      throw new Error(`tsconfig.build.json is not plain JSON (its include names the build's inputs): ${e.message}`);
    }
  }
  return ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/post-build.mjs', ...include];
}
export const STAMP = join('dist', '.build-stamp');
/** The file `npm run demo` runs; no build without it is complete. */
const ENTRY = join('dist', 'src', 'cli.js');

/** A file input is itself; a folder input is every file under it. */
function filesOf(root, rel) {
  const abs = join(root, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** SHA-256 over the sorted paths and contents of the build's inputs. */
export function sourceHash(root = ROOT) {
  const hash = createHash('sha256');
  const all = [...new Set(buildInputs(root).flatMap((rel) => filesOf(root, rel)))].sort();
  for (const rel of all) hash.update(`${rel.split(sep).join('/')}\0`).update(readFileSync(join(root, rel))).update('\0');
  return hash.digest('hex');
}

/** Why a build is needed, or undefined when dist/ was built from exactly these inputs. */
export function buildReason(root = ROOT) {
  if (!existsSync(join(root, ENTRY))) return `${ENTRY} is missing`;
  if (!existsSync(join(root, STAMP))) return `no ${STAMP} (dist/ was not built by npm run build)`;
  if (readFileSync(join(root, STAMP), 'utf8').trim() !== sourceHash(root)) return 'the sources changed since the last build';
  return undefined;
}

export function writeStamp(root = ROOT) {
  writeFileSync(join(root, STAMP), `${sourceHash(root)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const reason = buildReason();
  if (process.argv.includes('--check')) {
    process.stdout.write(reason ? `build needed: ${reason}\n` : 'dist/ is up to date\n');
    process.exit(reason ? 1 : 0);
  }
  if (reason) {
    process.stderr.write(`building dist/: ${reason}\n`);
    const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
}
