/**
 * Snapshots are kubectl's own format: a folder (or .tar.gz) of `*.yaml`/`*.yml`/`*.json` files holding
 * Kubernetes objects or `List`s as `kubectl get -o yaml|json` prints them (multi-document YAML allowed), plus
 * `logs/<namespace>/<pod>/<container>.log` (and `<container>.previous.log`). See docs/snapshot-format.md.
 *
 * A snapshot is input from someone else: reading one is bounded (file sizes, the tail of huge logs, nesting depth,
 * YAML aliases, number of files), never follows links out of it, never writes to disk (a .tar.gz is read as a
 * stream), and every way it can be wrong is a {@link FatalError} with one line naming the file, or a warning when
 * the file is simply not a Kubernetes object (a README, a stray notes.json).
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar';
import { parseAllDocuments } from 'yaml';
import { FatalError } from '../../engine/errors.js';
import { conformObject, isRecord, records, str, strings } from '../../engine/safe.js';
import type { KubeObject } from '../../engine/types.js';
import { resourceForObject, type ResourceInfo, KNOWN_RESOURCES, qualifiedName } from '../kube/resources.js';

export const SNAPSHOT_INFO_KIND = 'SnapshotInfo';

export interface SnapshotInfo {
  apiVersion: 'model-engine-doctor/v1';
  kind: typeof SNAPSHOT_INFO_KIND;
  collectedAt?: string;
  context?: string;
  server?: string;
  /** The API server's `gitVersion` at collection time (`v1.29.3-eks-adc7111`); the snapshot server reports it. */
  serverVersion?: string;
  toolVersion?: string;
  namespaces?: string[];
  redacted?: boolean;
}

export interface Snapshot {
  path: string;
  objects: KubeObject[];
  /** Resources present in the snapshot (plus those defined by CRDs in it). */
  resources: ResourceInfo[];
  /** `${namespace}/${pod}/${container}` (suffix `#previous` for the previous container's log). */
  logs: Map<string, string>;
  info: SnapshotInfo | undefined;
  /** The snapshot's notion of "now": collectedAt, else the newest timestamp in it. */
  now: Date;
  /** What was skipped while reading it (files that are not Kubernetes objects, links, huge logs cut to their tail). */
  warnings?: string[];
}

/** How much of a snapshot is read. Every bound is a clear error (or, for logs, a tail) rather than a hang. */
export interface SnapshotLimits {
  /** Largest JSON object file, in bytes. */
  maxObjectFileBytes: number;
  /** Largest YAML object file, in bytes: YAML reads at about 1 MB/s, JSON about 100 times faster. */
  maxYamlFileBytes: number;
  /** Logs larger than this are read from their tail: the last this many bytes, from a line start. */
  maxLogBytes: number;
  /** Files (entries) in the folder or archive. */
  maxFiles: number;
  /** Bytes read from a .tar.gz once decompressed. */
  maxArchiveBytes: number;
  /** Nesting of a parsed document (maps and lists). */
  maxDepth: number;
  /** YAML aliases expanded per document. */
  maxAliases: number;
  /** Folders nested in the snapshot folder. */
  maxFolderDepth: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_LIMITS: SnapshotLimits = {
  maxObjectFileBytes: 64 * MiB,
  maxYamlFileBytes: 32 * MiB,
  maxLogBytes: 4 * MiB,
  maxFiles: 20_000,
  maxArchiveBytes: 2048 * MiB,
  maxDepth: 100,
  maxAliases: 100,
  maxFolderDepth: 16,
};

export interface LoadOptions {
  limits?: Partial<SnapshotLimits>;
}


/** The first line of a parser's message, without the code frame. */
const firstLine = (s: string) => s.split('\n')[0]!.trim();

/** Check a parsed document's shape: bounded depth, no cycles (recursive YAML aliases). */
function checkShape(doc: unknown, file: string, maxDepth: number): void {
  const onPath = new Set<object>();
  const done = new WeakSet<object>();
  const visit = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || done.has(v)) return;
    if (depth > maxDepth) throw new FatalError(`snapshot file ${file}: nested deeper than ${maxDepth} levels`);
    if (onPath.has(v)) throw new FatalError(`snapshot file ${file}: a YAML alias refers to itself (recursive alias)`);
    onPath.add(v);
    for (const c of Array.isArray(v) ? v : Object.values(v)) visit(c, depth + 1);
    onPath.delete(v);
    done.add(v);
  };
  visit(doc, 0);
}

