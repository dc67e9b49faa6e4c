/**
 * Label and field selectors with the Kubernetes API server's semantics, shared by the snapshot kube source
 * and the snapshot API server so both filter exactly alike.
 */
import { getPath } from '../../engine/values-path.js';
import type { KubeObject } from '../../engine/types.js';

export class SelectorError extends Error {}

type LabelReq =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** Split on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

export function parseLabelSelector(selector: string | undefined): LabelReq[] {
  if (!selector) return [];
  return splitTop(selector).map((term) => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) return { op: m[2] as 'in' | 'notin', key: m[1]!, values: m[3]!.split(',').map((v) => v.trim()) };
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
    if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1]!, value: m[3]! };
    m = /^!\s*([\w./-]+)$/.exec(term);
    if (m) return { op: 'notexists', key: m[1]! };
    m = /^([\w./-]+)$/.exec(term);
    if (m) return { op: 'exists', key: m[1]! };
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
}

export function matchLabels(labels: Record<string, string> | undefined, reqs: LabelReq[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'eq':
        return has && l[r.key] === r.value;
      case 'neq':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

/** Field selectors each kind supports on a real API server (plus metadata.name/namespace for all). */
export const FIELD_LABELS: Readonly<Record<string, readonly string[]>> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Node: ['spec.unschedulable'],
  Secret: ['type'],
  Namespace: ['status.phase'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
};

type FieldReq = { key: string; op: 'eq' | 'neq'; value: string };

export function parseFieldSelector(selector: string | undefined, kind: string): FieldReq[] {
  if (!selector) return [];
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[kind] ?? [])]);
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
      const key = m[1]!;
      if (!allowed.has(key)) throw new SelectorError(`field label not supported: ${key}`);
      return { key, op: m[2] === '!=' ? 'neq' : 'eq', value: m[3]! } as FieldReq;
    });
}

function fieldValue(obj: KubeObject, key: string): string {
  if (key === 'source') {
    const src = (obj as { source?: { component?: string } }).source;
    return src?.component ?? '';
  }
  const v = getPath(obj, key);
  if (v === undefined || v === null) return '';
  return String(v);
}

export function matchFields(obj: KubeObject, reqs: FieldReq[]): boolean {
  return reqs.every((r) => (r.op === 'eq' ? fieldValue(obj, r.key) === r.value : fieldValue(obj, r.key) !== r.value));
}
