// The TUI end to end in a real terminal: the built CLI in tmux panes over the demo snapshot, driven with send-keys and
// read back with capture-pane, as a person would use it. The panes live on a tmux server of our own (-L), so the
// clipboard option the OSC 52 test turns on touches nobody's sessions.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/engine/types.js';
import { CLI, DEMO, NODE, ROOT, skipReason } from './real-terminal.js';

const e2e = skipReason ? it.skip : it;
const title = (what: string) => (skipReason ? `skipped: ${skipReason}` : what);

const SOCKET = `med-tui-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'med-tui-'));
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pane running the CLI with `args`, a terminal user's environment (CI unset), its exit code written to a file. */
function start(name: string, size: [number, number], args: string[], opts: { nodeArgs?: string[] } = {}) {
  const exitFile = join(dir, `${name}.exit`);
  const command = `cd ${ROOT} && env -u CI MED_NETWORK=loopback ${NODE} ${(opts.nodeArgs ?? []).join(' ')} ${CLI} ${args.join(' ')}; echo EXIT=$? > ${exitFile}`;
  tmux('new-session', '-d', '-s', name, '-x', String(size[0]), '-y', String(size[1]), command);
  // Keep the pane after the CLI exits, to read what it printed on quit.
  tmux('set-option', '-t', name, 'remain-on-exit', 'on');
  const capture = (history = false) => tmux('capture-pane', '-p', ...(history ? ['-J', '-S', '-'] : []), '-t', name);
  return {
    capture,
    exitCode: () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined),
    async waitFor(what: string, cond: (screen: string) => boolean, ms = 30_000): Promise<string> {
      const end = Date.now() + ms;
      let screen = '';
      while (Date.now() < end) {
        screen = capture();
        if (cond(screen)) return screen;
        await sleep(100);
      }
      throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`);
    },
    async keys(...k: string[]): Promise<void> {
      for (const key of k) {
        tmux('send-keys', '-t', name, key);
        await sleep(80);
      }
    },
  };
}

