/**
 * The one place for status and severity glyphs, words and colours. The text reporter and the TUI both read
 * it, so a status looks the same everywhere. Every glyph travels with a word (`✖ FAIL`): nothing may depend
 * on colour alone (colour-blind users, `NO_COLOR`, logs pasted into tickets).
 */
import type { Severity, Status } from '../engine/types.js';

/** Colour names as chalk and ink's `<Text color>` spell them, so the TUI can pass them straight through. */
export type Colour = 'red' | 'redBright' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray' | 'white';
/** A colour or a text attribute; `paint` accepts one or several. */
export type Style = Colour | 'bold' | 'dim' | 'underline';

export interface StatusStyle {
  glyph: string;
  /** Upper-case word shown beside the glyph. */
  word: string;
  colour: Colour;
}

export interface SeverityStyle {
  word: string;
  colour: Colour;
  bold: boolean;
}

export const STATUS_STYLES: Readonly<Record<Status, StatusStyle>> = {
  fail: { glyph: '✖', word: 'FAIL', colour: 'red' },
  error: { glyph: '‼', word: 'ERROR', colour: 'magenta' },
  warn: { glyph: '▲', word: 'WARN', colour: 'yellow' },
  skip: { glyph: '○', word: 'SKIP', colour: 'gray' },
  pass: { glyph: '✔', word: 'PASS', colour: 'green' },
};

export const SEVERITY_STYLES: Readonly<Record<Severity, SeverityStyle>> = {
  critical: { word: 'critical', colour: 'redBright', bold: true },
  high: { word: 'high', colour: 'red', bold: false },
  medium: { word: 'medium', colour: 'yellow', bold: false },
  low: { word: 'low', colour: 'cyan', bold: false },
  info: { word: 'info', colour: 'gray', bold: false },
};

/** Width of the longest status label (`‼ ERROR`), for aligned columns. */
export const STATUS_LABEL_WIDTH = Math.max(...Object.values(STATUS_STYLES).map((s) => s.glyph.length + 1 + s.word.length));
/** Width of the longest severity word (`critical`). */
export const SEVERITY_WIDTH = Math.max(...Object.values(SEVERITY_STYLES).map((s) => s.word.length));

// SGR open/close pairs. Each style closes with its own code (not a full reset) so painted spans nest.
const SGR: Readonly<Record<Style, readonly [number, number]>> = {
  bold: [1, 22],
  dim: [2, 22],
  underline: [4, 24],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  white: [37, 39],
  gray: [90, 39],
  redBright: [91, 39],
};

/** Wrap `text` in ANSI styles; returns `text` unchanged when colour is off or the text is empty. */
export function paint(text: string, style: Style | readonly Style[], enabled: boolean): string {
  if (!enabled || text === '') return text;
  const styles: readonly Style[] = typeof style === 'string' ? [style] : style;
  let out = text;
  for (const s of styles) {
    const [open, close] = SGR[s];
    out = `\u001b[${open}m${out}\u001b[${close}m`;
  }
  return out;
}

/** `✖ FAIL`, painted in the status colour (bold) when colour is on. */
export function statusLabel(status: Status, enabled: boolean): string {
  const s = STATUS_STYLES[status];
  return paint(`${s.glyph} ${s.word}`, [s.colour, 'bold'], enabled);
}

/** `high`, painted in the severity colour when colour is on. */
export function severityLabel(severity: Severity, enabled: boolean): string {
  const s = SEVERITY_STYLES[severity];
  return paint(s.word, s.bold ? [s.colour, 'bold'] : s.colour, enabled);
}

/**
 * Whether to emit ANSI colour. An explicit flag wins (no-color.org: per-invocation arguments override the
 * environment); then a non-empty `NO_COLOR` turns colour off, `FORCE_COLOR` (other than `0`/`false`) turns it
 * on for pipes; otherwise colour only on a TTY that is not `TERM=dumb`.
 */
export function colorEnabled(opts: {
  env: Readonly<Record<string, string | undefined>>;
  isTTY: boolean;
  /** `false` for `--no-color`, `true` for an explicit `--color`, undefined when neither was given. */
  flag?: boolean | undefined;
}): boolean {
  if (opts.flag !== undefined) return opts.flag;
  const { NO_COLOR, FORCE_COLOR, TERM } = opts.env;
  if (NO_COLOR !== undefined && NO_COLOR !== '') return false;
  if (FORCE_COLOR !== undefined) return FORCE_COLOR !== '0' && FORCE_COLOR !== 'false';
  return opts.isTTY && TERM !== 'dumb';
}

 
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/** Remove ANSI SGR/CSI sequences (for measuring painted text). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
