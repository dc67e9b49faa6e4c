import type { Report, Status } from '../engine/types.js';
import { cleanLine, countPhrases, formatDuration, targetRows } from '../reporters/format.js';
import { STATUS_STYLES } from '../reporters/theme.js';
import { seg, type Line } from './layout.js';
import { Lines } from './Lines.js';

/** `✖ 4 failed  ▲ 2 warnings  ✔ 6 passed …`: glyph and word per status, zero counts dimmed. */
export function countsLine(counts: Readonly<Record<Status, number>>): Line {
  const line: Line = [];
  for (const p of countPhrases(counts)) {
    const s = STATUS_STYLES[p.status];
    if (line.length > 0) line.push(seg('  '));
    line.push(p.n > 0 ? seg(`${s.glyph} ${p.text}`, { color: s.colour, bold: p.status !== 'skip' && p.status !== 'pass' }) : seg(`${s.glyph} ${p.text}`, { dim: true }));
  }
  return line;
}

/**
 * The summary at the top of the report: tool and command, target, cloud and how it was found, namespaces, values,
 * counts. `compact` (a short terminal) folds it into two lines, so the list and the details keep the rows.
 */
export function headerLines(report: Report, compact = false): Line[] {
  const rows = targetRows(report);
  const target = rows.find(([k]) => k === 'target')?.[1] ?? '';
  const rest = rows.filter(([k]) => k !== 'target');
  // Folded, the version gives way to the cloud: the target must fit on the line.
  const first = (cloud: boolean): Line => [
    seg(report.tool.name, { bold: true }),
    seg(cloud ? ' · ' : ` ${report.tool.version} · `, { dim: true }),
    seg(cleanLine(report.command), { bold: true }),
    ...(cloud && report.target.cloud ? [seg(' · ', { dim: true }), seg(report.target.cloud)] : []),
    seg(' · ', { dim: true }),
    seg(target),
  ];
  const counts: Line = [seg('  '), ...countsLine(report.counts), seg(`  in ${formatDuration(report.durationMs)}`, { dim: true })];
  if (compact) return [first(true), counts];
  const labelWidth = Math.max(...rest.map(([k]) => k.length)) + 2;
  return [first(false), ...rest.map(([k, v]): Line => [seg('  '), seg(k.padEnd(labelWidth), { dim: true }), seg(v)]), counts];
}

export function Header({ report, width, color, compact = false }: { report: Report; width: number; color: boolean; compact?: boolean }) {
  return <Lines lines={headerLines(report, compact)} width={width} color={color} />;
}
