/**
 * Helm's values merge with provenance. Helm merges in two phases and so do we, because the order matters for
 * `null`: first every user source (`-f` files in order, then `--set`) is merged into one user tree where a later
 * map deep-merges into an earlier one and anything else (scalar, list, null) replaces it; then that tree is
 * coalesced over the chart defaults, and only there does a `null` delete the key (helm's
 * `pkg/chartutil/coalesce.go`). So `-f a.yaml` with `nodeSelector: null` followed by `-f b.yaml` with
 * `nodeSelector: {x: y}` keeps the default `node-lifecycle: normal`, exactly as helm renders it.
 *
 * Provenance is tracked per node path (maps, lists, list items and leaves): the last place that mentions the key.
 */
import type { Evidence, SourceLocation, ValuesPort, ValuesWarning } from '../../engine/types.js';
import { formatPath, getPath, parsePath } from '../../engine/values-path.js';
import { redactValue } from '../../engine/redact.js';

export type Plain = Record<string, unknown>;

export interface Provenance {
  loc: SourceLocation;
  /** Set by the user (a values file, `--set`, a release's user-supplied values), not by chart defaults. */
  user: boolean;
}

/**
 * Provenance as a tree mirroring the values (map keys and list indices as decimal strings), so replacing or
 * copying a subtree costs its depth, not the size of the whole file.
 */
export class ProvenanceTree {
  p?: Provenance;
  c?: Map<string, ProvenanceTree>;

  node(path: readonly string[], create = false): ProvenanceTree | undefined {
    let cur: ProvenanceTree = this;
    for (const k of path) {
      let next = cur.c?.get(k);
      if (!next) {
        if (!create) return undefined;
        next = new ProvenanceTree();
        (cur.c ??= new Map()).set(k, next);
      }
      cur = next;
    }
    return cur;
  }

  get(path: readonly string[]): Provenance | undefined {
    return this.node(path)?.p;
  }

  set(path: readonly string[], p: Provenance | undefined): void {
    const n = this.node(path, true)!;
    if (p) n.p = p;
    else delete n.p;
  }

  /** Replace the subtree at `path` (non-empty) with `tree` (or remove it). */
  replace(path: readonly string[], tree: ProvenanceTree | undefined): void {
    const parent = this.node(path.slice(0, -1), tree !== undefined);
    const last = path[path.length - 1]!;
    if (!parent) return;
    if (tree) (parent.c ??= new Map()).set(last, tree);
    else parent.c?.delete(last);
  }

  clone(): ProvenanceTree {
    const t = new ProvenanceTree();
    if (this.p) t.p = this.p;
    if (this.c) t.c = new Map([...this.c].map(([k, v]) => [k, v.clone()]));
    return t;
  }
}

/** One source of values: the parsed tree and where each of its node paths was written. */
export interface ValuesLayer {
  values: Plain;
  prov: ProvenanceTree;
}

const SEP = '\u0000';

/** The key of a path in flat maps (list indices are their decimal strings, as `parsePath` gives). */
export function pathKey(path: readonly string[]): string {
  return path.join(SEP);
}

