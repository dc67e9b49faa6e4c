// Commands and values snippets in the TUI. A command that does not fit is broken only between shell words and
// continued with ` \`, so the lines on screen are still a command a shell runs; a word longer than the line (a URL,
// an ARN, a quoted JSON body) is never broken: its line is cut at the edge and scrolls horizontally (`<` `>`).
// `c` and `q` give the command whole, whatever is on screen.
import { cleanBlock } from '../reporters/format.js';
import { seg, widthOf, type Line } from './layout.js';

/**
 * The shell words of one line: whitespace outside quotes separates them; a backslash escapes the next character; an
 * unquoted `#` that starts a word starts a comment, which is one word to the end of the line (a line break inside it
 * would run the rest as a command).
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | undefined;
  const chars = [...line];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (quote) {
      word += c;
      if (c === '\\' && quote === '"' && i + 1 < chars.length) word += chars[++i]!;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && word === '') {
      words.push(chars.slice(i).join('').trimEnd());
      return words;
    }
    if (c === ' ' || c === '\t') {
      if (word !== '') words.push(word);
      word = '';
      continue;
    }
    if (c === '\\' && i + 1 < chars.length) {
      word += c + chars[++i]!;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    word += c;
  }
  if (word !== '') words.push(word);
  return words;
}

/** Continuation lines are indented this much more than the first. */
export const CONTINUATION_INDENT = 2;

/**
 * A command as display lines of at most `width` columns: broken between shell words, each line but the last ending in
 * ` \`, continuation lines indented. A word too long for any line stays whole on a line of its own (wider than
 * `width`: the caller cuts it and scrolls). A multi-line command (a heredoc, a script) keeps its own lines as they are.
 */
export function wrapCommand(cmd: string, width: number): string[] {
  const lines = cmd.split('\n');
  if (lines.length > 1) return lines;
  const words = shellWords(cmd);
  if (widthOf(cmd) <= width || words.length <= 1) return [cmd];
  const out: string[] = [];
  let line = '';
  for (const word of words) {
    // Room is kept for the ` \` continuation.
    if (line === '') line = word;
    else if (widthOf(line) + 1 + widthOf(word) + 2 <= width) line += ` ${word}`;
    else {
      out.push(`${line} \\`);
      line = ' '.repeat(CONTINUATION_INDENT) + word;
    }
  }
  out.push(line);
  return out;
}

/**
 * `text` seen through a window of `width` columns starting at column `offset`: `…` marks text hidden on the left or
 * the right. Text that fits is returned as is whatever the offset.
 */
export function hslice(text: string, offset: number, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  const max = chars.length - width;
  const start = Math.min(Math.max(0, offset), max);
  const left = start > 0;
  const visible = chars.slice(left ? start + 1 : start, start + width);
  const right = start + width < chars.length;
  if (right) visible[visible.length - 1] = '…';
  return `${left ? '…' : ''}${visible.join('')}`;
}

/**
 * Where code (commands, values) goes while lines are built: the columns they may take, how far they are scrolled,
 * and the width of every line that does not fit (for how far `>` may go).
 */
export interface Code {
  width: number;
  hscroll: number;
  overflow: number[];
}

/**
 * A command as lines: broken between shell words with ` \` (still a command a shell runs), never inside a word; a line
 * that still does not fit is cut at the edge and scrolls with `<` `>`.
 */
export function commandLines(cmd: string, indent: number, code: Code): Line[] {
  const room = code.width - indent - 2;
  return wrapCommand(cleanBlock(cmd), room).map((part, i) => {
    if (widthOf(part) > room) code.overflow.push(widthOf(part) - room);
    const line: Line = [seg(' '.repeat(indent)), seg(i === 0 ? '$ ' : '  ', { dim: true }), seg(hslice(part, code.hscroll, room), { color: 'cyan' })];
    return line;
  });
}

/** A values snippet, line by line as written (YAML indentation matters): cut at the edge, scrolled with `<` `>`. */
export function valuesLines(values: string, indent: number, code: Code): Line[] {
  const room = code.width - indent;
  return cleanBlock(values)
    .replace(/\n+$/, '')
    .split('\n')
    .map((raw) => {
      const part = raw.trimEnd();
      if (widthOf(part) > room) code.overflow.push(widthOf(part) - room);
      const line: Line = [seg(' '.repeat(indent)), seg(hslice(part, code.hscroll, room), { color: 'cyan' })];
      return line;
    });
}

