/**
 * `--set` as helm parses it (`pkg/strvals`): `a.b=1,c[0]=x,d={p,q}`, backslash escapes any character
 * (`eks\.amazonaws\.com/role-arn`, `a=1\,2`), values typed like helm (`true`/`false` → boolean, `null` → delete,
 * integers without a leading zero → number, everything else, floats included, stays a string).
 */
import { FatalError } from '../../engine/errors.js';
import { isPlainMap, ProvenanceTree, type Plain, type ValuesLayer } from './merge.js';

export type SetSegment = { key: string } | { index: number };

export interface SetAssignment {
  path: SetSegment[];
  value: unknown;
}

/** Helm refuses indices above this (strvals `MaxIndex`) so `a[99999999]=x` cannot eat memory. */
const MAX_INDEX = 65536;

class SetSyntaxError extends Error {}

/** helm's `typedVal`. */
export function typedSetValue(raw: string): unknown {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (raw === '0') return 0;
  if (raw.length > 0 && raw[0] !== '0' && /^[+-]?\d+$/.test(raw)) {
    const big = BigInt(raw);
    // Go's ParseInt fails past int64; helm then keeps the string.
    if (big <= 9223372036854775807n && big >= -9223372036854775808n) return Number(raw);
  }
  return raw;
}

/** Parse one `--set` argument into assignments, in order. Throws a one-line error on bad syntax. */
export function parseSet(input: string): SetAssignment[] {
  const out: SetAssignment[] = [];
  let i = 0;
  const n = input.length;

  /** Read until one of `stops` (unescaped); returns the text and the stop char ('' at end). */
  const until = (stops: string): [string, string] => {
    let s = '';
    while (i < n) {
      const c = input[i]!;
      if (c === '\\' && i + 1 < n) {
        s += input[i + 1];
        i += 2;
        continue;
      }
      i++;
      if (stops.includes(c)) return [s, c];
      s += c;
    }
    return [s, ''];
  };

  while (i < n) {
    const path: SetSegment[] = [];
    let stop: string;
    let text: string;
    [text, stop] = until('=.[,');
    path.push({ key: text });
    for (;;) {
      if (stop === '=') break;
      if (stop === '.') {
        [text, stop] = until('=.[,');
        path.push({ key: text });
        continue;
      }
      if (stop === '[') {
        const close = input.indexOf(']', i);
        if (close < 0) throw new SetSyntaxError(`unterminated list index in "${input}"`);
        const idxText = input.slice(i, close);
        if (!/^\d+$/.test(idxText)) throw new SetSyntaxError(`list index "${idxText}" is not a non-negative integer`);
        const index = Number(idxText);
        if (index > MAX_INDEX) throw new SetSyntaxError(`list index ${index} is larger than the maximum ${MAX_INDEX}`);
        path.push({ index });
        i = close + 1;
        const next = input[i];
        if (next === '=' || next === '.' || next === '[') {
          i++;
          stop = next;
          if (next === '.') {
            [text, stop] = until('=.[,');
            path.push({ key: text });
          }
          continue;
        }
        throw new SetSyntaxError(`key "${describe(path)}" has no value`);
      }
      // ',' or end of input before any '='
      throw new SetSyntaxError(`key "${describe(path)}" has no value`);
    }
    if (path.some((s) => 'key' in s && s.key === '')) throw new SetSyntaxError(`empty key in "${input}"`);

    let value: unknown;
    if (input[i] === '{') {
      i++;
      const items: unknown[] = [];
      for (;;) {
        const [item, s] = until(',}');
        if (s === '') throw new SetSyntaxError(`list value in "${input}" is missing its closing "}"`);
        if (!(s === '}' && item === '' && items.length === 0)) items.push(typedSetValue(item));
        if (s === '}') break;
      }
      if (i < n) {
        if (input[i] !== ',') throw new SetSyntaxError(`unexpected "${input[i]}" after a list value in "${input}"`);
        i++;
      }
      value = items;
    } else {
      const [raw] = until(',');
      value = typedSetValue(raw);
    }
    out.push({ path, value });
  }
  return out;
}

function describe(path: readonly SetSegment[]): string {
  return path.map((s, j) => ('index' in s ? `[${s.index}]` : j === 0 ? s.key : `.${s.key}`)).join('');
}

/** Parse `--set` arguments; a syntax error is a {@link FatalError} naming the argument. */
export function parseSets(sets: readonly string[]): SetAssignment[] {
  const out: SetAssignment[] = [];
  for (const s of sets) {
    try {
      out.push(...parseSet(s));
    } catch (e) {
      if (e instanceof SetSyntaxError) throw new FatalError(`--set ${JSON.stringify(s)}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/**
 * Apply assignments in place to the merged user tree, as helm's `strvals.ParseInto` does: intermediate maps and
 * lists are created (or replace a value of the wrong shape), lists grow with nulls, the leaf is replaced.
 * Every node on the path gets the `--set` provenance.
 */
export function applySets(user: ValuesLayer, assignments: readonly SetAssignment[]): void {
  const prov = { loc: { file: '--set' }, user: true };
  for (const { path, value } of assignments) {
    /** `t` is the provenance node of `node`; it is already marked as set by `--set`. */
    const assign = (node: unknown, t: ProvenanceTree, depth: number): unknown => {
      const seg = path[depth]!;
      const key = 'key' in seg ? seg.key : String(seg.index);
      let container: Plain | unknown[];
      if ('key' in seg) {
        container = isPlainMap(node) ? node : {};
      } else {
        container = Array.isArray(node) ? node : [];
        while (container.length <= seg.index) container.push(null);
      }
      // A value of the wrong shape is replaced: what was known about its children no longer applies.
      if (container !== node) delete t.c;
      let child = t.c?.get(key);
      if (depth === path.length - 1 || !child) {
        child = new ProvenanceTree();
        (t.c ??= new Map()).set(key, child);
      }
      child.p = prov;
      let v: unknown;
      if (depth === path.length - 1) {
        v = Array.isArray(value) ? [...value] : value;
        if (Array.isArray(v)) v.forEach((_x, j) => child.set([String(j)], prov));
      } else {
        v = assign((container as Record<string, unknown>)[key], child, depth + 1);
      }
      (container as Record<string, unknown>)[key] = v;
      return container;
    };
    user.values = assign(user.values, user.prov, 0) as Plain;
  }
}
