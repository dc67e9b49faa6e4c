/**
 * Read one values file exactly as helm does, with the file:line:column of every key.
 *
 * Helm (`loader.LoadValues`, sigs.k8s.io/yaml over go-yaml v2) reads YAML 1.1 (`yes`/`on`/`y` are booleans, `0777`
 * is octal) but leaves timestamps and `1:20` sexagesimals as strings; it reads EVERY document of the file and
 * deep-merges them in order; inside a map it applies keys in document order, so a duplicate key silently keeps the
 * last value and a `<<:` merge overrides the explicit keys written before it (later merge sources lose to earlier
 * ones). We reproduce that and keep what helm throws away: each duplicate key becomes a warning naming both places.
 *
 * Hostile input is bad input: the file size, the nesting depth and the number of nodes produced (aliases
 * included) are bounded, a recursive alias or `<<: 5` is a one-line error, and the work yields to the event loop
 * so Ctrl-C (the run's AbortSignal) stops it. Duplicate keys are found with one hash lookup per key (the YAML
 * library's own check compares every key with every other one: 100k keys took minutes).
 */
import { Composer, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, Parser, type Document, type Node, type Tags } from 'yaml';
import { CancelledError, FatalError } from '../../engine/errors.js';
import type { SourceLocation, ValuesWarning } from '../../engine/types.js';
import { mergeUserLayer, ProvenanceTree, type Plain, type ValuesLayer } from './merge.js';

/** Bounds on one values file; each is far above any real values file (model-engine's own is 25 KB, depth 8). */
export const VALUES_LIMITS = {
  /** Helm's own cap on a chart file (`MaxDecompressedFileSize`, 5 MiB). */
  maxBytes: 5 * 1024 * 1024,
  maxDepth: 64,
  /** Nodes produced, alias expansions included: an alias bomb stops here. */
  maxNodes: 1_000_000,
  /** Duplicate-key warnings kept per file (the count of the rest is kept too). */
  maxWarnings: 10_000,
} as const;

export type ValuesLimits = { -readonly [K in keyof typeof VALUES_LIMITS]: number };

/**
 * helm reads values with go-yaml v2 (YAML 1.1) but leaves timestamps and `1:20`-style sexagesimals as strings;
 * drop those two 1.1 types so `8080:80` stays text.
 */
const helmTags = (tags: Tags): Tags =>
  tags.filter((t) => !(typeof t === 'object' && (t.format === 'TIME' || t.tag === 'tag:yaml.org,2002:timestamp')));

// `merge: false`: `<<` stays a plain key and is applied below with go-yaml's semantics, which differ from the
// library's. `uniqueKeys: false`: duplicates are found below in linear time and are not an error in helm.
const YAML_OPTIONS = { version: '1.1', merge: false, uniqueKeys: false, prettyErrors: true, customTags: helmTags } as const;

/** How often (in lexemes or nodes) the parse yields to the event loop and looks at the signal. */
const YIELD_EVERY = 20_000;

export interface ParsedValuesFile {
  layer: ValuesLayer;
  warnings: ValuesWarning[];
  /** Duplicate keys beyond {@link VALUES_LIMITS.maxWarnings}, counted but not listed. */
  moreWarnings: number;
  /** Documents in the file (helm v4 merges them all; helm v3 before 3.? read the first only). */
  documents: number;
}

export interface ParseOptions {
  /** Set by the user (a values file) or not (a chart's values.yaml). Default true. */
  user?: boolean;
  signal?: AbortSignal;
  limits?: Partial<ValuesLimits>;
}

/** Pretty errors end with " at line N, column M:" and a code frame; keep only the first sentence. */
function shortMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?\s*$/, '').trim();
}

const kindOf = (node: unknown): string =>
  isSeq(node) ? 'a list' : isScalar(node) ? (typeof node.value === 'string' ? 'a string' : `a ${typeof node.value}`) : 'another kind of node';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await tick();
  if (signal?.aborted) throw new CancelledError();
}

/** Tokenise and compose with periodic yields, so a large file never blocks Ctrl-C for long. */
async function composeDocuments(text: string, lineCounter: LineCounter, signal: AbortSignal | undefined): Promise<Document.Parsed[]> {
  const lexer = new Lexer();
  const parser = new Parser(lineCounter.addNewLine);
  // `Parser.parse` records the first line itself; driving `next` by hand, we do.
  lineCounter.addNewLine(0);
  const composer = new Composer(YAML_OPTIONS);
  const docs: Document.Parsed[] = [];
  let n = 0;
  for (const lexeme of lexer.lex(text)) {
    for (const token of parser.next(lexeme)) for (const d of composer.next(token)) docs.push(d);
    if (++n % YIELD_EVERY === 0) await checkpoint(signal);
  }
  for (const token of parser.end()) for (const d of composer.next(token)) docs.push(d);
  for (const d of composer.end(false, text.length)) docs.push(d);
  return docs;
}