function parseFile(text: string, file: string, limits: SnapshotLimits): unknown[] {
  if (text.trim() === '') return [];
  if (/\.json$/i.test(file)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new FatalError(`snapshot file ${file}${jsonErrorAt(text, (e as Error).message)}: invalid JSON`);
    }
    checkShape(doc, file, limits.maxDepth);
    return [doc];
  }
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    throw new FatalError(`snapshot file ${file}: not readable as YAML: ${firstLine((e as Error).message)}`);
  }
  const list = Array.isArray(docs) ? docs : [];
  const out: unknown[] = [];
  for (const d of list) {
    const e = d.errors[0];
    if (e) {
      const why = e.code === 'RESOURCE_EXHAUSTION' ? 'nested too deeply' : firstLine(e.message);
      throw new FatalError(`snapshot file ${file}${lineCol(text, e.pos?.[0])}: ${why}`);
    }
    let js: unknown;
    try {
      js = d.toJS({ maxAliasCount: limits.maxAliases });
    } catch (err) {
      throw new FatalError(`snapshot file ${file}: ${aliasProblem(err)}`);
    }
    if (js === null || js === undefined) continue;
    try {
      checkShape(js, file, limits.maxDepth);
    } catch (err) {
      if (err instanceof RangeError) throw new FatalError(`snapshot file ${file}: nested too deeply`);
      throw err;
    }
    out.push(js);
  }
  return out;
}

/** `:line:column` of an offset in `text` (1-based), or nothing without one. */
function lineCol(text: string, at: number | undefined): string {
  if (at === undefined || at < 0) return '';
  const before = text.slice(0, at);
  return `:${before.split('\n').length}:${at - before.lastIndexOf('\n')}`;
}

/** `:line:column` of a JSON.parse error, from the position V8 names (the message itself is not for users). */
function jsonErrorAt(text: string, message: string): string {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return `:${lc[1]}:${lc[2]}`;
  const pos = /position (\d+)/.exec(message);
  return lineCol(text, pos ? Number(pos[1]) : /end of JSON/i.test(message) ? text.length : undefined);
}

function aliasProblem(err: unknown): string {
  const msg = err instanceof Error ? firstLine(err.message) : String(err);
  if (/Excessive alias count/i.test(msg)) return 'too many YAML aliases (an alias bomb?)';
  if (/Unresolved alias/i.test(msg)) return `a YAML alias without its anchor (${msg})`;
  if (err instanceof RangeError) return 'nested too deeply';
  return `not readable as YAML (${msg})`;
}

/** A document that sets out to be a Kubernetes object (or list) rather than some other YAML/JSON. */
const looksKube = (doc: unknown): doc is Record<string, unknown> =>
  isRecord(doc) && (typeof doc.kind === 'string' || typeof doc.apiVersion === 'string' || (Array.isArray(doc.items) && isRecord(doc.metadata)));

