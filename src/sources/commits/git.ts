/**
 * Ancestry from a local clone of llm-engine: `git merge-base --is-ancestor`. Every call is an `execFile` (no
 * shell) with a timeout and the run's abort signal; refs come from a values file, so anything that could be
 * read as an option or a revision range is refused before git sees it.
 */
import { execFile } from 'node:child_process';
import type { AncestryAnswer } from '../../engine/ports/commits.js';

export interface GitOptions {
  timeoutMs?: number;
  /** The git binary (tests may point elsewhere). */
  git?: string;
}

interface ExecResult {
  code: number | 'timeout' | 'missing' | 'aborted' | 'error';
  stdout: string;
  stderr: string;
}

function run(git: string, args: string[], timeoutMs: number, signal: AbortSignal): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      git,
      args,
      // GIT_TERMINAL_PROMPT=0: never hang on a credential prompt; LC_ALL=C: stable messages.
      { timeout: timeoutMs, signal, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
        if (e.name === 'AbortError' || signal.aborted) return resolve({ code: 'aborted', stdout, stderr });
        if (e.code === 'ENOENT') return resolve({ code: 'missing', stdout, stderr });
        if (e.killed) return resolve({ code: 'timeout', stdout, stderr });
        resolve({ code: typeof e.code === 'number' ? e.code : 'error', stdout, stderr: stderr || e.message });
      },
    );
  });
}

/** A ref we are willing to hand to git: a SHA, a tag or branch name. No options, ranges or revision syntax. */
export function isSafeRef(ref: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._/+-]{0,199}$/.test(ref) && !ref.includes('..') && !ref.endsWith('.lock') && !ref.endsWith('/');
}

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';

/** Is `ancestor` an ancestor of `ref` in the clone at `repo`? */
export async function gitIsAncestor(
  repo: string,
  ancestor: string,
  ref: string,
  signal: AbortSignal,
  opts: GitOptions = {},
): Promise<AncestryAnswer> {
  const via = `git ${repo}`;
  const git = opts.git ?? 'git';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  for (const r of [ancestor, ref]) {
    if (!isSafeRef(r)) return { answer: 'unknown', via, detail: `"${r}" is not a commit or tag name git can look up` };
  }
  const verify = async (r: string): Promise<string | AncestryAnswer> => {
    const res = await run(git, ['-C', repo, 'rev-parse', '--verify', '--quiet', `${r}^{commit}`], timeoutMs, signal);
    if (res.code === 0) return res.stdout.trim();
    switch (res.code) {
      case 'missing':
        return { answer: 'unknown', via, detail: 'git is not installed (not on PATH)' };
      case 'timeout':
        return { answer: 'unknown', via, detail: `git timed out after ${timeoutMs} ms` };
      case 'aborted':
        return { answer: 'unknown', via, detail: 'cancelled' };
      case 1:
        return { answer: 'unknown', via, detail: `${r} is not in the clone at ${repo} (run: git -C ${repo} fetch --tags origin)` };
      default:
        return { answer: 'unknown', via, detail: `${repo} is not a readable git repository: ${firstLine(res.stderr)}` };
    }
  };
  const a = await verify(ancestor);
  if (typeof a !== 'string') return a;
  const b = await verify(ref);
  if (typeof b !== 'string') return b;
  const res = await run(git, ['-C', repo, 'merge-base', '--is-ancestor', a, b], timeoutMs, signal);
  if (res.code === 0) return { answer: 'yes', via, detail: `${ancestor.slice(0, 8)} is an ancestor of ${ref} (${b.slice(0, 12)})` };
  if (res.code === 1) return { answer: 'no', via, detail: `${ancestor.slice(0, 8)} is not an ancestor of ${ref} (${b.slice(0, 12)})` };
  return { answer: 'unknown', via, detail: `git merge-base failed: ${res.code === 'timeout' ? `timed out after ${timeoutMs} ms` : firstLine(res.stderr)}` };
}
