/**
 * The fuzzer's generators and the runs they drive (see fuzz.test.ts): snapshot cases (a fixture with fields set to
 * the wrong type or deleted, a namespace renamed to a hostile name, stray and broken files, packed as a folder, a
 * .tar.gz or a truncated one), kubeconfig cases and values cases, each run through the real CLI in process.
 */
import fc from 'fast-check';
import { mkdir, mkdtemp, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as tar from 'tar';
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../src/engine/types.js';
import { loadSnapshot, type Snapshot } from '../../src/sources/snapshot/load.js';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { fixture } from '../support/check-tester.js';
import type { KubeconfigCase, SnapshotCase, ValuesCase } from './fuzz-regressions.js';
import { expectWellBehaved, filesUnder, logFilesOf, runCli, writeSnapshotFolder, type LogFile } from './support.js';

const BASES = ['healthy-aws', 'endpoint-crash-loop', 'endpoint-image-pull', 'cp-renamed-config-key', 'azure-healthy', 'preflight-aws-broken', 'endpoint-volume', 'demo-aws'] as const;
const ENDPOINTS = ['llama-3-8b-instruct', 'end_ct5j9lan2ojg00a4qma0', 'nope'];

let root: string;
const bases = new Map<string, Snapshot>();
let counter = 0;
let server: SnapshotServer;
let tlsServer: SnapshotServer;
const caseDir = async () => {
  // Deep, so that a path escaping the output folder still lands inside `root`, where the test looks for it.
  const d = join(root, 'a/b/c/d/e/f/g/h/i/j', `case-${++counter}`);
  await mkdir(d, { recursive: true });
  return d;
};

/** Load the base fixtures, start the API servers kubeconfigs point at, and make the sandbox folder. */
export async function setUpFuzz(): Promise<void> {
  root = await mkdtemp(join(tmpdir(), 'med-fuzz-'));
  for (const b of BASES) bases.set(b, await loadSnapshot(fixture(`fixtures/clusters/${b}`)));
  const snapshot = bases.get('healthy-aws')!;
  server = await startSnapshotServer({ snapshot });
  tlsServer = await startSnapshotServer({ snapshot, tls: true, token: 't0ken' });
}

export async function tearDownFuzz(): Promise<void> {
  await server?.close();
  await tlsServer?.close();
  await rm(root, { recursive: true, force: true });
}

// ─── generators ──────────────────────────────────────────────────────────────────────────────────────────────────

const hostileName = fc.constantFrom('../../../../../../../../../../../escape', '..', '.', '', '/etc', 'a/b', 'x\u0000y', 'é✓', ' ', '-', 'CON', '../../x/../y');
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(-1, 0, 1e308, Number.MAX_SAFE_INTEGER, 0.5),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '1e999', 'NaN', 'true', '{}', '[]', '-----BEGIN', '\u001b[2J', 'x'.repeat(5000)),
  hostileName,
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
  fc.constant({}),
  fc.constant([]),
);
const mutation = fc.record({
  pick: fc.nat(),
  path: fc.oneof(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { minLength: 3, maxLength: 9 }), fc.array(fc.nat(), { minLength: 3, maxLength: 9 })),
  // `embedded`: inside a ConfigMap value that holds YAML (the service config), parsed, changed, written back.
  op: fc.constantFrom('set', 'set', 'delete', 'embedded'),
  value: hostileValue,
}) as fc.Arbitrary<SnapshotCase['mutations'][number]>;

