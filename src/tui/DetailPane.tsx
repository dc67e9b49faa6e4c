import type { CheckResult, Evidence, Remediation } from '../engine/types.js';
import { cleanBlock, cleanLine, docsPaths, evidenceLine, formatDuration, formatObject } from '../reporters/format.js';
import { SEVERITY_STYLES } from '../reporters/theme.js';
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

function remediationLines(rem: Remediation, width: number): Line[] {
  const lines: Line[] = [...labelled(seg(''), cleanLine(rem.summary), width, { indent: INDENT })];
  for (const cmd of rem.commands ?? []) {
    // Commands are hard-wrapped, never cut: every character must survive to be copied (q prints them whole too).
    cleanBlock(cmd)
      .split('\n')
      .forEach((part, i) =>
        hardWrap(part, width - INDENT - 2).forEach((piece, j) =>
          lines.push([seg(' '.repeat(INDENT)), seg(i === 0 && j === 0 ? '$ ' : '  ', { dim: true }), seg(piece, { color: 'cyan' })]),
        ),
      );
  }
  if (rem.values !== undefined && rem.values.trim() !== '') {
    lines.push([seg(' '.repeat(INDENT)), seg('values:', { dim: true })]);
    for (const part of cleanBlock(rem.values).replace(/\n+$/, '').split('\n')) {
      for (const piece of hardWrap(part.trimEnd(), width - INDENT - 2)) lines.push([seg(' '.repeat(INDENT + 2)), seg(piece, { color: 'cyan' })]);
    }
  }
  return lines;
}

/** Everything about one result: what, where, why (evidence), the fix, the docs. Wrapped to `width`. */
export function detailLines(r: CheckResult, width: number): Line[] {
  const sev = SEVERITY_STYLES[r.severity];
  const lines: Line[] = [[statusSeg(r.status), seg('  '), seg(sev.word, { color: sev.colour, bold: sev.bold }), seg('  '), seg(cleanLine(r.id), { bold: true })]];
  lines.push(...wrap(cleanLine(r.title), width).map((p): Line => [seg(p, { bold: true })]));
  if (r.object) lines.push(...labelled(seg('object  ', { dim: true }), formatObject(r.object), width));
  lines.push([]);
  lines.push(...wrap(cleanLine(r.message), width).map((p): Line => [seg(p)]));
  if (r.status === 'error' && cleanLine(r.error) !== cleanLine(r.message)) {
    lines.push(...labelled(seg('error  ', { color: 'magenta' }), cleanLine(r.error), width));
  }
  if (r.evidence.length > 0) {
    lines.push([], heading('Evidence'));
    for (const e of r.evidence) lines.push(...evidenceLines(e, width));
  }
  if (r.remediation) {
    lines.push([], heading('Fix'));
    lines.push(...remediationLines(r.remediation, width));
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

/** The lines a detail pane of `height` shows at `scroll`, and how far it can scroll. */
export function detailWindow(r: CheckResult, width: number, height: number, scroll: number): { lines: Line[]; total: number; maxScroll: number; start: number } {
  const all = detailLines(r, width);
  const maxScroll = Math.max(0, all.length - height);
  const start = Math.min(Math.max(0, scroll), maxScroll);
  return { lines: all.slice(start, start + height), total: all.length, maxScroll, start };
}

export function DetailPane(props: { result: CheckResult; width: number; height: number; scroll: number; color: boolean }) {
  const { lines } = detailWindow(props.result, props.width, props.height, props.scroll);
  return <Lines lines={lines} width={props.width} color={props.color} />;
}
