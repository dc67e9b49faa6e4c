import type { EndpointRow } from '../engine/diagnosis.js';
import type { CheckResult } from '../engine/types.js';
import { causeStyle } from '../reporters/diagnosis.js';
import { cleanLine, incidentTally, reachability, reachabilityText } from '../reporters/format.js';
import { SEVERITY_STYLES, SEVERITY_WIDTH, STATUS_LABEL_WIDTH, STATUS_STYLES } from '../reporters/theme.js';
import type { Item, Section } from './items.js';
import { fitWithTail, seg, widthOf, windowAround, wrap, type Line, type Seg } from './layout.js';
import { Lines } from './Lines.js';

export const CURSOR = '❯ ';

/** `✖ FAIL ` padded to the widest label, in the status colour. */
export function statusSeg(status: CheckResult['status']): Seg {
  const s = STATUS_STYLES[status];
  const label = `${s.glyph} ${s.word}`;
  return seg(label + ' '.repeat(Math.max(0, STATUS_LABEL_WIDTH - widthOf(label))), { color: s.colour, bold: true });
}

const severitySeg = (severity: CheckResult['severity']): Seg => {
  const sev = SEVERITY_STYLES[severity];
  return seg(sev.word.padEnd(SEVERITY_WIDTH), { color: sev.colour, bold: sev.bold });
};

/** One result on one line: cursor, status, severity (findings only), id, message. */
export function resultLine(r: CheckResult, selected: boolean): Line {
  const finding = r.status === 'fail' || r.status === 'warn' || r.status === 'error';
  const quiet = !finding;
  const line: Line = [
    seg(selected ? CURSOR : '  ', { bold: true }),
    statusSeg(r.status),
    seg('  '),
    // Only findings are ranked; a skip or a pass carries no severity worth a column.
    ...(finding ? [severitySeg(r.severity), seg('  ')] : []),
    seg(cleanLine(r.id), { bold: !quiet }),
    seg('  '),
    seg(cleanLine(r.message), { dim: quiet && !selected }),
  ];
  return selected ? line.map((s) => ({ ...s, inverse: true })) : line;
}

/** Column widths of the endpoint rows shown, so the table lines up. */
export interface EndpointColumns {
  cause: number;
  name: number;
  ready: number;
  gpu: number;
}

export function endpointColumns(rows: readonly EndpointRow[]): EndpointColumns {
  const w = (f: (r: EndpointRow) => string, cap: number) => Math.min(cap, Math.max(0, ...rows.map((r) => widthOf(cleanLine(f(r))))));
  return { cause: w((r) => r.cause, 40), name: w((r) => r.name ?? r.id ?? '?', 32), ready: w((r) => `${r.ready}/${r.desired}`, 11), gpu: w((r) => r.gpuType ?? 'cpu', 24) };
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - widthOf(s)));

/**
 * An endpoint of the table: its cause first, glyph and code whole (nothing after it can push it off the line), then
 * name, workers, GPU, id, and the incident that explains it.
 */
export function endpointLine(row: EndpointRow, cols: EndpointColumns, selected: boolean, incident: number | undefined, width: number): Line {
  const st = causeStyle(row.cause);
  const name = cleanLine(row.name ?? row.id ?? '?');
  const line: Line = [
    seg(selected ? CURSOR : '  ', { bold: true }),
    seg(`${st.glyph} ${pad(cleanLine(row.cause), cols.cause)}`, { color: st.colour, bold: true }),
    seg('  '),
    seg(pad(widthOf(name) > cols.name ? `${[...name].slice(0, cols.name - 1).join('')}…` : name, cols.name), { bold: true }),
    seg('  '),
    seg(pad(`${row.ready}/${row.desired}`, cols.ready)),
    seg('  '),
    seg(pad(cleanLine(row.gpuType ?? 'cpu'), cols.gpu), { dim: true }),
    seg('  '),
    seg(cleanLine(row.id ?? ''), { dim: true }),
  ];
  const tail: Line = incident === undefined ? [] : [seg(`  → #${incident}`, { color: 'cyan' })];
  const fitted = fitWithTail(line, tail, width);
  return selected ? fitted.map((s) => ({ ...s, inverse: true })) : fitted;
}

/** An incident on one line: rank, status, severity, the lead's id and message, and how many other views it has. */
export function incidentLine(item: Extract<Item, { kind: 'incident' }>, selected: boolean, width: number): Line {
  const r = item.lead;
  const reach = reachability(item.incident.keys, [item.lead, ...item.others]);
  const rank = `#${item.incident.rank}`.padEnd(4);
  const body: Seg[] = reach
    ? [seg(reachabilityText(reach))]
    : [seg(cleanLine(r.id), { bold: true }), seg('  '), seg(cleanLine(r.message))];
  const line: Line = [seg(selected ? CURSOR : '  ', { bold: true }), seg(rank, { bold: true }), statusSeg(item.incident.status), seg('  '), severitySeg(item.incident.severity), seg('  '), ...body];
  const tail: Line = item.others.length > 0 && !reach ? [seg(`  +${item.others.length}`, { dim: !selected })] : [];
  const fitted = fitWithTail(line, tail, width);
  return selected ? fitted.map((s) => ({ ...s, inverse: true })) : fitted;
}

const SECTION_TITLE: Readonly<Record<Section, string>> = {
  diagnosis: 'Endpoint diagnosis',
  endpoints: 'Endpoints',
  incidents: 'Incidents',
  skipped: 'Skipped',
  passed: 'Passed',
};

