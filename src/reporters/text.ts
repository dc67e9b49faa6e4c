// The plain-text report: what an on-call engineer reads in a terminal, a CI log or a pasted ticket comment.
// A pure function of the report; colour only through the theme, and none at all when `color` is false.
import type { CheckResult, Remediation, Report } from '../engine/types.js';
import {
  cleanBlock,
  cleanLine,
  countPhrases,
  docsPaths,
  evidenceLine,
  formatDuration,
  formatObject,
  groupByArea,
  summaryLine,
  targetRows,
} from './format.js';
import { isDiagnosis, isEndpointRows, renderDiagnosisText, renderEndpointsText } from './diagnosis.js';
import { paint, severityLabel, SEVERITY_WIDTH, statusLabel, STATUS_LABEL_WIDTH, STATUS_STYLES, type Style } from './theme.js';

export interface TextOptions {
  color: boolean;
  /** Wrap prose to this many columns (default 100). Commands and values snippets are never wrapped. */
  width?: number;
  /** Also show evidence of passes and skips, message ids and per-check durations. */
  verbose?: boolean;
}

export const DEFAULT_WIDTH = 100;
const MIN_WIDTH = 40;

/** Visible width of plain text (code points; the glyphs we use are single-width). */
const widthOf = (s: string) => [...s].length;

/**
 * Greedy word wrap: the first line gets `firstWidth` columns, the rest `restWidth`. Words longer than a line
 * (URLs, image references) are kept whole on a line of their own rather than cut, so they stay copyable.
 */
