// What the report list holds: the endpoint diagnosis (`endpoint`), the endpoint table (`triage`), the incidents (the
// findings grouped by root cause, ranked), then the skips and, with --show-passed, the passes. Pure functions of the
// report, so every key binding can be tested without a terminal.
import type { Diagnosis, EndpointRow } from '../engine/diagnosis.js';
import { incidentsOf, type Incident } from '../model-engine/incidents.js';
import type { CheckResult, Report, Status } from '../engine/types.js';
import { causeStyle, isDiagnosis, isEndpointRows } from '../reporters/diagnosis.js';
import { evidenceLine, formatObject } from '../reporters/format.js';
import { STATUS_STYLES } from '../reporters/theme.js';

export type Section = 'diagnosis' | 'endpoints' | 'incidents' | 'skipped' | 'passed';

interface ItemBase {
  /** Stable across renders and re-runs. */
  key: string;
  section: Section;
  /** What the status filter sees. */
  status: Status;
  /** The check a re-run (`r`) repeats; the selection falls back to it when a re-run changes the key. */
  checkId?: string;
}

export type Item =
  | (ItemBase & { kind: 'diagnosis'; diagnosis: Diagnosis; /** Incidents about the same endpoint: the checks' view of its cause. */ related: Incident[]; relatedLeads: CheckResult[] })
  | (ItemBase & { kind: 'endpoint'; row: EndpointRow; incident?: Incident })
  | (ItemBase & { kind: 'incident'; incident: Incident; lead: CheckResult; others: CheckResult[] })
  | (ItemBase & { kind: 'result'; result: CheckResult });

export interface ItemOptions {
  /** `--show-passed`: passes are items too (under the `all` filter). */
  showPassed?: boolean;
}

/** `images/mirrored#Deployment/model-engine/model-engine#imageNotPullable`, then `#1`, `#2` for repeats. */
export function resultKeys(results: readonly CheckResult[]): string[] {
  const seen = new Map<string, number>();
  return results.map((result) => {
    const o = result.object;
    const base = `${result.id}#${o ? `${o.kind}/${o.namespace ?? ''}/${o.name}` : ''}#${result.messageId}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  });
}

const statusOfCause = (cause: string): Status => (causeStyle(cause) === STATUS_STYLES.pass ? 'pass' : causeStyle(cause) === STATUS_STYLES.warn ? 'warn' : 'fail');
const ORDER: readonly Status[] = ['fail', 'error', 'warn', 'skip', 'pass'];

/** Every item of a report, in the order the list shows them. */
export function itemsOf(report: Report, opts: ItemOptions = {}): Item[] {
  const items: Item[] = [];
  const keys = resultKeys(report.results);
  const incidents = incidentsOf(report);
  if (isDiagnosis(report.diagnosis)) {
    const id = report.diagnosis.endpoint.id;
    const related = id ? incidents.filter((i) => i.endpoints.includes(id)) : [];
    items.push({
      kind: 'diagnosis',
      key: 'diagnosis',
      section: 'diagnosis',
      status: statusOfCause(report.diagnosis.cause),
      diagnosis: report.diagnosis,
      related,
      relatedLeads: related.map((i) => report.results[i.lead]!),
    });
  }
  if (isEndpointRows(report.endpoints)) {
    const rows = [...report.endpoints].sort((a, b) => ORDER.indexOf(statusOfCause(a.cause)) - ORDER.indexOf(statusOfCause(b.cause)));
    for (const row of rows) {
      const status = statusOfCause(row.cause);
      const incident = status === 'pass' || !row.id ? undefined : incidents.find((i) => i.endpoints.includes(row.id!));
      items.push({ kind: 'endpoint', key: `endpoint:${row.namespace}/${row.id ?? row.name ?? '?'}`, section: 'endpoints', status, row, ...(incident ? { incident, checkId: report.results[incident.lead]!.id } : {}) });
    }
  }
  for (const incident of incidents) {
    const lead = report.results[incident.lead]!;
    const others = incident.members.slice(1).map((i) => report.results[i]!);
    items.push({ kind: 'incident', key: `incident:${keys[incident.lead]!}`, section: 'incidents', status: incident.status, checkId: lead.id, incident, lead, others });
  }
  report.results.forEach((result, i) => {
    if (result.status === 'skip' || (result.status === 'pass' && opts.showPassed)) {
      items.push({ kind: 'result', key: keys[i]!, section: result.status === 'skip' ? 'skipped' : 'passed', status: result.status, checkId: result.id, result });
    }
  });
  return items;
}

export type StatusFilter = 'all' | 'failing' | 'warnings';

const SHOWN: Readonly<Record<StatusFilter, readonly Status[]>> = {
  all: ['fail', 'error', 'warn', 'skip', 'pass'],
  failing: ['fail', 'error'],
  warnings: ['fail', 'error', 'warn'],
};

/** The diagnosis is what `endpoint` is for: no status filter hides it. */
export const matchesStatus = (item: Item, f: StatusFilter): boolean => item.kind === 'diagnosis' || SHOWN[f].includes(item.status);

function resultHay(r: CheckResult): string[] {
  return [
    r.id,
    r.title,
    r.message,
    r.messageId,
    r.status,
    r.severity,
    r.object ? formatObject(r.object) : '',
    r.status === 'error' ? r.error : '',
    ...r.evidence.map(evidenceLine),
    r.remediation?.summary ?? '',
  ];
}

function hay(item: Item): string[] {
  switch (item.kind) {
    case 'diagnosis': {
      const d = item.diagnosis;
      return [d.cause, d.summary, d.endpoint.name ?? '', d.endpoint.id ?? '', d.endpoint.namespace, d.remediation.summary, ...d.evidence.map(evidenceLine)];
    }
    case 'endpoint': {
      const r = item.row;
      return [r.name ?? '', r.id ?? '', r.namespace, r.cause, r.summary, r.gpuType ?? 'cpu', r.type];
    }
    case 'incident':
      return [item.lead, ...item.others].flatMap(resultHay);
    case 'result':
      return resultHay(item.result);
  }
}

/** Case-insensitive; every word of the query must appear in what the item says (for an incident: any of its views). */
export function matchesQuery(item: Item, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const text = hay(item).join('\n').toLowerCase();
  return terms.every((t) => text.includes(t));
}

/** The items the list shows, in order. */
export function visibleItems(items: readonly Item[], view: { statusFilter: StatusFilter; query: string }): Item[] {
  return items.filter((i) => matchesStatus(i, view.statusFilter) && matchesQuery(i, view.query));
}

/** What an item stands for: an endpoint that an incident explains stands for that incident (its details, its fix). */
export function resolve(item: Item, items: readonly Item[]): Item {
  if (item.kind !== 'endpoint' || !item.incident) return item;
  return items.find((i) => i.kind === 'incident' && i.incident.lead === item.incident!.lead) ?? item;
}
