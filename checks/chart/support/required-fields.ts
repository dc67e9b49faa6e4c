/**
 * Fields the Kubernetes API server requires of the objects helm sends it, checked on what `helm template` renders.
 * `helm template` never asks the API server, so a value that renders empty (`mountPath: ` from a missing values key)
 * passes there and fails only at `helm install`, with the API server's `<Kind>.<group> "<name>" is invalid:
 * <field>: Required value`. The rules and their wording are those of Kubernetes v1.37's
 * `pkg/apis/core/validation/validation.go` for pod templates (`validateContainerCommon`, `ValidateEnv`,
 * `ValidateVolumeMounts`, `ValidateVolumes`, `validateContainerPorts`, the config map, secret and claim sources),
 * plus `metadata.name` for every object.
 */
import { get } from '../../../src/engine/index.js';

/** One field the API server refuses: where (relative to the object), and its error in the API server's words. */
export interface FieldProblem {
  path: string;
  /** `Required value`, `Not found: "x"`, `Invalid value: "/p": must be unique`. */
  detail: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** What Go reads as empty: a missing key, `null` (helm's rendering of a missing value), an empty string. */
const empty = (v: unknown) => v === undefined || v === null || v === '';
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function containerProblems(c: unknown, path: string, volumes: ReadonlySet<string>): FieldProblem[] {
  if (!isRecord(c)) return [{ path, detail: 'Required value' }];
  const out: FieldProblem[] = [];
  if (empty(c.name)) out.push({ path: `${path}.name`, detail: 'Required value' });
  if (empty(c.image)) out.push({ path: `${path}.image`, detail: 'Required value' });
  list(c.ports).forEach((p, i) => {
    if (isRecord(p) && (empty(p.containerPort) || p.containerPort === 0)) out.push({ path: `${path}.ports[${i}].containerPort`, detail: 'Required value' });
  });
  list(c.env).forEach((e, i) => {
    if (!isRecord(e) || empty(e.name)) out.push({ path: `${path}.env[${i}].name`, detail: 'Required value' });
    const from = isRecord(e) && isRecord(e.valueFrom) ? e.valueFrom : undefined;
    for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const r = from?.[ref];
      if (!isRecord(r)) continue;
      if (empty(r.name)) out.push({ path: `${path}.env[${i}].valueFrom.${ref}.name`, detail: 'Required value' });
      if (empty(r.key)) out.push({ path: `${path}.env[${i}].valueFrom.${ref}.key`, detail: 'Required value' });
    }
  });
  list(c.envFrom).forEach((e, i) => {
    for (const ref of ['configMapRef', 'secretRef'] as const) {
      const r = isRecord(e) ? e[ref] : undefined;
      if (isRecord(r) && empty(r.name)) out.push({ path: `${path}.envFrom[${i}].${ref}.name`, detail: 'Required value' });
    }
  });
  const mountPoints = new Set<string>();
  list(c.volumeMounts).forEach((m, i) => {
    const at = `${path}.volumeMounts[${i}]`;
    const mount = isRecord(m) ? m : {};
    // In ValidateVolumeMounts' order: an empty name is also a volume not found, an empty path also a repeat of an
    // earlier empty one.
    if (empty(mount.name)) out.push({ path: `${at}.name`, detail: 'Required value' });
    if (!volumes.has(str(mount.name))) out.push({ path: `${at}.name`, detail: `Not found: "${str(mount.name)}"` });
    if (empty(mount.mountPath)) out.push({ path: `${at}.mountPath`, detail: 'Required value' });
    if (mountPoints.has(str(mount.mountPath))) out.push({ path: `${at}.mountPath`, detail: `Invalid value: "${str(mount.mountPath)}": must be unique` });
    mountPoints.add(str(mount.mountPath));
  });
  return out;
}

function volumeProblems(v: unknown, path: string): FieldProblem[] {
  const vol = isRecord(v) ? v : {};
  const out: FieldProblem[] = [];
  if (empty(vol.name)) out.push({ path: `${path}.name`, detail: 'Required value' });
  if (isRecord(vol.configMap) && empty(vol.configMap.name)) out.push({ path: `${path}.configMap.name`, detail: 'Required value' });
  if (isRecord(vol.secret) && empty(vol.secret.secretName)) out.push({ path: `${path}.secret.secretName`, detail: 'Required value' });
  if (isRecord(vol.persistentVolumeClaim) && empty(vol.persistentVolumeClaim.claimName)) out.push({ path: `${path}.persistentVolumeClaim.claimName`, detail: 'Required value' });
  return out;
}

/** The fields of a pod spec (at `specPath` in its object) the API server would refuse. */
export function podSpecProblems(raw: unknown, specPath: string): FieldProblem[] {
  const volumes = new Set(list(get(raw, 'volumes')).map((v) => (isRecord(v) ? str(v.name) : '')).filter(Boolean));
  return [
    ...list(get(raw, 'volumes')).flatMap((v, i) => volumeProblems(v, `${specPath}.volumes[${i}]`)),
    ...list(get(raw, 'initContainers')).flatMap((c, i) => containerProblems(c, `${specPath}.initContainers[${i}]`, volumes)),
    ...list(get(raw, 'containers')).flatMap((c, i) => containerProblems(c, `${specPath}.containers[${i}]`, volumes)),
  ];
}

/** `metadata.name` of any object. */
export function metadataProblems(object: { metadata?: { name?: unknown } }): FieldProblem[] {
  return empty(object.metadata?.name) ? [{ path: 'metadata.name', detail: 'Required value' }] : [];
}

/** `Deployment.apps`, `Job.batch`, `Pod` (core): how the API server names a kind in its errors. */
export function qualifiedKind(kind: string, apiVersion: string | undefined): string {
  const group = apiVersion?.includes('/') ? apiVersion.split('/')[0]! : '';
  return group ? `${kind}.${group}` : kind;
}

/**
 * What `helm install` gets back for an object with these problems: client-go refuses a nameless object before
 * sending it; otherwise the API server's 422 (`StatusError`), one problem inline, several in brackets.
 */
export function refusal(kind: string, apiVersion: string | undefined, name: string, problems: readonly FieldProblem[]): string {
  if (problems.some((p) => p.path === 'metadata.name')) return 'resource name may not be empty';
  const each = problems.map((p) => `${p.path}: ${p.detail}`);
  return `${qualifiedKind(kind, apiVersion)} "${name}" is invalid: ${each.length === 1 ? each[0] : `[${each.join(', ')}]`}`;
}
