import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ancestryFromCompareStatus,
  compareUrl,
  createCommitsPort,
  githubApiUrlFromEnv,
  gitIsAncestor,
  githubIsAncestor,
  isSafeRef,
} from '../../src/sources/commits/index.js';
import { fakeGithub, makeHistory, UNREACHABLE_GITHUB, type FakeGithub, type GitHistory } from './commits-fixtures.js';

// Never the real GitHub: anything that builds the port from the environment gets a closed loopback port.
process.env.MED_GITHUB_API_URL = UNREACHABLE_GITHUB;

let h: GitHistory;
let gh: FakeGithub;
const signal = new AbortController().signal;

beforeAll(async () => {
  h = await makeHistory();
  gh = await fakeGithub({
    a82369619a365b79a45e49ef6af1045653102615: 'ahead',
    '9deb59f1677913c071c9570ab80aa70c4698e2a6': 'identical',
    '1fefec11ee6c195ba411d1510544bb4fbb19277e': 'behind',
    'feature-x': 'diverged',
    ratelimited: 403,
    broken: 500,
    garbage: 'not-json',
    slow: 'hang',
  });
});
afterAll(async () => {
  await gh.close();
  await h.cleanup();
});

describe('git', () => {
  it('yes: the fix is an ancestor of a later commit, of a tag, of a short SHA, and of itself', async () => {
    for (const ref of [h.after, 'v1.0.0', h.after.slice(0, 8), h.fix]) {
      const a = await gitIsAncestor(h.dir, h.fix, ref, signal);
      expect(a).toMatchObject({ answer: 'yes', via: `git ${h.dir}` });
    }
  });

  it('no: an earlier commit, and a branch that forked before the fix', async () => {
    expect((await gitIsAncestor(h.dir, h.fix, h.base, signal)).answer).toBe('no');
    const a = await gitIsAncestor(h.dir, h.fix, h.old, signal);
    expect(a.answer).toBe('no');
    expect(a.detail).toContain(`${h.fix.slice(0, 8)} is not an ancestor of ${h.old}`);
  });

  it('unknown: a ref the clone does not have says how to fetch', async () => {
    const a = await gitIsAncestor(h.dir, h.fix, 'a82369619a365b79a45e49ef6af1045653102615', signal);
    expect(a.answer).toBe('unknown');
    expect(a.detail).toContain(`git -C ${h.dir} fetch --tags origin`);
  });

  it('unknown: the ancestor itself is missing (an old or unrelated clone)', async () => {
    const a = await gitIsAncestor(h.dir, '9deb59f1677913c071c9570ab80aa70c4698e2a6', h.after, signal);
    expect(a).toMatchObject({ answer: 'unknown' });
    expect(a.detail).toContain('9deb59f1677913c071c9570ab80aa70c4698e2a6 is not in the clone');
  });

  it('unknown: not a repository, no git binary, a ref that looks like an option', async () => {
    expect((await gitIsAncestor('/nonexistent/llm-engine', h.fix, h.after, signal)).detail).toContain('not a readable git repository');
    expect((await gitIsAncestor(h.dir, h.fix, h.after, signal, { git: '/nonexistent/bin/git' })).detail).toBe('git is not installed (not on PATH)');
    expect((await gitIsAncestor(h.dir, h.fix, '--output=/tmp/x', signal)).answer).toBe('unknown');
  });

  it.each<[string, boolean]>([
    ['9deb59f1677913c071c9570ab80aa70c4698e2a6', true],
    ['v1.0.0', true],
    ['release/1.0', true],
    ['--upload-pack=x', false],
    ['a..b', false],
    ['HEAD@{1}', false],
    ['x y', false],
    ['', false],
  ])('isSafeRef(%p) = %p', (ref, ok) => expect(isSafeRef(ref)).toBe(ok));
});

