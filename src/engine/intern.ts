/**
 * Structural sharing of the objects a run reads by the ten thousand (issue 16: lean memory). The 32 replicas of an
 * endpoint carry the same labels, owner references, containers, resources, node selectors and tolerations, and the
 * same strings (images, label values, node names) again and again; JSON.parse makes a fresh copy of each for every
 * pod. An {@link Interner} replaces each value by the one equal value it has already seen (hash-consing), so a
 * subtree the replicas share is held once, and so is each repeated string.
 *
 * It changes nothing a check can see: the objects are deep-frozen and shared read-only anyway (src/engine/frozen.ts),
 * and an interned object is equal, key by key and in the same key order, to the one it replaces. Equality is decided
 * exactly (by identity of already-interned children, and strings by value), never by the hash alone.
 */

/** Strings longer than this are not pooled (messages, certificates: seldom repeated, costly to hash). */
const MAX_POOLED_STRING = 256;
/** Deeper than this (no Kubernetes object is) a value is kept as it is. */
const MAX_DEPTH = 48;

/** Colliding nodes under one hash. */
class Bucket {
  constructor(readonly nodes: object[]) {}
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mix(h: number, x: number): number {
  return Math.imul(h ^ x, FNV_PRIME) >>> 0;
}

function hashString(s: string): number {
  let h = mix(FNV_OFFSET, s.length);
  // The whole of a short string; the ends of a long one (equal hashes are checked exactly anyway).
  const n = s.length;
  if (n <= 96) {
    for (let i = 0; i < n; i++) h = mix(h, s.charCodeAt(i));
  } else {
    for (let i = 0; i < 64; i++) h = mix(h, s.charCodeAt(i));
    for (let i = n - 32; i < n; i++) h = mix(h, s.charCodeAt(i));
  }
  return h;
}

type Rec = Record<string, unknown>;

function sameArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

/** Children compared as `Object.is` does (0 and -0 differ), pooled nodes by identity. */
function same(x: unknown, y: unknown): boolean {
  return x === y ? x !== 0 || 1 / (x as number) === 1 / (y as number) : false;
}

/** `a` (pooled) has exactly `keys`, in that order, with the values of `b` (whose keys they are). */
function sameRecord(a: Rec, b: Rec, keys: readonly string[]): boolean {
  let i = 0;
  // for…in: no array allocated per comparison (JSON objects have no inherited enumerable keys).
  for (const k in a) {
    if (k !== keys[i] || !same(a[k], b[k])) return false;
    i++;
  }
  return i === keys.length;
}

/** Whether pooled `o` equals `node` (an object with `keys`, or an array when there are none). */
function equal(o: object, node: object, keys: readonly string[] | undefined): boolean {
  return keys ? !Array.isArray(o) && sameRecord(o as Rec, node as Rec, keys) : Array.isArray(o) && sameArray(o, node as unknown[]);
}

/** One pool of interned values; a run keeps one for its whole life so lists read apart share too. */
export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly nodes = new Map<number, object | Bucket>();
  /** The hash of the value the last `walk` returned (kept in a field: no pair allocated per node). */
  private hash = 0;
  private unique = 0;
  /** Which bits of a hash key the pool (all 32; tests narrow it to make every lookup a collision). */
  private readonly mask: number;

  constructor(opts: { hashBits?: number } = {}) {
    const bits = opts.hashBits ?? 32;
    this.mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  }

  /** `value` with every subtree and short string replaced by the equal one already pooled (pooling the new ones). */
  intern<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  /** How many distinct strings and nodes the pool holds, and under how many hashes more than one node (tests, benchmarks). */
  get size(): { strings: number; nodes: number; buckets: number } {
    let nodes = 0;
    let buckets = 0;
    for (const v of this.nodes.values()) {
      if (v instanceof Bucket) buckets++;
      nodes += v instanceof Bucket ? v.nodes.length : 1;
    }
    return { strings: this.strings.size, nodes, buckets };
  }

  private walk(v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'string': {
        this.hash = hashString(v);
        if (v.length > MAX_POOLED_STRING) return v;
        const pooled = this.strings.get(v);
        if (pooled !== undefined) return pooled;
        this.strings.set(v, v);
        return v;
      }
      case 'number':
        this.hash = mix(0x9e3779b9, Number.isInteger(v) ? v | 0 : hashString(String(v)));
        return v;
      case 'boolean':
        this.hash = v ? 0x2545f491 : 0x4f1bbcdc;
        return v;
      case 'object':
        break;
      default:
        this.hash = 0x1b873593;
        return v;
    }
    if (v === null) {
      this.hash = 0x68e31da4;
      return v;
    }
    if (depth > MAX_DEPTH) {
      // Not pooled; a hash of its own so that nothing equal is ever looked for.
      this.hash = mix(0x3c6ef372, ++this.unique);
      return v;
    }
    const frozen = Object.isFrozen(v);
    if (Array.isArray(v)) {
      let h = mix(0xa54ff53a, v.length);
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const c = this.walk(v[i], depth + 1);
        h = mix(h, this.hash);
        // A string is put back even when equal: `===` compares strings by value, and the point is the pooled instance.
        if (typeof c === 'string') {
          if (!frozen) v[i] = c;
        } else if (c !== v[i]) {
          if (frozen) (copy ??= [...v])[i] = c;
          else v[i] = c;
        }
      }
      return this.pool(copy ?? v, h, undefined);
    }
    const rec = v as Rec;
    let h = 0x510e527f;
    let copy: Rec | undefined;
    const keys = Object.keys(rec);
    for (const k of keys) {
      const c = this.walk(rec[k], depth + 1);
      h = mix(mix(h, hashString(k)), this.hash);
      if (typeof c === 'string') {
        if (!frozen) rec[k] = c;
      } else if (c !== rec[k]) {
        if (frozen) (copy ??= { ...rec })[k] = c;
        else rec[k] = c;
      }
    }
    return this.pool(copy ?? rec, h, keys);
  }

  /** The pooled node equal to `node` (whose children are pooled already; `keys` its keys, or none for an array), or `node` itself, now pooled. */
  private pool(node: object, h: number, keys: readonly string[] | undefined): object {
    this.hash = h;
    const key = (h & this.mask) >>> 0;
    const hit = this.nodes.get(key);
    if (hit === undefined) {
      this.nodes.set(key, node);
      return node;
    }
    if (hit instanceof Bucket) {
      for (const o of hit.nodes) if (equal(o, node, keys)) return o;
      hit.nodes.push(node);
      return node;
    }
    if (equal(hit, node, keys)) return hit;
    this.nodes.set(key, new Bucket([hit, node]));
    return node;
  }
}