export function wrapText(text: string, firstWidth: number, restWidth = firstWidth): string[] {
  const words = text.split(/ +/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const limit = lines.length === 0 ? firstWidth : restWidth;
    if (line === '') line = word;
    else if (widthOf(line) + 1 + widthOf(word) <= limit) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

class Writer {
  readonly lines: string[] = [];
  constructor(
    readonly width: number,
    readonly color: boolean,
  ) {}

  paint(text: string, style: Style | readonly Style[]): string {
    return paint(text, style, this.color);
  }

  /** Prose at column `indent`, continuation lines at `hang` (default: same column). */
  prose(indent: number, text: string, opts: { hang?: number; style?: Style | readonly Style[] } = {}): void {
    const hang = opts.hang ?? indent;
    const pieces = wrapText(text, this.width - indent, this.width - hang);
    pieces.forEach((p, i) => {
      const body = opts.style ? this.paint(p, opts.style) : p;
      this.lines.push(`${' '.repeat(i === 0 ? indent : hang)}${body}`);
    });
  }

  /** A line printed exactly as given (commands, YAML): wrapping would break copy-paste. */
  verbatim(indent: number, text: string, style?: Style | readonly Style[]): void {
    this.lines.push(`${' '.repeat(indent)}${style ? this.paint(text, style) : text}`);
  }

  blank(): void {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }
}

// Column layout: "  ✖ FAIL   critical  id …" — status label, then severity, then the body column.
const RESULT_INDENT = 2;
const BODY = RESULT_INDENT + STATUS_LABEL_WIDTH + 2;
const SUB = BODY + 2;

function header(w: Writer, report: Report): void {
  const tool = `${w.paint(cleanLine(report.tool.name), 'bold')} ${cleanLine(report.tool.version)}`;
  w.verbatim(0, `${tool} · ${w.paint(cleanLine(report.command), 'bold')}`);
  const rows = targetRows(report);
  const keyWidth = Math.max(...rows.map(([k]) => k.length)) + 2;
  for (const [label, value] of rows) {
    const pieces = wrapText(value, w.width - 2 - keyWidth, w.width - 2 - keyWidth);
    pieces.forEach((p, i) => {
      const lead = i === 0 ? w.paint(label.padEnd(keyWidth), 'dim') : ' '.repeat(keyWidth);
      w.lines.push(`  ${lead}${p}`);
    });
  }
}

function areaHeading(w: Writer, area: string, results: readonly CheckResult[]): void {
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) counts[r.status] += 1;
  const tally = countPhrases(counts)
    .filter((p) => p.n > 0)
    .map((p) => p.text)
    .join(', ');
  w.verbatim(0, `${w.paint(cleanLine(area), ['bold', 'underline'])}  ${w.paint(tally, 'dim')}`);
}

/** The first line of a result: label, severity (for findings), id, object. Wraps under the body column. */
function resultHead(w: Writer, r: CheckResult, opts: { withSeverity: boolean; tail?: string }): void {
  const label = statusLabel(r.status, w.color) + ' '.repeat(STATUS_LABEL_WIDTH - labelWidth(r) + 2);
  let lead = ' '.repeat(RESULT_INDENT) + label;
  let used = BODY;
  if (opts.withSeverity) {
    lead += severityLabel(r.severity, w.color) + ' '.repeat(SEVERITY_WIDTH - r.severity.length + 2);
    used += SEVERITY_WIDTH + 2;
  }
  const id = cleanLine(r.id);
  // Non-breaking spaces keep `· Kind ns/name` and `— first-word` together when the line wraps.
  // (Only when the glued run fits on a line: otherwise it must break like any prose.)
  const fits = (s: string) => (widthOf(s) <= w.width - BODY ? glue(s) : s);
  const rest = `${r.object ? ` ${fits(`· ${formatObject(r.object)}`)}` : ''}${opts.tail ? ` ${opts.tail.replace(/^(\S+) /, `$1${NBSP}`)}` : ''}`;
  const pieces = wrapText(`${id}${rest}`, w.width - used, w.width - BODY).map(unglue);
  pieces.forEach((p, i) => {
    if (i === 0) {
      // The id has no spaces, so it is always the start of the first piece.
      const body = p.startsWith(id) ? w.paint(id, 'bold') + p.slice(id.length) : p;
      w.lines.push(lead + body);
    } else w.lines.push(' '.repeat(BODY) + p);
  });
}

const NBSP = '\u00a0';
const glue = (s: string) => s.replace(/ /g, NBSP);
const unglue = (s: string) => s.replace(/\u00a0/g, ' ');

const labelWidth = (r: CheckResult) => {
  const s = STATUS_STYLES[r.status];
  return widthOf(`${s.glyph} ${s.word}`);
};

function evidence(w: Writer, r: CheckResult): void {
  for (const e of r.evidence) {
    const pieces = wrapText(evidenceLine(e), w.width - SUB, w.width - SUB);
    pieces.forEach((p, i) => w.lines.push(`${' '.repeat(BODY)}${i === 0 ? w.paint('-', 'dim') : ' '} ${p}`));
  }
}

function remediation(w: Writer, rem: Remediation): void {
  const fix = 'fix: ';
  const pieces = wrapText(cleanLine(rem.summary), w.width - BODY - fix.length, w.width - BODY - fix.length);
  pieces.forEach((p, i) =>
    w.lines.push(`${' '.repeat(BODY)}${i === 0 ? w.paint(fix, ['green', 'bold']) : ' '.repeat(fix.length)}${p}`),
  );
  for (const cmd of rem.commands ?? []) {
    // A multi-line command (heredoc, backslash continuation) keeps its own line breaks.
    cleanBlock(cmd)
      .split('\n')
      .forEach((line, i) => w.verbatim(SUB, `${i === 0 ? '$ ' : '  '}${line}`, 'cyan'));
  }
  if (rem.values !== undefined && rem.values.trim() !== '') {
    w.verbatim(SUB, 'values:', 'dim');
    for (const line of cleanBlock(rem.values).replace(/\n+$/, '').split('\n')) w.verbatim(SUB + 2, line.trimEnd(), 'cyan');
  }
}

function docsLine(w: Writer, r: CheckResult): void {
  const paths = docsPaths(r);
  if (paths.length === 0) return;
  const pieces = wrapText(`docs: ${paths.join(' ')}`, w.width - BODY, w.width - BODY - 6);
  pieces.forEach((p, i) => w.verbatim(i === 0 ? BODY : BODY + 6, i === 0 ? `${w.paint('docs:', 'dim')}${p.slice(5)}` : p));
}

function detailLine(w: Writer, r: CheckResult): void {
  const bits = [`messageId ${cleanLine(r.messageId)}`];
  if (r.durationMs !== undefined) bits.push(formatDuration(r.durationMs));
  w.verbatim(BODY, bits.join(' · '), 'dim');
}

/** A finding someone must act on (fail, warn, error): everything needed to understand and fix it. */
function fullResult(w: Writer, r: CheckResult, verbose: boolean): void {
  resultHead(w, r, { withSeverity: true });
  w.prose(BODY, cleanLine(r.message));
  if (r.status === 'error' && cleanLine(r.error) !== cleanLine(r.message)) {
    w.prose(BODY, `error: ${cleanLine(r.error)}`, { hang: BODY + 7, style: 'magenta' });
  }
  evidence(w, r);
  if (r.remediation) remediation(w, r.remediation);
  docsLine(w, r);
  if (verbose) detailLine(w, r);
}

/** Cut a line to `max` columns with an ellipsis. */
function truncate(text: string, max: number): string {
  if (widthOf(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (widthOf(`${out}${ch}…`) > max) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * Passes: exactly one line each, cut to the width (what passed, not why). Skips: one wrapped entry with the
 * reason, which may name a missing permission. Evidence only when verbose.
 */
function compactResult(w: Writer, r: CheckResult, verbose: boolean): void {
  if (r.status === 'pass' && !verbose) {
    const label = statusLabel(r.status, w.color) + ' '.repeat(STATUS_LABEL_WIDTH - labelWidth(r) + 2);
    const id = cleanLine(r.id);
    const line = truncate(`${id}${r.object ? ` · ${formatObject(r.object)}` : ''} — ${cleanLine(r.message)}`, w.width - BODY);
    w.lines.push(' '.repeat(RESULT_INDENT) + label + (line.startsWith(id) ? w.paint(id, 'bold') + line.slice(id.length) : line));
    return;
  }
  resultHead(w, r, { withSeverity: false, tail: `— ${cleanLine(r.message)}` });
  if (!verbose) return;
  evidence(w, r);
  if (r.remediation) remediation(w, r.remediation);
  detailLine(w, r);
}

/** Render a report as terminal text. Pure: same report and options, same string. */
export function renderText(report: Report, opts: TextOptions): string {
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? DEFAULT_WIDTH));
  const verbose = opts.verbose ?? false;
  const w = new Writer(width, opts.color);
  header(w, report);
  // Command extensions first: the endpoint diagnosis (endpoint) and the endpoint table (triage).
  if (isDiagnosis(report.diagnosis)) {
    w.blank();
    w.lines.push(...renderDiagnosisText(report.diagnosis, { color: opts.color, width }));
  }
  if (isEndpointRows(report.endpoints)) {
    w.blank();
    w.lines.push(...renderEndpointsText(report.endpoints, { color: opts.color, width }));
  }
  if (report.results.length === 0) {
    w.blank();
    w.verbatim(0, 'No checks ran.');
  }
  for (const group of groupByArea(report.results)) {
    w.blank();
    areaHeading(w, group.area, group.results);
    for (const r of group.results) {
      switch (r.status) {
        case 'fail':
        case 'warn':
        case 'error':
          fullResult(w, r, verbose);
          break;
        case 'pass':
        case 'skip':
          compactResult(w, r, verbose);
          break;
        default: {
          const unreachable: never = r;
          throw new Error(`unknown status ${String((unreachable as CheckResult).status)}`);
        }
      }
    }
  }
  w.blank();
  w.verbatim(0, paintedSummary(report, w));
  return `${w.lines.join('\n')}\n`;
}

/** The summary line, each non-zero count in its status colour; identical to `summaryLine` without colour. */
function paintedSummary(report: Report, w: Writer): string {
  if (!w.color) return summaryLine(report);
  const parts = countPhrases(report.counts).map((p) =>
    p.n > 0 && p.status !== 'skip' ? w.paint(p.text, [STATUS_STYLES[p.status].colour, 'bold']) : p.text,
  );
  return `${parts.join(', ')} ${w.paint(`(${formatDuration(report.durationMs)})`, 'dim')}`;
}
