/**
 * Load helm values the way `helm install` does — chart defaults, `-f` files in order (`-` is stdin), then
 * `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal` (helm v4 `pkg/cli/values` applies the flags
 * in that order, whatever their order on the command line) — and keep the file:line:column (or the flag and
 * argument) of every key so findings can point at the line to edit.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EXIT, FatalError } from '../../engine/errors.js';
import type { ValuesWarning } from '../../engine/types.js';
import { CHART_DEFAULTS_SOURCE, CHART_DEFAULTS_YAML } from './chart-defaults.js';
import { layerFromObject, mergeLayers, mergeUserLayer, type MergedValues, type Plain, type ValuesLayer } from './merge.js';
import { parseValuesFile, VALUES_LIMITS, type ParsedValuesFile } from './parse.js';
import { foreignValuesProblem } from './recognise.js';
import { applySets, parseSetFile, parseSets, setSourceLabel, type SetAssignment } from './set.js';
import { validateValues } from './schema.js';

export { parseValuesFile, VALUES_LIMITS } from './parse.js';

/** helm's values flags exactly as the user gave them (helm applies them in its own fixed order). */
export interface ValuesFlags {
  /** `-f` (comma lists already split); `-` reads stdin. */
  files?: readonly string[];
  set?: readonly string[];
  setString?: readonly string[];
  setJson?: readonly string[];
  setFile?: readonly string[];
  setLiteral?: readonly string[];
}

/** What `helm install` is given, and how to read it. */
export interface ValuesInput extends ValuesFlags {
  /**
   * The defaults under the user's values: `builtin` (the hand-kept copy of chart 0.2.7), a chart folder (its
   * values.yaml, as `--chart` renders it), or `none`.
   */
  defaults?: 'builtin' | 'none' | { chart: string };
  /** Stop on known keys of the wrong type (default true). */
  validate?: boolean;
  /** Refuse a file that is another chart's values (see `recognise.ts`); the CLI turns it on. Default false. */
  recognise?: boolean;
  signal?: AbortSignal;
  /** Reads standard input for `-f -` (default: `process.stdin`). */
  stdin?: () => Promise<string>;
}

let builtinDefaults: ValuesLayer | undefined;

/** The hand-kept chart defaults as a layer (parsed once); its keys' provenance is {@link CHART_DEFAULTS_SOURCE}. */
export function chartDefaultsLayer(): ValuesLayer {
  builtinDefaults ??= layerFromObject((parseYaml(CHART_DEFAULTS_YAML, { version: '1.1' }) ?? {}) as Plain, { file: CHART_DEFAULTS_SOURCE }, false);
  return { values: structuredClone(builtinDefaults.values), prov: builtinDefaults.prov.clone() };
}

function readError(path: string, e: unknown, what = 'values file'): FatalError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
  return new FatalError(`${path}: cannot read ${what}: ${why}`);
}

/** Read a file, refusing (before reading it) one over the size limit. */
export async function readBounded(path: string, what = 'values file', maxBytes: number = VALUES_LIMITS.maxBytes): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new FatalError(`${path}: values from URLs are not fetched; download the file and pass its path`);
  }
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      if (st.size > maxBytes) {
        throw new FatalError(`${path}: ${what} is ${(st.size / 1024 / 1024).toFixed(1)} MiB, over the ${maxBytes / 1024 / 1024} MiB limit`);
      }
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof FatalError) throw e;
    throw readError(path, e, what);
  }
}

