import type { EndpointRow } from '../engine/diagnosis.js';
import type { CheckResult, Evidence, Remediation } from '../engine/types.js';
import { causeStyle } from '../reporters/diagnosis.js';
import { cleanLine, docsPaths, evidenceLine, formatDuration, formatObject, reachability, reachabilityText } from '../reporters/format.js';
import { SEVERITY_STYLES } from '../reporters/theme.js';
import { commandLines, valuesLines, type Code } from './code-lines.js';
import { diagnosisLines } from './EndpointTree.js';
import type { Item } from './items.js';
import { hardWrap, labelled, seg, wrap, type Line } from './layout.js';
import { Lines } from './Lines.js';
import { statusSeg } from './ResultList.js';

const INDENT = 2;
const heading = (text: string): Line => [seg(text, { bold: true, underline: true })];

/** Evidence as `kind  what it says`, the kind in a fixed column so file:line, events and log lines line up. */
function evidenceLines(e: Evidence, width: number): Line[] {
  let body = evidenceLine(e);
  // evidenceLine starts most items with their kind ("event …"); the kind moves to the label column instead.
  if (body.startsWith(`${e.type} `)) body = body.slice(e.type.length + 1);
  const label = seg(e.type.padEnd(8), { color: 'cyan' });
  if (e.type !== 'log') return labelled(label, body, width, { indent: INDENT });
  // A log line keeps its spacing (aligned columns, tracebacks): broken at the width, never re-flowed.
  const col = INDENT + 8;
  return hardWrap(body, width - col).map((p, i): Line => [seg(' '.repeat(INDENT)), i === 0 ? label : seg(' '.repeat(8)), seg(p)]);
}

function remediationLines(rem: Remediation, code: Code, indent = INDENT): Line[] {
  const lines: Line[] = [...labelled(seg(''), cleanLine(rem.summary), code.width, { indent })];
  for (const cmd of rem.commands ?? []) lines.push(...commandLines(cmd, indent, code));
  if (rem.values !== undefined && rem.values.trim() !== '') {
    lines.push([seg(' '.repeat(indent)), seg('values:', { dim: true })]);
    lines.push(...valuesLines(rem.values, indent + 2, code));
  }
  return lines;
}

function headLine(r: CheckResult, lead?: string, severity = r.severity): Line {
  const sev = SEVERITY_STYLES[severity];
  return [...(lead ? [seg(`${lead} `, { bold: true })] : []), statusSeg(r.status), seg('  '), seg(sev.word, { color: sev.colour, bold: sev.bold }), seg('  '), seg(cleanLine(r.id), { bold: true })];
}

/**
 * Everything about one result: what and where, the fix first (at 3 a.m. it is what you came for), then the evidence,
 * the docs. Wrapped to `code.width`.
 */
export function resultLines(r: CheckResult, code: Code, opts: { lead?: string; others?: readonly CheckResult[]; severity?: CheckResult['severity'] } = {}): Line[] {
  const width = code.width;
  const lines: Line[] = [headLine(r, opts.lead, opts.severity)];
  lines.push(...wrap(cleanLine(r.title), width).map((p): Line => [seg(p, { bold: true })]));
  if (r.object) lines.push(...labelled(seg('object  ', { dim: true }), formatObject(r.object), width));
  lines.push([]);
  lines.push(...wrap(cleanLine(r.message), width).map((p): Line => [seg(p)]));
  if (r.status === 'error' && cleanLine(r.error) !== cleanLine(r.message)) {
    lines.push(...labelled(seg('error  ', { color: 'magenta' }), cleanLine(r.error), width));
  }
  if (r.remediation) lines.push([], heading('Fix'), ...remediationLines(r.remediation, code));
  const others = opts.others ?? [];
  if (others.length > 0) {
    lines.push([], heading(`Also seen as (${others.length})`));
    for (const o of others) {
      lines.push([seg(' '.repeat(INDENT)), statusSeg(o.status), seg('  '), seg(cleanLine(o.id), { bold: true }), seg(o.object ? `  ${formatObject(o.object)}` : '', { dim: true })]);
      lines.push(...wrap(cleanLine(o.message), width - INDENT - 2).map((p): Line => [seg(' '.repeat(INDENT + 2)), seg(p)]));
      if (o.remediation) {
        lines.push(...labelled(seg('fix: ', { color: 'green' }), cleanLine(o.remediation.summary), width, { indent: INDENT + 2 }));
        for (const cmd of o.remediation.commands ?? []) lines.push(...commandLines(cmd, INDENT + 4, code));
      }
    }
  }
  if (r.evidence.length > 0) {
    lines.push([], heading('Evidence'));
    for (const e of r.evidence) lines.push(...evidenceLines(e, width));
  }
  const docs = docsPaths(r);
  if (docs.length > 0) {
    lines.push([], heading('Docs'));
    for (const d of docs) lines.push(...hardWrap(d, width - INDENT).map((p): Line => [seg(' '.repeat(INDENT)), seg(p, { underline: true })]));
  }
  const meta = [`messageId ${cleanLine(r.messageId)}`, ...(r.durationMs !== undefined ? [`took ${formatDuration(r.durationMs)}`] : [])];
  lines.push([], [seg(meta.join(' · '), { dim: true })]);
  return lines;
}