/** Flatten Lists (`v1/List`, `PodList`, …) into objects, filling kind/apiVersion on typed-list items. */
export function flattenObjects(docs: unknown[], file: string): { objects: KubeObject[]; info?: SnapshotInfo; kube: number; foreign: number; problems: string[] } {
  const objects: KubeObject[] = [];
  const problems: string[] = [];
  let info: SnapshotInfo | undefined;
  let foreign = 0;
  const visit = (doc: unknown, listKind?: string, listApiVersion?: string) => {
    if (!isRecord(doc)) {
      throw new FatalError(`snapshot file ${file}: a list item that is not an object`);
    }
    if (doc.kind === SNAPSHOT_INFO_KIND) {
      info = readInfo(doc, file);
      return;
    }
    if (Array.isArray(doc.items) && (typeof doc.kind !== 'string' || doc.kind.endsWith('List'))) {
      const itemKind = typeof doc.kind === 'string' && doc.kind !== 'List' ? doc.kind.slice(0, -4) : undefined;
      for (const item of doc.items) visit(item, itemKind, typeof doc.apiVersion === 'string' ? doc.apiVersion : undefined);
      return;
    }
    const kind = typeof doc.kind === 'string' ? doc.kind : listKind;
    const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : listApiVersion;
    if (!kind || !apiVersion || !isRecord(doc.metadata) || typeof doc.metadata.name !== 'string' || doc.metadata.name === '') {
      throw new FatalError(`snapshot file ${file}: an object without apiVersion, kind or metadata.name`);
    }
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind) || !/^(?:[a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
      throw new FatalError(`snapshot file ${file}: ${kind} ${doc.metadata.name} has a malformed kind or apiVersion (${apiVersion})`);
    }
    if (doc.metadata.namespace !== undefined && typeof doc.metadata.namespace !== 'string') {
      throw new FatalError(`snapshot file ${file}: ${kind} ${doc.metadata.name} has a metadata.namespace that is not a string`);
    }
    const wrong: string[] = [];
    objects.push(conformObject({ ...doc, kind, apiVersion }, wrong));
    for (const w of wrong) problems.push(`${kind} ${doc.metadata.namespace ? `${doc.metadata.namespace}/` : ''}${doc.metadata.name}: ${w}`);
  };
  let kube = 0;
  for (const d of docs) {
    if (looksKube(d)) {
      kube++;
      visit(d);
    } else foreign++;
  }
  return { objects, ...(info ? { info } : {}), kube, foreign, problems };
}

function readInfo(doc: Record<string, unknown>, file: string): SnapshotInfo {
  const text = (k: string) => (typeof doc[k] === 'string' ? { [k]: doc[k] } : {});
  const namespaces = Array.isArray(doc.namespaces) ? strings(doc, 'namespaces') : undefined;
  void file;
  return {
    apiVersion: 'model-engine-doctor/v1',
    kind: SNAPSHOT_INFO_KIND,
    ...text('collectedAt'),
    ...text('context'),
    ...text('server'),
    ...text('serverVersion'),
    ...text('toolVersion'),
    ...(namespaces ? { namespaces } : {}),
    ...(typeof doc.redacted === 'boolean' ? { redacted: doc.redacted } : {}),
  } as SnapshotInfo;
}

const CLUSTER_SCOPED = new Set(KNOWN_RESOURCES.filter((r) => !r.namespaced).map((r) => r.kind));

function newestTimestamp(objects: KubeObject[]): Date | undefined {
  let best = 0;
  for (const o of objects) {
    for (const k of ['lastTimestamp', 'eventTime', 'firstTimestamp']) {
      const v = o[k];
      if (typeof v === 'string') best = Math.max(best, Date.parse(v) || 0);
    }
    const c = o.metadata.creationTimestamp;
    if (typeof c === 'string') best = Math.max(best, Date.parse(c) || 0);
  }
  return best > 0 && best < 8.64e15 ? new Date(best) : undefined;
}

// ─── reading the files ───────────────────────────────────────────────────────────────────────────────────────────

const LOG_PATH = /(?:^|\/)logs\/([^/]+)\/([^/]+)\/([^/]+?)(\.previous)?\.log$/;
const OBJECT_PATH = /\.(?:ya?ml|json)$/i;

/** Everything read so far; one instance per load. */
class Reader {
  readonly byKey = new Map<string, KubeObject>();
  readonly logs = new Map<string, string>();
  readonly warnings: string[] = [];
  info: SnapshotInfo | undefined;
  files = 0;
  constructor(readonly limits: SnapshotLimits) {}

  warn(text: string) {
    this.warnings.push(text);
  }

  count(rel: string) {
    if (++this.files > this.limits.maxFiles) throw new FatalError(`snapshot holds more than ${this.limits.maxFiles} files (at ${rel}); is this the right folder?`);
  }

