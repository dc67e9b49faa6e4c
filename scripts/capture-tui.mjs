#!/usr/bin/env node
// The screens in docs/tui.md, captured from real runs: the built CLI in a tmux pane over the demo snapshot, driven
// with send-keys and read back with capture-pane, at 80×24 and 100×40. Each screen sits in docs/tui.md between
// `<!-- capture:NAME -->` and `<!-- /capture -->`.
//
//   npm run build && node scripts/capture-tui.mjs          # rewrite the screens in docs/tui.md
//   node scripts/capture-tui.mjs --check                   # exit 1, with a diff, when a screen is stale
//   node scripts/capture-tui.mjs --check triage-80x24      # only the screens named
//
// MED_TUI_DOC names another page to read (and write); MED_E2E_CLI another build of the CLI.
// Durations differ from run to run; they are compared as `<t>` (see `normalize`). Probes reach loopback only (MED_NETWORK=loopback),
// so no registry is contacted and the screens do not depend on the network.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.MED_E2E_CLI ?? join(ROOT, 'dist/src/cli.js');
const NODE = existsSync(join(ROOT, 'node_modules/.bin/node')) ? join(ROOT, 'node_modules/.bin/node') : process.execPath;
const DOC = process.env.MED_TUI_DOC ?? join(ROOT, 'docs/tui.md');
const DEMO = 'fixtures/clusters/demo-aws';

/**
 * The screens. `keys` are tmux send-keys arguments, each followed by a wait for `until` (a substring of the screen);
 * `crop` keeps part of the pane: `report` from the header line down, `after-quit` what the CLI printed after the UI,
 * `finished` the finished-check rows of the live run.
 */
