/**
 * Test fixtures for the commits port: a real git repository with a known history, and a loopback stand-in for
 * GitHub's compare API answering recorded JSON. Nothing here talks to the real GitHub.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An address nothing listens on (port 9, discard, is closed on CI machines): connections are refused at once. */
export const UNREACHABLE_GITHUB = 'http://127.0.0.1:9';

export interface GitHistory {
  dir: string;
  /** main: base → fix → after; a branch `old` forks at base with its own commit. */
  base: string;
  fix: string;
  after: string;
  old: string;
  cleanup(): Promise<void>;
}

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.name=Doctor Test', '-c', 'user.email=doctor@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_DATE: '2026-02-24T20:47:59Z', GIT_COMMITTER_DATE: '2026-02-24T20:47:59Z' },
  }).trim();
}

/** A repository shaped like llm-engine around #767: the fix on main, a tag after it, an old branch without it. */
export async function makeHistory(): Promise<GitHistory> {
  const dir = await mkdtemp(join(tmpdir(), 'med-llm-engine-'));
  git(dir, ['init', '-q', '-b', 'main']);
  const commit = async (file: string, text: string, msg: string) => {
    await writeFile(join(dir, file), text);
    git(dir, ['add', file]);
    git(dir, ['commit', '-q', '-m', msg]);
    return git(dir, ['rev-parse', 'HEAD']);
  };
  const base = await commit('app.py', 'broker_pool_limit = 0\n', 'Fix Azure Service Bus idle AMQP connection drops (#765)');
  const fix = await commit('app.py', '# default pool\n', 'Remove broker_pool_limit=0 to fix Azure Service Bus idle connection 503s (#767)');
  const after = await commit('VERSION', '1.0.0\n', 'Release 1.0.0');
  git(dir, ['tag', 'v1.0.0', after]);
  git(dir, ['checkout', '-q', '-b', 'old', base]);
  const old = await commit('hotfix.txt', 'x\n', 'Hotfix on the old line');
  git(dir, ['checkout', '-q', 'main']);
  return { dir, base, fix, after, old, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface FakeGithub {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback server answering `/repos/<owner>/<repo>/compare/<base>...<head>` from a table of head → reply
 * (a compare `status`, an HTTP status number, or 'hang' to never answer).
 */
export async function fakeGithub(replies: Record<string, string | number>): Promise<FakeGithub> {
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push(req.url ?? '');
    const m = /^\/repos\/([^/]+)\/([^/]+)\/compare\/([^/?]+)\.\.\.([^/?]+)/.exec(req.url ?? '');
    const head = m ? decodeURIComponent(m[4]!) : '';
    const reply = replies[head];
    if (reply === 'hang') return;
    if (reply === undefined || typeof reply === 'number') {
      res.writeHead(typeof reply === 'number' ? reply : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: typeof reply === 'number' && reply === 403 ? 'API rate limit exceeded for 127.0.0.1.' : 'Not Found', status: String(reply ?? 404) }));
      return;
    }
    if (reply === 'not-json') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy login</html>');
      return;
    }
    // Trimmed from a real compare response: the fields a client reads first.
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        url: `https://api.github.com/repos/${m![1]}/${m![2]}/compare/${m![3]}...${head}`,
        html_url: `https://github.com/${m![1]}/${m![2]}/compare/${m![3]}...${head}`,
        status: reply,
        ahead_by: reply === 'ahead' ? 112 : reply === 'diverged' ? 3 : 0,
        behind_by: reply === 'behind' ? 2 : reply === 'diverged' ? 5 : 0,
        total_commits: reply === 'ahead' ? 112 : reply === 'diverged' ? 3 : 0,
        commits: [],
        files: [],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