/** Standard input, bounded like a file (helm reads `-f -` from stdin). */
export async function readStdin(maxBytes: number = VALUES_LIMITS.maxBytes): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > maxBytes) throw new FatalError(`-f -: standard input is over the ${maxBytes / 1024 / 1024} MiB limit`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The label of `-f -` in provenance and messages. */
export const STDIN_LABEL = '<stdin>';

async function parseFiles(input: ValuesInput): Promise<{ files: string[]; parsed: ParsedValuesFile[] }> {
  let stdinText: Promise<string> | undefined;
  const files = (input.files ?? []).map((f) => (f.trim() === '-' ? STDIN_LABEL : f));
  const parsed: ParsedValuesFile[] = [];
  for (const [i, label] of files.entries()) {
    const raw = input.files![i]!;
    // helm reads stdin once; a second `-f -` gets what is left (nothing).
    let text: string;
    if (raw.trim() === '-') {
      if (stdinText) text = '';
      else text = await (stdinText = (input.stdin ?? readStdin)());
    } else {
      text = await readBounded(raw);
    }
    parsed.push(await parseValuesFile(text, label, { ...(input.signal ? { signal: input.signal } : {}) }));
  }
  return { files, parsed };
}

async function defaultsLayer(input: ValuesInput): Promise<ValuesLayer | undefined> {
  const d = input.defaults ?? 'builtin';
  if (d === 'none') return undefined;
  if (d === 'builtin') return chartDefaultsLayer();
  const path = join(d.chart, 'values.yaml');
  let text: string;
  try {
    text = await readBounded(path, "chart's values.yaml");
  } catch (e) {
    // A chart without values.yaml is valid: no defaults.
    if (e instanceof FatalError && e.message.endsWith('no such file')) return undefined;
    throw e;
  }
  return (await parseValuesFile(text, path, { user: false, ...(input.signal ? { signal: input.signal } : {}) })).layer;
}

/** `--set-file key=path`: each file read (bounded) and set as a string, labelled with the flag and the path. */
async function setFileAssignments(args: readonly string[]): Promise<SetAssignment[]> {
  const out: SetAssignment[] = [];
  for (const arg of args) {
    const { path, file } = parseSetFile(arg);
    const text = await readBounded(file, '--set-file file');
    out.push({ path, value: text, source: setSourceLabel('--set-file', path, text, file) });
  }
  return out;
}

/** `--set-json`: `key=<json>` assignments, or a whole JSON object merged like a values file. */
function setJsonSteps(args: readonly string[]): ((user: ValuesLayer) => void)[] {
  return args.map((arg) => {
    const trimmed = arg.trim();
    if (trimmed.startsWith('{')) {
      let obj: unknown;
      try {
        obj = JSON.parse(trimmed);
      } catch (e) {
        throw new FatalError(`--set-json ${JSON.stringify(arg.length > 60 ? `${arg.slice(0, 57)}…` : arg)}: not a JSON object (${(e as Error).message})`);
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new FatalError(`--set-json: the argument is not a JSON object`);
      const layer = layerFromObject(obj as Plain, { file: `--set-json ${trimmed.length > 60 ? `${trimmed.slice(0, 57)}…` : trimmed}` }, true);
      return (user: ValuesLayer) => mergeUserLayer(user, layer);
    }
    const assignments = parseSets([arg], '--set-json');
    return (user: ValuesLayer) => applySets(user, assignments);
  });
}

/**
 * Load and merge values like `helm install -f … --set …`. Bad input throws a one-line FatalError (exit 2); Ctrl-C
 * (the signal) throws CancelledError.
 */
export async function loadValues(input: ValuesInput): Promise<MergedValues> {
  const { files, parsed } = await parseFiles(input);
  if (input.recognise === true) {
    for (const [i, p] of parsed.entries()) {
      const problem = foreignValuesProblem(p.layer.values, files[i]!);
      if (problem) throw new FatalError(problem.message, EXIT.usage, problem.hint);
    }
  }
  // Parse every flag before merging anything, so a syntax error is reported whatever its position.
  const jsonSteps = setJsonSteps(input.setJson ?? []);
  const sets = parseSets(input.set ?? [], '--set');
  const strings = parseSets(input.setString ?? [], '--set-string');
  const fileSets = await setFileAssignments(input.setFile ?? []);
  const literals = parseSets(input.setLiteral ?? [], '--set-literal');
  const defaults = await defaultsLayer(input);
  const hasFlags = [input.set, input.setString, input.setJson, input.setFile, input.setLiteral].some((a) => (a?.length ?? 0) > 0);
  const origin = files.length > 0 || hasFlags ? 'files' : 'defaults';
  const warnings: ValuesWarning[] = parsed.flatMap((p) => p.warnings);
  const merged = mergeLayers(
    defaults,
    parsed.map((p) => p.layer),
    { files, origin, warnings },
    (user) => {
      for (const step of jsonSteps) step(user);
      applySets(user, sets);
      applySets(user, strings);
      applySets(user, fileSets);
      applySets(user, literals);
    },
  );
  // Known keys of the wrong type (`tag` a map, `nodeSelector` a string …) stop the run here, naming file:line:col.
  if (input.validate !== false) validateValues(parsed.map((p) => p.layer), merged);
  return merged;
}

/**
 * `loadValues` for the common case: `-f` paths and `--set` arguments over the built-in chart defaults (unless
 * `opts.defaults === false`).
 */
export async function loadValuesFiles(
  paths: readonly string[],
  sets: readonly string[],
  opts: { defaults?: boolean; validate?: boolean; signal?: AbortSignal } = {},
): Promise<MergedValues> {
  return loadValues({
    files: paths,
    set: sets,
    defaults: opts.defaults === false ? 'none' : 'builtin',
    ...(opts.validate !== undefined ? { validate: opts.validate } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