  /** What a file is, by its path: a log, an object file, or neither (skipped with a warning). */
  kindOf(rel: string): 'log' | 'objects' | 'skip' {
    if (LOG_PATH.test(rel)) return 'log';
    if (/(?:^|\/)logs\//.test(rel) && rel.endsWith('.log')) {
      this.warn(`skipped ${rel}: a log must be logs/<namespace>/<pod>/<container>.log`);
      return 'skip';
    }
    if (OBJECT_PATH.test(rel)) return 'objects';
    this.warn(`skipped ${rel}: not a .yaml/.json object file or a container log`);
    return 'skip';
  }

  addLog(rel: string, text: string, cut: boolean, size: number) {
    const m = LOG_PATH.exec(rel)!;
    if (cut) this.warn(`log ${rel} is ${formatBytes(size)}: reading its last ${formatBytes(this.limits.maxLogBytes)}`);
    this.logs.set(`${m[1]}/${m[2]}/${m[3]}${m[4] ? '#previous' : ''}`, text);
  }

  addObjects(rel: string, text: string) {
    const parsed = flattenObjects(parseFile(text, rel, this.limits), rel);
    if (parsed.info) this.info = parsed.info;
    if (parsed.kube === 0 && parsed.foreign === 0) {
      this.warn(`skipped ${rel}: empty`);
    } else if (parsed.kube === 0) {
      this.warn(`skipped ${rel}: not a Kubernetes object file (no apiVersion/kind)`);
    } else if (parsed.foreign > 0) {
      this.warn(`skipped ${parsed.foreign} document(s) of ${rel} that are not Kubernetes objects`);
    }
    if (parsed.problems.length > 0) {
      const more = parsed.problems.length - 1;
      this.warn(`${rel}: ${parsed.problems[0]}${more > 0 ? ` (and ${more} more)` : ''}; read as absent`);
    }
    for (const o of parsed.objects) {
      this.byKey.set(`${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`, o);
    }
  }

  /** The size bound of an object file: JSON parses fast, YAML slowly. */
  maxBytes(rel: string): number {
    return /\.json$/i.test(rel) ? this.limits.maxObjectFileBytes : this.limits.maxYamlFileBytes;
  }

  checkSize(rel: string, size: number): void {
    const max = this.maxBytes(rel);
    if (size <= max) return;
    const json = /\.json$/i.test(rel);
    throw new FatalError(
      `snapshot file ${rel} is ${formatBytes(size)}; ${json ? 'JSON' : 'YAML'} object files are read up to ${formatBytes(max)}`,
      undefined,
      json ? undefined : `kubectl get -o json output is read up to ${formatBytes(this.limits.maxObjectFileBytes)}, and much faster`,
    );
  }
}

const formatBytes = (n: number) => (n >= MiB ? `${Math.round(n / MiB)} MB` : n >= 1024 ? `${Math.round(n / 1024)} kB` : `${n} bytes`);

/** The last `max` bytes of a buffer, from the first line start in them. */
function tailText(buf: Buffer, max: number): { text: string; cut: boolean } {
  if (buf.length <= max) return { text: buf.toString('utf8'), cut: false };
  const tail = buf.subarray(buf.length - max);
  const nl = tail.indexOf(0x0a);
  return { text: tail.subarray(nl >= 0 ? nl + 1 : 0).toString('utf8'), cut: true };
}

async function readFolder(root: string, reader: Reader): Promise<void> {
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    if (depth > reader.limits.maxFolderDepth) throw new FatalError(`snapshot folders nest deeper than ${reader.limits.maxFolderDepth} levels (at ${rel})`);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw new FatalError(`cannot read snapshot folder ${rel || root}: ${(e as NodeJS.ErrnoException).code ?? firstLine((e as Error).message)}`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      reader.count(r);
      if (entry.name.startsWith('.')) {
        reader.warn(`skipped ${r}: hidden`);
      } else if (entry.isDirectory()) {
        await walk(join(dir, entry.name), r, depth + 1);
      } else if (entry.isSymbolicLink()) {
        // A link could point anywhere on this machine; a snapshot is only what is inside it.
        reader.warn(`skipped ${r}: a symbolic link`);
      } else if (!entry.isFile()) {
        reader.warn(`skipped ${r}: not a regular file`);
      } else {
        await readFolderFile(join(dir, entry.name), r, reader);
      }
    }
  };
  await walk(root, '', 0);
}

