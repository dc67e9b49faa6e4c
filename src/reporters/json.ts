// The machine-readable report (schema: docs/output-schema.md). Keys come out in a fixed order whatever order
// the engine built the objects in, so two runs over the same cluster diff cleanly.
import { redactText } from '../engine/redact.js';
import type { Report } from '../engine/types.js';

type Shape = 'report' | 'tool' | 'target' | 'namespaces' | 'counts' | 'result' | 'object' | 'evidence' | 'source' | 'remediation' | 'incident';

/** Known keys of each shape, in the order the schema documents them; unknown keys follow alphabetically. */
const ORDER: Readonly<Record<Shape, readonly string[]>> = {
  report: ['schemaVersion', 'tool', 'command', 'target', 'startedAt', 'finishedAt', 'durationMs', 'counts', 'results', 'incidents'],
  tool: ['name', 'version'],
  target: ['mode', 'context', 'server', 'snapshot', 'cloud', 'cloudSource', 'namespaces', 'valuesFiles', 'valuesOrigin'],
  namespaces: ['controlPlane', 'endpoint'],
  counts: ['fail', 'error', 'warn', 'skip', 'pass'],
  result: ['id', 'area', 'title', 'status', 'severity', 'messageId', 'message', 'error', 'object', 'evidence', 'root', 'remediation', 'docs', 'durationMs'],
  object: ['kind', 'namespace', 'name'],
  evidence: [
    'type', 'object', 'path', 'value', 'missing', 'source', 'eventType', 'reason', 'message', 'count', 'lastSeen',
    'namespace', 'pod', 'container', 'lineNumber', 'line', 'target', 'detail', 'text',
  ],
  source: ['file', 'line', 'column'],
  remediation: ['summary', 'commands', 'values', 'docs'],
  incident: ['rank', 'status', 'severity', 'lead', 'members', 'endpoints', 'keys'],
};

/** The shape of a child value, by parent shape and key; undefined = free-form data. */
function childShape(parent: Shape | undefined, key: string): Shape | undefined {
  switch (parent) {
    case 'report':
      return ({ tool: 'tool', target: 'target', counts: 'counts', results: 'result', incidents: 'incident' } as const)[key as 'tool'];
    case 'target':
      return key === 'namespaces' ? 'namespaces' : undefined;
    case 'result':
      return ({ object: 'object', evidence: 'evidence', remediation: 'remediation' } as const)[key as 'object'];
    case 'evidence':
      return ({ object: 'object', source: 'source' } as const)[key as 'object'];
    default:
      return undefined;
  }
}

function orderedKeys(obj: Record<string, unknown>, shape: Shape | undefined): string[] {
  const known = shape ? ORDER[shape] : [];
  const keys = Object.keys(obj);
  const first = known.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !known.includes(k)).sort();
  return [...first, ...rest];
}

/** Copy with keys in canonical order and every string passed through the redactor once more. */
function canonical(value: unknown, shape: Shape | undefined): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => canonical(v, shape));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of orderedKeys(obj, shape)) {
    // Free-form data (evidence values, extensions) has no shape; its keys sort alphabetically.
    out[k] = canonical(obj[k], shape === undefined ? undefined : childShape(shape, k));
  }
  return out;
}

/** Render a report as pretty JSON (2-space indent, canonical key order, trailing newline, never ANSI). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(canonical(report, 'report'), null, 2)}\n`;
}
