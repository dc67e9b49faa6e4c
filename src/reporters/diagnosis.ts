// The endpoint diagnosis (`report.diagnosis`) and triage's endpoint table (`report.endpoints`) as text and
// Markdown, for the text and markdown reporters. Pure functions of the report data; colour only via the theme.
import type { ChainNode, Diagnosis, EndpointRow } from '../engine/diagnosis.js';
import { isFault } from '../../diagnoses/index.js';
import { cleanBlock, cleanLine, evidenceLine } from './format.js';
import { paint, STATUS_STYLES, type StatusStyle, type Style } from './theme.js';

/** Is this report extension a diagnosis? Reports carry extensions as `unknown`. */
export function isDiagnosis(x: unknown): x is Diagnosis {
  if (!x || typeof x !== 'object') return false;
  const d = x as Partial<Diagnosis>;
  return typeof d.cause === 'string' && typeof d.summary === 'string' && !!d.endpoint && !!d.remediation && Array.isArray(d.chain);
}

export function isEndpointRows(x: unknown): x is EndpointRow[] {
  return Array.isArray(x) && x.every((r) => !!r && typeof r === 'object' && typeof (r as EndpointRow).cause === 'string' && typeof (r as EndpointRow).namespace === 'string');
}

/** HEALTHY reads as a pass, a benign or unknown cause as a warning, anything else as a failure. */
export function causeStyle(cause: string): StatusStyle {
  if (cause === 'HEALTHY') return STATUS_STYLES.pass;
  if (!isFault(cause) || cause === 'UNKNOWN') return STATUS_STYLES.warn;
  return STATUS_STYLES.fail;
}

const who = (d: Diagnosis) => {
  const e = d.endpoint;
  return `${e.namespace}/${e.name ?? e.id ?? '?'}${e.name && e.id ? ` (${e.id})` : ''}`;
};

/** One line per evaluation for `endpoint --watch` in text mode: `llama-3-70b NO_MATCHING_NODES — …`. */
export function renderDiagnosisLine(d: Diagnosis): string {
  return cleanLine(`${d.endpoint.name ?? d.endpoint.id ?? '?'} ${d.cause} — ${d.summary}`);
}

function wrap(text: string, first: number, rest = first): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/ +/).filter(Boolean)) {
    const limit = out.length === 0 ? first : rest;
    if (line === '') line = word;
    else if ([...line].length + 1 + [...word].length <= limit) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

const STATE_STYLE: Readonly<Record<ChainNode['state'], StatusStyle>> = {
  ok: STATUS_STYLES.pass,
  warn: STATUS_STYLES.warn,
  fail: STATUS_STYLES.fail,
  info: STATUS_STYLES.skip,
};

/** The causal chain as an indented tree (`├─`, `└─`), each node with its state glyph and word. */
export function chainText(chain: readonly ChainNode[], opts: { color: boolean; width: number; indent?: number }): string[] {
  const out: string[] = [];
  const base = ' '.repeat(opts.indent ?? 0);
  const walk = (n: ChainNode, prefix: string, connector: string, childPrefix: string) => {
    const st = STATE_STYLE[n.state] ?? STATUS_STYLES.skip;
    const name = cleanLine(n.namespace && n.kind !== 'Container' && n.kind !== 'Event' ? `${n.namespace}/${n.name}` : n.name);
    const head = `${base}${prefix}${connector}${paint(`${st.glyph} ${st.word}`, [st.colour, 'bold'], opts.color)} ${paint(cleanLine(n.kind), 'bold', opts.color)} ${name}`;
    out.push(head);
    const cont = `${base}${childPrefix}${n.children.length > 0 ? '│  ' : '   '}`;
    const summary = cleanLine(n.summary);
    if (summary) for (const p of wrap(summary, Math.max(20, opts.width - [...cont].length - 2))) out.push(`${cont}  ${paint(p, 'dim', opts.color)}`);
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      walk(c, childPrefix, last ? '└─ ' : '├─ ', childPrefix + (last ? '   ' : '│  '));
    });
  };
  for (const root of chain) walk(root, '', '', '');
  return out;
}

