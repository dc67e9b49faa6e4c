/**
 * Label and field selectors with the Kubernetes API server's semantics, shared by the snapshot kube source
 * and the snapshot API server so both filter exactly alike.
 */
import { getPath } from '../../engine/values-path.js';
import type { KubeObject } from '../../engine/types.js';
import { LabelSelectorError, matchesRequirement, parseLabels, type LabelRequirement } from './label-selector.js';

export class SelectorError extends Error {}

export type LabelReq = LabelRequirement;

/** A label selector as the API server parses it (SelectorError carries the API server's message). */
export function parseLabelSelector(selector: string | undefined): LabelReq[] {
  if (!selector) return [];
  try {
    return parseLabels(selector);
  } catch (err) {
    if (err instanceof LabelSelectorError) throw new SelectorError(err.message);
    throw err;
  }
}

export function matchLabels(labels: Record<string, string> | undefined, reqs: LabelReq[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => matchesRequirement(l, r));
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
