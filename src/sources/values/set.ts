/**
 * helm's inline values flags as `pkg/strvals` parses them:
 * - `--set a.b=1,c[0]=x,d={p,q}`: backslash escapes any character (`eks\.amazonaws\.com/role-arn`, `a=1\,2`),
 *   values typed like helm (`true`/`false` → boolean, `null` → delete, integers without a leading zero → number,
 *   everything else, floats included, stays a string);
 * - `--set-string`: the same syntax, every value a string (`null` included);
 * - `--set-literal key=value`: one key, the whole rest of the argument is the value, commas and braces included;
 * - `--set-json key=<JSON>[,key=<JSON>…]`: each value one JSON document (`--set-json '{…}'` is a whole map, merged
 *   by the loader);
 * - `--set-file key=path`: the value is the file's content (read by the loader).
 * Each assignment keeps the flag and text it came from, so a finding can name the argument to change.
 */
import { FatalError } from '../../engine/errors.js';
import { redactValue } from '../../engine/redact.js';
import { isPlainMap, ProvenanceTree, type Plain, type ValuesLayer } from './merge.js';

export type SetSegment = { key: string } | { index: number };

/** Which flag an assignment came from; they differ in how the value is read. */
export type SetFlag = '--set' | '--set-string' | '--set-json' | '--set-file' | '--set-literal';

export interface SetAssignment {
  path: SetSegment[];
  value: unknown;
  /** Provenance label: the flag and the assignment (`--set tag=abc`), its value redacted when the key is a credential. */
  source?: string;
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

/** The provenance label of one assignment: flag, key and (short, redacted) value. */
export function setSourceLabel(flag: SetFlag, path: readonly SetSegment[], value: unknown, raw?: string): string {
  const last = [...path].reverse().find((s): s is { key: string } => 'key' in s)?.key;
  const shown = raw ?? (typeof value === 'string' ? value : JSON.stringify(value));
  let v = String(redactValue(last, shown) ?? '');
  if (v.length > 60) v = `${v.slice(0, 57)}…`;
  return `${flag} ${describe(path)}=${v}`;
}

/**
 * The end of one JSON value starting at `i` (strings, nesting and escapes honoured): the index of the `,` that
 * ends it at top level, or the end of input.
 */
function jsonValueEnd(input: string, i: number): number {
  let depth = 0;
  let inString = false;
  for (let j = i; j < input.length; j++) {
    const c = input[j]!;
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) return j;
  }
  return input.length;
}

export type SetMode = 'typed' | 'string' | 'literal' | 'json';

/** Parse one `--set` argument into assignments, in order. Throws a one-line error on bad syntax. */
export function parseSet(input: string, mode: SetMode = 'typed'): SetAssignment[] {
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
    if (mode === 'literal') {
      // helm's literal parser: everything after the first "=" is the value, verbatim.
      out.push({ path, value: input.slice(i) });
      break;
    }
    if (mode === 'json') {
      const end = jsonValueEnd(input, i);
      const text = input.slice(i, end);
      try {
        value = JSON.parse(text) as unknown;
      } catch {
        throw new SetSyntaxError(`the value of "${describe(path)}" is not JSON: ${text.length > 40 ? `${text.slice(0, 37)}…` : text}`);
      }
      i = end < n ? end + 1 : end;
      out.push({ path, value });
      continue;
    }
    const typed = (raw: string) => (mode === 'string' ? raw : typedSetValue(raw));
    if (input[i] === '{') {
      i++;
      const items: unknown[] = [];
      for (;;) {
        const [item, s] = until(',}');
        if (s === '') throw new SetSyntaxError(`list value in "${input}" is missing its closing "}"`);
        if (!(s === '}' && item === '' && items.length === 0)) items.push(typed(item));
        if (s === '}') break;
      }
      if (i < n) {
        if (input[i] !== ',') throw new SetSyntaxError(`unexpected "${input[i]}" after a list value in "${input}"`);
        i++;
      }
      value = items;
    } else {
      const [raw] = until(',');
      value = typed(raw);
    }
    out.push({ path, value });
  }
  return out;
}

function describe(path: readonly SetSegment[]): string {
  return path.map((s, j) => ('index' in s ? `[${s.index}]` : j === 0 ? s.key : `.${s.key}`)).join('');
}

const MODE_OF: Record<Exclude<SetFlag, '--set-file'>, SetMode> = {
  '--set': 'typed',
  '--set-string': 'string',
  '--set-literal': 'literal',
  '--set-json': 'json',
};

/**
 * Parse the arguments of one flag (default `--set`); a syntax error is a {@link FatalError} naming the argument.
 * Each assignment gets its provenance label.
 */
export function parseSets(sets: readonly string[], flag: Exclude<SetFlag, '--set-file'> = '--set'): SetAssignment[] {
  const out: SetAssignment[] = [];
  for (const s of sets) {
    try {
      for (const a of parseSet(s, MODE_OF[flag])) out.push({ ...a, source: setSourceLabel(flag, a.path, a.value) });
    } catch (e) {
      if (e instanceof SetSyntaxError) throw new FatalError(`${flag} ${JSON.stringify(s)}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** `--set-file key=path`: the key and the path (helm reads the file and sets its content as a string). */
export function parseSetFile(arg: string): { path: SetSegment[]; file: string } {
  try {
    const [a] = parseSet(arg, 'literal');
    if (!a || typeof a.value !== 'string' || a.value === '') throw new SetSyntaxError(`expected key=path`);
    return { path: a.path, file: a.value };
  } catch (e) {
    if (e instanceof SetSyntaxError) throw new FatalError(`--set-file ${JSON.stringify(arg)}: ${e.message}`);
    throw e;
  }
}

/**
 * Apply assignments in place to the merged user tree, as helm's `strvals.ParseInto` does: intermediate maps and
 * lists are created (or replace a value of the wrong shape), lists grow with nulls, the leaf is replaced.
 * Every node on the path gets the `--set` provenance.
 */
export function applySets(user: ValuesLayer, assignments: readonly SetAssignment[]): void {
  for (const { path, value, source } of assignments) {
    const prov = { loc: { file: source ?? '--set' }, user: true };
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