/** Files a snapshot folder may hold besides objects: the audit's hostile and broken shapes. */
const STRAYS: Record<string, string> = {
  'notes.json': '{"note": "collected by Sam at 3am", "ticket": 1234}\n',
  'README.md': '# snapshot of prod\n',
  'values.yaml': 'redis:\n  auth: hunter2\n',
  'broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: [1, 2\n',
  'bomb.yaml': `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n${['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`).join('\n')}\n`,
  'recursive.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: loop\n  namespace: model-engine\n  self: *m\n',
  'merge.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: merge\n  namespace: model-engine\n  <<: 5\nspec: 5\nstatus: [1]\n',
  'deep.json': `${'['.repeat(3000)}${']'.repeat(3000)}`,
  'deep.yaml': `${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`,
  'crd.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: broken.example.com\nspec:\n  group: example.com\n',
  'crd-types.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: typed.example.com\nspec:\n  group: 5\n  names: {kind: [1], plural: {}}\n  versions: 7\n',
  'empty.yaml': '',
  'list.json': '[1, 2, 3]\n',
  'scalar.yaml': 'just a string\n',
  'unknown-kind.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: model-engine\nspec: {a: 1}\n',
  'info.json': '{"apiVersion":"model-engine-doctor/v1","kind":"SnapshotInfo","collectedAt":"yesterday","namespaces":5,"context":{}}\n',
  'typed-list.yaml': 'apiVersion: v1\nkind: PodList\nitems: [5, "x", {metadata: {name: p}}]\n',
  'binary.yaml': '\u0000\u0001\u0002\uFFFD\u001b[31m',
  'no-name.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {}\n',
  'name-number.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: 5, namespace: model-engine}\n',
  'logs/model-engine/x.log': 'a log in the wrong place\n',
};
const stray = fc.oneof(
  fc.constantFrom(...Object.keys(STRAYS)).map((name) => ({ name, content: STRAYS[name]! })),
  fc.record({ name: fc.constantFrom('fuzz.yaml', 'fuzz.json'), content: fc.string({ maxLength: 200 }) }),
  fc.record({ name: fc.constant('fuzz.json'), content: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) }),
  fc.record({ name: fc.constantFrom('logs/model-engine/p/c.log', 'logs/llm-engine/p/main.previous.log'), content: fc.string({ maxLength: 300 }) }),
);

export const snapshotCase: fc.Arbitrary<SnapshotCase> = fc.record({
  base: fc.nat(BASES.length - 1),
  mutations: fc.array(mutation, { maxLength: 6 }),
  renameNamespace: fc.option(fc.record({ pick: fc.nat(), to: hostileName }), { nil: undefined }),
  strays: fc.array(stray, { maxLength: 3 }),
  format: fc.constantFrom('yaml', 'json'),
  pack: fc.constantFrom('folder', 'folder', 'tar', 'truncated'),
  cut: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
  command: fc.constantFrom('triage-json', 'triage-json', 'triage-text', 'endpoint', 'collect'),
  endpoint: fc.nat(ENDPOINTS.length - 1),
}) as fc.Arbitrary<SnapshotCase>;

// ─── applying a case ─────────────────────────────────────────────────────────────────────────────────────────────

/** Follow `path` (child indexes, modulo the number of children) into `obj`; set or delete what it lands on. */
function applyMutation(objects: KubeObject[], m: SnapshotCase['mutations'][number]): void {
  if (objects.length === 0) return;
  if (m.op === 'embedded') return applyEmbedded(objects, m);
  let parent: unknown = objects[m.pick % objects.length];
  let key: string | number | undefined;
  for (const step of m.path) {
    const cur: unknown = key === undefined ? parent : (parent as Record<string | number, unknown>)[key];
    if (typeof cur !== 'object' || cur === null) break;
    const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (keys.length === 0) break;
    if (key !== undefined) parent = cur;
    key = keys[step % keys.length]!;
  }
  if (key === undefined || typeof parent !== 'object' || parent === null) return;
  // Breaking an object's identity only tests the loader's one error; most mutations leave it alone to reach the checks.
  const identity = (objects.includes(parent as KubeObject) && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) || objects.some((o) => o?.metadata === parent && (key === 'name' || key === 'namespace'));
  if (identity && m.pick % 4 !== 0) return;
  const p = parent as Record<string | number, unknown>;
  if (m.op === 'delete') {
    if (Array.isArray(p)) p.splice(Number(key), 1);
    else delete p[key];
  } else {
    p[key] = structuredClone(m.value);
  }
}

/** A mutation inside a ConfigMap's YAML value (model-engine's service config, the inference framework map). */
function applyEmbedded(objects: KubeObject[], m: SnapshotCase['mutations'][number]): void {
  const maps = objects.filter((o) => o?.kind === 'ConfigMap' && typeof o.data === 'object' && o.data !== null);
  const cm = maps[m.pick % Math.max(1, maps.length)];
  if (!cm) return;
  const data = cm.data as Record<string, unknown>;
  const keys = Object.keys(data).filter((k) => typeof data[k] === 'string');
  const key = keys[m.path[0]! % Math.max(1, keys.length)];
  if (key === undefined) return;
  let doc: unknown;
  try {
    doc = parse(data[key] as string);
  } catch {
    return;
  }
  if (typeof doc !== 'object' || doc === null) return;
  const holder = [doc] as unknown as KubeObject[];
  applyMutation(holder, { ...m, pick: 0, path: m.path.slice(1).length ? m.path.slice(1) : [0], op: m.path.length % 3 === 0 ? 'delete' : 'set' });
  data[key] = stringify(holder[0], { aliasDuplicateObjects: false });
}

function renameNamespace(objects: KubeObject[], logs: LogFile[], r: NonNullable<SnapshotCase['renameNamespace']>): void {
  // Mutations may have broken any object already: read them as the untyped data they are.
  const meta = (o: unknown) => (typeof o === 'object' && o !== null && typeof (o as KubeObject).metadata === 'object' && (o as KubeObject).metadata !== null ? (o as KubeObject).metadata : undefined);
  const namespaces = [...new Set(objects.map((o) => meta(o)?.namespace).filter((n): n is string => typeof n === 'string' && n !== ''))].sort();
  const from = namespaces[r.pick % Math.max(1, namespaces.length)];
  if (!from) return;
  for (const o of objects) {
    const m = meta(o);
    if (m?.namespace === from) m.namespace = r.to;
  }
  for (const l of logs) if (l.ns === from) l.ns = r.to;
}

async function writeSnapshotCase(c: SnapshotCase, dir: string): Promise<string> {
  const base = bases.get(BASES[c.base]!)!;
  const objects = structuredClone(base.objects);
  const logs = logFilesOf(base.logs);
  for (const m of c.mutations) applyMutation(objects, m);
  if (c.renameNamespace) renameNamespace(objects, logs, c.renameNamespace);
  const folder = join(dir, 'snap');
  await writeSnapshotFolder(folder, objects, logs, base.info, c.format);
  for (const s of c.strays) {
    await mkdir(dirname(join(folder, s.name)), { recursive: true });
    await writeFile(join(folder, s.name), s.content);
  }
  if (c.pack === 'folder') return folder;
  const archive = join(dir, 'snap.tar.gz');
  await tar.c({ gzip: true, file: archive, cwd: folder, portable: true }, ['.']);
  if (c.pack === 'truncated') await truncate(archive, Math.floor((await stat(archive)).size * c.cut));
  return archive;
}

/** Watches every snapshot run (the discovery script counts outcomes with it). */
export let onRun: ((c: SnapshotCase, r: Awaited<ReturnType<typeof runCli>>) => void) | undefined;
export const watchRuns = (f: typeof onRun) => void (onRun = f);

export async function runSnapshotCase(c: SnapshotCase): Promise<void> {
  const dir = await caseDir();
  try {
    const before = new Set(await filesUnder(root));
    const snap = await writeSnapshotCase(c, dir);
    const out = join(dir, 'out');
    const args =
      c.command === 'triage-json'
        ? ['triage', '--snapshot', snap, '-o', 'json']
        : c.command === 'triage-text'
          ? ['triage', '--snapshot', snap, '-o', 'text']
          : c.command === 'endpoint'
            ? ['endpoint', ENDPOINTS[c.endpoint]!, '--snapshot', snap, '-o', 'json']
            : ['collect', '--snapshot', snap, '-o', out];
    const r = await runCli(args, { MED_NETWORK: 'none', HOME: dir, KUBECONFIG: undefined });
    onRun?.(c, r);
    expectWellBehaved(r);
    // collect writes inside its folder, and nowhere else.
    const written = (await filesUnder(root)).filter((f) => !before.has(f) && !f.startsWith(`${join(dir, 'snap')}`) && f !== join(dir, 'snap.tar.gz'));
    const outside = written.filter((f) => relative(out, f).startsWith('..'));
    if (outside.length > 0) throw new Error(`wrote outside ${out}: ${outside.join(', ')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ─── kubeconfigs ─────────────────────────────────────────────────────────────────────────────────────────────────

const serverUrl = fc.oneof(
  fc.constantFrom('live', 'tls', 'closed', 'garbage', 'nohost', 'userinfo', 'ftp', 'empty', 'ipv6').map((k) => `@${k}`),
  fc.string({ maxLength: 30 }),
);
export const kubeconfigCase: fc.Arbitrary<KubeconfigCase> = fc.record({
  server: serverUrl,
  token: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.constant('t0ken')), { nil: undefined }),
  insecure: fc.option(fc.oneof(fc.boolean(), fc.string({ maxLength: 5 }), fc.integer()), { nil: undefined }),
  exec: fc.option(fc.constantFrom('missing', 'fails', 'garbage', 'empty', 'ok'), { nil: undefined }),
  mutations: fc.array(mutation, { maxLength: 4 }),
  currentContext: fc.option(fc.oneof(fc.constant('c'), fc.string({ maxLength: 6 }), fc.integer()), { nil: undefined }),
  raw: fc.option(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('', '[]', 'null', 'a: &a [*a]', ': :', 'clusters: 5\ncontexts: "x"\nusers: {}\n')), { nil: undefined }),
}) as fc.Arbitrary<KubeconfigCase>;

