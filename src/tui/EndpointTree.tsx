import type { ChainNode, Diagnosis } from '../engine/diagnosis.js';
import { isFault } from '../../diagnoses/index.js';
import { cleanLine, evidenceLine } from '../reporters/format.js';
import { commandLines, valuesLines, type Code } from './code-lines.js';
import { STATUS_STYLES, type Colour } from '../reporters/theme.js';
import { labelled, seg, widthOf, wrap, type Line, type Seg } from './layout.js';
import { Lines } from './Lines.js';
import { useTerminalSize } from './use-run-store.js';

/** A chain node's state as glyph + word. Glyphs and colours come from the theme's statuses. */
const NODE_STATE: Readonly<Record<ChainNode['state'], { glyph: string; word: string; colour: Colour }>> = {
  ok: { glyph: STATUS_STYLES.pass.glyph, word: 'OK', colour: STATUS_STYLES.pass.colour },
  warn: { glyph: STATUS_STYLES.warn.glyph, word: 'WARN', colour: STATUS_STYLES.warn.colour },
  fail: { glyph: STATUS_STYLES.fail.glyph, word: 'FAIL', colour: STATUS_STYLES.fail.colour },
  info: { glyph: STATUS_STYLES.skip.glyph, word: 'INFO', colour: STATUS_STYLES.skip.colour },
};

function stateSeg(state: ChainNode['state']): Seg {
  const s = NODE_STATE[state] ?? NODE_STATE.info;
  return seg(`${s.glyph} ${s.word}`, { color: s.colour, bold: state === 'fail' || state === 'warn' });
}

/**
 * The causal chain as a tree: `├─`/`└─` connectors, each node's kind, name, state (glyph and word) and summary.
 * A summary that does not fit continues under the node, inside its branch.
 */
export function chainLines(chain: readonly ChainNode[], width: number): Line[] {
  const lines: Line[] = [];
  const walk = (node: ChainNode, prefix: string, connector: string, childPrefix: string) => {
    const name = cleanLine(node.namespace && node.kind !== 'Container' && node.kind !== 'Event' ? `${node.namespace}/${node.name}` : node.name);
    // The state comes first so a long pod name, when cut or wrapped, never hides it.
    const lead: Line = [seg(prefix + connector, { dim: true }), stateSeg(node.state), seg(' '), seg(cleanLine(node.kind), { bold: true }), seg(' ')];
    const leadWidth = widthOf(lead.map((s) => s.text).join(''));
    const cont = childPrefix + (node.children.length > 0 ? '│  ' : '   ');
    const restWidth = width - widthOf(cont);
    const names = wrap(name, width - leadWidth, restWidth);
    const out: Line[] = [[...lead, seg(names[0]!)], ...names.slice(1).map((p): Line => [seg(cont, { dim: true }), seg(p)])];
    const summary = cleanLine(node.summary);
    if (summary !== '') {
      const last = out[out.length - 1]!;
      const room = width - widthOf(last.map((s) => s.text).join('')) - 2;
      // Continue on the node's line only when a fair share of the summary fits there.
      if (room >= Math.min(24, widthOf(summary))) {
        const [first, ...rest] = wrap(summary, room, restWidth);
        last.push(seg('  '), seg(first!));
        for (const p of rest) out.push([seg(cont, { dim: true }), seg(p)]);
      } else {
        for (const p of wrap(summary, restWidth)) out.push([seg(cont, { dim: true }), seg(p)]);
      }
    }
    lines.push(...out);
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      walk(child, childPrefix, last ? '└─ ' : '├─ ', childPrefix + (last ? '   ' : '│  '));
    });
  };
  for (const root of chain) walk(root, '', '', '');
  return lines;
}

/**
 * The endpoint's cause (glyph and code first, so nothing cuts them), summary and fix above its causal chain, then the
 * evidence and the commands to look further. Commands break only between shell words; `code` says how far lines that
 * still do not fit are scrolled (the report's detail pane scrolls them with `<` `>`).
 */
