// A report to paste into a ticket (GitHub/GitLab flavoured Markdown): header table, summary table, then one
// section per finding someone must act on, with commands and values in fenced blocks ready to copy.
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

const label = (r: CheckResult) => `${STATUS_STYLES[r.status].glyph} ${STATUS_STYLES[r.status].word}`;

function evidenceBullet(e: Evidence): string {
  switch (e.type) {
    case 'values': {
      const at = e.source ? ` (${code(formatLocation(e.source))})` : '';
      if (e.missing) return `**values** ${code(e.path)} is missing (set in no values file and no chart default)`;
      return e.value === undefined
        ? `**values** ${code(e.path)} is not set${at}`
        : `**values** ${code(e.path)} = ${code(formatValue(e.value))}${at}`;
    }
    case 'field': {
      const where = `**field** ${code(e.path)} of ${code(formatObject(e.object))}`;
      return e.value === undefined ? `${where} is not set` : `${where} = ${code(formatValue(e.value))}`;
    }
    case 'event':
      return `**event** ${code(e.reason)} on ${code(formatObject(e.object))}: ${escapeMarkdown(e.message)}${escapeMarkdown(eventTally(e))}`;
    case 'log':
      return `**log** ${code(`${e.namespace}/${e.pod}/${e.container}`)}${e.lineNumber === undefined ? '' : ` line ${e.lineNumber}`}: ${code(e.line)}`;
    case 'probe':
      return `**probe** ${code(e.target)}: ${escapeMarkdown(e.detail)}`;
    case 'object':
      return `**object** ${code(formatObject(e.object))}${e.detail ? `: ${escapeMarkdown(e.detail)}` : ''}`;
    case 'note':
      return `**note** ${escapeMarkdown(e.text)}`;
  }
}

function section(r: CheckResult): string[] {
  const out: string[] = [];
  const about = r.object ? ` on ${code(formatObject(r.object))}` : '';
  out.push(`### ${label(r)} ${code(r.id)}${about}`, '');
  out.push(`**Severity:** ${r.severity} · **Check:** ${escapeMarkdown(r.title)} · **Message id:** ${code(r.messageId)}`, '');
  out.push(escapeMarkdown(r.message), '');
  if (r.status === 'error' && cleanLine(r.error) !== cleanLine(r.message)) out.push(`**Error:** ${code(r.error)}`, '');
  if (r.evidence.length > 0) {
    out.push('**Evidence**', '');
    for (const e of r.evidence) out.push(`- ${evidenceBullet(e)}`);
    out.push('');
  }
  const rem = r.remediation;
  if (rem) {
    out.push(`**Fix:** ${escapeMarkdown(rem.summary)}`, '');
    if (rem.commands && rem.commands.length > 0) out.push(fenced('sh', rem.commands.join('\n')), '');
    if (rem.values !== undefined && rem.values.trim() !== '') out.push(fenced('yaml', rem.values), '');
  }
  const docs = docsPaths(r);
  if (docs.length > 0) out.push(`**Docs:** ${docs.map((d) => code(d)).join(', ')}`, '');
  return out;
}

/** Render a report as GitHub-flavoured Markdown for tickets. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  out.push(`# ${escapeMarkdown(report.tool.name)}: ${escapeMarkdown(report.command)}`, '');
  out.push('| | |', '|---|---|');
  const row = (k: string, v: string) => out.push(`| ${k} | ${escapeCell(v)} |`);
  row('Tool', `${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)}`);
  row('Command', code(report.command));
  for (const [k, v] of targetRows(report)) row(k[0]!.toUpperCase() + k.slice(1), escapeMarkdown(v));
  row('Started', escapeMarkdown(report.startedAt));
  row('Duration', formatDuration(report.durationMs));
  row('Result', escapeMarkdown(summaryLine(report)));
  out.push('');
  if (isDiagnosis(report.diagnosis)) out.push(...renderDiagnosisMarkdown(report.diagnosis));
  if (isEndpointRows(report.endpoints)) out.push(...renderEndpointsMarkdown(report.endpoints));

  out.push('## Summary', '');
  if (report.results.length === 0) out.push('No checks ran.', '');
  else {
    out.push('| Status | Severity | Check | Object | Message |', '|---|---|---|---|---|');
    for (const r of report.results) {
      // A pass or skip has no severity worth reading (it is the check's default); a dash avoids alarming anyone.
      const severity = r.status === 'pass' || r.status === 'skip' ? '—' : r.severity;
      const cells = [label(r), severity, code(r.id), r.object ? code(formatObject(r.object)) : '', escapeMarkdown(r.message)];
      out.push(`| ${cells.map(escapeCell).join(' | ')} |`);
    }
    out.push('');
  }

  const findings = report.results.filter((r) => r.status === 'fail' || r.status === 'warn' || r.status === 'error');
  if (findings.length > 0) {
    out.push('## Findings', '');
    for (const r of findings) out.push(...section(r));
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
