// Shared by the TUI tests: render the App over a store, size the fake terminal, press keys.
import { render } from 'ink-testing-library';
import type { CheckResult, Report } from '../../src/engine/types.js';
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
} as const;

export interface RecordedActions extends TuiActions {
  cancelled: number;
  quits: (CheckResult | undefined)[];
  reruns: string[];
}

export function recordActions(): RecordedActions {
  const a: RecordedActions = {
    cancelled: 0,
    quits: [],
    reruns: [],
    cancel: () => void (a.cancelled += 1),
    quit: (r) => void a.quits.push(r),
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

/** Give the fake terminal a size (ink-testing-library's is 100 columns, no rows) and tell ink it resized. */
export async function resize(r: Rendered, columns: number, rows: number): Promise<void> {
  Object.defineProperty(r.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(r.stdout, 'rows', { value: rows, configurable: true });
  r.stdout.emit('resize');
  await tick();
}

export async function renderApp(
  store: RunStore,
  opts: { color?: boolean; columns?: number; rows?: number; actions?: TuiActions; showAll?: boolean } = {},
): Promise<Rendered & { actions: TuiActions }> {
  const actions = opts.actions ?? recordActions();
  const r = render(<App store={store} color={opts.color ?? false} actions={actions} />);
  await resize(r, opts.columns ?? 100, opts.rows ?? 60);
  // A report with findings opens on "failing + warnings"; one f shows everything.
  if (opts.showAll) {
    r.stdin.write('f');
    await tick();
  }
  return Object.assign(r, { actions });
}

/**
 * Type keys one at a time, a tick apart, then let the renders settle (no new frame for a while, or half a
 * second when a spinner keeps drawing): the machine running the tests may be busy.
 */
export async function press(r: Rendered, ...keys: string[]): Promise<string> {
  for (const k of keys) {
    r.stdin.write(k);
    await tick();
  }
  const end = Date.now() + 500;
  let seen = r.frames.length;
  do {
    await tick(25);
    if (r.frames.length === seen) break;
    seen = r.frames.length;
  } while (Date.now() < end);
  return frame(r);
}

/** The last frame as plain lines, trailing spaces removed. */
export function frame(r: Rendered): string {
  return (r.lastFrame() ?? '')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

export const ANSI = /\u001b\[[0-9;]*m/;