async function readFolderFile(path: string, rel: string, reader: Reader): Promise<void> {
  const kind = reader.kindOf(rel);
  if (kind === 'skip') return;
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (kind === 'objects') {
      reader.checkSize(rel, size);
      reader.addObjects(rel, (await fh.readFile()).toString('utf8'));
      return;
    }
    const max = reader.limits.maxLogBytes;
    const length = Math.min(size, max + 1);
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, Math.max(0, size - length));
    const { text } = tailText(buf.subarray(0, bytesRead), size > max ? max : bytesRead);
    reader.addLog(rel, text, size > max, size);
  } finally {
    await fh.close();
  }
}

/** Read a .tar.gz as a stream: nothing is written to disk, so nothing is left behind when it is broken. */
async function readTarball(file: string, reader: Reader): Promise<void> {
  let failure: unknown;
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const source = createReadStream(file);
    const fail = (e: unknown) => {
      failure ??= e;
      source.destroy();
      reject(failure);
    };
    const parser = new tar.Parser({
      strict: true,
      onReadEntry: (entry) => {
        if (failure) return entry.resume();
        const rel = entry.path.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
        if (entry.type === 'Directory' || rel === '' || rel === '.') return entry.resume();
        try {
          reader.count(rel);
          if (rel.split('/').some((s) => s === '..') || rel.startsWith('/')) {
            reader.warn(`skipped ${rel}: a path outside the archive`);
            return entry.resume();
          }
          if (rel.split('/').some((s) => s.startsWith('.'))) {
            reader.warn(`skipped ${rel}: hidden`);
            return entry.resume();
          }
          if (!['File', 'OldFile', 'ContiguousFile'].includes(entry.type)) {
            reader.warn(`skipped ${rel}: ${entry.type === 'SymbolicLink' || entry.type === 'Link' ? 'a link' : 'not a regular file'}`);
            return entry.resume();
          }
          const kind = reader.kindOf(rel);
          const size = entry.size ?? 0;
          if (kind === 'skip') return entry.resume();
          if (kind === 'objects') reader.checkSize(rel, size);
          const max = kind === 'log' ? reader.limits.maxLogBytes : reader.maxBytes(rel);
          const chunks: Buffer[] = [];
          let kept = 0;
          entry.on('data', (c: Buffer) => {
            total += c.length;
            if (total > reader.limits.maxArchiveBytes) return fail(new FatalError(`snapshot ${file} holds more than ${formatBytes(reader.limits.maxArchiveBytes)} once decompressed`));
            chunks.push(c);
            kept += c.length;
            // Keep only what the tail needs: drop whole chunks from the front while the rest is enough.
            while (chunks.length > 1 && kept - chunks[0]!.length > max) kept -= chunks.shift()!.length;
          });
          entry.on('end', () => {
            if (failure) return;
            try {
              const buf = Buffer.concat(chunks);
              if (kind === 'objects') reader.addObjects(rel, buf.toString('utf8'));
              else {
                const { text, cut } = tailText(buf, max);
                reader.addLog(rel, text, cut, size);
              }
            } catch (e) {
              fail(e);
            }
          });
        } catch (e) {
          entry.resume();
          fail(e);
        }
      },
    });
    parser.on('error', fail);
    parser.on('abort', fail);
    parser.on('end', () => (failure ? reject(failure) : resolve()));
    source.on('error', fail);
    source.pipe(parser);
  }).catch((e: unknown) => {
    if (e instanceof FatalError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message ?? '') ? 'truncated (unexpected end of file)' : firstLine(err.message ?? String(e)).replace(/^TAR_BAD_ARCHIVE: /, '');
    throw new FatalError(`snapshot ${file} is not a readable .tar.gz: ${why}`);
  });
}

const SPECIAL_FILE = (st: Awaited<ReturnType<typeof stat>>) =>
  st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : 'not a regular file';

