/**
 * The commits port: a local clone first (exact and offline), then GitHub, then an honest "unknown".
 * Answers are memoised per run, so several checks asking the same question cost one lookup.
 */
import type { AncestryAnswer, CommitsPort } from '../../engine/ports/commits.js';
import { DEFAULT_GITHUB_API_URL } from '../../engine/ports/commits.js';
import { gitIsAncestor, type GitOptions } from './git.js';
import { githubIsAncestor } from './github.js';
import type { NetworkPolicy } from '../net-policy.js';

export { gitIsAncestor, isSafeRef } from './git.js';
export { ancestryFromCompareStatus, compareUrl, githubIsAncestor } from './github.js';

export interface CommitsPortOptions {
  /** A local clone of scaleapi/llm-engine (`--llm-engine-repo`). */
  repoPath?: string;
  /** GitHub API base URL; empty disables GitHub. Default {@link DEFAULT_GITHUB_API_URL}. */
  githubApiUrl?: string;
  gitTimeoutMs?: number;
  githubTimeoutMs?: number;
  git?: GitOptions['git'];
  fetch?: typeof fetch;
  /** Network policy for the GitHub lookup (default from `MED_NETWORK`). */
  policy?: NetworkPolicy;
}

/** The GitHub base URL from the environment (`MED_GITHUB_API_URL`; set it empty to stay offline). */
export function githubApiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.MED_GITHUB_API_URL ?? DEFAULT_GITHUB_API_URL;
}

export function createCommitsPort(opts: CommitsPortOptions = {}): CommitsPort {
  const memo = new Map<string, Promise<AncestryAnswer>>();
  const githubApiUrl = opts.githubApiUrl ?? DEFAULT_GITHUB_API_URL;
  const decide = async (ancestor: string, ref: string, signal: AbortSignal): Promise<AncestryAnswer> => {
    const reasons: string[] = [];
    if (opts.repoPath) {
      const g = await gitIsAncestor(opts.repoPath, ancestor, ref, signal, {
        ...(opts.gitTimeoutMs ? { timeoutMs: opts.gitTimeoutMs } : {}),
        ...(opts.git ? { git: opts.git } : {}),
      });
      if (g.answer !== 'unknown') return g;
      reasons.push(`git: ${g.detail ?? 'unknown'}`);
    } else {
      reasons.push('git: no local clone given (--llm-engine-repo)');
    }
    if (githubApiUrl) {
      const h = await githubIsAncestor(githubApiUrl, ancestor, ref, signal, {
        ...(opts.githubTimeoutMs ? { timeoutMs: opts.githubTimeoutMs } : {}),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.policy ? { policy: opts.policy } : {}),
      });
      if (h.answer !== 'unknown') return h;
      reasons.push(`github: ${h.detail ?? 'unknown'}`);
    } else {
      reasons.push('github: disabled (MED_GITHUB_API_URL is empty)');
    }
    return { answer: 'unknown', via: 'none', detail: reasons.join('; ') };
  };
  return {
    isAncestor(ancestor, ref, signal) {
      const key = `${ancestor}\u0000${ref}`;
      let p = memo.get(key);
      if (!p) memo.set(key, (p = decide(ancestor, ref, signal)));
      return p;
    },
  };
}