export const SCREENS = [
  { name: 'finished', size: [100, 60], args: ['triage', '--snapshot', DEMO, '--concurrency', '1'], steps: [], crop: 'finished' },
  { name: 'triage-100x40', size: [100, 40], args: ['triage', '--snapshot', DEMO], steps: [], crop: 'report' },
  { name: 'triage-80x24', size: [80, 24], args: ['triage', '--snapshot', DEMO], steps: [], crop: 'report' },
  { name: 'triage-80x24-enter', size: [80, 24], args: ['triage', '--snapshot', DEMO], steps: [{ keys: ['Enter'], until: 'Fix' }], crop: 'report' },
  { name: 'triage-100x40-cacher', size: [100, 40], args: ['triage', '--snapshot', DEMO], steps: [{ keys: ['/', 'c', 'a', 'c', 'h', 'e', 'r', 'Enter'], until: 'text "cacher"' }], crop: 'report' },
  { name: 'triage-100x40-incident', size: [100, 40], args: ['triage', '--snapshot', DEMO], steps: [{ keys: ['j', 'j', 'j', 'j', 'Enter'], until: 'Also seen as' }], crop: 'report' },
  { name: 'triage-quit', size: [100, 40], args: ['triage', '--snapshot', DEMO], steps: [{ keys: ['j', 'j', 'j', 'j', 'q'], until: 'EXIT=' }], crop: 'after-quit' },
  { name: 'endpoint-80x24', size: [80, 24], args: ['endpoint', 'llama-3-70b', '--snapshot', DEMO], steps: [], crop: 'report' },
  { name: 'endpoint-80x24-chain', size: [80, 24], args: ['endpoint', 'llama-3-70b', '--snapshot', DEMO], steps: [{ keys: ['Enter'], until: 'item 1/' }, { keys: Array(17).fill('j'), until: 'lines 18–' }], crop: 'report' },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A tmux server of our own (its own socket): nobody's sessions or options are touched.
const SOCKET = `med-capture-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Durations, which differ between runs, as `<t>`. */
const withoutDurations = (text) => text.replace(/\b\d+m \d{2}s\b|\b\d+(?:\.\d+)?m?s\b/g, '<t>');

/**
 * What must not change between two captures of a screen. A finished row's message is cut to leave room for its
 * duration, so there only the status and the check id count.
 */
export function normalize(name, text) {
  if (name === 'finished') return text.split('\n').map((l) => l.split(/ {2,}/).slice(0, 2).join('  ')).join('\n');
  return withoutDurations(text);
}

function crop(kind, pane) {
  const lines = pane.replace(/\s+$/, '').split('\n').map((l) => l.trimEnd());
  switch (kind) {
    case 'report': {
      // The report is drawn below the live run's finished rows: keep it from its header down.
      const start = lines.findLastIndex((l) => l.startsWith('model-engine-doctor '));
      return lines.slice(start).join('\n');
    }
    case 'after-quit': {
      const start = lines.findIndex((l) => l.startsWith('# '));
      const end = lines.findIndex((l) => l.startsWith('EXIT='));
      return lines.slice(start, end).join('\n').replace(/\s+$/, '');
    }
    case 'finished':
      return lines.filter((l) => /^[✖‼▲○✔] (FAIL|ERROR|WARN|SKIP|PASS) /.test(l)).slice(0, 8).join('\n');
    default:
      throw new Error(`unknown crop ${kind}`);
  }
}

async function waitFor(session, what, cond, ms = 30_000) {
  const end = Date.now() + ms;
  let screen = '';
  while (Date.now() < end) {
    screen = tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session);
    if (cond(screen)) return screen;
    await sleep(100);
  }
  throw new Error(`${session}: timed out waiting for ${what}; the screen was:\n${screen}`);
}

/** Run one screen's command in a fresh tmux pane, drive it, and return the cropped capture. */
export async function capture(screen) {
  const session = `med-capture-${process.pid}-${screen.name}`;
  const dir = mkdtempSync(join(tmpdir(), 'med-capture-'));
  const command = `cd ${ROOT} && env -u CI MED_NETWORK=loopback ${NODE} ${CLI} ${screen.args.join(' ')}; echo EXIT=$?; sleep 600`;
  try {
    tmux('new-session', '-d', '-s', session, '-x', String(screen.size[0]), '-y', String(screen.size[1]), command);
    tmux('set-option', '-t', session, 'history-limit', '5000');
    await waitFor(session, 'the report', (s) => /\d+\/\d+( \(of \d+\))? · filter |Everything passed/.test(s));
    for (const step of screen.steps) {
      for (const key of step.keys) {
        tmux('send-keys', '-t', session, key);
        await sleep(60);
      }
      await waitFor(session, step.until, (s) => s.includes(step.until));
    }
    await sleep(300); // the last frame
    // The finished rows and what quitting printed may have scrolled off the pane: read the history too (and join
    // the lines the terminal wrapped, for the printed fix).
    const pane =
      screen.crop === 'finished'
        ? tmux('capture-pane', '-p', '-S', '-', '-t', session)
        : screen.crop === 'after-quit'
          ? tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session)
          : tmux('capture-pane', '-p', '-t', session);
    return crop(screen.crop, pane);
  } finally {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // gone already
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const BLOCK = /<!-- capture:([\w-]+) -->\n```text\n([\s\S]*?)\n```\n<!-- \/capture -->/g;

/** The screens docs/tui.md shows, by name. */
export function documented(doc = readFileSync(DOC, 'utf8')) {
  return new Map([...doc.matchAll(BLOCK)].map((m) => [m[1], m[2]]));
}

async function main() {
  const check = process.argv.includes('--check');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!existsSync(CLI)) throw new Error(`${CLI} is not built: npm run build`);
  let doc = readFileSync(DOC, 'utf8');
  const shown = documented(doc);
  let stale = 0;
  const screens = SCREENS.filter((s) => only.length === 0 || only.includes(s.name));
  for (const screen of screens) if (!shown.has(screen.name)) throw new Error(`docs/tui.md has no <!-- capture:${screen.name} --> block`);
  // A few panes at a time: each is a whole CLI run.
  const captured = new Map();
  const queue = [...screens];
  await Promise.all(
    Array.from({ length: Math.min(3, queue.length) }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) captured.set(s.name, await capture(s));
    }),
  );
  for (const screen of screens) {
    const text = captured.get(screen.name);
    if (normalize(screen.name, text) === normalize(screen.name, shown.get(screen.name))) {
      process.stdout.write(`${screen.name}: up to date\n`);
      continue;
    }
    stale += 1;
    if (check) {
      process.stdout.write(`${screen.name}: STALE\n--- docs/tui.md\n${shown.get(screen.name)}\n+++ captured\n${text}\n`);
      continue;
    }
    doc = doc.replace(`<!-- capture:${screen.name} -->\n\`\`\`text\n${shown.get(screen.name)}\n\`\`\``, `<!-- capture:${screen.name} -->\n\`\`\`text\n${text}\n\`\`\``);
    process.stdout.write(`${screen.name}: updated\n`);
  }
  try {
    tmux('kill-server');
  } catch {
    // no session left: the server is gone already
  }
  if (!check) writeFileSync(DOC, doc);
  if (check && stale > 0) {
    process.stdout.write(`${stale} screen(s) in docs/tui.md are stale: run npm run build && node scripts/capture-tui.mjs\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`capture-tui: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