export function diagnosisLines(d: Diagnosis, width: number, code: Code = { width, hscroll: 0, overflow: [] }): Line[] {
  const benign = !isFault(d.cause);
  const style = d.cause === 'HEALTHY' ? STATUS_STYLES.pass : benign || d.cause === 'UNKNOWN' ? STATUS_STYLES.warn : STATUS_STYLES.fail;
  const ep = d.endpoint;
  const who = `${ep.namespace}/${ep.name ?? ep.id ?? '?'}${ep.name && ep.id ? ` (${ep.id})` : ''}`;
  const cause = seg(`${style.glyph} ${d.cause}`, { color: style.colour, bold: true });
  const endpoint = [seg('endpoint ', { dim: true }), seg(cleanLine(who), { bold: true })];
  // On one line when it fits; else the endpoint goes under the cause (which is never cut).
  const head: Line[] =
    widthOf(`${cause.text}  endpoint ${cleanLine(who)}`) <= width ? [[cause, seg('  '), ...endpoint]] : [[cause], ...labelled(seg('  endpoint ', { dim: true }), cleanLine(who), width, { bodyStyle: { bold: true } })];
  const lines: Line[] = [...head, ...wrap(cleanLine(d.summary), width).map((p): Line => [seg(p)])];
  if (d.api) {
    const a = d.api;
    const bits = a.error
      ? [`unreachable: ${a.error}`]
      : [a.status ?? '?', ...(a.statusReason ? [a.statusReason] : []), `${a.availableWorkers ?? '?'} available, ${a.unavailableWorkers ?? '?'} unavailable workers`];
    lines.push(...labelled(seg('API  ', { dim: true }), cleanLine(bits.join(' · ')), width));
  }
  if (!benign || d.remediation.commands?.length) {
    lines.push(...labelled(seg('fix: ', { color: 'green', bold: true }), cleanLine(d.remediation.summary), width));
    for (const cmd of d.remediation.commands ?? []) lines.push(...commandLines(cmd, 5, code));
    if (d.remediation.values?.trim()) {
      lines.push([seg('     values:', { dim: true })]);
      lines.push(...valuesLines(d.remediation.values, 7, code));
    }
  }
  if (d.chain.length > 0) {
    lines.push([seg('Causal chain', { bold: true, underline: true })]);
    lines.push(...chainLines(d.chain, width));
  }
  if (d.evidence.length > 0) {
    lines.push([seg('Evidence', { bold: true, underline: true })]);
    for (const e of d.evidence) lines.push(...labelled(seg('  - ', { dim: true }), evidenceLine(e), width));
  }
  if (d.next.length > 0) {
    lines.push([seg('Look further', { bold: true, underline: true })]);
    for (const n of d.next) lines.push(...commandLines(n, 2, code));
  }
  return lines;
}

/** Is this report extension a diagnosis? (Reports carry extensions as `unknown`.) */
export function isDiagnosis(x: unknown): x is Diagnosis {
  if (!x || typeof x !== 'object') return false;
  const d = x as Partial<Diagnosis>;
  return typeof d.cause === 'string' && Array.isArray(d.chain) && typeof d.summary === 'string' && !!d.endpoint && !!d.remediation;
}

/**
 * An endpoint's diagnosis. Driven by props only, so `endpoint --watch` can re-render a new diagnosis in place
 * (`rerender(<DiagnosisView diagnosis={next} … />)`, or `mountDiagnosisView` in `diagnosis-live.tsx`).
 * `width` defaults to the terminal's; `maxLines` cuts the block (the report list gets the rest of the screen).
 */
export function DiagnosisView(props: { diagnosis: Diagnosis; color: boolean; width?: number; maxLines?: number; note?: string }) {
  const size = useTerminalSize();
  const width = props.width ?? size.columns;
  let lines = diagnosisLines(props.diagnosis, width);
  if (props.note) lines = [[seg(cleanLine(props.note), { dim: true })], ...lines];
  if (props.maxLines !== undefined && lines.length > props.maxLines) {
    const keep = Math.max(0, props.maxLines - 1);
    lines = [...lines.slice(0, keep), [seg(`  … ${lines.length - keep} more lines (make the terminal taller, or use -o text)`, { dim: true })]];
  }
  return <Lines lines={lines} width={width} color={props.color} />;
}

/** Lines the diagnosis block takes at `width` (for the report layout's height budget). */
export const diagnosisHeight = (d: Diagnosis, width: number): number => diagnosisLines(d, width).length;