/**
 * Parse one values file. `file` names it in provenance, warnings and errors. Bad input throws a one-line
 * {@link FatalError} (`file:line:col: problem`); Ctrl-C throws {@link CancelledError}.
 */
export async function parseValuesFile(text: string, file: string, opts: ParseOptions = {}): Promise<ParsedValuesFile> {
  const limits: ValuesLimits = { ...VALUES_LIMITS, ...opts.limits };
  const user = opts.user ?? true;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    throw new FatalError(`${file}: values file is ${mib(bytes)}, over the ${mib(limits.maxBytes)} limit (helm's own limit for a chart file)`);
  }
  // A UTF-8 byte-order mark is dropped by helm's reader.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = await composeDocuments(source, lineCounter, opts.signal);
  } catch (e) {
    if (e instanceof CancelledError) throw e;
    // The library recurses per nesting level: a hostile nesting can exhaust the stack.
    throw new FatalError(`${file}: cannot parse values file: ${e instanceof RangeError ? `nesting too deep (${e.message})` : shortMessage((e as Error).message)}`);
  }
  const at = (offset: number | undefined): SourceLocation => {
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const where = (offset: number | undefined) => {
    const l = at(offset);
    return `${file}${l.line ? `:${l.line}:${l.column}` : ''}`;
  };

  const out: ValuesLayer = { values: {}, prov: new ProvenanceTree() };
  const warnings: ValuesWarning[] = [];
  let moreWarnings = 0;
  let documents = 0;
  const budget = { nodes: 0 };
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      // The library recurses per nesting level and reports an exhausted stack as an error of the document.
      const problem = /Maximum call stack/i.test(err.message) ? 'nesting too deep for the YAML parser' : shortMessage(err.message);
      throw new FatalError(`${where(err.pos[0])}: invalid YAML: ${problem}`);
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === undefined))) continue;
    documents++;
    if (!isMap(contents)) {
      throw new FatalError(`${where(contents.range?.[0])}: values must be a YAML map of keys, found ${kindOf(contents)}`);
    }
    const walker = new Walker(at, where, user, limits, budget, opts.signal, (w) => {
      if (warnings.length < limits.maxWarnings) warnings.push(w);
      else moreWarnings++;
    });
    const layer = await walker.document(contents);
    // helm deep-merges the documents of one file in order (`loader.MergeMaps`), as it merges -f files.
    mergeUserLayer(out, layer);
  }
  return { layer: out, warnings, moreWarnings, documents };
}

/** Structural equality of two converted values (JSON shapes only). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Plain)[k], (b as Plain)[k]));
  }
  return false;
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MiB`;
}

/** A plain `<<` key (the 1.1 schema resolves it to a symbol); quoted `"<<"` is an ordinary key, as in go-yaml. */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key) || (key.type !== undefined && key.type !== 'PLAIN')) return false;
  const v = key.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

/** Converts one document's AST into values and provenance with go-yaml v2's semantics. */
class Walker {
  /** Anchors defined so far, in document order (an alias names the latest one before it). */
  private readonly anchors = new Map<string, Node>();
  /** Anchored nodes being expanded right now: an alias to one of them is a recursive alias. */
  private readonly expanding = new Set<Node>();
  private sinceYield = 0;

  constructor(
    private readonly at: (offset: number | undefined) => SourceLocation,
    private readonly where: (offset: number | undefined) => string,
    private readonly user: boolean,
    private readonly limits: ValuesLimits,
    private readonly budget: { nodes: number },
    private readonly signal: AbortSignal | undefined,
    private readonly warn: (w: ValuesWarning) => void,
  ) {}

  async document(contents: Node): Promise<ValuesLayer> {
    const prov = new ProvenanceTree();
    const values = (await this.convert(contents, prov, [], 0, false)) as Plain;
    return { values, prov };
  }

  private async step(node: Node): Promise<void> {
    if (++this.budget.nodes > this.limits.maxNodes) {
      throw new FatalError(
        `${this.where(node.range?.[0])}: the values expand to more than ${this.limits.maxNodes.toLocaleString('en-US')} nodes (a YAML alias bomb?)`,
      );
    }
    if (++this.sinceYield >= YIELD_EVERY) {
      this.sinceYield = 0;
      await checkpoint(this.signal);
    }
  }

  /** The anchored node an alias names, refusing recursion as helm does ("anchor 'a' value contains itself"). */
  private resolve(alias: Node & { source: string }): Node {
    const target = this.anchors.get(alias.source);
    if (!target) throw new FatalError(`${this.where(alias.range?.[0])}: invalid YAML: unknown anchor '${alias.source}' referenced`);
    if (this.expanding.has(target)) throw new FatalError(`${this.where(alias.range?.[0])}: invalid YAML: anchor '${alias.source}' value contains itself`);
    return target;
  }

