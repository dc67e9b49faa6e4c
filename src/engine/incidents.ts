/**
 * Incidents: the findings of a run grouped by root cause, so a report ranks causes rather than rows. The cacher's
 * Redis credentials show up as "Deployment not available", "crash-looping" and "auth errors in the logs"; one missing
 * GPU node pool as an endpoint that does not serve, a GPU type with no nodes and a pod that selects an absent label.
 * Each group is one incident, led by the finding that names the cause most directly (its fix is the incident's fix),
 * with the others as the views it is "also seen as".
 *
 * Pure: a function of the results and the rules. Carried in the JSON report as `incidents`
 * (docs/output-schema.md#incidents); the reporters compute it when a report does not carry it. The framework knows
 * Kubernetes' naming of workloads; what an application names its objects (which endpoint an object serves) and which
 * of its checks are mere symptoms are {@link IncidentRules} its knowledge supplies (src/model-engine/incidents.ts).
 */
import { SEVERITIES, STATUSES, type CheckResult, type Evidence, type ObjectRef, type Report, type Severity, type Status } from './types.js';

export type IncidentStatus = Extract<Status, 'fail' | 'error' | 'warn'>;

export interface Incident {
  /** 1-based position: incidents are ranked by status, then severity, then how many endpoints and findings they explain. */
  rank: number;
  /** The worst status among the members. */
  status: IncidentStatus;
  /** The highest severity among the members. */
  severity: Severity;
  /** Index in `report.results` of the finding that names the cause most directly; its remediation is the fix. */
  lead: number;
  /** Indices in `report.results` of every finding of the incident: the lead first, then in report order. */
  members: number[];
  /** Endpoint ids the members are about (the rules' `endpointOf`), as triage's endpoint table names them. */
  endpoints: string[];
  /** The subject keys the members share: why they are one incident (`workload:<ns>/<name>`, `registry:<host>`, …). */
  keys: string[];
}

/** What a result is about (strong: its object and declared root) and what it merely cites (weak: evidence objects). */
export interface Subjects {
  strong: string[];
  weak: string[];
}

// A pod's name is its controller's name plus generated suffixes: `<deployment>-<pod-template-hash>-<5>`,
// `<statefulset>-<ordinal>`, `<daemonset>-<5>`. A ReplicaSet's is `<deployment>-<pod-template-hash>`.
const DEPLOYMENT_POD = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/;
const STATEFUL_POD = /^(.+)-\d+$/;
const DAEMON_POD = /^(.+)-[a-z0-9]{5}$/;
const REPLICA_SET = /^(.+)-[a-z0-9]{5,10}$/;
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'LeaderWorkerSet', 'Job', 'CronJob']);

/**
 * How directly a finding names a cause, to choose an incident's lead. A symptom says where it hurts ("the Deployment
 * is not available"); a check names what to change; a diagnosis has weighed every fact about its subject and carries
 * the exact commands.
 */
export const VIEW_LEVELS = { symptom: 0, check: 1, diagnosis: 2 } as const;

/** What the application's knowledge tells the grouping. Without rules: no endpoint keys, every finding a check. */
export interface IncidentRules {
  /** The id of the endpoint an object serves (keyed `endpoint:<id>`), from the object's name; `undefined` if none. */
  endpointOf?: (ref: ObjectRef) => string | undefined;
  /** The view level of a finding ({@link VIEW_LEVELS}); `check` when absent. */
  viewLevel?: (r: Pick<CheckResult, 'id' | 'messageId'>) => number;
}

/** The subject keys of one object: itself, the workload it belongs to, the endpoint it serves, the image it is. */
export function objectKeys(ref: ObjectRef, rules: IncidentRules = {}): string[] {
  const ns = ref.namespace ?? '';
  const keys = [`${ref.kind}/${ns}/${ref.name}`];
  if (WORKLOADS.has(ref.kind)) keys.push(`workload:${ns}/${ref.name}`);
  else if (ref.kind === 'ReplicaSet') keys.push(`workload:${ns}/${REPLICA_SET.exec(ref.name)?.[1] ?? ref.name}`);
  else if (ref.kind === 'Pod') {
    const owner = DEPLOYMENT_POD.exec(ref.name)?.[1] ?? STATEFUL_POD.exec(ref.name)?.[1] ?? DAEMON_POD.exec(ref.name)?.[1];
    if (owner) keys.push(`workload:${ns}/${owner}`);
  } else if (ref.kind === 'Image') keys.push(`image:${ref.name}`);
  const endpoint = rules.endpointOf?.(ref);
  if (endpoint) keys.push(`endpoint:${endpoint}`);
  return keys;
}

function evidenceObject(e: Evidence): ObjectRef | undefined {
  switch (e.type) {
    case 'field':
    case 'event':
    case 'object':
      return e.object;
    case 'log':
      return { kind: 'Pod', namespace: e.namespace, name: e.pod };
    case 'values':
    case 'probe':
    case 'note':
      return undefined;
  }
}

/**
 * A result's subjects. A declared `root` replaces the evidence-derived keys: the finding says what it is about, and
 * the objects its evidence cites (pods that run an image, say) are context.
 */
