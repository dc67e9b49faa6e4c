/**
 * Snapshots are kubectl's own format: a folder (or .tar.gz) of `*.yaml`/`*.yml`/`*.json` files holding
 * Kubernetes objects or `List`s as `kubectl get -o yaml|json` prints them (multi-document YAML allowed), plus
 * `logs/<namespace>/<pod>/<container>.log` (and `<container>.previous.log`). See docs/snapshot-format.md.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import * as tar from 'tar';
import { parseAllDocuments } from 'yaml';
import { FatalError } from '../../engine/errors.js';
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
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseFile(text: string, file: string): unknown[] {
  if (file.endsWith('.json')) {
    try {
      return [JSON.parse(text)];
    } catch (e) {
      throw new FatalError(`snapshot file ${file}: invalid JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const docs = parseAllDocuments(text, { prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const d of list) {
    if (d.errors.length > 0) {
      const e = d.errors[0]!;
      const pos = e.linePos?.[0];
      throw new FatalError(`snapshot file ${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0]}`);
    }
    const js = d.toJS({ maxAliasCount: 1000 }) as unknown;
    if (js !== null && js !== undefined) out.push(js);
  }
  return out;
}

/** Flatten Lists (`v1/List`, `PodList`, …) into objects, filling kind/apiVersion on typed-list items. */
export function flattenObjects(docs: unknown[], file: string): { objects: KubeObject[]; info?: SnapshotInfo } {
  const objects: KubeObject[] = [];
  let info: SnapshotInfo | undefined;
  const visit = (doc: unknown, listKind?: string, listApiVersion?: string) => {
    if (!isObj(doc)) return;
    if (doc.kind === SNAPSHOT_INFO_KIND) {
      info = doc as unknown as SnapshotInfo;
      return;
    }
    if (Array.isArray(doc.items) && (typeof doc.kind !== 'string' || doc.kind.endsWith('List'))) {
      const itemKind = typeof doc.kind === 'string' && doc.kind !== 'List' ? doc.kind.slice(0, -4) : undefined;
      for (const item of doc.items) visit(item, itemKind, typeof doc.apiVersion === 'string' ? doc.apiVersion : undefined);
      return;
    }
    const kind = typeof doc.kind === 'string' ? doc.kind : listKind;
    const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : listApiVersion;
    if (!kind || !apiVersion || !isObj(doc.metadata) || typeof doc.metadata.name !== 'string') {
      throw new FatalError(`snapshot file ${file}: an object without apiVersion, kind or metadata.name`);
    }
    objects.push({ ...doc, kind, apiVersion } as KubeObject);
  };
  for (const d of docs) visit(d);
  return { objects, ...(info ? { info } : {}) };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
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
  return best > 0 ? new Date(best) : undefined;
}

/** Load a snapshot folder or `.tar.gz`. Bad input is a FatalError (exit 2) with one line. */
export async function loadSnapshot(path: string): Promise<Snapshot> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new FatalError(`snapshot not found: ${path}`);
  }
  let root = path;
  let cleanup: string | undefined;
  if (st.isFile()) {
    if (!/\.(tar\.gz|tgz)$/.test(path)) throw new FatalError(`snapshot must be a folder or a .tar.gz: ${path}`);
    cleanup = await mkdtemp(join(tmpdir(), 'med-snapshot-'));
    try {
      await tar.x({ file: path, cwd: cleanup, strict: true });
    } catch (e) {
      await rm(cleanup, { recursive: true, force: true });
      throw new FatalError(`snapshot ${path} is not a readable .tar.gz: ${(e as Error).message}`);
    }
    root = cleanup;
  }
  try {
    const files = await walk(root);
    const byKey = new Map<string, KubeObject>();
    const logs = new Map<string, string>();
    let info: SnapshotInfo | undefined;
    for (const file of files) {
      const rel = relative(root, file).split(sep).join('/');
      const logMatch = /(?:^|\/)logs\/([^/]+)\/([^/]+)\/([^/]+?)(\.previous)?\.log$/.exec(rel);
      if (logMatch) {
        logs.set(`${logMatch[1]}/${logMatch[2]}/${logMatch[3]}${logMatch[4] ? '#previous' : ''}`, await readFile(file, 'utf8'));
        continue;
      }
      if (!/\.(ya?ml|json)$/.test(file)) continue;
      const parsed = flattenObjects(parseFile(await readFile(file, 'utf8'), rel), rel);
      if (parsed.info) info = parsed.info;
      for (const o of parsed.objects) {
        byKey.set(`${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`, o);
      }
    }
    const objects = [...byKey.values()];
    const resources = resourcesOf(objects);
    const now = info?.collectedAt ? new Date(info.collectedAt) : (newestTimestamp(objects) ?? new Date());
    return { path, objects, resources, logs, info, now };
  } finally {
    if (cleanup) await rm(cleanup, { recursive: true, force: true });
  }
}

/** The resources a set of objects belongs to, with CRDs in the set defining their own resources. */
export function resourcesOf(objects: KubeObject[]): ResourceInfo[] {
  const out = new Map<string, ResourceInfo>();
  for (const o of objects) {
    if (o.kind === 'CustomResourceDefinition') {
      const spec = o.spec as {
        group: string;
        scope: string;
        names: { kind: string; plural: string; singular?: string; shortNames?: string[] };
        versions?: { name: string; served?: boolean; storage?: boolean }[];
      };
      const version = spec.versions?.find((v) => v.storage)?.name ?? spec.versions?.[0]?.name ?? 'v1';
      const info: ResourceInfo = {
        kind: spec.names.kind,
        plural: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        group: spec.group,
        version,
        namespaced: spec.scope === 'Namespaced',
        ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
      };
      out.set(qualifiedName(info), info);
    }
  }
  for (const o of objects) {
    const info = resourceForObject(o.apiVersion!, o.kind!, !CLUSTER_SCOPED.has(o.kind!) && o.metadata.namespace !== undefined);
    if (!out.has(qualifiedName(info))) out.set(qualifiedName(info), info);
  }
  return [...out.values()];
}
