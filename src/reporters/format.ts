// Plain-text building blocks shared by the reporters: no colour, no markup, pure functions of report data.
import { redactText } from '../engine/redact.js';
import type { CheckResult, Evidence, ObjectRef, Report, ReportTarget, SourceLocation, Status } from '../engine/types.js';

 
const ANSI_SEQ = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-_])/g;
 
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Make report text safe to print: strip terminal escapes (container logs are full of them, and a hostile
 * log line must not drive the reader's terminal), drop other control characters, and mask anything that
 * still looks like a credential. The engine redacts already; this is the last line of defence and is a
 * no-op on text it has cleaned.
 */
export function cleanBlock(text: string): string {
  return redactText(text.replace(/\r\n?/g, '\n').replace(ANSI_SEQ, '').replace(/\t/g, '  ').replace(CONTROL, ''));
}

/** {@link cleanBlock}, then folded onto one line. */
export function cleanLine(text: string): string {
  return cleanBlock(text).replace(/\s*\n\s*/g, ' ').trimEnd();
}

/** `Deployment llm-engine/model-engine`, or `Node ip-10-0-1-2.ec2.internal` for cluster-scoped objects. */
export function formatObject(ref: ObjectRef): string {
  return cleanLine(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
}

/** `values-prod.yaml:41:7`; `chart defaults` as is. */
export function formatLocation(src: SourceLocation): string {
  return cleanLine(src.line === undefined ? src.file : `${src.file}:${src.line}${src.column === undefined ? '' : `:${src.column}`}`);
}

const MAX_VALUE = 200;

/** A value as JSON (strings quoted so an empty string shows), cut to a readable length. */
export function formatValue(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  s = cleanLine(s);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** One plain sentence per evidence item, naming where the user can look for themselves. */
export function evidenceLine(e: Evidence): string {
  switch (e.type) {
    case 'values': {
      const key = cleanLine(e.path);
      if (e.missing) return `values ${key} is missing (set in no values file and no chart default)`;
      const at = e.source ? ` (${formatLocation(e.source)})` : '';
      return e.value === undefined ? `values ${key} is not set${at}` : `values ${key} = ${formatValue(e.value)}${at}`;
    }
    case 'field': {
      const where = `field ${cleanLine(e.path)} of ${formatObject(e.object)}`;
      return e.value === undefined ? `${where} is not set` : `${where} = ${formatValue(e.value)}`;
    }
    case 'event':
      return `event ${cleanLine(e.reason)} on ${formatObject(e.object)}: ${cleanLine(e.message)}${eventTally(e)}`;
    case 'log':
      return `log ${cleanLine(`${e.pod}/${e.container}`)}${e.lineNumber === undefined ? '' : ` line ${e.lineNumber}`}: ${cleanLine(e.line)}`;
    case 'probe':
      return `probe ${cleanLine(e.target)}: ${cleanLine(e.detail)}`;
    case 'object':
      return e.detail ? `${formatObject(e.object)}: ${cleanLine(e.detail)}` : formatObject(e.object);
    case 'note':
      return cleanLine(e.text);
  }
}

/** ` (x37, last seen 2026-07-01T09:58:41Z)`, or '' when the event carries neither. */
export function eventTally(e: Extract<Evidence, { type: 'event' }>): string {
  const parts: string[] = [];
  if (e.count !== undefined) parts.push(`x${e.count}`);
  if (e.lastSeen) parts.push(`last seen ${cleanLine(e.lastSeen)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** `images/mirrored Deployment llm-engine/model-engine`: how a result is named in lists and test names. */
export function resultName(r: CheckResult): string {
  return r.object ? `${cleanLine(r.id)} ${formatObject(r.object)}` : cleanLine(r.id);
}

/**
 * The docs to point at: the remediation's link (often a section of the check's page) and the check's page,
 * without repeating the page when the remediation already links into it.
 */
export function docsPaths(r: CheckResult): string[] {
  const page = cleanLine(r.docs);
  const fix = r.remediation?.docs ? cleanLine(r.remediation.docs) : undefined;
  if (!fix) return page ? [page] : [];
  if (!page || fix === page || fix.startsWith(`${page}#`)) return [fix];
  return [fix, page];
}

/** `850ms`, `1.2s`, `2m 05s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The summary phrase per status, in the order people read a summary. */
export function countPhrases(counts: Readonly<Record<Status, number>>): { status: Status; text: string; n: number }[] {
  return [
    { status: 'fail', n: counts.fail, text: `${counts.fail} failed` },
    { status: 'warn', n: counts.warn, text: plural(counts.warn, 'warning', 'warnings') },
    { status: 'pass', n: counts.pass, text: `${counts.pass} passed` },
    { status: 'skip', n: counts.skip, text: `${counts.skip} skipped` },
    { status: 'error', n: counts.error, text: plural(counts.error, 'error', 'errors') },
  ];
}

/** `2 failed, 1 warning, 10 passed, 3 skipped, 0 errors (1.2s)`. */
export function summaryLine(report: Report): string {
  return `${countPhrases(report.counts)
    .map((p) => p.text)
    .join(', ')} (${formatDuration(report.durationMs)})`;
}

/**
 * Results by area, keeping the report's order inside each area. Areas come in order of first appearance,
 * so with the report sorted worst-first the area holding the worst result leads.
 */
export function groupByArea(results: readonly CheckResult[]): { area: string; results: CheckResult[] }[] {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) {
    const list = groups.get(r.area);
    if (list) list.push(r);
    else groups.set(r.area, [r]);
  }
  return [...groups].map(([area, list]) => ({ area, results: list }));
}

const CLOUD_SOURCE: Readonly<Record<NonNullable<ReportTarget['cloudSource']>, string>> = {
  flag: 'from --cloud',
  values: 'from config.values.infra.cloud_provider',
  configmap: 'from the model-engine service config ConfigMap',
  nodes: 'from node providerIDs',
};

/** The header rows every human-facing report starts with, as plain `[label, value]` pairs. */
export function targetRows(report: Report): [string, string][] {
  const t = report.target;
  const rows: [string, string][] = [];
  switch (t.mode) {
    case 'live': {
      const ctx = t.context ? `context ${t.context}` : 'current context';
      rows.push(['target', `live cluster, ${ctx}${t.server ? ` (${t.server})` : ''}`]);
      break;
    }
    case 'snapshot':
      rows.push(['target', `snapshot ${t.snapshot ?? t.context ?? '?'}`]);
      break;
    case 'offline':
      rows.push(['target', 'offline (no cluster; values only)']);
      break;
  }
  rows.push([
    'cloud',
    t.cloud ? `${t.cloud}${t.cloudSource ? ` (${CLOUD_SOURCE[t.cloudSource]})` : ''}` : 'unknown (pass --cloud or set config.values.infra.cloud_provider)',
  ]);
  rows.push(['namespaces', `control plane ${t.namespaces.controlPlane}, endpoints ${t.namespaces.endpoint}`]);
  let values: string;
  if (t.valuesFiles.length > 0) values = t.valuesFiles.join(', ');
  else if (t.valuesOrigin === 'release') values = 'from the installed helm release';
  else if (t.valuesOrigin === 'defaults') values = 'chart defaults only';
  else values = 'none';
  if (t.valuesFiles.length > 0 && t.valuesOrigin === 'release') values += ' (over the installed release)';
  rows.push(['values', values]);
  if (t.unread?.length) rows.push(['not read', t.unread.join('; ')]);
  return rows.map(([k, v]) => [k, cleanLine(v)]);
}

/** Results that share a check and a message, shown as one line (`identity/pods-federated ×2`). */
export interface ResultGroup {
  results: CheckResult[];
}

/** Group results by check id and messageId, keeping the order of first appearance. */
export function groupByMessage(results: readonly CheckResult[]): ResultGroup[] {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) {
    const key = `${r.id}\u0000${r.messageId}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((g) => ({ results: g }));
}

/** `images/framework-pullable ×9`, or the id and object of a lone result. */
export function groupName(g: ResultGroup): string {
  const first = g.results[0]!;
  return g.results.length > 1 ? `${cleanLine(first.id)} ×${g.results.length}` : resultName(first).replace(`${cleanLine(first.id)} `, `${cleanLine(first.id)} · `);
}

/** `3 failing, 2 warnings`: what the incidents add up to, by status. */
export function incidentTally(incidents: readonly { status: Status }[]): string {
  const n = (s: Status) => incidents.filter((i) => i.status === s).length;
  return [
    n('fail') ? `${n('fail')} failing` : '',
    n('error') ? plural(n('error'), 'error', 'errors') : '',
    n('warn') ? plural(n('warn'), 'warning', 'warnings') : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * An incident that only says a registry could not be probed from this machine (unreachable, or its TLS certificate
 * not trusted here): the images on it were not checked. Reporters give it one line per host, not a finding's block.
 */
export interface Reachability {
  host: string;
  problem: 'unreachable' | 'tls';
  /** Images that were not checked. */
  images: number;
  /** What the probe said (`getaddrinfo ENOTFOUND …`). */
  detail: string;
}

export function reachabilityOf(inc: { keys: readonly string[]; members: readonly number[]; lead: number }, results: readonly CheckResult[]): Reachability | undefined {
  return reachability(inc.keys, inc.members.map((i) => results[i]!));
}

/** {@link reachabilityOf} from an incident's keys and its member results, the lead first. */
export function reachability(keys: readonly string[], members: readonly CheckResult[]): Reachability | undefined {
  const host = keys.find((k) => k.startsWith('registry:'))?.slice('registry:'.length);
  if (!host || !members.every((r) => r.messageId === 'unreachable' || r.messageId === 'tlsError')) return undefined;
  const lead = members[0]!;
  const probe = lead.evidence.find((e): e is Extract<Evidence, { type: 'probe' }> => e.type === 'probe');
  const detail = probe ? cleanLine(probe.detail).replace(/^[a-z-]+(?: \([^)]*\))?: /, '') : '';
  return { host: cleanLine(host), problem: lead.messageId === 'tlsError' ? 'tls' : 'unreachable', images: members.length, detail };
}

/** `2 images not checked: gcr.io unreachable from here (…)`. */
export function reachabilityText(r: Reachability): string {
  const what = r.problem === 'tls' ? `the TLS certificate of ${r.host} is not trusted here` : `${r.host} unreachable from here`;
  return `${r.images} image${r.images === 1 ? '' : 's'} not checked: ${what}${r.detail ? ` (${r.detail})` : ''}`;
}

/** What to do about registries this machine cannot probe. */
export const REACHABILITY_HINT =
  'the nodes may reach what this machine cannot: rerun from inside the network, or with --canary to pull from the cluster itself';
