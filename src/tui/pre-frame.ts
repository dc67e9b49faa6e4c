/**
 * The TUI's first frame, painted before ink loads (issue 16: first frame within 300 ms). Loading ink, React, yoga and
 * the checks takes about a second on a busy laptop; until then the terminal would show nothing. This module has no
 * dependency beyond the theme: `paintPreFrame` writes what the live view's first frame shows (a blank line,
 * "starting · Ctrl-C cancels", the zero counts) with plain escapes, and `clearPreFrame` erases it just before ink
 * draws in the same place (src/tui/run-tui.tsx), or before anything else is written to the terminal (an error, a
 * warning), so nothing of it is left behind. Each is a no-op when there is nothing to do; both are idempotent.
 */
import { STATUSES } from '../engine/types.js';
import { paint, STATUS_STYLES } from '../reporters/theme.js';

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Narrower than this, the counts line would wrap and the rows to erase would be a guess: no pre-frame. */
const MIN_COLUMNS = 50;

let painted: { out: Out; rows: number; restore?: () => void } | undefined;

/** The frame's lines: what RunningView's first frame shows (src/tui/RunningView.tsx, progressLines). */
export function preFrameLines(color: boolean): string[] {
  const counts = STATUSES.map((st) => paint(`${STATUS_STYLES[st].glyph} 0 ${STATUS_STYLES[st].word}`, 'dim', color)).join('  ');
  return ['', `${paint('starting', 'bold', color)}${paint(' · Ctrl-C cancels', 'dim', color)}`, counts];
}

/**
 * Paint the pre-frame on `out` (a terminal), and arrange for it to be erased before the first write to `err`.
 * Returns whether it painted.
 */
export function paintPreFrame(out: Out, err: Out, color: boolean): boolean {
  // A pty with no size set (columns 0) is read as 80 wide, as ink reads it.
  if (painted || !out.isTTY || (out.columns || 80) < MIN_COLUMNS) return false;
  const lines = preFrameLines(color);
  out.write(`${lines.join('\n')}\n`);
  painted = { out, rows: lines.length };
  // Anything written to the terminal's other stream before ink mounts (an error line, a warning) goes below a clean
  // slate, not under a frame that is about to be erased.
  if (err !== out && typeof (err as { write?: unknown }).write === 'function') {
    const target = err as { write: (...a: unknown[]) => unknown };
    const own = Object.hasOwn(target, 'write');
    const original = target.write;
    target.write = function write(this: unknown, ...a: unknown[]) {
      clearPreFrame();
      return original.apply(this, a);
    };
    painted.restore = () => {
      if (own) target.write = original;
      else delete (target as { write?: unknown }).write;
    };
  }
  return true;
}

/** Erase the pre-frame (its rows blanked, the cursor back where it started), once. */
export function clearPreFrame(): void {
  if (!painted) return;
  const { out, rows, restore } = painted;
  painted = undefined;
  restore?.();
  // Each row erased on its own (erase line, down one), then back up: a clear-to-end-of-screen from the top-left corner
  // is a whole-screen clear to tmux, which (scroll-on-clear) would keep the frame in the pane's history.
  out.write(`\u001b[${rows}A\r${'\u001b[2K\u001b[B'.repeat(rows)}\u001b[${rows}A`);
}
