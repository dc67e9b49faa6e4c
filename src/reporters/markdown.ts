// A report to paste into a ticket (GitHub/GitLab flavoured Markdown): header table, then the incidents (findings
// grouped by root cause, ranked), each with its fix in fenced blocks ready to copy, the other views of the same cause,
// and the evidence folded in <details>. It stays under MARKDOWN_LIMIT characters (GitHub refuses an issue body over
// 65,536): when a report is larger, detail is dropped in a fixed order and the report says what -o json has instead.
import { incidentsOf, type Incident } from '../model-engine/incidents.js';
import type { CheckResult, Evidence, Report } from '../engine/types.js';
import {
  cleanBlock,
  cleanLine,
  docsPaths,
  eventTally,
  formatDuration,
  formatLocation,
  formatObject,
  formatValue,
  groupByMessage,
  groupName,
  incidentTally,
  reachabilityOf,
  reachabilityText,
  REACHABILITY_HINT,
  summaryLine,
  targetRows,
} from './format.js';
import { STATUS_STYLES } from './theme.js';
import { isDiagnosis, isEndpointRows, renderDiagnosisMarkdown, renderEndpointsMarkdown } from './diagnosis.js';

/** Escape text for Markdown prose: inline markup characters, and a leading `#` that would make a heading. */
export function escapeMarkdown(text: string): string {
  return cleanLine(text)
    .replace(/[\\`*[\]<>|]/g, '\\$&')
    // Intraword underscores (cloud_provider) are literal in GFM; only escape ones that could open emphasis.
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/^(#+)/, (m) => m.replace(/#/g, '\\#'));
}

/** Escape a table cell: a raw `|` ends the cell (even inside a code span), a newline ends the row. */
export function escapeCell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

/** An inline code span that survives backticks in its content. */
export function code(text: string): string {
  const t = cleanLine(text);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run inside it. */
function fenced(lang: string, body: string): string {
  const text = cleanBlock(body).replace(/\n+$/, '');
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** GitHub refuses an issue body over 65,536 characters; the report stays well under, with room for a comment. */
export const MARKDOWN_LIMIT = 60_000;

const label = (r: CheckResult) => `${STATUS_STYLES[r.status].glyph} ${STATUS_STYLES[r.status].word}`;

/** A docs path as a link (relative to the repository, where the docs live). */
const docLink = (d: string) => `[${escapeMarkdown(d)}](${cleanLine(d).replace(/[()\s]/g, encodeURIComponent)})`;

function evidenceBullet(e: Evidence, max?: number): string {
  const cut = (s: string) => (max !== undefined && [...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);
  switch (e.type) {
    case 'values': {
      const at = e.source ? ` (${code(formatLocation(e.source))})` : '';
      if (e.missing) return `**values** ${code(e.path)} is missing (set in no values file and no chart default)`;
      return e.value === undefined
        ? `**values** ${code(e.path)} is not set${at}`
        : `**values** ${code(e.path)} = ${code(cut(formatValue(e.value)))}${at}`;
    }
    case 'field': {
      const where = `**field** ${code(e.path)} of ${code(formatObject(e.object))}`;
      return e.value === undefined ? `${where} is not set` : `${where} = ${code(cut(formatValue(e.value)))}`;
    }
    case 'event':
      return `**event** ${code(e.reason)} on ${code(formatObject(e.object))}: ${escapeMarkdown(cut(cleanLine(e.message)))}${escapeMarkdown(eventTally(e))}`;
    case 'log':
      return `**log** ${code(`${e.namespace}/${e.pod}/${e.container}`)}${e.lineNumber === undefined ? '' : ` line ${e.lineNumber}`}: ${code(cut(cleanLine(e.line)))}`;
    case 'probe':
      return `**probe** ${code(e.target)}: ${escapeMarkdown(cut(cleanLine(e.detail)))}`;
    case 'object':
      return `**object** ${code(formatObject(e.object))}${e.detail ? `: ${escapeMarkdown(cut(cleanLine(e.detail)))}` : ''}`;
    case 'note':
      return `**note** ${escapeMarkdown(cut(cleanLine(e.text)))}`;
  }
}

/**
 * How much detail the report carries. `full` first; each later level drops something, until the report fits
 * {@link MARKDOWN_LIMIT}: the other views' own evidence and fixes, then long evidence items, then all evidence, then
 * incidents past the first few (listed one line each).
 */
interface Detail {
  views: boolean;
  evidence: 'all' | 'cut' | 'none';
  /** Incidents shown in full; the rest get a line each. */
  incidents: number;
  /** Rows of the endpoint table: every endpoint, or the failing ones (at most this many). */
  endpoints: 'all' | number;
  /** Rows of the skipped table, and of the table of incidents past `incidents`. */
  rows: number;
}
const ALL = Infinity;
const LEVELS: readonly Detail[] = [
  { views: true, evidence: 'all', incidents: ALL, endpoints: 'all', rows: ALL },
  { views: false, evidence: 'all', incidents: ALL, endpoints: 'all', rows: ALL },
  { views: false, evidence: 'cut', incidents: ALL, endpoints: 'all', rows: ALL },
  { views: false, evidence: 'cut', incidents: ALL, endpoints: ALL, rows: ALL },
  { views: false, evidence: 'none', incidents: ALL, endpoints: ALL, rows: ALL },
  { views: false, evidence: 'none', incidents: 20, endpoints: 50, rows: 200 },
  { views: false, evidence: 'none', incidents: 5, endpoints: 20, rows: 50 },
];
/** Characters of a message in the one-line table of further incidents. */
const ROW_MESSAGE = 120;
/** Evidence items kept per finding, and characters per item, at the `cut` level. */
const CUT_ITEMS = 8;
const CUT_CHARS = 300;

function details(summary: string, body: readonly string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

function evidenceBlock(r: CheckResult, d: Detail): string[] {
  if (r.evidence.length === 0 || d.evidence === 'none') return [];
  const items = d.evidence === 'cut' ? r.evidence.slice(0, CUT_ITEMS) : r.evidence;
  const bullets = items.map((e) => `- ${evidenceBullet(e, d.evidence === 'cut' ? CUT_CHARS : undefined)}`);
  if (items.length < r.evidence.length) bullets.push(`- … ${r.evidence.length - items.length} more (-o json)`);
  return details(`Evidence (${r.evidence.length})`, bullets);
}

function fixBlock(r: CheckResult): string[] {
  const rem = r.remediation;
  if (!rem) return [];
  const out = [`**Fix:** ${escapeMarkdown(rem.summary)}`, ''];
  if (rem.commands && rem.commands.length > 0) out.push(fenced('sh', rem.commands.join('\n')), '');
  if (rem.values !== undefined && rem.values.trim() !== '') out.push(fenced('yaml', rem.values), '');
  return out;
}

function docsBlock(r: CheckResult): string[] {
  const docs = docsPaths(r);
  return docs.length > 0 ? [`**Docs:** ${docs.map(docLink).join(' · ')}`, ''] : [];
}

/** What a finding says: the message, and an error text that differs from it. */
function statement(r: CheckResult): string[] {
  const out = [escapeMarkdown(r.message), ''];
  if (r.status === 'error' && cleanLine(r.error) !== cleanLine(r.message)) out.push(`**Error:** ${code(r.error)}`, '');
  return out;
}

const about = (r: CheckResult) => (r.object ? ` on ${code(formatObject(r.object))}` : '');

function incidentSection(inc: Incident, results: readonly CheckResult[], d: Detail): string[] {
  const lead = results[inc.lead]!;
  const out = [`### #${inc.rank} ${label(lead)} · ${inc.severity} · ${code(lead.id)}${about(lead)}`, ''];
  out.push(...statement(lead), ...fixBlock(lead), ...docsBlock(lead));
  const others = inc.members.slice(1).map((i) => results[i]!);
  if (others.length > 0) {
    out.push('**Also seen as:**', '');
    for (const g of groupByMessage(others)) {
      const r = g.results[0]!;
      const objects = g.results.length > 1 ? `: ${g.results.flatMap((x) => (x.object ? [code(x.object.name)] : [])).join(', ')}` : about(r);
      out.push(`- ${label(r)} ${code(r.id)}${g.results.length > 1 ? ` ×${g.results.length}` : ''}${objects} — ${escapeMarkdown(r.message)}`);
    }
    out.push('');
  }
  out.push(...evidenceBlock(lead, d));
  if (d.views) {
    for (const r of others) {
      const evidence = d.evidence === 'none' || r.evidence.length === 0 ? [] : ['**Evidence**', '', ...r.evidence.map((e) => `- ${evidenceBullet(e)}`)];
      const body = [...statement(r), ...fixBlock(r), ...docsBlock(r), ...evidence];
      out.push(...details(`${label(r)} <code>${escapeHtml(cleanLine(r.id))}</code>${r.object ? ` on <code>${escapeHtml(formatObject(r.object))}</code>` : ''}: evidence and fix`, body));
    }
  }
  return out;
}

/** Text inside HTML (a <summary>): Markdown is not parsed there, entities are. */
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function incidentLine(inc: Incident, results: readonly CheckResult[]): string {
  const lead = results[inc.lead]!;
  const more = inc.members.length > 1 ? ` (+${inc.members.length - 1} more)` : '';
  const message = [...cleanLine(lead.message)];
  const cut = message.length > ROW_MESSAGE ? `${message.slice(0, ROW_MESSAGE - 1).join('')}…` : message.join('');
  return `| ${[`#${inc.rank}`, label(lead), inc.severity, code(lead.id), escapeMarkdown(cut) + more].map(escapeCell).join(' | ')} |`;
}

function headerTable(report: Report): string[] {
  const out = [`# ${escapeMarkdown(report.tool.name)}: ${escapeMarkdown(report.command)}`, '', '| | |', '|---|---|'];
  const row = (k: string, v: string) => out.push(`| ${k} | ${escapeCell(v)} |`);
  row('Tool', `${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)}`);
  row('Command', code(report.command));
  for (const [k, v] of targetRows(report)) row(k[0]!.toUpperCase() + k.slice(1), escapeMarkdown(v));
  row('Started', escapeMarkdown(report.startedAt));
  row('Duration', formatDuration(report.durationMs));
  row('Result', escapeMarkdown(summaryLine(report)));
  out.push('');
  return out;
}

function skippedSection(skips: readonly CheckResult[], max: number): string[] {
  if (skips.length === 0) return [];
  const out = ['## Skipped', '', `${skips.length} not run or not applicable here:`, '', '| Check | Why |', '|---|---|'];
  const groups = groupByMessage(skips);
  for (const g of groups.slice(0, max)) out.push(`| ${[code(groupName(g)), escapeMarkdown(g.results[0]!.message)].map(escapeCell).join(' | ')} |`);
  if (groups.length > max) out.push(`| … | ${groups.length - max} more (\`-o json\`) |`);
  out.push('');
  return out;
}

function passedSection(passes: readonly CheckResult[], show: boolean): string[] {
  if (passes.length === 0) return [];
  if (!show) return [`${passes.length} passed check results are not listed (\`--show-passed\` lists them; \`-o json\` has every result).`, ''];
  const rows = [...passes]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => `| ${[code(r.id), r.object ? code(formatObject(r.object)) : '', escapeMarkdown(r.message)].map(escapeCell).join(' | ')} |`);
  return ['## Passed', '', ...details(`${passes.length} passed`, ['| Check | Object | Message |', '|---|---|---|', ...rows])];
}

function renderAt(report: Report, incidents: readonly Incident[], d: Detail, showPassed: boolean): string {
  const out = headerTable(report);
  if (isDiagnosis(report.diagnosis)) out.push(...renderDiagnosisMarkdown(report.diagnosis));
  if (isEndpointRows(report.endpoints)) {
    const rankOf = new Map<string, number>();
    for (const inc of incidents) for (const id of inc.endpoints) if (!rankOf.has(id)) rankOf.set(id, inc.rank);
    out.push(...renderEndpointsMarkdown(report.endpoints, { incidentOf: (id) => rankOf.get(id), ...(d.endpoints === 'all' ? {} : { failingOnly: d.endpoints }) }));
  }
  if (report.results.length === 0) out.push('No checks ran.', '');
  if (incidents.length > 0) {
    const findings = incidents.reduce((n, i) => n + i.members.length, 0);
    out.push('## Incidents', '', `${incidentTally(incidents)}, ranked. Each incident is one root cause (${findings} findings in all): the finding that names it best leads with the fix, the others are the same cause seen by other checks.`, '');
    const full = incidents.slice(0, d.incidents);
    full.forEach((inc, i) => {
      const reach = reachabilityOf(inc, report.results);
      if (!reach) {
        out.push(...incidentSection(inc, report.results, d));
        return;
      }
      // Registries this machine could not probe: a line each, the images behind a fold.
      const images = inc.members.flatMap((m) => (report.results[m]!.object ? [code(report.results[m]!.object!.name)] : []));
      out.push(`- **#${inc.rank}** ${label(report.results[inc.lead]!)} ${escapeMarkdown(reachabilityText(reach))}`);
      if (d.evidence !== 'none') out.push('', ...details(`Images not checked on ${escapeHtml(reach.host)} (${images.length})`, images.map((x) => `- ${x}`)).map((l) => (l ? `  ${l}` : l)));
      const next = full[i + 1];
      if (!next || !reachabilityOf(next, report.results)) out.push('', `*${escapeMarkdown(REACHABILITY_HINT[0]!.toUpperCase() + REACHABILITY_HINT.slice(1))}.*`, '');
    });
    const rest = incidents.slice(full.length);
    if (rest.length > 0) {
      out.push(`${rest.length} more incidents (this report is kept under ${MARKDOWN_LIMIT.toLocaleString('en-US')} characters; \`-o json\` has them in full):`, '');
      out.push('| # | Status | Severity | Check | Message |', '|---|---|---|---|---|', ...rest.slice(0, d.rows).map((inc) => incidentLine(inc, report.results)));
      if (rest.length > d.rows) out.push(`| … | | | | ${rest.length - d.rows} more (\`-o json\`) |`);
      out.push('');
    }
  }
  out.push(...skippedSection(report.results.filter((r) => r.status === 'skip'), d.rows));
  out.push(...passedSection(report.results.filter((r) => r.status === 'pass'), showPassed));
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

/** Render a report as GitHub-flavoured Markdown for tickets, under {@link MARKDOWN_LIMIT} characters. */
export function renderMarkdown(report: Report, opts: { showPassed?: boolean } = {}): string {
  const showPassed = opts.showPassed ?? false;
  const incidents = incidentsOf(report);
  let out = '';
  for (const level of LEVELS) {
    out = renderAt(report, incidents, level, showPassed);
    if (out.length <= MARKDOWN_LIMIT) return out;
  }
  // Still too long (thousands of skips, say): cut at a line and say so.
  const note = `\n\n*Cut at ${MARKDOWN_LIMIT.toLocaleString('en-US')} characters: \`-o json\` has the whole report.*\n`;
  let cut = out.slice(0, MARKDOWN_LIMIT - note.length - 40);
  cut = cut.slice(0, cut.lastIndexOf('\n'));
  // Close what the cut left open, so the rest of the ticket renders.
  if ((cut.match(/^`{3,}/gm) ?? []).length % 2 === 1) cut += '\n```';
  const open = (cut.match(/^<details>$/gm) ?? []).length - (cut.match(/^<\/details>$/gm) ?? []).length;
  if (open > 0) cut += '\n\n</details>'.repeat(open);
  return `${cut}${note}`;
}
