/**
 * Helpers shared by the `values` checks: how a finding names a values key, and the values snippet a user pastes.
 * Convention (docs/checks/values/*.md): a finding about a values key has `object: {kind: 'HelmValues', name:
 * <full dotted path>}` and carries `ctx.values.evidence(path)` (file:line where it was set, or missing).
 */
import { formatPath, parsePath, type ObjectRef, type ValuesPort } from '../../../src/engine/index.js';

export const VALUES_KIND = 'HelmValues';

/** The object a finding about a values key is about. */
export function keyRef(path: string | readonly string[]): ObjectRef {
  return { kind: VALUES_KIND, name: formatPath(path) };
}

/** A string value at a path, or undefined when absent, null, empty or not a scalar. Numbers become strings. */
export function str(values: ValuesPort, path: string | readonly string[]): string | undefined {
  const v = values.get(path);
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** Python truthiness of a rendered config value (what `if self.x:` sees): '' / false / 0 / absent are falsy. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  return true;
}

export type SnippetValue = string | number | boolean | null | readonly string[];

export interface SnippetEntry {
  path: string | readonly string[];
  value: SnippetValue;
  /** A trailing `# comment` on the line. */
  comment?: string;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;
const PLAIN_VALUE = /^[A-Za-z0-9_./@+-][A-Za-z0-9_./@:+-]*$/;
const YAML_SPECIAL = /^(true|false|yes|no|on|off|y|n|null|~|[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o?[0-7]+)$/i;

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v !== 'string') return String(v);
  if (PLAIN_VALUE.test(v) && !YAML_SPECIAL.test(v) && !v.includes(': ')) return v;
  return JSON.stringify(v);
}

const key = (k: string) => (PLAIN_KEY.test(k) ? k : JSON.stringify(k));

/**
 * Render entries as one nested YAML block a user can paste into a values file (helm deep-merges maps, so the
 * snippet only needs the keys to change). Entries sharing a prefix are nested under it once, in order.
 */
export function valuesSnippet(entries: readonly SnippetEntry[]): string {
  interface Node {
    children: Map<string, Node>;
    entry?: SnippetEntry;
  }
  const root: Node = { children: new Map() };
  for (const e of entries) {
    let n = root;
    for (const p of parsePath(e.path)) {
      let c = n.children.get(p);
      if (!c) n.children.set(p, (c = { children: new Map() }));
      n = c;
    }
    n.entry = e;
  }
  const lines: string[] = [];
  const walk = (n: Node, depth: number) => {
    for (const [k, c] of n.children) {
      const pad = '  '.repeat(depth);
      const comment = c.entry?.comment ? `  # ${c.entry.comment}` : '';
      if (c.entry && c.children.size === 0) {
        const v = c.entry.value;
        if (Array.isArray(v)) {
          lines.push(`${pad}${key(k)}:${comment}`);
          for (const item of v as readonly string[]) lines.push(`${pad}  - ${scalar(item)}`);
        } else {
          lines.push(`${pad}${key(k)}: ${scalar(v as string | number | boolean | null)}${comment}`);
        }
      } else {
        lines.push(`${pad}${key(k)}:${comment}`);
        walk(c, depth + 1);
      }
    }
  };
  walk(root, 0);
  return lines.join('\n') + '\n';
}

/** `$NAME` or `${NAME}` (upper-case, as envsubst templates write them; `${queue_name}` is model-engine's own). */
const ENV_PLACEHOLDER = /\$\{?([A-Z][A-Z0-9_]*)\}?/g;

/** The environment placeholders a values string still holds (values_circleci.yaml is an envsubst template). */
export function envPlaceholders(v: unknown): string[] {
  if (typeof v !== 'string') return [];
  return [...new Set([...v.matchAll(ENV_PLACEHOLDER)].map((m) => m[1]!))];
}

/** True when the value is (partly) an unexpanded `$VARIABLE`: judged by values/env-placeholders, not by shape. */
export const hasEnvPlaceholder = (v: unknown): boolean => envPlaceholders(v).length > 0;