/** Load a snapshot folder or `.tar.gz`. Bad input is a FatalError (exit 2) with one line. */
export async function loadSnapshot(path: string, opts: LoadOptions = {}): Promise<Snapshot> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(code === 'ENOENT' || code === 'ENOTDIR' ? `snapshot not found: ${path}` : `cannot read snapshot ${path}: ${code ?? firstLine((e as Error).message)}`);
  }
  const reader = new Reader(limits);
  if (st.isDirectory()) {
    await readFolder(path, reader);
  } else if (st.isFile() && /\.(?:tar\.gz|tgz|tar)$/i.test(path)) {
    await readTarball(path, reader);
  } else if (st.isFile()) {
    throw new FatalError(`snapshot must be a folder or a .tar.gz: ${path} is a file`, undefined, 'make one with `model-engine-doctor collect`, or see docs/snapshot-format.md');
  } else {
    throw new FatalError(`snapshot must be a folder or a .tar.gz: ${path} is ${SPECIAL_FILE(st)}`);
  }
  const objects = [...reader.byKey.values()];
  if (objects.length === 0) {
    const skipped = reader.warnings.filter((w) => w.startsWith('skipped ')).map((w) => w.slice(8).split(':')[0]!);
    const what = skipped.length ? ` (skipped: ${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? `, and ${skipped.length - 3} more` : ''})` : '';
    throw new FatalError(`snapshot ${path} holds no Kubernetes objects${what}`, undefined, 'a snapshot is kubectl get -o yaml output: see docs/snapshot-format.md');
  }
  const resources = resourcesOf(objects, (w) => reader.warn(w));
  const info = reader.info;
  let now: Date | undefined;
  if (info?.collectedAt !== undefined) {
    const t = Date.parse(info.collectedAt);
    if (Number.isFinite(t)) now = new Date(t);
    else reader.warn(`snapshot-info collectedAt "${info.collectedAt.slice(0, 40)}" is not a time; using the newest timestamp in the snapshot`);
  }
  now ??= newestTimestamp(objects) ?? new Date();
  return { path, objects, resources, logs: reader.logs, info, now, warnings: reader.warnings };
}

/** The resources a set of objects belongs to, with CRDs in the set defining their own resources. */
export function resourcesOf(objects: KubeObject[], warn: (text: string) => void = () => undefined): ResourceInfo[] {
  const out = new Map<string, ResourceInfo>();
  for (const o of objects) {
    if (o.kind === 'CustomResourceDefinition') {
      const info = crdResource(o);
      if (info) out.set(qualifiedName(info), info);
      else warn(`ignored CustomResourceDefinition ${o.metadata.name}: it has no spec.group, spec.names.kind and spec.names.plural`);
    }
  }
  for (const o of objects) {
    const info = resourceForObject(o.apiVersion!, o.kind!, !CLUSTER_SCOPED.has(o.kind!) && o.metadata.namespace !== undefined);
    if (!out.has(qualifiedName(info))) out.set(qualifiedName(info), info);
  }
  return [...out.values()];
}

/** A non-empty string at a path, or undefined. */
const name = (v: unknown, ...path: string[]): string | undefined => str(v, ...path) || undefined;

/** The resource a CRD defines, or undefined when it does not say enough (no group, kind or plural). */
function crdResource(o: KubeObject): ResourceInfo | undefined {
  const group = name(o, 'spec', 'group');
  const kind = name(o, 'spec', 'names', 'kind');
  const plural = name(o, 'spec', 'names', 'plural');
  if (!group || !kind || !plural) return undefined;
  const versions = records(o, 'spec', 'versions');
  const version = name(versions.find((v) => v.storage === true), 'name') ?? name(versions[0], 'name') ?? 'v1';
  const shortNames = strings(o, 'spec', 'names', 'shortNames');
  return {
    kind,
    plural,
    singular: name(o, 'spec', 'names', 'singular') ?? kind.toLowerCase(),
    group,
    version,
    namespaced: str(o, 'spec', 'scope') === 'Namespaced',
    ...(shortNames.length > 0 ? { shortNames } : {}),
  };
}