async function writeExecPlugin(dir: string, kind: NonNullable<KubeconfigCase['exec']>): Promise<string> {
  if (kind === 'missing') return join(dir, 'no-such-plugin');
  const body = {
    fails: 'echo "error: token ghp_abcdefghijklmnopqrstuvwxyz0123456789 expired" >&2; exit 1',
    garbage: 'echo "not json {"',
    empty: 'exit 0',
    ok: 'echo \'{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t0ken"}}\'',
  }[kind];
  const path = join(dir, `plugin-${kind}.sh`);
  await writeFile(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return path;
}

export async function runKubeconfigCase(c: KubeconfigCase): Promise<void> {
  const dir = await caseDir();
  try {
    const url = (() => {
      switch (c.server) {
        case '@live':
          return server.url;
        case '@tls':
          return tlsServer.url;
        case '@closed':
          return 'http://127.0.0.1:1';
        case '@garbage':
          return 'http://[::1';
        case '@nohost':
          return 'https://';
        case '@userinfo':
          return server.url.replace('://', '://admin:kubeconfig-pa55word@');
        case '@ftp':
          return 'ftp://127.0.0.1:1/';
        case '@empty':
          return '';
        case '@ipv6':
          return 'https://[::1]:1';
        default:
          return c.server;
      }
    })();
    let text: string;
    if (c.raw !== undefined) {
      text = c.raw;
    } else {
      const user: Record<string, unknown> = {};
      if (c.token !== undefined) user.token = c.token;
      if (c.exec) user.exec = { apiVersion: 'client.authentication.k8s.io/v1beta1', command: await writeExecPlugin(dir, c.exec), interactiveMode: 'Never' };
      const config: Record<string, unknown> = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: url, ...(c.insecure !== undefined ? { 'insecure-skip-tls-verify': c.insecure } : {}) } }],
        users: [{ name: 'u', user }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
        ...(c.currentContext !== undefined ? { 'current-context': c.currentContext } : {}),
      };
      const holder = [config] as unknown as KubeObject[];
      for (const m of c.mutations) applyMutation(holder, m);
      text = stringify(holder[0], { aliasDuplicateObjects: false });
    }
    const file = join(dir, 'kubeconfig');
    await writeFile(file, text);
    const r = await runCli(['triage', '--kubeconfig', file, '-o', 'json', '--only', 'cluster'], { MED_NETWORK: 'none', HOME: dir, KUBECONFIG: undefined });
    expectWellBehaved(r);
    for (const secret of ['kubeconfig-pa55word', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789']) {
      if (r.stdout.includes(secret) || r.stderr.includes(secret)) throw new Error(`a kubeconfig secret leaked: ${r.stderr}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ─── values files ────────────────────────────────────────────────────────────────────────────────────────────────

export const valuesCase: fc.Arbitrary<ValuesCase> = fc.record({
  text: fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
    fc.constantFrom('', '---\n---\n', 'a: &a [*a]\n', 'a: *b\n', '<<: 5\n', 'config: 5\n', 'config:\n  values: [1]\n', 'image: {tag: [1]}\n', 'redis: 5\n', 'serviceTemplate: "x"\n', '\t\u0000'),
  ),
  cloud: fc.constantFrom('aws', 'azure', 'gcp', 'onprem'),
}) as fc.Arbitrary<ValuesCase>;

export async function runValuesCase(c: ValuesCase): Promise<void> {
  const dir = await caseDir();
  try {
    const file = join(dir, 'values.yaml');
    await writeFile(file, c.text);
    const r = await runCli(['preflight', '-f', file, '--cloud', c.cloud, '-o', 'json'], { MED_NETWORK: 'none', HOME: dir, KUBECONFIG: undefined });
    expectWellBehaved(r);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