describe('github compare', () => {
  it.each<[string, string, string]>([
    ['a82369619a365b79a45e49ef6af1045653102615', 'yes', 'status "ahead"'],
    ['9deb59f1677913c071c9570ab80aa70c4698e2a6', 'yes', 'status "identical"'],
    ['1fefec11ee6c195ba411d1510544bb4fbb19277e', 'no', 'status "behind"'],
    ['feature-x', 'no', 'status "diverged"'],
    ['deadbeefdeadbeef', 'unknown', 'GitHub does not know deadbeefdeadbeef'],
    ['ratelimited', 'unknown', 'HTTP 403 (anonymous API rate limit?)'],
    ['broken', 'unknown', 'HTTP 500'],
    ['garbage', 'unknown', 'not JSON'],
  ])('%s → %s', async (ref, answer, detail) => {
    const a = await githubIsAncestor(gh.url, '9deb59f1677913c071c9570ab80aa70c4698e2a6', ref, signal);
    expect(a.answer).toBe(answer);
    expect(a.via).toBe(`github ${gh.url}`);
    expect(a.detail).toContain(detail);
  });

  it('asks the documented URL', async () => {
    await githubIsAncestor(gh.url, '9deb59f1677913c071c9570ab80aa70c4698e2a6', 'a82369619a365b79a45e49ef6af1045653102615', signal);
    expect(gh.requests).toContain('/repos/scaleapi/llm-engine/compare/9deb59f1677913c071c9570ab80aa70c4698e2a6...a82369619a365b79a45e49ef6af1045653102615?per_page=1');
    expect(compareUrl('https://api.github.com/', 'scaleapi/llm-engine', 'a', 'b/c')).toBe('https://api.github.com/repos/scaleapi/llm-engine/compare/a...b%2Fc?per_page=1');
  });

  it('unreachable and silent servers are unknown, within the timeout', async () => {
    const refused = await githubIsAncestor(UNREACHABLE_GITHUB, 'a', 'b', signal);
    expect(refused).toMatchObject({ answer: 'unknown' });
    expect(refused.detail).toContain('GitHub is not reachable');
    const t0 = Date.now();
    const slow = await githubIsAncestor(gh.url, 'a', 'slow', signal, { timeoutMs: 200 });
    expect(slow.detail).toBe('GitHub is not reachable (no answer within 200 ms)');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a cancelled run stops waiting', async () => {
    const ac = new AbortController();
    const p = githubIsAncestor(gh.url, 'a', 'slow', ac.signal, { timeoutMs: 10_000 });
    ac.abort();
    expect((await p).detail).toBe('GitHub is not reachable (cancelled)');
  });

  it.each<[unknown, string]>([
    ['ahead', 'yes'],
    ['identical', 'yes'],
    ['behind', 'no'],
    ['diverged', 'no'],
    [undefined, 'unknown'],
    ['weird', 'unknown'],
  ])('ancestryFromCompareStatus(%p) = %s', (s, want) => expect(ancestryFromCompareStatus(s)).toBe(want));
});

describe('the combined port', () => {
  it('answers from the clone when it can, without asking GitHub', async () => {
    const before = gh.requests.length;
    const port = createCommitsPort({ repoPath: h.dir, githubApiUrl: gh.url });
    expect(await port.isAncestor(h.fix, 'v1.0.0', signal)).toMatchObject({ answer: 'yes', via: `git ${h.dir}` });
    expect(gh.requests.length).toBe(before);
  });

  it('falls through to GitHub when the clone lacks the ref, and memoises', async () => {
    const port = createCommitsPort({ repoPath: h.dir, githubApiUrl: gh.url });
    const before = gh.requests.length;
    const a = await port.isAncestor('9deb59f1677913c071c9570ab80aa70c4698e2a6', '1fefec11ee6c195ba411d1510544bb4fbb19277e', signal);
    const b = await port.isAncestor('9deb59f1677913c071c9570ab80aa70c4698e2a6', '1fefec11ee6c195ba411d1510544bb4fbb19277e', signal);
    expect(a).toMatchObject({ answer: 'no', via: `github ${gh.url}` });
    expect(b).toBe(a);
    expect(gh.requests.length).toBe(before + 1);
  });

  it('unknown from both says why for each', async () => {
    const port = createCommitsPort({ githubApiUrl: UNREACHABLE_GITHUB });
    const a = await port.isAncestor('9deb59f1677913c071c9570ab80aa70c4698e2a6', 'a82369619a365b79a45e49ef6af1045653102615', signal);
    expect(a.answer).toBe('unknown');
    expect(a.via).toBe('none');
    expect(a.detail).toMatch(/^git: no local clone given \(--llm-engine-repo\); github: GitHub is not reachable/);
  });

  it('an empty MED_GITHUB_API_URL keeps it offline', async () => {
    expect(githubApiUrlFromEnv({ MED_GITHUB_API_URL: '' })).toBe('');
    expect(githubApiUrlFromEnv({})).toBe('https://api.github.com');
    const a = await createCommitsPort({ githubApiUrl: '' }).isAncestor('a', 'b', signal);
    expect(a.detail).toContain('github: disabled (MED_GITHUB_API_URL is empty)');
  });
});

describe('network policy', () => {
  it('a demo or test run (MED_NETWORK=loopback) never contacts api.github.com', async () => {
    const a = await githubIsAncestor('https://api.github.com', 'a', 'b', signal, { policy: 'loopback' });
    expect(a).toEqual({ answer: 'unknown', via: 'github https://api.github.com', detail: expect.stringContaining('api.github.com was not contacted') });
    const none = await createCommitsPort({ githubApiUrl: gh.url, policy: 'none' }).isAncestor('a', 'b', signal);
    expect(none.detail).toContain('network probes are disabled');
  });

  it('a bad MED_GITHUB_API_URL is reported, not thrown', async () => {
    expect((await githubIsAncestor('not a url', 'a', 'b', signal)).detail).toContain('is not a URL');
  });
});
