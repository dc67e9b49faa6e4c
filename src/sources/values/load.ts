/**
 * Load helm values files (`-f`) and `--set` arguments, merge them over the chart defaults as helm does, and keep
 * the file:line:column of every key so findings can point at the line to edit.
 */
import { readFile } from 'node:fs/promises';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Tags,
} from 'yaml';
import { FatalError } from '../../engine/errors.js';
import type { SourceLocation } from '../../engine/types.js';
import { CHART_DEFAULTS_SOURCE, CHART_DEFAULTS_YAML } from './chart-defaults.js';
import { layerFromObject, mergeLayers, ProvenanceTree, type MergedValues, type Plain, type ValuesLayer } from './merge.js';
import { applySets, parseSets } from './set.js';
import { validateValues } from './schema.js';

/**
 * Helm reads values with go-yaml v2 (YAML 1.1: `yes`/`on` are booleans, `0777` is octal, `<<` merges) but
 * leaves timestamps and `1:20`-style sexagesimals as strings; drop those two 1.1 types so `8080:80` stays text.
 */
const helmTags = (tags: Tags): Tags =>
  tags.filter((t) => !(typeof t === 'object' && (t.format === 'TIME' || t.tag === 'tag:yaml.org,2002:timestamp')));

const YAML_OPTIONS = { version: '1.1', merge: true, uniqueKeys: true, prettyErrors: true, customTags: helmTags } as const;

/** Pretty errors end with " at line N, column M:" and a code frame; keep only the first sentence. */
function shortMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?\s*$/, '').trim();
}

const kindOf = (node: unknown): string =>
  isSeq(node) ? 'a list' : isScalar(node) ? (typeof node.value === 'string' ? 'a string' : `a ${typeof node.value}`) : 'another kind of node';

/**
 * Parse one values document. `file` names it in provenance and errors. Throws a one-line {@link FatalError}
 * (`file:line:col: problem`) on a syntax error, a duplicate key or a document that is not a map.
 */
export function parseValuesYaml(text: string, file: string, user = true, fixedLoc?: SourceLocation): ValuesLayer {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  // Helm (go-yaml Unmarshal) reads only the first document of a values file; so do we.
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (!doc) return { values: {}, prov: new ProvenanceTree() };
  const err = doc.errors[0];
  if (err) {
    const { line, column } = at(err.pos[0]);
    let problem = shortMessage(err.message);
    if (err.code === 'DUPLICATE_KEY') {
      const key = text.slice(err.pos[0]).split(/[:\n]/)[0]?.trim();
      problem = `duplicate key${key ? ` "${key}"` : ''} (${problem})`;
    }
    throw new FatalError(`${file}:${line}:${column}: invalid YAML: ${problem}`);
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return { values: {}, prov: new ProvenanceTree() };
  if (!isMap(contents)) {
    const { line, column } = at(contents.range?.[0] ?? 0);
    throw new FatalError(`${file}:${line}:${column}: values must be a YAML map of keys, found ${kindOf(contents)}`);
  }
  const js: unknown = doc.toJS({ maxAliasCount: 1000 });
  const values = (js ?? {}) as Plain;
  if (fixedLoc) return layerFromObject(values, fixedLoc, user);
  const prov = new ProvenanceTree();
  collect(doc, contents, [], (path, offset) => prov.set(path, { loc: { file, ...at(offset) }, user }));
  return { values, prov };
}

/** Walk the AST recording the start of each key (map entries) or item (list entries). */
function collect(doc: Document, node: unknown, path: string[], record: (path: string[], offset: number) => void, depth = 0): void {
  if (depth > 200) return;
  let n = node;
  if (isAlias(n)) n = n.resolve(doc);
  if (isMap(n)) {
    const explicit = new Set<string>();
    for (const pair of n.items) if (!isMergeKey(pair.key)) explicit.add(keyString(pair.key));
    for (const pair of n.items) {
      if (isMergeKey(pair.key)) {
        // `<<: *base` (or a list of them): merged keys are written where the anchor is; explicit keys win.
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const s of sources) {
          const m = isAlias(s) ? s.resolve(doc) : s;
          if (!isMap(m)) continue;
          for (const mp of m.items) {
            const k = keyString(mp.key);
            if (explicit.has(k) || !isPair(mp)) continue;
            const offset = (mp.key as Node | null)?.range?.[0];
            if (offset !== undefined) record([...path, k], offset);
            collect(doc, mp.value, [...path, k], record, depth + 1);
          }
        }
        continue;
      }
      const k = keyString(pair.key);
      const offset = (pair.key as Node | null)?.range?.[0];
      if (offset !== undefined) record([...path, k], offset);
      collect(doc, pair.value, [...path, k], record, depth + 1);
    }
  } else if (isSeq(n)) {
    n.items.forEach((item, i) => {
      const offset = (item as Node | null)?.range?.[0];
      if (offset !== undefined) record([...path, String(i)], offset);
      collect(doc, item, [...path, String(i)], record, depth + 1);
    });
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.value === '<<' && key.type === 'PLAIN';
}

function keyString(key: unknown): string {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return String(key ?? '');
}

let defaultsLayer: ValuesLayer | undefined;

/** The chart defaults as a layer (parsed once); its keys' provenance is {@link CHART_DEFAULTS_SOURCE}. */
export function chartDefaultsLayer(): ValuesLayer {
  defaultsLayer ??= parseValuesYaml(CHART_DEFAULTS_YAML, CHART_DEFAULTS_SOURCE, false, { file: CHART_DEFAULTS_SOURCE });
  return { values: structuredClone(defaultsLayer.values), prov: defaultsLayer.prov.clone() };
}

async function readValuesFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
    throw new FatalError(`${path}: cannot read values file: ${why}`);
  }
}

/**
 * Load and merge values like `helm install -f <paths…> --set <sets…>`: chart defaults (unless
 * `opts.defaults === false`), then the files in order, then `--set`. Bad input throws a one-line FatalError.
 */
export async function loadValuesFiles(
  paths: string[],
  sets: string[],
  opts: { defaults?: boolean; validate?: boolean } = {},
): Promise<MergedValues> {
  const texts = await Promise.all(paths.map(readValuesFile));
  const layers = texts.map((text, i) => parseValuesYaml(text, paths[i]!));
  const assignments = parseSets(sets);
  const defaults = opts.defaults === false ? undefined : chartDefaultsLayer();
  const origin = paths.length > 0 || sets.length > 0 ? 'files' : 'defaults';
  const merged = mergeLayers(defaults, layers, { files: [...paths], origin }, (user) => applySets(user, assignments));
  // Known keys of the wrong type (`tag` a map, `nodeSelector` a string …) stop the run here, naming file:line:col.
  if (opts.validate !== false) validateValues(layers, merged);
  return merged;
}
