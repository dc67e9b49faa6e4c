/**
 * Hostile or broken input is bad input: each shape the audit found (and the fuzzer's classes) named once, through
 * the real CLI. Not a Kubernetes file → one warning; broken → exit 2 with one line naming the file; wrong field
 * types → a report without `error` results; a huge log → its tail; names with `../` → nothing written or read
 * outside the snapshot.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, open, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as tar from 'tar';
import type { KubeObject, Report } from '../../src/engine/types.js';
import { SnapshotKube } from '../../src/sources/kube/snapshot-kube.js';
import { collectSnapshot } from '../../src/sources/snapshot/collect.js';
import { loadSnapshot, resourcesOf } from '../../src/sources/snapshot/load.js';
import { fixture } from '../support/check-tester.js';
import { expectWellBehaved, filesUnder, logFilesOf, runCli, writeSnapshotFolder, type CliRun } from './support.js';

jest.setTimeout(120_000);

const ENV = { MED_NETWORK: 'none', KUBECONFIG: undefined };
const CACHER_LOG = 'logs/model-engine/model-engine-cacher-ntxpc95s7g-78q5b/model-engine-cacher.previous.log';
let root: string;
let n = 0;
const dir = async () => {
  const d = join(root, `case-${++n}`);
  await mkdir(d, { recursive: true });
  return d;
};

/** A copy of a fixture folder to change. */
async function copyOf(name = 'healthy-aws'): Promise<string> {
  const d = join(await dir(), name);
  await cp(fixture(`fixtures/clusters/${name}`), d, { recursive: true });
  return d;
}

const triage = (snapshot: string, ...more: string[]) => runCli(['triage', '--snapshot', snapshot, '-o', 'json', ...more], ENV);
const errorLines = (r: CliRun) => r.stderr.split('\n').filter((l) => l.startsWith('model-engine-doctor: error:'));
const warnings = (r: CliRun) => r.stderr.split('\n').filter((l) => l.startsWith('model-engine-doctor: warning:'));
const outcome = (r: CliRun) => (JSON.parse(r.stdout) as Report).results.map((x) => `${x.id} ${x.status} ${x.messageId} ${x.object?.name ?? ''}`).sort();

/** Exit 2, exactly one error line, matching `pattern`; and every other rule of a well-behaved run. */
function expectBadInput(r: CliRun, pattern: RegExp): void {
  expectWellBehaved(r);
  expect(r.code).toBe(2);
  expect(errorLines(r)).toHaveLength(1);
  expect(errorLines(r)[0]).toMatch(pattern);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'med-hostile-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('--snapshot of something that is not a snapshot (issue 15)', () => {
  it('/dev/null is exit 2 with one line', async () => expectBadInput(await triage('/dev/null'), /snapshot must be a folder or a \.tar\.gz: \/dev\/null is a character device/));

  it('a named pipe called .tar.gz is exit 2, without waiting for a writer', async () => {
    const fifo = join(await dir(), 'snap.tar.gz');
    execFileSync('mkfifo', [fifo]);
    expectBadInput(await triage(fifo), /is a named pipe/);
  });

  it('a folder without objects is exit 2, and says what it skipped', async () => {
    const d = await dir();
    await writeFile(join(d, 'README.md'), '# notes\n');
    expectBadInput(await triage(d), /holds no Kubernetes objects \(skipped: README\.md\)/);
  });

  it('a file that is not an archive, named .tar.gz, is exit 2', async () => {
    const f = join(await dir(), 'snap.tar.gz');
    await writeFile(f, 'this is not gzip\n');
    expectBadInput(await triage(f), /is not a readable \.tar\.gz: Unrecognized archive format/);
  });

  it('a plain file is exit 2 with a hint', async () => {
    const f = join(await dir(), 'pods.txt');
    await writeFile(f, 'x');
    const r = await triage(f);
    expectBadInput(r, /snapshot must be a folder or a \.tar\.gz: .* is a file/);
    expect(r.stderr).toContain('hint: make one with `model-engine-doctor collect`');
  });

  it('a missing path is exit 2', async () => expectBadInput(await triage(join(root, 'nope')), /snapshot not found/));
});

