/**
 * The commits port: does a model-engine image tag contain a given llm-engine commit? Answered from a local
 * clone (`--llm-engine-repo`), else GitHub's compare API, else honestly "unknown". Checks reach it as
 * `ctx.ports.commits`; it is created in `src/run/ports.ts`.
 */

/** The answer to "is `ancestor` an ancestor of (or equal to) `ref`?". */
export interface AncestryAnswer {
  answer: 'yes' | 'no' | 'unknown';
  /** How it was decided: `git <repo>`, `github <base url>`, or `none`. */
  via: string;
  /** Why it is unknown, or what was compared (one line, no secrets). */
  detail?: string;
}

export interface CommitsPort {
  /** Whether commit `ancestor` is contained in `ref` (a commit SHA, short SHA or tag name of scaleapi/llm-engine). */
  isAncestor(ancestor: string, ref: string, signal: AbortSignal): Promise<AncestryAnswer>;
}

/** The upstream repository the tags are built from. */
export const LLM_ENGINE_REPO = 'scaleapi/llm-engine';
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';
