/**
 * Ancestry from GitHub's compare API: `GET /repos/{owner}/{repo}/compare/{base}...{head}` answers `status`
 * `ahead` or `identical` when base is contained in head, `behind` or `diverged` when it is not. Anonymous (no
 * token is read), with a timeout; the base URL is configurable so tests talk to a loopback server only.
 */
import type { AncestryAnswer } from '../../engine/ports/commits.js';
import { LLM_ENGINE_REPO } from '../../engine/ports/commits.js';
import { hostAllowed, policyFromEnv, type NetworkPolicy } from '../net-policy.js';

export interface GithubOptions {
  timeoutMs?: number;
  repo?: string;
  fetch?: typeof fetch;
  /** Where probes may go (demo and tests: loopback only); default from `MED_NETWORK`. */
  policy?: NetworkPolicy;
}

/** What a compare `status` means for "is base contained in head?". */
export function ancestryFromCompareStatus(status: unknown): 'yes' | 'no' | 'unknown' {
  switch (status) {
    case 'ahead':
    case 'identical':
      return 'yes';
    case 'behind':
    case 'diverged':
      return 'no';
    default:
      return 'unknown';
  }
}

export function compareUrl(baseUrl: string, repo: string, base: string, head: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/repos/${repo}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}?per_page=1`;
}

export async function githubIsAncestor(
  baseUrl: string,
  ancestor: string,
  ref: string,
  signal: AbortSignal,
  opts: GithubOptions = {},
): Promise<AncestryAnswer> {
  const via = `github ${baseUrl}`;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const url = compareUrl(baseUrl, opts.repo ?? LLM_ENGINE_REPO, ancestor, ref);
  const doFetch = opts.fetch ?? fetch;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return { answer: 'unknown', via, detail: `${baseUrl} is not a URL (MED_GITHUB_API_URL)` };
  }
  const allowed = hostAllowed(host, opts.policy ?? policyFromEnv());
  if (!allowed.ok) return { answer: 'unknown', via, detail: allowed.reason };
  let res: Response;
  try {
    res = await doFetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'model-engine-doctor' },
      redirect: 'follow',
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why =
      err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : signal.aborted ? 'cancelled' : (err.cause?.code ?? err.message);
    return { answer: 'unknown', via, detail: `GitHub is not reachable (${why})` };
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return { answer: 'unknown', via, detail: `GitHub does not know ${ref} in ${opts.repo ?? LLM_ENGINE_REPO} (a private build or a tag name that is not a commit)` };
  }
  if (!res.ok) {
    await res.body?.cancel();
    const limited = res.status === 403 || res.status === 429 ? ' (anonymous API rate limit?)' : '';
    return { answer: 'unknown', via, detail: `GitHub answered HTTP ${res.status}${limited}` };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { answer: 'unknown', via, detail: 'GitHub answered with something that is not JSON' };
  }
  const status = (body as { status?: unknown } | null)?.status;
  const answer = ancestryFromCompareStatus(status);
  return { answer, via, detail: `compare ${ancestor.slice(0, 8)}...${ref}: status "${String(status)}"` };
}