export function subjectsOf(r: CheckResult, rules: IncidentRules = {}): Subjects {
  const strong = new Set<string>([...(r.object ? objectKeys(r.object, rules) : []), ...(r.root ?? [])]);
  const weak = new Set<string>();
  if (!r.root?.length) {
    for (const e of r.evidence) {
      const o = evidenceObject(e);
      if (o) for (const k of objectKeys(o, rules)) if (!strong.has(k)) weak.add(k);
    }
  }
  return { strong: [...strong], weak: [...weak] };
}

const isFinding = (r: CheckResult): boolean => r.status === 'fail' || r.status === 'error' || r.status === 'warn';
const statusRank = (s: Status) => STATUSES.indexOf(s);
const severityRank = (s: Severity) => SEVERITIES.indexOf(s);

/** Union-find over result indices. */
function groups(indices: readonly number[], subjects: ReadonlyMap<number, Subjects>): number[][] {
  const parent = new Map<number, number>(indices.map((i) => [i, i]));
  const find = (i: number): number => {
    let root = i;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(i, root);
    return root;
  };
  const union = (a: number, b: number) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  };
  // A key ties its holders together only when some finding is about it (holds it strongly): two findings that
  // merely cite the same node in their evidence are not one incident.
  const holders = new Map<string, { strong: number[]; weak: number[] }>();
  for (const i of indices) {
    const s = subjects.get(i)!;
    for (const k of s.strong) (holders.get(k) ?? holders.set(k, { strong: [], weak: [] }).get(k)!).strong.push(i);
    for (const k of s.weak) (holders.get(k) ?? holders.set(k, { strong: [], weak: [] }).get(k)!).weak.push(i);
  }
  for (const h of holders.values()) {
    if (h.strong.length === 0) continue;
    const [first, ...rest] = [...h.strong, ...h.weak];
    for (const i of rest) union(first!, i);
  }
  const out = new Map<number, number[]>();
  for (const i of indices) {
    const root = find(i);
    (out.get(root) ?? out.set(root, []).get(root)!).push(i);
  }
  return [...out.values()];
}

/** The member that leads: the most direct view, then the worst status, the highest severity, report order. */
function leadOf(members: readonly number[], results: readonly CheckResult[], rules: IncidentRules): number {
  const viewLevel = (r: CheckResult) => rules.viewLevel?.(r) ?? VIEW_LEVELS.check;
  return [...members].sort((a, b) => {
    const ra = results[a]!;
    const rb = results[b]!;
    return viewLevel(rb) - viewLevel(ra) || statusRank(ra.status) - statusRank(rb.status) || severityRank(ra.severity) - severityRank(rb.severity) || a - b;
  })[0]!;
}

/** Group the findings (fail, error, warn) of a run into ranked incidents. Passes and skips are never members. */
export function groupIncidents(results: readonly CheckResult[], rules: IncidentRules = {}): Incident[] {
  const indices = results.flatMap((r, i) => (isFinding(r) ? [i] : []));
  const subjects = new Map(indices.map((i) => [i, subjectsOf(results[i]!, rules)]));
  const incidents = groups(indices, subjects).map((members): Omit<Incident, 'rank'> => {
    const lead = leadOf(members, results, rules);
    const rs = members.map((i) => results[i]!);
    const status = rs.map((r) => r.status).sort((a, b) => statusRank(a) - statusRank(b))[0] as IncidentStatus;
    const severity = rs.map((r) => r.severity).sort((a, b) => severityRank(a) - severityRank(b))[0]!;
    const all = members.map((i) => subjects.get(i)!);
    const endpoints = new Set<string>();
    const holders = new Map<string, { n: number; strong: boolean }>();
    for (const s of all) {
      for (const k of new Set([...s.strong, ...s.weak])) {
        if (k.startsWith('endpoint:')) endpoints.add(k.slice('endpoint:'.length));
        const h = holders.get(k) ?? { n: 0, strong: false };
        holders.set(k, { n: h.n + 1, strong: h.strong || s.strong.includes(k) });
      }
    }
    // Why they are one incident: keys some member is about and another shares. A lone finding's keys are its own.
    const keys = [...holders].filter(([, h]) => h.strong && (members.length === 1 || h.n >= 2)).map(([k]) => k);
    return { status, severity, lead, members: [lead, ...members.filter((i) => i !== lead)], endpoints: [...endpoints].sort(), keys: keys.sort() };
  });
  incidents.sort(
    (a, b) =>
      statusRank(a.status) - statusRank(b.status) ||
      severityRank(a.severity) - severityRank(b.severity) ||
      b.endpoints.length - a.endpoints.length ||
      b.members.length - a.members.length ||
      a.lead - b.lead,
  );
  return incidents.map((x, i) => ({ rank: i + 1, ...x }));
}

function isIncidentList(x: unknown, results: number): x is Incident[] {
  const index = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < results;
  return (
    Array.isArray(x) &&
    x.every((i: Partial<Incident>) => !!i && typeof i === 'object' && index(i.lead) && Array.isArray(i.members) && i.members.every(index) && typeof i.rank === 'number')
  );
}

/** The report's incidents when it carries valid ones, else computed from its results (reports from older versions). */
export function incidentsOf(report: Pick<Report, 'results'> & { incidents?: unknown }, rules: IncidentRules = {}): Incident[] {
  return isIncidentList(report.incidents, report.results.length) ? report.incidents : groupIncidents(report.results, rules);
}
