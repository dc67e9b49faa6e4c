import type { CheckResult } from '../engine/types.js';
import { cleanLine, countPhrases, groupByArea } from '../reporters/format.js';
import { SEVERITY_STYLES, SEVERITY_WIDTH, STATUS_LABEL_WIDTH, STATUS_STYLES } from '../reporters/theme.js';
import { countByStatus } from '../engine/runner.js';
import { seg, widthOf, windowAround, wrap, type Line, type Seg } from './layout.js';
import { Lines } from './Lines.js';
import type { Row } from './view-state.js';

export const CURSOR = '❯ ';

/** `✖ FAIL ` padded to the widest label, in the status colour. */
export function statusSeg(status: CheckResult['status']): Seg {
  const s = STATUS_STYLES[status];
  const label = `${s.glyph} ${s.word}`;
  return seg(label + ' '.repeat(Math.max(0, STATUS_LABEL_WIDTH - widthOf(label))), { color: s.colour, bold: true });
}

/** One result on one line: cursor, status, severity (findings only), id, message. */
export function resultLine(r: CheckResult, selected: boolean): Line {
  const finding = r.status === 'fail' || r.status === 'warn' || r.status === 'error';
  const sev = SEVERITY_STYLES[r.severity];
  const quiet = !finding;
  const line: Line = [
    seg(selected ? CURSOR : '  ', { bold: true }),
    statusSeg(r.status),
    seg('  '),
    finding ? seg(sev.word.padEnd(SEVERITY_WIDTH), { color: sev.colour, bold: sev.bold }) : seg(' '.repeat(SEVERITY_WIDTH)),
    seg('  '),
    seg(cleanLine(r.id), { bold: !quiet }),
    seg('  '),
    seg(cleanLine(r.message), { dim: quiet && !selected }),
  ];
  return selected ? line.map((s) => ({ ...s, inverse: true })) : line;
}

function areaLine(area: string, results: readonly CheckResult[]): Line {
  const tally = countPhrases(countByStatus(results))
    .filter((p) => p.n > 0)
    .map((p) => p.text)
    .join(', ');
  return [seg(cleanLine(area), { bold: true, underline: true }), seg(`  ${tally}`, { dim: true })];
}

/**
 * The list as at most `height` lines: results grouped by area (in report order: worst first), a window that
 * keeps the selection in view, and `↑ n more` / `↓ n more` where rows are cut off.
 */
export function listLines(visible: readonly Row[], selected: number, height: number, width: number, emptyHint = 'Nothing to show.'): Line[] {
  if (visible.length === 0) return wrap(emptyHint, width - 2).map((p): Line => [seg(`  ${p}`, { dim: true })]);
  const lines: Line[] = [];
  const resultAt: number[] = []; // line index → row index, -1 for area headings
  let selectedLine = 0;
  let i = 0;
  for (const group of groupByArea(visible.map((r) => r.result))) {
    lines.push(areaLine(group.area, group.results));
    resultAt.push(-1);
    for (const r of group.results) {
      if (i === selected) selectedLine = lines.length;
      lines.push(resultLine(r, i === selected));
      resultAt.push(i);
      i++;
    }
  }
  const h = Math.max(3, height);
  const { start, end } = windowAround(lines.length, h, selectedLine);
  const shown = lines.slice(start, end);
  const rowsIn = (from: number, to: number) => resultAt.slice(from, to).filter((x) => x >= 0).length;
  if (start > 0) shown[0] = [seg(`  ↑ ${rowsIn(0, start + 1)} more`, { dim: true })];
  if (end < lines.length) shown[shown.length - 1] = [seg(`  ↓ ${rowsIn(end - 1, lines.length)} more`, { dim: true })];
  return shown;
}

export function ResultList(props: { visible: readonly Row[]; selected: number; width: number; height: number; color: boolean; emptyHint?: string }) {
  return <Lines lines={listLines(props.visible, props.selected, props.height, props.width, props.emptyHint)} width={props.width} color={props.color} />;
}