function sectionHeading(section: Section, items: readonly Item[], all: readonly Item[]): Line {
  let tally = '';
  if (section === 'incidents') tally = incidentTally(items.map((i) => ({ status: i.status })));
  else if (section === 'endpoints') {
    const rows = all.filter((i): i is Extract<Item, { kind: 'endpoint' }> => i.kind === 'endpoint');
    const failing = rows.filter((i) => i.status === 'fail').length;
    tally = `${rows.length} in ${rows[0]?.row.namespace ?? '?'}, ${failing} failing`;
  } else if (section !== 'diagnosis') tally = String(items.length);
  return [seg(SECTION_TITLE[section], { bold: true, underline: true }), seg(tally ? `  ${tally}` : '', { dim: true })];
}

/** Under the diagnosis: its summary and its fix in a few lines (Enter opens the whole chain). */
function diagnosisPreview(item: Extract<Item, { kind: 'diagnosis' }>, width: number): Line[] {
  const d = item.diagnosis;
  // At most a few lines each; `…` where more follows (Enter shows it all).
  const cut = (pieces: string[], n: number) => (pieces.length > n ? [...pieces.slice(0, n - 1), `${pieces[n - 1]!} …`] : pieces);
  const lines = cut(wrap(cleanLine(d.summary), width - 6), 3).map((p): Line => [seg(`    ${p}`)]);
  if (item.status !== 'pass') lines.push(...cut(wrap(cleanLine(d.remediation.summary), width - 11), 2).map((p, i): Line => [seg(i === 0 ? '    fix: ' : '         ', { color: 'green', bold: i === 0 }), seg(p)]));
  lines.push([seg('    Enter: the causal chain, evidence and commands · q: quit and print this fix', { dim: true })]);
  return lines;
}

export interface ListOptions {
  emptyHint?: string;
  /** Every item, for section tallies (the visible ones may be filtered). */
  all?: readonly Item[];
}

/**
 * The list as at most `height` lines: items under their section headings (diagnosis, endpoints, incidents, skipped,
 * passed), a window that keeps the selection in view, and `↑ n more` / `↓ n more` where items are cut off.
 */
export function listLines(visible: readonly Item[], selected: number, height: number, width: number, opts: ListOptions = {}): Line[] {
  const all = opts.all ?? visible;
  if (visible.length === 0) return wrap(opts.emptyHint ?? 'Nothing to show.', width - 2).map((p): Line => [seg(`  ${p}`, { dim: true })]);
  const lines: Line[] = [];
  const itemAt: number[] = []; // line index → item index, -1 for headings and previews
  let selectedLine = 0;
  const cols = endpointColumns(visible.flatMap((i) => (i.kind === 'endpoint' ? [i.row] : [])));
  let section: Section | undefined;
  visible.forEach((item, i) => {
    if (item.section !== section) {
      if (section === 'endpoints') hiddenEndpoints(lines, itemAt, visible, all);
      section = item.section;
      lines.push(sectionHeading(section, visible.filter((x) => x.section === section), all));
      itemAt.push(-1);
    }
    if (i === selected) selectedLine = lines.length;
    const sel = i === selected;
    switch (item.kind) {
      case 'diagnosis': {
        const d = item.diagnosis;
        const st = causeStyle(d.cause);
        const who = `${d.endpoint.namespace}/${d.endpoint.name ?? d.endpoint.id ?? '?'}${d.endpoint.name && d.endpoint.id ? ` (${d.endpoint.id})` : ''}`;
        const line: Line = [seg(sel ? CURSOR : '  ', { bold: true }), seg(`${st.glyph} ${d.cause}`, { color: st.colour, bold: true }), seg('  '), seg(cleanLine(who), { bold: true })];
        lines.push(sel ? line.map((s) => ({ ...s, inverse: true })) : line);
        itemAt.push(i);
        for (const p of diagnosisPreview(item, width)) {
          lines.push(p);
          itemAt.push(-1);
        }
        return;
      }
      case 'endpoint':
        lines.push(endpointLine(item.row, cols, sel, item.incident?.rank, width));
        break;
      case 'incident':
        lines.push(incidentLine(item, sel, width));
        break;
      case 'result':
        lines.push(resultLine(item.result, sel));
        break;
    }
    itemAt.push(i);
  });
  if (section === 'endpoints') hiddenEndpoints(lines, itemAt, visible, all);
  const h = Math.max(3, height);
  const { start, end } = windowAround(lines.length, h, selectedLine);
  const shown = lines.slice(start, end);
  const itemsIn = (from: number, to: number) => itemAt.slice(from, to).filter((x) => x >= 0).length;
  if (start > 0) shown[0] = [seg(`  ↑ ${itemsIn(0, start + 1)} more`, { dim: true })];
  if (end < lines.length) shown[shown.length - 1] = [seg(`  ↓ ${itemsIn(end - 1, lines.length)} more`, { dim: true })];
  return shown;
}

/** The endpoints the filter hides (serving ones), as one line. */
function hiddenEndpoints(lines: Line[], itemAt: number[], visible: readonly Item[], all: readonly Item[]): void {
  const hidden = all.filter((i) => i.kind === 'endpoint' && !visible.includes(i));
  if (hidden.length === 0) return;
  const names = hidden.map((i) => (i.kind === 'endpoint' ? cleanLine(i.row.name ?? i.row.id ?? '?') : '')).join(', ');
  lines.push([seg(`  + ${hidden.length} serving or idle: ${names} (f: all)`, { dim: true })]);
  itemAt.push(-1);
}

export function ResultList(props: { visible: readonly Item[]; all: readonly Item[]; selected: number; width: number; height: number; color: boolean; emptyHint?: string }) {
  return <Lines lines={listLines(props.visible, props.selected, props.height, props.width, { all: props.all, ...(props.emptyHint ? { emptyHint: props.emptyHint } : {}) })} width={props.width} color={props.color} />;
}