export function isPlainMap(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** A layer whose every node has the same provenance (chart defaults, a release's stored values). */
export function layerFromObject(values: Plain, loc: SourceLocation, user: boolean): ValuesLayer {
  const prov = { loc, user };
  const build = (v: unknown, t: ProvenanceTree) => {
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((item, i) => [String(i), item])
      : isPlainMap(v)
        ? Object.entries(v)
        : [];
    for (const [k, child] of entries) {
      const n = new ProvenanceTree();
      n.p = prov;
      (t.c ??= new Map()).set(k, n);
      build(child, n);
    }
  };
  const root = new ProvenanceTree();
  build(values, root);
  return { values: clone(values), prov: root };
}

/**
 * Helm's `mergeMaps` for user sources: a map deep-merges into a map, anything else replaces (nulls are kept,
 * to delete defaults later). Mutates `dst`.
 */
export function mergeUserLayer(dst: ValuesLayer, src: ValuesLayer): void {
  const rec = (d: Plain, s: Plain, dt: ProvenanceTree, st: ProvenanceTree | undefined) => {
    for (const [k, v] of Object.entries(s)) {
      const sn = st?.c?.get(k);
      const cur = d[k];
      if (isPlainMap(v) && isPlainMap(cur)) {
        const dn = dt.node([k], true)!;
        if (sn?.p) dn.p = sn.p;
        rec(cur, v, dn, sn);
      } else {
        d[k] = clone(v);
        dt.replace([k], sn ? sn.clone() : new ProvenanceTree());
      }
    }
  };
  rec(dst.values, src.values, dst.prov, src.prov);
}

/** A copy without null map entries (at any depth; list items stay), as helm coalesces a chart's defaults. */
function withoutMapNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutMapNulls);
  if (!isPlainMap(v)) return v;
  const out: Plain = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutMapNulls(x);
  return out;
}

/** The result of coalescing: merged values, provenance, and where nulls removed keys. */
export interface Coalesced {
  merged: Plain;
  prov: ProvenanceTree;
  removed: Map<string, SourceLocation>;
}

/**
 * Helm's coalesce of the user tree over the chart defaults: user values win, maps deep-merge, a user `null`
 * deletes the key (and everything under it) where the chart has a default. A null without a default stays a
 * nil value, as in helm: `range` over its map still yields the key (the service config renders `key:`).
 */
export function coalesce(user: ValuesLayer, defaults: ValuesLayer | undefined): Coalesced {
  const removed = new Map<string, SourceLocation>();
  const rec = (
    u: Plain | undefined,
    ut: ProvenanceTree | undefined,
    d: Plain | undefined,
    dt: ProvenanceTree | undefined,
    out: ProvenanceTree,
    path: string[],
  ): Plain => {
    const res: Plain = {};
    const keys = new Set([...Object.keys(d ?? {}), ...Object.keys(u ?? {})]);
    for (const k of keys) {
      const un = ut?.c?.get(k);
      if (u && Object.hasOwn(u, k)) {
        const uv = u[k];
        if (uv === null || uv === undefined) {
          // helm's coalesce deletes a user null only where the chart has a default; elsewhere the key stays, nil,
          // and templates that range over the map still see it (`key:` renders empty, None to Python).
          // Measured against helm v4: at the top level a null deletes any key the chart defines; below it, only a
          // key whose default is not itself null (a null over a null default stays).
          const hasDefault = d !== undefined && Object.hasOwn(d, k);
          if (hasDefault && (path.length === 0 || (d[k] !== null && d[k] !== undefined))) {
            if (un?.p) removed.set(pathKey([...path, k]), un.p.loc);
          } else {
            res[k] = null;
            (out.c ??= new Map()).set(k, un ? un.clone() : new ProvenanceTree());
            // For checks it is still "not set" (no value): evidence says so, with the place of the null.
            if (un?.p) removed.set(pathKey([...path, k]), un.p.loc);
          }
          continue;
        }
        if (isPlainMap(uv)) {
          const n = new ProvenanceTree();
          if (un?.p) n.p = un.p;
          (out.c ??= new Map()).set(k, n);
          const dv = d?.[k];
          res[k] = rec(uv, un, isPlainMap(dv) ? dv : undefined, isPlainMap(dv) ? dt?.c?.get(k) : undefined, n, [...path, k]);
        } else {
          // A scalar or list replaces whatever the chart had (helm warns on a table replaced by a non-table).
          res[k] = clone(uv);
          (out.c ??= new Map()).set(k, un ? un.clone() : new ProvenanceTree());
        }
      } else if (d && Object.hasOwn(d, k)) {
        // helm drops the chart's own nulls (`celery_enable_sha256: null`, `redis.auth:`): .Values has no such key.
        if (d[k] === null || d[k] === undefined) continue;
        res[k] = withoutMapNulls(clone(d[k]));
        const dn = dt?.c?.get(k);
        (out.c ??= new Map()).set(k, dn ? dn.clone() : new ProvenanceTree());
      }
    }
    return res;
  };
  const prov = new ProvenanceTree();
  const merged = rec(user.values, user.prov, defaults?.values, defaults?.prov, prov, []);
  return { merged, prov, removed };
}

