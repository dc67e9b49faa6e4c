/**
 * The contract of a diagnosis cause, the counterpart of a check for the endpoint doctor: static `meta` (code, title,
 * rank, docs anchor, the facts it reads) and one pure `match(facts)` that returns a verdict when the cause explains
 * the facts. Causes live one per file under `diagnoses/`, in an explicit registry ordered by rank; `judge` runs them.
 * The engine knows nothing of what the facts are (model-engine's endpoint view is one kind) nor which codes exist: the
 * registry's causes declare them (`meta.code`, `meta.benign`), and the engine only orders verdicts.
 */
import type { Evidence, Remediation } from './types.js';

/**
 * Where the walk from the workload down found the problem: the endpoint as a whole (its objects, its build, its
 * scaler), the ReplicaSet that creates its pods, or one pod. A broken level above explains everything below it.
 */
export type VerdictLevel = 'endpoint' | 'replica-set' | 'pod';
export const VERDICT_LEVELS: readonly VerdictLevel[] = ['endpoint', 'replica-set', 'pod'];

/** What one cause says about the facts. */
export interface Verdict {
  /** The code of the cause that matched (its `meta.code`). */
  cause: string;
  level: VerdictLevel;
  summary: string;
  evidence: Evidence[];
  remediation: Remediation;
  /** Commands to see more, with the real object names. */
  next: string[];
  /** Pod-level verdicts: every pod the cause explains, the one the summary is about first. */
  pods?: string[];
}

export interface CauseMeta<Fact extends string = string, Code extends string = string> {
  /** The code the diagnosis reports (`IMAGE_PULL`); one cause per code. The registry's codes are the contract. */
  code: Code;
  /** Not a fault: the subject is fine or on its way. A fault outranks every benign verdict. */
  benign?: boolean;
  /** What the cause is, in a few words. */
  title: string;
  /** Lower ranks first when several causes match at the same level. Unique within a registry. */
  rank: number;
  /** Repository-relative docs section: `docs/endpoint.md#<code in kebab-case>`. */
  docs: string;
  /** The facts `match` reads, so a reader knows what a cause depends on without reading it. */
  reads: readonly Fact[];
}

export interface Cause<F = unknown, Fact extends string = string, Code extends string = string> {
  meta: CauseMeta<Fact, Code>;
  /** Pure: the same facts always give the same verdict. `undefined` when the cause does not explain them. */
  match(facts: F): Verdict | undefined;
}

/** Identity at run time; gives a cause file its type. */
export function defineCause<F, Fact extends string, const Code extends string>(cause: Cause<F, Fact, Code>): Cause<F, Fact, Code> {
  return cause;
}

/** `IMAGE_PULL` → `docs/endpoint.md#image-pull`. */
export const causeDocs = (code: string): string => `docs/endpoint.md#${code.toLowerCase().replace(/_/g, '-')}`;

/** The codes of a registry's benign causes (`meta.benign`): every other code it reports is a fault. */
export const benignCodes = (causes: readonly { meta: CauseMeta }[]): ReadonlySet<string> => new Set(causes.filter((c) => c.meta.benign).map((c) => c.meta.code));

/**
 * Validate an explicit registry: codes and ranks unique, listed in rank order, docs anchors derived from the code.
 * Returns the registry, so `export const DIAGNOSES = validateCauses([...])` fails at import when it is wrong.
 */
export function validateCauses<C extends { meta: CauseMeta }>(causes: readonly C[]): readonly C[] {
  const codes = new Set<string>();
  let last = -Infinity;
  for (const c of causes) {
    const { code, rank, docs } = c.meta;
    if (codes.has(code)) throw new Error(`two causes report ${code}`);
    codes.add(code);
    if (!(rank > last)) throw new Error(`cause ${code} (rank ${rank}) is out of rank order in the registry`);
    last = rank;
    if (docs !== causeDocs(code)) throw new Error(`cause ${code} documents itself at ${docs}, not ${causeDocs(code)}`);
  }
  return causes;
}

/**
 * Which of two verdicts is the root cause: a fault before anything benign; among faults, the higher level of the
 * walk (endpoint, then ReplicaSet, then pod), then the lower rank; among benign verdicts, the lower rank.
 */
export function compareVerdicts(a: Verdict, b: Verdict, rankOf: (code: string) => number, isBenign: (code: string) => boolean): number {
  const benign = Number(isBenign(a.cause)) - Number(isBenign(b.cause));
  if (benign !== 0) return benign;
  if (!isBenign(a.cause)) {
    const level = VERDICT_LEVELS.indexOf(a.level) - VERDICT_LEVELS.indexOf(b.level);
    if (level !== 0) return level;
  }
  return rankOf(a.cause) - rankOf(b.cause);
}

/** Run every cause over the facts; the verdicts that matched, root cause first (stable for equal keys). */
export function judge<F>(causes: readonly Cause<F, string>[], facts: F): Verdict[] {
  const rank = new Map(causes.map((c) => [c.meta.code, c.meta.rank]));
  const rankOf = (code: string) => rank.get(code) ?? Infinity;
  const benign = benignCodes(causes);
  const out: Verdict[] = [];
  for (const c of causes) {
    const v = c.match(facts);
    if (!v) continue;
    if (v.cause !== c.meta.code) throw new Error(`cause ${c.meta.code} returned a verdict for ${v.cause}`);
    out.push(v);
  }
  return out.sort((a, b) => compareVerdicts(a, b, rankOf, (code) => benign.has(code)));
}