/** The diagnosis block of the text report: cause, summary, API view, fix, causal chain, evidence, next. */
export function renderDiagnosisText(d: Diagnosis, opts: { color: boolean; width: number }): string[] {
  const p = (t: string, s: Style | readonly Style[]) => paint(t, s, opts.color);
  const st = causeStyle(d.cause);
  const w = Math.max(40, opts.width);
  const lines: string[] = [];
  lines.push(`${p('Endpoint', ['bold', 'underline'])}  ${p(cleanLine(who(d)), 'bold')}  ${p('cause', 'dim')} ${p(`${st.glyph} ${d.cause}`, [st.colour, 'bold'])}`);
  for (const l of wrap(cleanLine(d.summary), w - 2)) lines.push(`  ${l}`);
  if (d.api) {
    const a = d.api;
    const api = a.error
      ? `unreachable or unknown: ${a.error}`
      : [a.status ?? '?', ...(a.statusReason ? [`status_reason: ${a.statusReason}`] : []), `${a.availableWorkers ?? '?'} available / ${a.unavailableWorkers ?? '?'} unavailable workers`].join(' · ');
    wrap(cleanLine(api), w - 7).forEach((l, i) => lines.push(`  ${i === 0 ? p('API: ', 'dim') : '     '}${l}`));
  }
  const benign = !isFault(d.cause);
  if (!benign || d.remediation.commands?.length) {
    wrap(cleanLine(d.remediation.summary), w - 7).forEach((l, i) => lines.push(`  ${i === 0 ? p('fix: ', ['green', 'bold']) : '     '}${l}`));
    for (const cmd of d.remediation.commands ?? []) {
      cleanBlock(cmd)
        .split('\n')
        .forEach((l, i) => lines.push(`    ${p(`${i === 0 ? '$ ' : '  '}${l}`, 'cyan')}`));
    }
    if (d.remediation.values?.trim()) {
      lines.push(`    ${p('values:', 'dim')}`);
      for (const l of cleanBlock(d.remediation.values).replace(/\n+$/, '').split('\n')) lines.push(`      ${p(l.trimEnd(), 'cyan')}`);
    }
    if (d.remediation.docs) lines.push(`    ${p('docs:', 'dim')} ${cleanLine(d.remediation.docs)}`);
  }
  if (d.chain.length > 0) {
    lines.push(`  ${p('Causal chain', 'bold')}`);
    lines.push(...chainText(d.chain, { color: opts.color, width: w - 4, indent: 4 }));
  }
  if (d.evidence.length > 0) {
    lines.push(`  ${p('Evidence', 'bold')}`);
    for (const e of d.evidence) wrap(evidenceLine(e), w - 6).forEach((l, i) => lines.push(`    ${i === 0 ? p('-', 'dim') : ' '} ${l}`));
  }
  if (d.next.length > 0) {
    lines.push(`  ${p('Look further', 'bold')}`);
    for (const n of d.next) lines.push(`    ${p(`$ ${cleanLine(n)}`, 'cyan')}`);
  }
  return lines;
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));

/**
 * Triage's endpoint table: one row per endpoint, faults first (the report keeps the diagnosis order otherwise). With
 * `incidentOf`, a failing endpoint's row names the incident that explains it (`see #1`).
 */
export function renderEndpointsText(
  all: readonly EndpointRow[],
  opts: { color: boolean; width: number; incidentOf?: (id: string) => number | undefined; all?: boolean },
): string[] {
  const p = (t: string, s: Style | readonly Style[]) => paint(t, s, opts.color);
  if (all.length === 0) return [`${p('Endpoints', ['bold', 'underline'])}  none in the endpoint namespace`];
  // Unless asked for all, the endpoints that serve are one line of names: a cluster may have thousands.
  const rows = opts.all ? all : all.filter((r) => causeStyle(r.cause) !== STATUS_STYLES.pass);
  const fine = all.filter((r) => !rows.includes(r));
  const fineLine = fine.length ? wrap(`${fine.length} serving or idle: ${fine.map((r) => r.name ?? r.id ?? '?').join(', ')}`, opts.width - 2).map((l) => `  ${p(cleanLine(l), 'dim')}`) : [];
  if (rows.length === 0) return [`${p('Endpoints', ['bold', 'underline'])}  ${p(`${all.length} in ${all[0]!.namespace}, none failing`, 'dim')}`, ...fineLine];
  const cells = rows.map((r) => [r.name ?? '?', r.id ?? '', r.type, r.gpuType ?? 'cpu', `${r.ready}/${r.desired}`, r.cause].map(cleanLine));
  const header = ['NAME', 'ID', 'TYPE', 'GPU', 'READY', 'CAUSE'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => [...c[i]!].length)));
  const faults = all.filter((r) => causeStyle(r.cause) === STATUS_STYLES.fail).length;
  const lines = [`${p('Endpoints', ['bold', 'underline'])}  ${p(`${all.length} in ${all[0]!.namespace}, ${faults} failing`, 'dim')}`, `  ${p(header.map((h, i) => pad(h, widths[i]!)).join('  ').trimEnd(), 'dim')}`];
  cells.forEach((c, i) => {
    const st = causeStyle(rows[i]!.cause);
    const last = c.length - 1;
    const rank = rows[i]!.id && st !== STATUS_STYLES.pass ? opts.incidentOf?.(rows[i]!.id!) : undefined;
    const see = rank === undefined ? '' : `  ${p(`see #${rank}`, 'dim')}`;
    lines.push(`  ${c.map((v, j) => (j === last ? p(`${st.glyph} ${v}`, [st.colour, 'bold']) : pad(v, widths[j]!))).join('  ')}${see}`);
  });
  return [...lines, ...fineLine];
}