describe('archives', () => {
  it('a truncated .tar.gz is exit 2 with one line, and leaves no temporary folder behind', async () => {
    const d = await dir();
    const archive = join(d, 'snap.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: fixture('fixtures/clusters/healthy-aws'), portable: true }, ['.']);
    const size = (await readFile(archive)).length;
    await truncate(archive, Math.floor(size / 2));
    const before = (await readdir(tmpdir())).filter((f) => f.startsWith('med-snapshot-'));
    expectBadInput(await triage(archive), /is not a readable \.tar\.gz: truncated \(unexpected end of file\)/);
    expect((await readdir(tmpdir())).filter((f) => f.startsWith('med-snapshot-'))).toEqual(before);
  });

  it('entries outside the archive, links and hidden files are skipped with a warning each, never read', async () => {
    const d = await dir();
    const src = await copyOf('healthy-aws');
    await writeFile(join(d, 'evil.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: evil\n');
    await symlink('/etc/passwd', join(src, 'logs', 'passwd.log'));
    await writeFile(join(src, '.hidden.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: hidden\n');
    const archive = join(d, 'snap.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: src, portable: true }, ['.']);
    // An entry named ../evil.yaml, as a hostile archive would carry it.
    const evil = join(d, 'evil.tar.gz');
    await tar.c({ gzip: true, file: evil, cwd: d, portable: true, preservePaths: true, onWriteEntry: (e) => void (e.path === 'evil.yaml' && (e.path = '../evil.yaml')) }, ['evil.yaml']);
    const r = await triage(archive);
    expectWellBehaved(r);
    expect(warnings(r)).toEqual(expect.arrayContaining([expect.stringContaining('skipped logs/passwd.log: a link'), expect.stringContaining('skipped .hidden.yaml: hidden')]));
    const s = await loadSnapshot(evil).catch((e: Error) => e);
    expect(s).toBeInstanceOf(Error);
    expect(String(s)).toMatch(/holds no Kubernetes objects/);
  });
});

describe('files that are not Kubernetes objects (issue 15)', () => {
  it('a stray notes.json, a README and a values.yaml are skipped with one warning each, and the findings do not change', async () => {
    const clean = await triage(fixture('fixtures/clusters/demo-aws'));
    const d = await copyOf('demo-aws');
    await writeFile(join(d, 'notes.json'), '{"note": "collected at 3am", "ticket": 1234}\n');
    await writeFile(join(d, 'README'), 'how this was made\n');
    await writeFile(join(d, 'values.yaml'), 'redis:\n  auth: x\n');
    const r = await triage(d);
    expectWellBehaved(r);
    expect(r.code).toBe(clean.code);
    expect(warnings(r)).toEqual([
      expect.stringContaining('skipped README: not a .yaml/.json object file'),
      expect.stringContaining('skipped notes.json: not a Kubernetes object file'),
      expect.stringContaining('skipped values.yaml: not a Kubernetes object file'),
    ]);
    expect(outcome(r)).toEqual(outcome(clean));
  });
});

describe('broken YAML and JSON in a snapshot file: exit 2, one line naming the file', () => {
  const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\n${'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`).join('\n')}\n`;
  it.each([
    ['an alias bomb', 'bomb.yaml', bomb, /bomb\.yaml: too many YAML aliases/],
    ['a recursive alias', 'loop.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: loop\n  self: *m\n', /loop\.yaml: a YAML alias refers to itself/],
    ['an alias without anchor', 'alias.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: *nope\n', /alias\.yaml: a YAML alias without its anchor/],
    ['deep JSON', 'deep.json', `${'['.repeat(50_000)}${']'.repeat(50_000)}`, /deep\.json: nested deeper than 100 levels/],
    ['deep YAML', 'deep.yaml', `${'['.repeat(20_000)}${']'.repeat(20_000)}`, /deep\.yaml(?::\d+:\d+)?: nested too deeply$/],
    ['invalid JSON', 'pods.json', '{"apiVersion": "v1", "kind": "Pod", ', /pods\.json:1:\d+: invalid JSON$/],
    ['invalid YAML', 'pods.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: [1, 2\n', /pods\.yaml:4:1: Flow sequence/],
    ['an object without a name', 'pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {}\n', /pod\.yaml: an object without apiVersion, kind or metadata\.name/],
    ['a number for a namespace', 'pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: 5}\n', /pod\.yaml: Pod p has a metadata\.namespace that is not a string/],
  ])('%s', async (_what, file, text, pattern) => {
    const d = await copyOf('healthy-aws');
    await writeFile(join(d, file), text);
    expectBadInput(await triage(d), pattern);
  });

  it('`<<: 5` is an ordinary key (merge keys are off, as in YAML 1.2): no crash', async () => {
    const d = await copyOf('healthy-aws');
    await writeFile(join(d, 'merge.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: merge\n  namespace: model-engine\n  <<: 5\ndata: {a: b}\n');
    const r = await triage(d);
    expectWellBehaved(r);
    expect(r.code).toBe(0);
  });

  it('an object file over the size bound is exit 2, without reading it', async () => {
    const d = await copyOf('healthy-aws');
    const f = await open(join(d, 'huge.yaml'), 'w');
    await f.truncate(65 * 1024 * 1024);
    await f.close();
    const r = await triage(d);
    expectBadInput(r, /snapshot file huge\.yaml is 65 MB; YAML object files are read up to 32 MB/);
    expect(r.stderr).toContain('hint: kubectl get -o json output is read up to 64 MB, and much faster');
  });
});

describe('fields of the wrong type: tolerated, named, never a JavaScript error in a result', () => {
  async function withObjects(edit: (objects: KubeObject[]) => void, base = 'healthy-aws'): Promise<CliRun> {
    const s = await loadSnapshot(fixture(`fixtures/clusters/${base}`));
    const objects = structuredClone(s.objects);
    edit(objects);
    const d = join(await dir(), 'snap');
    await writeSnapshotFolder(d, objects, logFilesOf(s.logs), s.info);
    return triage(d);
  }
  const first = (objects: KubeObject[], kind: string, prefix = '') => objects.find((o) => o.kind === kind && o.metadata.name.startsWith(prefix))!;

  it.each([
    ['a Pod whose spec is a number', (o: KubeObject[]) => void (first(o, 'Pod', 'model-engine-cacher').spec = 5)],
    ['containers given as a string', (o: KubeObject[]) => void ((first(o, 'Pod', 'model-engine-cacher').spec as Record<string, unknown>).containers = 'x')],
    ['a Deployment without a spec', (o: KubeObject[]) => void delete first(o, 'Deployment', 'model-engine-cacher').spec],
    [
      'env given as a map',
      (o: KubeObject[]) => {
        const spec = first(o, 'Deployment', 'model-engine').spec as { template: { spec: { containers: Record<string, unknown>[] } } };
        spec.template.spec.containers[0]!.env = { A: 'b' };
      },
    ],
    ['labels with numbers and lists', (o: KubeObject[]) => void (first(o, 'Node').metadata.labels = { 'node.kubernetes.io/instance-type': 5 as unknown as string, x: [1] as unknown as string })],
    ['status.conditions as a map', (o: KubeObject[]) => void ((first(o, 'Deployment', 'model-engine').status as Record<string, unknown>).conditions = { a: 1 })],
    ['an Event without involvedObject', (o: KubeObject[]) => void delete first(o, 'Event').involvedObject],
    ['a taint without key', (o: KubeObject[]) => void (first(o, 'Node').spec = { taints: [{ effect: 'NoSchedule' }, 'x'] })],
    ['a ConfigMap whose data is a list', (o: KubeObject[]) => void (first(o, 'ConfigMap', 'model-engine-service-config').data = ['a'])],
    [
      'resource requests as numbers (quantities: read as their text, no warning)',
      (o: KubeObject[]) => {
        const spec = first(o, 'Pod', 'launch-endpoint').spec as { containers: { resources: unknown }[] };
        spec.containers[0]!.resources = { requests: { 'nvidia.com/gpu': 1, cpu: 2 } };
      },
    ],
    ['a CRD without spec.names', (o: KubeObject[]) => void delete (first(o, 'CustomResourceDefinition').spec as Record<string, unknown>).names],
    ['a CRD whose spec is a string', (o: KubeObject[]) => void (first(o, 'CustomResourceDefinition').spec = 'x')],
  ])('%s', async (what, edit) => {
    const r = await withObjects(edit);
    expectWellBehaved(r);
    expect([0, 3]).toContain(r.code);
    expect((JSON.parse(r.stdout) as Report).counts.error).toBe(0);
    // One warning for the file with the wrong field; a CRD that cannot define its resource says so too.
    expect(warnings(r)).toHaveLength(what.includes('no warning') ? 0 : what === 'a CRD whose spec is a string' ? 2 : 1);
  });

  it('names the field it ignored', async () => {
    const r = await withObjects((o) => void (first(o, 'Pod', 'model-engine-cacher').spec = 5));
    expect(warnings(r)).toEqual([expect.stringMatching(/model-engine\/Pod\.yaml: Pod model-engine\/model-engine-cacher-\S+: spec is a number, not a map; read as absent$/)]);
  });
});

describe('huge logs are read from their tail', () => {
  it('a 600 MB log: the last 4 MB are read, its last lines are still found, one warning', async () => {
    const d = await copyOf('demo-aws');
    const path = join(d, CACHER_LOG);
    const tail = await readFile(path);
    // A sparse 600 MB file: nothing but its last lines takes space or time, unless the loader reads it all.
    const f = await open(path, 'r+');
    await f.truncate(600 * 1024 * 1024);
    await f.write(tail, 0, tail.length, 600 * 1024 * 1024);
    await f.close();
    const s = await loadSnapshot(d);
    const text = s.logs.get('model-engine/model-engine-cacher-ntxpc95s7g-78q5b/model-engine-cacher#previous')!;
    expect(text.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    // From a line start: the 600 MB of padding and the first line it runs into are not part of it.
    const lines = tail.toString('utf8');
    expect(text).toBe(lines.slice(lines.indexOf('\n') + 1));
    expect(s.warnings).toEqual([expect.stringMatching(/model-engine-cacher\.previous\.log is 600 MB: reading its last 4 MB/)]);
    const r = await triage(d);
    expectWellBehaved(r);
    expect(r.stdout).toContain('invalid username-password pair');
  });

  it('a big log inside a .tar.gz: the tail, read as the archive streams', async () => {
    const d = await copyOf('demo-aws');
    const path = join(d, CACHER_LOG);
    const tail = await readFile(path);
    await writeFile(path, Buffer.concat([Buffer.from(randomBytes(9 * 1024 * 1024).toString('base64').replace(/(.{100})/g, '$1\n')), tail]));
    const archive = join(await dir(), 'snap.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: d, portable: true }, ['.']);
    const s = await loadSnapshot(archive);
    const text = s.logs.get('model-engine/model-engine-cacher-ntxpc95s7g-78q5b/model-engine-cacher#previous')!;
    expect(text.length).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(text.endsWith(tail.toString('utf8'))).toBe(true);
  });
});

describe('names with ../ from the cluster', () => {
  it('collect writes every file inside its folder, with the names made safe', async () => {
    // As a hostile API server could answer: namespaces, pods and containers named `..` and `../../…`. A snapshot
    // folder cannot hold such names (a path segment has no `/`), so the kube port is given them in memory.
    const s = await loadSnapshot(fixture('fixtures/clusters/demo-aws'));
    const objects = structuredClone(s.objects);
    const logs = new Map(s.logs);
    const hostile = (ns: string, name: string, container: string) => {
      const pod = structuredClone(objects.find((o) => o.kind === 'Pod' && o.metadata.name.startsWith('model-engine-cacher'))!);
      pod.metadata = { ...pod.metadata, name, namespace: ns, uid: `uid-${name}` };
      for (const c of [...(pod.spec as { containers: { name: string }[] }).containers, ...(pod.status as { containerStatuses: { name: string }[] }).containerStatuses]) c.name = container;
      objects.push(pod);
      logs.set(`${ns}/${name}/${container}`, 'escaped\n');
      logs.set(`${ns}/${name}/${container}#previous`, 'escaped\n');
    };
    hostile('model-engine', '..', '..');
    hostile('model-engine', '../../../../../../../../escape-pod', '../../escape-container');
    hostile('..', 'p', 'c');
    const snapshot = { ...s, objects, logs, resources: resourcesOf(objects) };
    const d = await dir();
    const out = join(d, 'deep/er/out');
    const before = new Set(await filesUnder(root));
    const summary = await collectSnapshot({
      kube: new SnapshotKube(snapshot),
      namespaces: { controlPlane: '..', endpoint: 'model-engine' },
      output: out,
      tailLines: 100,
      now: s.now,
      toolVersion: 'test',
    });
    expect(summary.logs).toBeGreaterThan(4);
    const written = (await filesUnder(root)).filter((f) => !before.has(f));
    expect(written.filter((f) => relative(out, f).startsWith('..'))).toEqual([]);
    const rel = written.map((f) => relative(out, f));
    expect(rel).toEqual(expect.arrayContaining(['_../pods.yaml', 'logs/_../p/c.log', 'logs/model-engine/_../_...log', 'logs/model-engine/_.._.._.._.._.._.._.._.._escape-pod/_.._.._escape-container.previous.log']));
    // And the folder it wrote reads back, hostile names and all.
    const back = await loadSnapshot(out);
    expect(back.objects.some((o) => o.metadata.name === '../../../../../../../../escape-pod')).toBe(true);
  });

  it('collect refuses a folder that is not empty (files from an earlier collect would mix in)', async () => {
    const out = await dir();
    await writeFile(join(out, 'old.yaml'), 'x');
    expectBadInput(await runCli(['collect', '--snapshot', fixture('fixtures/clusters/healthy-aws'), '-o', out], ENV), /collect: .* exists and is not empty/);
  });

  it('a log that is a link out of the snapshot folder is not read', async () => {
    const d = await copyOf('healthy-aws');
    const secret = join(root, 'outside.log');
    await writeFile(secret, 'outside-the-snapshot\n');
    await mkdir(join(d, 'logs/model-engine/p'), { recursive: true });
    await symlink(secret, join(d, 'logs/model-engine/p/c.log'));
    const s = await loadSnapshot(d);
    expect([...s.logs.values()].join('\n')).not.toContain('outside-the-snapshot');
    expect(s.warnings).toEqual([expect.stringContaining('skipped logs/model-engine/p/c.log: a symbolic link')]);
  });
});