/** A registry this machine could not reach: what was not checked and what to do about it. */
function reachabilityLines(item: Extract<Item, { kind: 'incident' }>, code: Code): Line[] | undefined {
  const members = [item.lead, ...item.others];
  const reach = reachability(item.incident.keys, members);
  if (!reach) return undefined;
  const lines: Line[] = [headLine(item.lead, `#${item.incident.rank}`, item.incident.severity), ...wrap(reachabilityText(reach), code.width).map((p): Line => [seg(p)])];
  if (item.lead.remediation) lines.push([], heading('Fix'), ...remediationLines(item.lead.remediation, code));
  lines.push([], heading(`Images not checked (${members.length})`));
  for (const r of members) lines.push(...hardWrap(r.object ? formatObject(r.object) : r.id, code.width - INDENT).map((p): Line => [seg(' '.repeat(INDENT)), seg(p)]));
  return lines;
}

function endpointLines(row: EndpointRow, code: Code): Line[] {
  const st = causeStyle(row.cause);
  const lines: Line[] = [
    [seg(`${st.glyph} ${row.cause}`, { color: st.colour, bold: true }), seg('  endpoint ', { dim: true }), seg(cleanLine(`${row.namespace}/${row.name ?? row.id ?? '?'}`), { bold: true })],
    ...labelled(seg('id      ', { dim: true }), cleanLine(row.id ?? '?'), code.width),
    ...labelled(seg('type    ', { dim: true }), `${row.type}, ${cleanLine(row.gpuType ?? 'cpu')}, ${row.ready}/${row.desired} workers ready`, code.width),
    [],
    ...wrap(cleanLine(row.summary), code.width).map((p): Line => [seg(p)]),
    [],
    heading('Its causal chain, evidence and fix'),
    ...commandLines(`model-engine-doctor endpoint ${row.id ?? row.name ?? '?'}`, INDENT, code),
  ];
  return lines;
}

/** The incidents of the endpoint-scoped checks that are about this endpoint: the same cause, seen by checks. */
function relatedLines(item: Extract<Item, { kind: 'diagnosis' }>): Line[] {
  if (item.related.length === 0) return [];
  return [
    [],
    heading('Seen by the checks too'),
    ...item.related.map((inc, i): Line => {
      const r = item.relatedLeads[i]!;
      return [seg(`  #${inc.rank} `, { bold: true }), statusSeg(inc.status), seg('  '), seg(cleanLine(r.id), { bold: true }), seg(`  ${cleanLine(r.message)}`)];
    }),
  ];
}

/** The detail lines of any item, and how far its code can scroll. */
export function itemLines(item: Item, width: number, hscroll: number): { lines: Line[]; maxHScroll: number } {
  const code: Code = { width, hscroll, overflow: [] };
  let lines: Line[];
  switch (item.kind) {
    case 'diagnosis':
      lines = [...diagnosisLines(item.diagnosis, width, code), ...relatedLines(item)];
      break;
    case 'endpoint':
      lines = endpointLines(item.row, code);
      break;
    case 'incident':
      lines = reachabilityLines(item, code) ?? resultLines(item.lead, code, { lead: `#${item.incident.rank}`, others: item.others, severity: item.incident.severity });
      break;
    case 'result':
      lines = resultLines(item.result, code);
      break;
  }
  return { lines, maxHScroll: Math.max(0, ...code.overflow) };
}

/** The lines a detail pane of `height` shows at `scroll`, and how far it can scroll either way. */
export function detailWindow(item: Item, width: number, height: number, scroll: number, hscroll = 0): { lines: Line[]; total: number; maxScroll: number; start: number; maxHScroll: number } {
  const { lines: all, maxHScroll } = itemLines(item, width, hscroll);
  const maxScroll = Math.max(0, all.length - height);
  const start = Math.min(Math.max(0, scroll), maxScroll);
  return { lines: all.slice(start, start + height), total: all.length, maxScroll, start, maxHScroll };
}

export function DetailPane(props: { item: Item; width: number; height: number; scroll: number; hscroll: number; color: boolean }) {
  const { lines } = detailWindow(props.item, props.width, props.height, props.scroll, props.hscroll);
  return <Lines lines={lines} width={props.width} color={props.color} />;
}