/** A {@link ValuesPort} over merged values and their provenance. */
export class MergedValues implements ValuesPort {
  constructor(
    readonly files: readonly string[],
    readonly origin: 'files' | 'release' | 'defaults',
    readonly merged: Record<string, unknown>,
    private readonly prov: ProvenanceTree,
    private readonly removed: Map<string, SourceLocation>,
    /** What helm accepts without a word but a person should know (duplicate keys: the last one wins). */
    readonly warnings: readonly ValuesWarning[] = [],
  ) {}

  get(path: string | readonly string[]): unknown {
    return getPath(this.merged, path);
  }

  /** The provenance of a present key; falls back to the nearest ancestor for nodes we could not map. */
  private provenance(path: string | readonly string[]): Provenance | undefined {
    const parts = parsePath(path);
    if (parts.length === 0 || getPath(this.merged, parts) === undefined) return undefined;
    // Walk down remembering the deepest provenance seen.
    let found: Provenance | undefined;
    let cur: ProvenanceTree | undefined = this.prov;
    for (const k of parts) {
      cur = cur.c?.get(k);
      if (!cur) break;
      if (cur.p) found = cur.p;
    }
    return found;
  }

  isUserSet(path: string | readonly string[]): boolean {
    return this.provenance(path)?.user === true;
  }

  source(path: string | readonly string[]): SourceLocation | undefined {
    const p = this.provenance(path);
    return p ? { ...p.loc } : undefined;
  }

  /**
   * Where a `null` removed this key (or one of its parents), e.g. `nodeSelector: null` for
   * `nodeSelector.node-lifecycle`; undefined when the key is present or was never set.
   */
  removedBy(path: string | readonly string[]): SourceLocation | undefined {
    const parts = parsePath(path);
    const v = getPath(this.merged, parts);
    if (v !== undefined && v !== null) return undefined;
    for (let n = parts.length; n > 0; n--) {
      const loc = this.removed.get(pathKey(parts.slice(0, n)));
      if (loc) return { ...loc };
    }
    return undefined;
  }

  /** A missing key removed by a `null` carries the location of that `null` as its source. */
  evidence(path: string | readonly string[]): Evidence {
    const parts = parsePath(path);
    const value = this.get(parts);
    // A user null without a chart default is kept (helm keeps it) but has no value: missing, where it was nulled.
    const nulledAt = value === null ? this.removedBy(parts) : undefined;
    const missing = value === undefined || nulledAt !== undefined;
    const source = value === undefined ? this.removedBy(parts) : (nulledAt ?? this.source(parts));
    const key = [...parts].reverse().find((p) => !/^\d+$/.test(p));
    return {
      type: 'values',
      path: formatPath(parts),
      value: missing ? undefined : redactValue(key, value),
      ...(source ? { source } : {}),
      missing,
    };
  }
}

/** Merge like helm: user layers in order (maps deep-merge, later wins), then coalesce over the defaults. */
export function mergeLayers(
  defaults: ValuesLayer | undefined,
  userLayers: readonly ValuesLayer[],
  meta: { files: readonly string[]; origin: 'files' | 'release' | 'defaults'; warnings?: readonly ValuesWarning[] },
  applySets?: (user: ValuesLayer) => void,
): MergedValues {
  const user: ValuesLayer = { values: {}, prov: new ProvenanceTree() };
  for (const layer of userLayers) mergeUserLayer(user, layer);
  applySets?.(user);
  const { merged, prov, removed } = coalesce(user, defaults);
  return new MergedValues(meta.files, meta.origin, merged, prov, removed, meta.warnings ?? []);
}
