// Shared by the TUI tests: render the App over a store, size the fake terminal, press keys, and wait for what the
// screen must show. ink draws asynchronously (input is read on the next tick, frames are throttled), so a test never
// reads the screen a fixed time after a key: it waits until a condition holds or the frames stop changing.
import { render } from 'ink-testing-library';
import type { Report } from '../../src/engine/types.js';
import { App, type TuiActions } from '../../src/tui/App.js';
import { RunStore } from '../../src/tui/store.js';

export const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  enter: '\r',
  esc: '\u001B',
  ctrlC: '\u0003',
  backspace: '\u007F',
  pageDown: '\u001B[6~',
} as const;

export interface RecordedActions extends TuiActions {
  cancelled: number;
  quits: (string | undefined)[];
  copies: { fix: string; what: string }[];
  reruns: string[];
}

export function recordActions(): RecordedActions {
  const a: RecordedActions = {
    cancelled: 0,
    quits: [],
    copies: [],
    reruns: [],
    cancel: () => void (a.cancelled += 1),
    quit: (fix) => void a.quits.push(fix),
    copy: (fix, what) => void a.copies.push({ fix, what }),
    rerun: (id) => void a.reruns.push(id),
  };
  return a;
}

export function storeWith(report: Report): RunStore {
  const store = new RunStore(() => Date.parse(report.finishedAt));
  store.setReport(report);
  return store;
}

type Rendered = ReturnType<typeof render>;

/** The last frame as plain lines, trailing spaces removed. */
export function frame(r: Rendered): string {
  return (r.lastFrame() ?? '')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/**
 * Wait until the frames stop changing: no new frame for `quiet` ms (a spinner that keeps drawing is given up on
 * after `max` ms). What a test asserts on is then the screen after every pending render.
 */
export async function settle(r: Rendered, quiet = 60, max = 2000): Promise<string> {
  const end = Date.now() + max;
  let seen = r.frames.length;
  let last = frame(r);
  let stableSince = Date.now();
  while (Date.now() < end) {
    await tick(10);
    const now = frame(r);
    if (r.frames.length !== seen || now !== last) {
      seen = r.frames.length;
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quiet) break;
  }
  return frame(r);
}

/** Wait until the screen satisfies `cond` (or fail naming what was awaited, with the screen as it was). */
export async function waitForFrame(r: Rendered, what: string, cond: (screen: string) => boolean, ms = 5000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const f = frame(r);
    if (cond(f)) return f;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the screen was:\n${f}`);
    await tick(10);
  }
}

/** Give the fake terminal a size (ink-testing-library's is 100 columns, no rows) and wait for the redraw. */
export async function resize(r: Rendered, columns: number, rows: number): Promise<void> {
  Object.defineProperty(r.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(r.stdout, 'rows', { value: rows, configurable: true });
  r.stdout.emit('resize');
  await settle(r);
}

export async function renderApp(
  store: RunStore,
  opts: { color?: boolean; columns?: number; rows?: number; actions?: TuiActions; showAll?: boolean; showPassed?: boolean } = {},
): Promise<Rendered & { actions: TuiActions }> {
  const actions = opts.actions ?? recordActions();
  const r = render(<App store={store} color={opts.color ?? false} actions={actions} showPassed={opts.showPassed ?? false} />);
  await resize(r, opts.columns ?? 100, opts.rows ?? 60);
  // A report with findings opens on "failing + warnings"; one f shows everything.
  if (opts.showAll && store.getState().report) {
    r.stdin.write('f');
    await waitForFrame(r, 'the "all" filter', (f) => f.includes('· filter all'));
  }
  return Object.assign(r, { actions });
}

/**
 * Type keys one at a time, each once the previous one has been drawn (or has had time to be), then let the renders
 * settle: the machine running the tests may be busy.
 */
export async function press(r: Rendered, ...keys: string[]): Promise<string> {
  for (const k of keys) {
    const before = frame(r);
    r.stdin.write(k);
    const end = Date.now() + 150;
    while (frame(r) === before && Date.now() < end) await tick(5);
  }
  return settle(r);
}

export const ANSI = /\u001b\[[0-9;]*m/;
