// The TUI once end to end in a real terminal: the built CLI in a tmux pane (100×40) over the demo snapshot,
// driven with send-keys and read back with capture-pane, as a person would use it.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
// The test command builds before jest; MED_E2E_CLI points at another build (e.g. one made outside dist/).
const CLI = process.env.MED_E2E_CLI ?? join(ROOT, 'dist/src/cli.js');
const NODE = join(ROOT, 'node_modules/.bin/node');
const DEMO = 'fixtures/clusters/demo-aws';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skipReason = !has('tmux')
  ? 'tmux is not installed'
  : !existsSync(CLI)
    ? `${CLI} is not built (npm run build)`
    : !existsSync(join(ROOT, DEMO))
      ? `the demo snapshot ${DEMO} is missing`
      : undefined;

const session = `med-tui-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'med-tui-'));
const exitFile = join(dir, 'exit');

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const capture = () => tmux('capture-pane', '-p', '-t', session);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: (screen: string) => boolean, ms = 20_000): Promise<string> {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = capture();
    if (cond(screen)) return screen;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`);
}

async function keys(...k: string[]): Promise<void> {
  for (const key of k) {
    tmux('send-keys', '-t', session, key);
    await sleep(120);
  }
}

const selected = (screen: string) => screen.split('\n').find((l) => l.startsWith('❯ ')) ?? '';

afterAll(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone: the CLI exited and the pane closed
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the TUI in a real terminal (tmux)', () => {
  (skipReason ? it.skip : it)(
    skipReason ? `skipped: ${skipReason}` : 'triage of the demo: list, details, text filter, quit with exit code 3',
    async () => {
      // A terminal user's environment: CI unset (CI=true would make the CLI print text instead of the TUI).
      const command = `cd ${ROOT} && env -u CI ${NODE} ${CLI} triage --snapshot ${DEMO}; echo EXIT=$? > ${exitFile}`;
      tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '40', command);
      // Keep the pane after the CLI exits, to read what it printed on quit.
      tmux('set-option', '-t', session, 'remain-on-exit', 'on');

      // The report: header, counts, and a list that opens on what needs attention.
      let screen = await waitFor('the report', (s) => s.includes('filter failing + warnings'));
      expect(screen).toContain(`model-engine-doctor 0.1.0 · triage · snapshot ${DEMO}`);
      expect(screen).toMatch(/cloud {7}aws \(from /);
      expect(screen).toMatch(/✖ [1-9]\d* failed/);
      expect(selected(screen)).toMatch(/^❯ ✖ FAIL {3}(critical|high|medium|low) /);
      const lines = screen.trimEnd().split('\n');
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(100);
      expect(lines.length).toBeLessThanOrEqual(40);

      // Only failures (f: → all → failing), then the second one.
      await keys('f', 'f');
      screen = await waitFor('the failing filter', (s) => s.includes('filter failing (fail, error)'));
      await keys('j');
      screen = await waitFor('the selection to move', (s) => /^2\/\d+ \(of \d+\) · filter failing/m.test(s));
      const row = selected(screen);
      expect(row).toMatch(/^❯ ✖ FAIL /);
      const id = /^❯ ✖ FAIL {3}\S+ +(\S+)/.exec(row)![1]!;

      // Its details: the finding, the fix, the docs.
      await keys('Enter');
      screen = await waitFor('the detail pane', (s) => s.includes('finding 2/'));
      expect(screen).toMatch(new RegExp(`^✖ FAIL {3}\\S+ {2}${id.replace(/\//g, '\\/')}$`, 'm'));
      expect(screen).toMatch(/^Fix$/m);
      expect(screen).not.toContain('❯ ');

      // Back, then filter by the check's id.
      await keys('Escape');
      await waitFor('the list again', (s) => selected(s).includes(id));
      await keys('/', ...id.split(''), 'Enter');
      screen = await waitFor('the text filter', (s) => s.includes(`· text "${id}"`));
      expect(selected(screen)).toContain(id);

      // q: the UI goes, the fix stays on screen as plain text, the exit code says a check failed.
      await keys('q');
      screen = await waitFor('the exit', () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').includes('EXIT='));
      expect(readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=3');
      expect(screen).toContain(`# ✖ FAIL ${id}`);
      expect(screen).toMatch(/^# fix: \S/m);
      expect(screen).toMatch(/^# docs: docs\/checks\//m);
    },
    45_000,
  );
});
