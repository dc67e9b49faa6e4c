import { FatalError } from './errors.js';
import type { Check, Scope } from './types.js';

const ID = /^[a-z0-9]+(-[a-z0-9]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/;

export const areaOf = (id: string): string => id.split('/')[0] ?? id;
/** Repository-relative docs page of a check. */
export const docsPath = (id: string): string => `docs/checks/${id}.md`;

/** Validate an explicit registry: ids well-formed, unique, and every messageId template non-empty. */
export function validateRegistry(checks: readonly Check[]): readonly Check[] {
  const seen = new Set<string>();
  for (const c of checks) {
    if (!ID.test(c.meta.id)) throw new Error(`check id "${c.meta.id}" is not <area>/<slug> in kebab-case`);
    if (seen.has(c.meta.id)) throw new Error(`duplicate check id "${c.meta.id}"`);
    seen.add(c.meta.id);
    if (Object.keys(c.meta.messages).length === 0) throw new Error(`check ${c.meta.id} declares no messages`);
  }
  return checks;
}

export interface Selection {
  only?: readonly string[];
  skip?: readonly string[];
  scope?: Scope;
}

const matches = (check: Check, sel: string) => check.meta.id === sel || areaOf(check.meta.id) === sel;

/** Pick the checks for a run: by scope, then `--only` and `--skip` (ids or areas). Unknown names are bad input. */
export function selectChecks(all: readonly Check[], sel: Selection): Check[] {
  for (const name of [...(sel.only ?? []), ...(sel.skip ?? [])]) {
    if (!all.some((c) => matches(c, name))) {
      throw new FatalError(`unknown check or area "${name}"; run "model-engine-doctor checks" to list them`);
    }
  }
  return all.filter((c) => {
    const explicit = sel.only?.some((o) => o === c.meta.id);
    if (!explicit && sel.scope && !(c.meta.scopes ?? ['preflight', 'triage']).includes(sel.scope)) return false;
    if (sel.only && sel.only.length > 0 && !sel.only.some((o) => matches(c, o))) return false;
    if (sel.skip?.some((s) => matches(c, s))) return false;
    return true;
  });
}
