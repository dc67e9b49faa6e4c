// The plain-text report: what an on-call engineer reads in a terminal, a CI log or a pasted ticket comment.
// It leads with what matters: the incidents (findings grouped by root cause, ranked), each with the view that names
// the cause and its fix, then one line per other view of it. Skips follow one line each; passes only on request.
// A pure function of the report; colour only through the theme, and none at all when `color` is false.
import { incidentsOf, type Incident } from '../model-engine/incidents.js';
import type { CheckResult, Remediation, Report } from '../engine/types.js';
import {
  cleanBlock,
  cleanLine,
  countPhrases,
  docsPaths,
  evidenceLine,
  formatDuration,
  formatObject,
  groupByMessage,
  incidentTally,
  reachabilityOf,
  reachabilityText,
  REACHABILITY_HINT,
  summaryLine,
  targetRows,
} from './format.js';
import { isDiagnosis, isEndpointRows, renderDiagnosisText, renderEndpointsText } from './diagnosis.js';
import { paint, severityLabel, SEVERITY_WIDTH, statusLabel, STATUS_LABEL_WIDTH, STATUS_STYLES, type Style } from './theme.js';

export interface TextOptions {
  color: boolean;
  /** Wrap prose to this many columns (default 100). Commands and values snippets are never wrapped. */
  width?: number;
  /** Every evidence item in full, every view of an incident in full, message ids and per-check durations. */
  verbose?: boolean;
  /** List the passes too (`--show-passed`). */
  showPassed?: boolean;
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

/**
 * Columns of an entry. Aligned (skips, passes, verbose views): `  ✖ FAIL   high      id …` with the body under the id
 * column. Compact (incidents): `#1  ✖ FAIL  high  id …` with the body at the rank's width, so prose gets the width.
 */
interface Columns {
  /** Width of what precedes the status label (an incident's `#1`, or an indent). */
  lead: number;
  body: number;
  sub: number;
  compact: boolean;
}
const columns = (lead: number): Columns => ({ lead, body: lead + STATUS_LABEL_WIDTH + 2, sub: lead + STATUS_LABEL_WIDTH + 4, compact: false });
const compactColumns = (lead: number): Columns => ({ lead, body: lead, sub: lead + 2, compact: true });

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

const labelWidth = (r: CheckResult) => {
  const s = STATUS_STYLES[r.status];
  return widthOf(`${s.glyph} ${s.word}`);
};

const NBSP = '\u00a0';
const glue = (s: string) => s.replace(/ /g, NBSP);
const unglue = (s: string) => s.replace(/\u00a0/g, ' ');

/** The first line of an entry: lead text, label, severity (for findings), id, object. Wraps under the body column. */
function resultHead(w: Writer, r: CheckResult, c: Columns, opts: { lead: string; withSeverity: boolean; severity?: CheckResult['severity']; tail?: string }): void {
  const labelPad = c.compact ? 2 : STATUS_LABEL_WIDTH - labelWidth(r) + 2;
  let lead = opts.lead.padEnd(c.lead) + statusLabel(r.status, w.color) + ' '.repeat(labelPad);
  let used = c.lead + labelWidth(r) + labelPad;
  if (opts.withSeverity) {
    const severity = opts.severity ?? r.severity;
    const sevPad = c.compact ? 2 : SEVERITY_WIDTH - severity.length + 2;
    lead += severityLabel(severity, w.color) + ' '.repeat(sevPad);
    used += severity.length + sevPad;
  }
  const id = cleanLine(r.id);
  // Non-breaking spaces keep `· Kind ns/name` and `— first-word` together when the line wraps.
  // (Only when the glued run fits on a line: otherwise it must break like any prose.)
  const fits = (s: string) => (widthOf(s) <= w.width - c.body ? glue(s) : s);
  const rest = `${r.object ? ` ${fits(`· ${formatObject(r.object)}`)}` : ''}${opts.tail ? ` ${opts.tail.replace(/^(\S+) /, `$1${NBSP}`)}` : ''}`;
  const pieces = wrapText(`${id}${rest}`, w.width - used, w.width - c.body).map(unglue);
  pieces.forEach((p, i) => {
    if (i === 0) {
      // The id has no spaces, so it is always the start of the first piece.
      const body = p.startsWith(id) ? w.paint(id, 'bold') + p.slice(id.length) : p;
      w.lines.push(lead + body);
    } else w.lines.push(' '.repeat(c.body) + p);
  });
}

/** Every evidence item, wrapped under the body column. */
function evidence(w: Writer, r: CheckResult, c: Columns): void {
  for (const e of r.evidence) {
    const pieces = wrapText(evidenceLine(e), w.width - c.sub, w.width - c.sub);
    pieces.forEach((p, i) => w.lines.push(`${' '.repeat(c.body)}${i === 0 ? w.paint('-', 'dim') : ' '} ${p}`));
  }
}

/**
 * The evidence of a compact entry in one line: the item that shows what the cluster said (an event, a log line, a
 * probe), else the first, cut to the width, with how many more there are (the TUI, Markdown and JSON show them all).
 */
function evidenceSummary(w: Writer, r: CheckResult, c: Columns): void {
  if (r.evidence.length === 0) return;
  const telling = r.evidence.find((e) => e.type === 'event' || e.type === 'log' || e.type === 'probe') ?? r.evidence[0]!;
  const more = r.evidence.length > 1 ? ` (+${r.evidence.length - 1} more)` : '';
  const label = 'evidence  ';
  // What was said comes first; whom it was said about is usually the finding's own object.
  const said =
    telling.type === 'event'
      ? `event ${cleanLine(telling.reason)}${telling.count === undefined ? '' : ` ×${telling.count}`}: ${cleanLine(telling.message)}`
      : evidenceLine(telling);
  const body = truncate(said, w.width - c.body - label.length - widthOf(more));
  w.lines.push(`${' '.repeat(c.body)}${w.paint(label, 'dim')}${body}${w.paint(more, 'dim')}`);
}

/** Values snippets longer than this are folded in compact text (a half-pasted snippet is worse than none). */
export const FOLD_VALUES_LINES = 6;
/** Commands a compact entry shows (the first a remediation lists); the rest are counted on one line, and `-o wide` shows them all. */
export const COMPACT_COMMANDS = 3;

function remediation(w: Writer, rem: Remediation, c: Columns, fold = false): void {
  const fix = 'fix: ';
  const pieces = wrapText(cleanLine(rem.summary), w.width - c.body - fix.length, w.width - c.body - fix.length);
  pieces.forEach((p, i) => w.lines.push(`${' '.repeat(c.body)}${i === 0 ? w.paint(fix, ['green', 'bold']) : ' '.repeat(fix.length)}${p}`));
  const commands = rem.commands ?? [];
  const shown = fold ? commands.slice(0, COMPACT_COMMANDS) : commands;
  for (const cmd of shown) {
    // A multi-line command (heredoc, backslash continuation) keeps its own line breaks.
    cleanBlock(cmd)
      .split('\n')
      .forEach((line, i) => w.verbatim(c.sub, `${i === 0 ? '$ ' : '  '}${line}`, 'cyan'));
  }
  const values = rem.values !== undefined && rem.values.trim() !== '' ? cleanBlock(rem.values).replace(/\n+$/, '').split('\n') : [];
  const foldValues = fold && values.length > FOLD_VALUES_LINES;
  const hidden = [
    commands.length > shown.length ? `${commands.length - shown.length} more command${commands.length - shown.length === 1 ? '' : 's'}` : '',
    foldValues ? `a ${values.length}-line values snippet` : '',
  ].filter(Boolean);
  if (hidden.length > 0) w.prose(c.sub, `+ ${hidden.join(' and ')}: -o wide (or the TUI, -o markdown, -o json)`, { hang: c.sub + 2, style: 'dim' });
  if (values.length === 0 || foldValues) return;
  w.verbatim(c.sub, 'values:', 'dim');
  for (const line of values) w.verbatim(c.sub + 2, line.trimEnd(), 'cyan');
}

function docsLine(w: Writer, r: CheckResult, c: Columns): void {
  const paths = docsPaths(r);
  if (paths.length === 0) return;
  const pieces = wrapText(`docs: ${paths.join(' ')}`, w.width - c.body, w.width - c.body - 6);
  pieces.forEach((p, i) => w.verbatim(i === 0 ? c.body : c.body + 6, i === 0 ? `${w.paint('docs:', 'dim')}${p.slice(5)}` : p));
}

function detailLine(w: Writer, r: CheckResult, c: Columns): void {
  const bits = [`messageId ${cleanLine(r.messageId)}`];
  if (r.durationMs !== undefined) bits.push(formatDuration(r.durationMs));
  w.verbatim(c.body, bits.join(' · '), 'dim');
}

/** A finding in full: head, message, evidence, fix, docs. */
function fullResult(w: Writer, r: CheckResult, c: Columns, opts: { lead: string; verbose: boolean; severity?: CheckResult['severity'] }): void {
  resultHead(w, r, c, { lead: opts.lead, withSeverity: true, ...(opts.severity ? { severity: opts.severity } : {}) });
  w.prose(c.body, cleanLine(r.message));
  if (r.status === 'error' && cleanLine(r.error) !== cleanLine(r.message)) {
    w.prose(c.body, `error: ${cleanLine(r.error)}`, { hang: c.body + 7, style: 'magenta' });
  }
  if (opts.verbose) evidence(w, r, c);
  else evidenceSummary(w, r, c);
  if (r.remediation) remediation(w, r.remediation, c, !opts.verbose);
  docsLine(w, r, c);
  if (opts.verbose) detailLine(w, r, c);
}

/** An incident: its lead in full, then the other views it is also seen as (in full when verbose). */
function incident(w: Writer, inc: Incident, results: readonly CheckResult[], c: Columns, verbose: boolean): void {
  const lead = results[inc.lead]!;
  const reach = verbose ? undefined : reachabilityOf(inc, results);
  if (reach) {
    // A registry this machine could not probe says nothing about the cluster: one line per host.
    const st = STATUS_STYLES[lead.status];
    const head = `#${inc.rank}`.padEnd(c.lead);
    w.lines.push(`${head}${statusLabel(lead.status, w.color)}  ${truncate(reachabilityText(reach), w.width - c.lead - widthOf(`${st.glyph} ${st.word}`) - 2)}`);
    return;
  }
  // The incident is as severe as its most severe view.
  fullResult(w, lead, c, { lead: `#${inc.rank}`, verbose, severity: inc.severity });
  const others = inc.members.slice(1).map((i) => results[i]!);
  if (others.length === 0) return;
  if (verbose) {
    w.verbatim(c.body, 'also seen as:', 'dim');
    const inner = columns(c.body);
    for (const r of others) fullResult(w, r, inner, { lead: '', verbose });
    return;
  }
  const views = groupByMessage(others).map((g) => {
    const st = STATUS_STYLES[g.results[0]!.status];
    const id = cleanLine(g.results[0]!.id);
    return { plain: `${st.glyph} ${id}${g.results.length > 1 ? ` ×${g.results.length}` : ''}`, glyph: st.glyph, colour: st.colour, id };
  });
  const label = 'also seen as  ';
  wrapText(views.map((v) => v.plain.replace(/ /g, NBSP)).join(' · '), w.width - c.body - label.length).forEach((p, i) => {
    let line = unglue(p);
    for (const v of views) line = line.replace(v.plain, `${w.paint(v.glyph, v.colour)} ${w.paint(v.id, 'bold')}${v.plain.slice(v.glyph.length + 1 + v.id.length)}`);
    w.lines.push(`${' '.repeat(c.body)}${i === 0 ? w.paint(label, 'dim') : ' '.repeat(label.length)}${line}`);
  });
}

/**
 * Skips: the checks in one wrapped list (why each was skipped is in the TUI, Markdown and JSON), except those a missing
 * RBAC permission stopped, which name the permission on a line each. Verbose: every skip with its reason.
 */
function skipped(w: Writer, skips: readonly CheckResult[], verbose: boolean): void {
  const c = columns(2);
  if (verbose) {
    w.verbatim(0, `${w.paint('Skipped', ['bold', 'underline'])}  ${w.paint(`${skips.length} not run or not applicable here`, 'dim')}`);
    for (const r of skips) {
      resultHead(w, r, c, { lead: '', withSeverity: false, tail: `— ${cleanLine(r.message)}` });
      evidence(w, r, c);
      detailLine(w, r, c);
    }
    return;
  }
  const forbidden = skips.filter((r) => r.messageId === 'forbidden');
  const rest = groupByMessage(skips.filter((r) => r.messageId !== 'forbidden'));
  const heading = `${w.paint('Skipped', ['bold', 'underline'])}  `;
  if (rest.length > 0) {
    const list = `${skips.length}: ${rest.map((g) => `${cleanLine(g.results[0]!.id)}${g.results.length > 1 ? ` ×${g.results.length}` : ''}`).join(', ')} (why: -o wide)`;
    wrapText(list, w.width - 'Skipped  '.length, w.width - 2).forEach((p, i) => w.lines.push(i === 0 ? `${heading}${p}` : `  ${p}`));
  } else w.verbatim(0, `${heading}${skips.length}`);
  for (const r of forbidden) resultHead(w, r, c, { lead: '', withSeverity: false, tail: `— ${cleanLine(r.message)}` });
}

/** Passes (with --show-passed): one line each, cut to the width. */
function passed(w: Writer, passes: readonly CheckResult[], verbose: boolean): void {
  w.verbatim(0, `${w.paint('Passed', ['bold', 'underline'])}  ${w.paint(String(passes.length), 'dim')}`);
  const c = columns(2);
  for (const r of passes) {
    if (verbose) {
        resultHead(w, r, c, { lead: '', withSeverity: false, tail: `— ${cleanLine(r.message)}` });
      evidence(w, r, c);
      detailLine(w, r, c);
      continue;
    }
    const label = statusLabel(r.status, w.color) + ' '.repeat(STATUS_LABEL_WIDTH - labelWidth(r) + 2);
    const id = cleanLine(r.id);
    const line = truncate(`${id}${r.object ? ` · ${formatObject(r.object)}` : ''} — ${cleanLine(r.message)}`, w.width - c.body);
    w.lines.push('  ' + label + (line.startsWith(id) ? w.paint(id, 'bold') + line.slice(id.length) : line));
  }
}

/** Render a report as terminal text. Pure: same report and options, same string. */
export function renderText(report: Report, opts: TextOptions): string {
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? DEFAULT_WIDTH));
  const verbose = opts.verbose ?? false;
  const w = new Writer(width, opts.color);
  const incidents = incidentsOf(report);
  header(w, report);
  // Command extensions first: the endpoint diagnosis (endpoint) and the endpoint table (triage).
  if (isDiagnosis(report.diagnosis)) {
    w.blank();
    w.lines.push(...renderDiagnosisText(report.diagnosis, { color: opts.color, width }));
  }
  if (isEndpointRows(report.endpoints)) {
    const rankOf = new Map<string, number>();
    for (const inc of incidents) for (const id of inc.endpoints) if (!rankOf.has(id)) rankOf.set(id, inc.rank);
    w.blank();
    w.lines.push(...renderEndpointsText(report.endpoints, { color: opts.color, width, incidentOf: (id) => rankOf.get(id), all: !!opts.showPassed }));
  }
  if (report.results.length === 0) {
    w.blank();
    w.verbatim(0, 'No checks ran.');
  }
  if (incidents.length > 0) {
    w.blank();
    const findings = incidents.reduce((n, i) => n + i.members.length, 0);
    const tally = `${incidentTally(incidents)} · ranked, one root cause each (${findings} finding${findings === 1 ? '' : 's'})`;
    wrapText(tally, w.width - 'Incidents  '.length, w.width - 2).forEach((p, i) =>
      w.lines.push(i === 0 ? `${w.paint('Incidents', ['bold', 'underline'])}  ${w.paint(p, 'dim')}` : `  ${w.paint(p, 'dim')}`),
    );
    const c = compactColumns(String(incidents.length).length + 3);
    let reachability = false;
    incidents.forEach((inc, i) => {
      const oneLine = !verbose && reachabilityOf(inc, report.results) !== undefined;
      // One-line incidents run together; the hint follows the last of a run.
      if (!(oneLine && reachability)) w.blank();
      incident(w, inc, report.results, c, verbose);
      const next = incidents[i + 1];
      if (oneLine && (!next || reachabilityOf(next, report.results) === undefined)) w.prose(c.body, REACHABILITY_HINT, { style: 'dim' });
      reachability = oneLine;
    });
  }
  const skips = report.results.filter((r) => r.status === 'skip');
  if (skips.length > 0) {
    w.blank();
    skipped(w, skips, verbose);
  }
  const passes = report.results.filter((r) => r.status === 'pass');
  if (opts.showPassed && passes.length > 0) {
    w.blank();
    passed(w, [...passes].sort((a, b) => a.id.localeCompare(b.id)), verbose);
  }
  w.blank();
  if (!opts.showPassed && passes.length > 0) w.verbatim(0, `${passes.length} passed check result${passes.length === 1 ? '' : 's'} not shown: --show-passed lists them.`, 'dim');
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