  /**
   * Convert `node` (at `path`, `depth` levels down) into its JS value, filling the provenance node `t` of its
   * children. `inAlias`: inside an alias expansion, where anchors are not re-registered and duplicates were
   * already reported where the anchor is written.
   */
  private async convert(node: Node, t: ProvenanceTree, path: string[], depth: number, inAlias: boolean): Promise<unknown> {
    await this.step(node);
    if (depth > this.limits.maxDepth) {
      throw new FatalError(`${this.where(node.range?.[0])}: values nested deeper than ${this.limits.maxDepth} levels`);
    }
    if (isAlias(node)) {
      const target = this.resolve(node);
      this.expanding.add(target);
      try {
        return await this.convert(target, t, path, depth, true);
      } finally {
        this.expanding.delete(target);
      }
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor && !inAlias) this.anchors.set(anchor, node);
    if (anchor) this.expanding.add(node);
    try {
      if (isMap(node)) return await this.map(node, t, path, depth, inAlias);
      if (isSeq(node)) {
        const out: unknown[] = [];
        for (const item of node.items) {
          const child = new ProvenanceTree();
          child.p = { loc: this.at((item as Node | null)?.range?.[0]), user: this.user };
          (t.c ??= new Map()).set(String(out.length), child);
          out.push(item === null ? null : await this.convert(item as Node, child, [...path, String(out.length)], depth + 1, inAlias));
        }
        return out;
      }
      if (isScalar(node)) return this.scalar(node);
      return null;
    } finally {
      if (anchor) this.expanding.delete(node);
    }
  }

  private scalar(node: Node & { value: unknown }): unknown {
    const v = node.value;
    // sigs.k8s.io/yaml converts to JSON, which has no infinities or NaN: helm refuses the file.
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new FatalError(`${this.where(node.range?.[0])}: invalid value ${String(v)}: helm cannot convert .inf or .nan to JSON`);
    }
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    return v === undefined ? null : v;
  }

  /** A map key as helm's YAML-to-JSON conversion spells it. */
  private key(node: unknown): string {
    if (node === null || node === undefined) return 'null';
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || v === undefined) return 'null';
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'bigint') return String(v);
    }
    const offset = (node as Node).range?.[0];
    throw new FatalError(`${this.where(offset)}: invalid map key: a key must be a string, number or boolean, not ${kindOf(node)}`);
  }

  private async map(node: Node & { items: { key: unknown; value: unknown }[] }, t: ProvenanceTree, path: string[], depth: number, inAlias: boolean): Promise<Plain> {
    const out: Plain = {};
    /** Where each key was last written explicitly in this map (merges do not count: they override by design). */
    const explicit = new Map<string, SourceLocation>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (isMergeKey(keyNode)) {
        await this.merge(pair.value as Node | null, keyNode!, out, t, path, depth, inAlias);
        continue;
      }
      const k = this.key(keyNode);
      const loc = this.at(keyNode?.range?.[0]);
      const first = explicit.get(k);
      const before = out[k];
      explicit.set(k, loc);
      const child = new ProvenanceTree();
      child.p = { loc, user: this.user };
      (t.c ??= new Map()).set(k, child);
      const value = pair.value as Node | null;
      out[k] = value === null ? null : await this.convert(value, child, [...path, k], depth + 1, inAlias);
      if (first && !inAlias) this.warn({ kind: 'duplicate-key', path: [...path, k], first, second: loc, sameValue: sameJson(before, out[k]) });
    }
    return out;
  }

  /**
   * `<<: *a` or `<<: [*a, *b]`: go-yaml v2 sets the merged keys into the map at this point, overriding keys
   * written before it; in a list, earlier sources win (they are applied last).
   */
  private async merge(value: Node | null, keyNode: Node, out: Plain, t: ProvenanceTree, path: string[], depth: number, inAlias: boolean): Promise<void> {
    const refuse = () => new FatalError(`${this.where(keyNode.range?.[0])}: invalid YAML: map merge requires map or sequence of maps as the value`);
    const sourceMap = (n: unknown): Node => {
      const m = isAlias(n) ? this.resolve(n) : n;
      if (!isMap(m)) throw refuse();
      return n as Node;
    };
    let sources: Node[];
    if (isSeq(value)) sources = value.items.map(sourceMap).reverse();
    else if (value !== null && (isAlias(value) || isMap(value))) sources = [sourceMap(value)];
    else throw refuse();
    for (const s of sources) {
      const t2 = new ProvenanceTree();
      const merged = (await this.convert(s, t2, path, depth, inAlias || isAlias(s))) as Plain;
      for (const [k, v] of Object.entries(merged)) {
        out[k] = v;
        const child = t2.c?.get(k) ?? new ProvenanceTree();
        (t.c ??= new Map()).set(k, child);
      }
    }
  }
}
