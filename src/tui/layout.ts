// Lines of styled segments: every TUI view is a pure function of its data to `Line[]`, fitted to the terminal
// width here rather than left to ink's wrapping, so heights are known in advance (the screen must never grow
// taller than the terminal, or ink falls back to clearing it on every frame) and tests can assert on plain text.
import type { Colour } from '../reporters/theme.js';

export interface Seg {
  text: string;
  color?: Colour;
  bold?: boolean;
  dim?: boolean;
  underline?: boolean;
  inverse?: boolean;
}
export type Line = Seg[];

/** Visible width in columns. The glyphs we draw are single-width; wide characters in log lines are caught by ink. */
export const widthOf = (s: string): number => [...s].length;

export const seg = (text: string, style: Omit<Seg, 'text'> = {}): Seg => ({ text, ...style });

/** The text of a line without styles. */
export const plainText = (line: Line): string => line.map((s) => s.text).join('');

/** Cut a line to `width` columns, ending in `…` when something was cut. */
export function fitLine(line: Line, width: number): Line {
  const max = Math.max(1, width);
  if (widthOf(plainText(line)) <= max) return line;
  const out: Line = [];
  let used = 0;
  for (const s of line) {
    const chars = [...s.text];
    if (used + chars.length < max) {
      out.push(s);
      used += chars.length;
      continue;
    }
    out.push({ ...s, text: `${chars.slice(0, max - 1 - used).join('')}…` });
    break;
  }
  return out;
}

/** `line` cut so that `tail` (a duration, a count) still fits after it within `width`. */
export function fitWithTail(line: Line, tail: Line, width: number): Line {
  return [...fitLine(line, width - widthOf(plainText(tail))), ...tail];
}

/** `text` cut to `width` columns with `…`. */
export function truncate(text: string, width: number): string {
  return plainText(fitLine([seg(text)], width));
}

/** Break a word longer than `width` into pieces (image references, URLs, ARNs), so nothing is lost. */
function chunks(word: string, width: number): string[] {
  const chars = [...word];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(''));
  return out;
}

/**
 * Greedy word wrap: the first line gets `width` columns, the rest `restWidth` (default the same). Words
 * longer than a line are broken rather than cut.
 */
export function wrap(text: string, width: number, restWidth = width): string[] {
  const lines: string[] = [];
  const limit = () => Math.max(1, lines.length === 0 ? width : restWidth);
  let line = '';
  for (const word of text.split(/ +/).filter(Boolean)) {
    if (line !== '' && widthOf(line) + 1 + widthOf(word) <= limit()) {
      line += ` ${word}`;
      continue;
    }
    if (line !== '') lines.push(line);
    let rest = [...word];
    while (rest.length > limit()) {
      const n = limit();
      lines.push(rest.slice(0, n).join(''));
      rest = rest.slice(n);
    }
    line = rest.join('');
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Hard wrap at `width` keeping every character (commands and YAML, where spaces matter). */
export function hardWrap(text: string, width: number): string[] {
  return text === '' ? [''] : chunks(text, Math.max(1, width));
}

/**
 * Prose wrapped under a label: `label` on the first line, continuation lines indented to the body column.
 * `indent` is the column where the label starts.
 */
export function labelled(label: Seg, body: string, width: number, opts: { indent?: number; bodyStyle?: Omit<Seg, 'text'> } = {}): Line[] {
  const indent = opts.indent ?? 0;
  const bodyCol = indent + widthOf(label.text);
  return wrap(body, width - bodyCol).map((piece, i) => [
    seg(' '.repeat(indent)),
    i === 0 ? label : seg(' '.repeat(widthOf(label.text))),
    seg(piece, opts.bodyStyle),
  ]);
}

/** `n` items of `total`, starting at `start`, keeping `focus` in view with a little context above it. */
export function windowAround(total: number, height: number, focus: number): { start: number; end: number } {
  if (total <= height) return { start: 0, end: total };
  const above = Math.floor(height / 3);
  const start = Math.min(Math.max(0, focus - above), total - height);
  return { start, end: start + height };
}