/** The TUI's own frame: the live run's finished rows may still show above its header. */
const frame = (screen: string) => screen.slice(Math.max(0, screen.lastIndexOf('model-engine-doctor ')));
const selected = (screen: string) => screen.split('\n').find((l) => l.startsWith('❯ ')) ?? '';
const ready = (s: string) => /\d+\/\d+( \(of \d+\))? · filter /.test(s);

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the TUI in a real terminal (tmux)', () => {
  e2e(
    title('triage of the demo at 100×40: endpoints, incidents, details, text filter, quit with the fix and exit code 3'),
    async () => {
      const t = start('triage', [100, 40], ['triage', '--snapshot', DEMO]);
      let screen = await t.waitFor('the report', ready);
      expect(screen).toContain(`model-engine-doctor 0.1.0 · triage · snapshot ${DEMO}`);
      expect(screen).toMatch(/✖ [1-9]\d* failed/);
      expect(screen).toContain('Endpoints  4 in llm-engine, 2 failing');
      expect(selected(screen)).toMatch(/^❯ ✖ NO_MATCHING_NODES {2}llama-3-70b .* → #1$/);
      expect(screen).toMatch(/^ {2}#1 {2}✖ FAIL {3}high {6}endpoints\/serving /m);
      const lines = screen.trimEnd().split('\n');
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(100);

      // The endpoint opens the incident that explains it.
      await t.keys('Enter');
      screen = await t.waitFor('the incident', (s) => /^Fix$/m.test(s));
      expect(screen).toMatch(/^#1 ✖ FAIL {3}high {2}endpoints\/serving$/m);
      expect(screen).not.toContain('❯ ');
      await t.keys('G');
      await t.waitFor('the other views and the evidence', (s) => s.includes('Evidence') || s.includes('Also seen as (2)'));

      // Back, then filter by text: the cacher.
      await t.keys('Escape');
      await t.waitFor('the list again', (s) => selected(s).includes('#1'));
      await t.keys('/', ...'cacher'.split(''), 'Enter');
      screen = await t.waitFor('the text filter', (s) => s.includes('· text "cacher"'));
      expect(selected(screen)).toMatch(/#3 {2}✖ FAIL {3}high {6}redis\/log-errors/);

      // q: the UI goes, the fix stays on screen as plain text, the exit code says a check failed.
      await t.keys('q');
      screen = await t.waitFor('the exit', () => t.exitCode() !== undefined);
      expect(t.exitCode()).toBe('EXIT=3');
      const after = t.capture(true);
      expect(after).toContain('# ✖ FAIL redis/log-errors · Deployment model-engine/model-engine-cacher');
      expect(after).toMatch(/^# fix: The cacher's Redis credentials are wrong/m);
      expect(after).toMatch(/^kubectl -n model-engine rollout restart deploy\/model-engine-cacher$/m);
      expect(after).toMatch(/^# also seen as: ✖ FAIL control-plane\/deployments-available/m);
    },
    60_000,
  );

  e2e(
    title('at 80×24 the fix is on screen within three keys, its commands broken only between words, and c copies it (OSC 52)'),
    async () => {
      // The fix as the JSON report has it, to compare with what the screen shows.
      const json = spawnSync(NODE, [CLI, 'triage', '--snapshot', DEMO, '-o', 'json'], { cwd: ROOT, env: { ...process.env, MED_NETWORK: 'loopback' }, encoding: 'utf8' });
      expect(json.status).toBe(3);
      const report = JSON.parse(json.stdout) as Report;
      const lead = report.results.find((r) => r.id === 'endpoints/serving' && r.messageId === 'noMatchingNodes')!;
      const nodegroup = lead.remediation!.commands![0]!;

      tmux('start-server');
      tmux('set-option', '-s', 'set-clipboard', 'on');
      const t = start('small', [80, 24], ['triage', '--snapshot', DEMO]);
      let screen = await t.waitFor('the report', ready);
      // The header folds into two lines (the live run's finished rows may still show above it).
      expect(screen).toMatch(/^model-engine-doctor · triage · aws · snapshot fixtures\/clusters\/demo-aws\n {2}✖ 8 failed /m);
      // One key: the incident of the selected endpoint, its first command on screen.
      await t.keys('Enter');
      screen = await t.waitFor('the fix', (s) => /^ {2}\$ aws eks create-nodegroup /m.test(s));
      expect(screen).toMatch(/^Fix$/m);
      expect(screen.trimEnd().split('\n').length).toBeLessThanOrEqual(24);

      // The command across its lines: broken between words with \, never inside one. Scroll until it is all on screen.
      let seen = screen;
      for (let i = 0; i < 12 && !(seen.includes('  $ aws eks create-nodegroup') && /NO_SCHEDULE$/m.test(seen)); i++) {
        await t.keys('j');
        await sleep(150);
        seen = t.capture();
      }
      const shown = seen.split('\n');
      const first = shown.findIndex((l) => l.startsWith('  $ aws eks create-nodegroup'));
      expect(first).toBeGreaterThanOrEqual(0);
      const parts: string[] = [];
      for (let i = first; i < shown.length; i++) {
        parts.push(shown[i]!.replace(/^ {2}(\$ )? */, '').replace(/ \\$/, ''));
        if (!shown[i]!.endsWith(' \\')) break;
      }
      expect(parts.length).toBeGreaterThan(2);
      expect(parts.join(' ')).toBe(nodegroup);

      // c: the fix goes to the clipboard as an OSC 52 escape, which tmux (set-clipboard on) keeps as a paste buffer.
      await t.keys('c');
      await t.waitFor('the copy notice', (s) => s.includes('copied the fix of incident #1 (endpoints/serving) (OSC 52)'));
      const buffer = tmux('show-buffer');
      expect(buffer.split('\n').slice(0, 3)).toEqual([
        '# ✖ FAIL endpoints/serving · Deployment llm-engine/launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0',
        `# fix: ${lead.remediation!.summary}`,
        nodegroup,
      ]);
      await t.keys('q');
      await t.waitFor('the exit', () => t.exitCode() !== undefined);
      expect(t.exitCode()).toBe('EXIT=3');
    },
    60_000,
  );

  e2e(
    title('the endpoint view at 80×24: the diagnosis selected, its cause whole, its chain one key away; q prints its fix'),
    async () => {
      const t = start('endpoint', [80, 24], ['endpoint', 'llama-3-70b', '--snapshot', DEMO]);
      let screen = await t.waitFor('the report', ready);
      expect(selected(screen)).toBe('❯ ✖ NO_MATCHING_NODES  llm-engine/llama-3-70b (end_ct4pe5pn2ojg00a4qkh0)');
      await t.keys('Enter');
      screen = await t.waitFor('the diagnosis', (s) => /^✖ NO_MATCHING_NODES {2}endpoint llm-engine\/llama-3-70b/m.test(s));
      await t.keys(...Array<string>(17).fill('j'));
      screen = await t.waitFor('the chain', (s) => s.includes('Causal chain'));
      expect(screen).toMatch(/^✖ FAIL Deployment llm-engine\/launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0$/m);
      await t.keys('q');
      await t.waitFor('the exit', () => t.exitCode() !== undefined);
      expect(t.exitCode()).toBe('EXIT=3');
      const after = t.capture(true);
      expect(after).toContain('# endpoint llm-engine/llama-3-70b: NO_MATCHING_NODES');
      expect(after).toMatch(/^aws eks create-nodegroup --cluster-name ml-prod /m);
    },
    60_000,
  );

  e2e(
    title('passes are hidden by default and counted in the status line; --show-passed lists them as items'),
    async () => {
      // The list opens on failing + warnings; f cycles the filter to all, where the hidden passes are counted.
      const toAll = async (t: ReturnType<typeof start>) => {
        await t.waitFor('the report', ready);
        for (let i = 0; i < 3 && !/ · filter all/.test(t.capture()); i++) {
          await t.keys('f');
          await sleep(150);
        }
        return t.waitFor('the filter all', (s) => / · filter all/.test(s));
      };
      const hidden = start('passes-hidden', [120, 40], ['triage', '--snapshot', DEMO]);
      const shown = start('passes-shown', [120, 40], ['triage', '--snapshot', DEMO, '--show-passed']);
      const screen = await toAll(hidden);
      expect(screen).toMatch(/^1\/\d+ · filter all · 56 passes hidden \(--show-passed\)$/m);
      const total = Number(/^1\/(\d+) · filter all/m.exec(screen)![1]);
      await hidden.keys('G');
      const last = await hidden.waitFor('the last item', (s) => new RegExp(`^${total}/${total} · filter`, 'm').test(s));
      expect(selected(last)).not.toContain('✔');
      expect(frame(last)).not.toMatch(/✔ PASS/);

      let all = await toAll(shown);
      expect(all).not.toContain('passes hidden');
      expect(Number(/^1\/(\d+) · filter all/m.exec(all)![1])).toBe(total + 56);
      await shown.keys('G');
      all = await shown.waitFor('the last item', (s) => new RegExp(`^${total + 56}/${total + 56} · filter`, 'm').test(s));
      expect(selected(all)).toMatch(/^❯ +✔ PASS /);
      await hidden.keys('q');
      await shown.keys('q');
      await hidden.waitFor('the exit', () => hidden.exitCode() !== undefined && shown.exitCode() !== undefined);
      expect([hidden.exitCode(), shown.exitCode()]).toEqual(['EXIT=3', 'EXIT=3']);
    },
    60_000,
  );

  e2e(
    title('at 60 columns a token wider than the pane is cut, never broken: > scrolls the commands right, < back'),
    async () => {
      const t = start('hscroll', [60, 30], ['triage', '--snapshot', DEMO]);
      await t.waitFor('the report', ready);
      // The second endpoint row opens incident #2 (IMAGE_PULL), whose copy commands hold one 64-character word.
      await t.keys('j', 'Enter');
      await t.waitFor('the incident', (s) => /^Fix$/m.test(s));
      let screen = '';
      for (let i = 0; i < 20 && !/^ +docker:\/\/111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.co…$/m.test(screen); i++) {
        await t.keys('j');
        screen = t.capture();
      }
      // Cut at the right edge with an ellipsis, whole otherwise; the status line says how to see the rest.
      expect(screen).toMatch(/^ +docker:\/\/111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.co…$/m);
      expect(screen).toMatch(/ · long commands cut: > scroll/);
      for (const line of screen.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
      await t.keys('>');
      screen = await t.waitFor('scrolled right', (s) => /^ +…\S*amazonaws\.com\/vllm:0\.6\.3$/m.test(s));
      expect(screen).toMatch(/ · < long commands cut/);
      // Words that fit are never cut or scrolled.
      expect(screen).toMatch(/^ {2}\$ skopeo copy --all \\$/m);
      await t.keys('<');
      screen = await t.waitFor('back at the start', (s) => /^ +docker:\/\/111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.co…$/m.test(s));
      expect(screen).not.toMatch(/ · < long/);
      await t.keys('q');
      await t.waitFor('the exit', () => t.exitCode() !== undefined);
      expect(t.exitCode()).toBe('EXIT=3');
    },
    60_000,
  );

  e2e(
    title('off the network (simulated firewall, --probes): one row per unreachable registry host, its images in the detail'),
    async () => {
      const firewall = ['--import', 'tsx', '--import', join(ROOT, 'test/support/firewall.mjs')];
      const t = start('offnet', [120, 50], ['triage', '--snapshot', DEMO, '--probes'], { nodeArgs: firewall });
      let screen = await t.waitFor('the report', ready, 45_000);
      screen = await t.waitFor('the incidents', (s) => s.includes('not checked: docker.io'));
      const rows = screen.split('\n').filter((l) => /▲ WARN +\w+ +\d+ images? not checked: /.test(l));
      expect(rows.map((l) => /not checked: (\S+)/.exec(l)![1])).toEqual(['111122223333.dkr.ecr.us-east-1.amazonaws.com', 'gcr.io', 'public.ecr.aws', 'docker.io']);
      expect(rows.map((l) => Number(/WARN +\w+ +(\d+) image/.exec(l)![1]))).toEqual([13, 2, 2, 1]);
      // Not one row per image: the 18 images are in the rows' details.
      expect(frame(screen)).not.toMatch(/images\/[\w-]+-pullable /);
      // Open the gcr.io row: the images it stands for, each once.
      await t.keys('/', ...'gcr.io'.split(''), 'Enter');
      await t.waitFor('the filter', (s) => selected(s).includes('not checked: gcr.io'));
      await t.keys('Enter');
      screen = await t.waitFor('the images', (s) => s.includes('Images not checked (2)'));
      expect(screen).toContain('gcr.io/istio-release/proxyv2:1.15.0');
      expect(screen).toContain('gcr.io/kaniko-project/executor:v1.9.1');
      await t.keys('q');
      await t.waitFor('the exit', () => t.exitCode() !== undefined);
      expect(t.exitCode()).toBe('EXIT=3');
    },
    60_000,
  );

  e2e(
    title('the endpoint view shows the diagnosis evidence (fields, events with counts) a few keys down'),
    async () => {
      const t = start('endpoint-evidence', [100, 40], ['endpoint', 'mixtral-8x7b', '--snapshot', DEMO]);
      await t.waitFor('the report', ready);
      await t.keys('Enter');
      await t.waitFor('the diagnosis', (s) => /^✖ IMAGE_PULL {2}endpoint llm-engine\/mixtral-8x7b/m.test(s));
      let screen = '';
      for (let i = 0; i < 40 && !/\(x138, last\s/.test(screen); i++) {
        await t.keys('j');
        screen = t.capture();
      }
      expect(screen).toMatch(/^Evidence$/m);
      expect(screen).toMatch(/^ {2}- field status\.containerStatuses\[main\]\.state\.waiting of Pod$/m);
      expect(screen).toMatch(/^ {2}- event Failed on Pod llm-engine\/launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg-chddfkjdzw-8nplw:$/m);
      expect(screen).toMatch(/\(x11, last seen\s+2026-11-20T09:29:17Z\)/);
      expect(screen).toMatch(/^ {2}- event BackOff on Pod /m);
      await t.keys('q');
      await t.waitFor('the exit', () => t.exitCode() !== undefined);
      expect(t.exitCode()).toBe('EXIT=3');
      expect(t.capture(true)).toContain('# endpoint llm-engine/mixtral-8x7b: IMAGE_PULL');
    },
    60_000,
  );

  e2e(
    title('the pre-frame painted before ink loads leaves nothing behind: not under the TUI, not above an error line'),
    async () => {
      const ok = start('preframe-tui', [100, 30], ['triage', '--snapshot', DEMO]);
      await ok.waitFor('the report', ready);
      // The live view's "starting in …" frame is ink's own and ink erases it; the pre-frame's "starting · " is ours.
      expect(ok.capture(true)).not.toMatch(/starting · Ctrl-C cancels|✖ 0 FAIL {2}‼ 0 ERROR/);
      await ok.keys('q');
      await ok.waitFor('the exit', () => ok.exitCode() !== undefined);
      expect(ok.exitCode()).toBe('EXIT=3');
      expect(ok.capture(true)).not.toMatch(/starting · Ctrl-C cancels/);

      const bad = start('preframe-error', [100, 30], ['triage', '--snapshot', '/nonexistent/snapshot']);
      await bad.waitFor('the exit', () => bad.exitCode() !== undefined);
      expect(bad.exitCode()).toBe('EXIT=2');
      // Every line of the pane but blanks and tmux's own "Pane is dead" note (remain-on-exit).
      const printed = bad.capture(true).split('\n').filter((l) => l.trim() !== '' && !/^Pane is dead/.test(l));
      expect(printed).toEqual(['model-engine-doctor: error: snapshot not found: /nonexistent/snapshot']);
    },
    60_000,
  );
});