// ----------------------------------------------------------------------------------------------- Markdown

const mdCell = (s: string) => cleanLine(s).replace(/\|/g, '\\|');
const mdCode = (s: string) => {
  const t = cleanLine(s);
  const fence = '`'.repeat(Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length)) + 1);
  return `${fence}${t.startsWith('`') || t.endsWith('`') ? ` ${t} ` : t}${fence}`;
};
const fenced = (lang: string, body: string) => {
  const text = cleanBlock(body).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, ...(text.match(/`+/g) ?? []).map((m) => m.length + 1)));
  return `${fence}${lang}\n${text}\n${fence}`;
};
const mdText = (s: string) => cleanLine(s).replace(/[\\`*[\]<>|]/g, '\\$&');

function chainMarkdown(chain: readonly ChainNode[]): string[] {
  const out: string[] = [];
  const walk = (n: ChainNode, depth: number) => {
    const st = STATE_STYLE[n.state] ?? STATUS_STYLES.skip;
    const name = n.namespace && n.kind !== 'Container' && n.kind !== 'Event' ? `${n.namespace}/${n.name}` : n.name;
    out.push(`${'  '.repeat(depth)}- ${st.glyph} ${st.word} **${mdText(n.kind)}** ${mdCode(name)}${n.summary ? ` — ${mdText(n.summary)}` : ''}`);
    for (const c of n.children) walk(c, depth + 1);
  };
  for (const r of chain) walk(r, 0);
  return out;
}

/** The diagnosis as a Markdown section, placed before the summary table. */
export function renderDiagnosisMarkdown(d: Diagnosis): string[] {
  const st = causeStyle(d.cause);
  const out = [`## Endpoint ${mdCode(who(d))}: ${st.glyph} ${d.cause}`, '', mdText(d.summary), ''];
  if (d.api) {
    const a = d.api;
    out.push(`**API:** ${a.error ? mdText(`unreachable or unknown: ${a.error}`) : mdText([a.status ?? '?', ...(a.statusReason ? [`status_reason: ${a.statusReason}`] : []), `${a.availableWorkers ?? '?'} available / ${a.unavailableWorkers ?? '?'} unavailable workers`].join(' · '))}`, '');
  }
  out.push(`**Fix:** ${mdText(d.remediation.summary)}`, '');
  if (d.remediation.commands?.length) out.push(fenced('sh', d.remediation.commands.join('\n')), '');
  if (d.remediation.values?.trim()) out.push(fenced('yaml', d.remediation.values), '');
  if (d.remediation.docs) out.push(`**Docs:** [${mdText(d.remediation.docs)}](${cleanLine(d.remediation.docs).replace(/[()\s]/g, encodeURIComponent)})`, '');
  if (d.chain.length) out.push('**Causal chain**', '', ...chainMarkdown(d.chain), '');
  if (d.evidence.length) out.push('<details>', `<summary>Evidence (${d.evidence.length})</summary>`, '', ...d.evidence.map((e) => `- ${mdText(evidenceLine(e))}`), '', '</details>', '');
  if (d.next.length) out.push('**Look further**', '', fenced('sh', d.next.join('\n')), '');
  return out;
}

/**
 * Triage's endpoint table in Markdown. `incidentOf` names the incident explaining a failing endpoint; `failingOnly`
 * lists only the endpoints that do not serve (at most that many), the healthy ones as a count (large clusters).
 */
export function renderEndpointsMarkdown(rows: readonly EndpointRow[], opts: { incidentOf?: (id: string) => number | undefined; failingOnly?: number } = {}): string[] {
  const out = ['## Endpoints', ''];
  if (rows.length === 0) return [...out, 'No endpoints in the endpoint namespace.', ''];
  const failing = rows.filter((r) => causeStyle(r.cause) !== STATUS_STYLES.pass);
  const shown = opts.failingOnly === undefined ? rows : failing.slice(0, opts.failingOnly);
  out.push('| Name | ID | Type | GPU | Ready | Cause | Incident | Summary |', '|---|---|---|---|---|---|---|---|');
  for (const r of shown) {
    const st = causeStyle(r.cause);
    const rank = r.id && st !== STATUS_STYLES.pass ? opts.incidentOf?.(r.id) : undefined;
    out.push(`| ${[mdCell(r.name ?? '?'), r.id ? mdCode(r.id) : '', r.type, mdCell(r.gpuType ?? 'cpu'), `${r.ready}/${r.desired}`, `${st.glyph} ${r.cause}`, rank === undefined ? '' : `#${rank}`, mdCell(r.summary)].join(' | ')} |`);
  }
  out.push('');
  if (shown.length < rows.length) out.push(`${rows.length - shown.length} more endpoints not listed (${rows.length - failing.length} of them serving or idle; \`-o json\` has every row).`, '');
  return out;
}
