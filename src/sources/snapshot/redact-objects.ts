/**
 * Redaction of Kubernetes objects before they are written to a snapshot. Secret values never leave the
 * cluster: keys stay (checks look for `database_url`), values become `REDACTED`; helm release Secrets keep their
 * values with credentials masked; pull secrets keep registry hosts and user names but lose passwords.
 */
import { REDACTED, isSecretKey, redactText, redactValue } from '../../engine/redact.js';
import type { KubeObject } from '../../engine/types.js';
import { decodeRelease, encodeRelease, redactRelease } from '../values/release.js';

export const REDACTED_ANNOTATION = 'model-engine-doctor/redacted';
const B64_REDACTED = Buffer.from(REDACTED).toString('base64');

function redactDockerConfig(b64: string): string {
  try {
    const cfg = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as { auths?: Record<string, Record<string, unknown>> };
    const auths: Record<string, Record<string, unknown>> = {};
    for (const [host, entry] of Object.entries(cfg.auths ?? {})) {
      let username = entry.username;
      if (!username && typeof entry.auth === 'string') {
        username = Buffer.from(entry.auth, 'base64').toString('utf8').split(':')[0];
      }
      auths[host] = { ...(username ? { username } : {}), password: REDACTED };
    }
    return Buffer.from(JSON.stringify({ auths })).toString('base64');
  } catch {
    return B64_REDACTED;
  }
}

function redactSecret(obj: KubeObject): KubeObject {
  const data = (obj.data ?? {}) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (obj.type === 'helm.sh/release.v1' && k === 'release') {
      try {
        out[k] = encodeRelease(redactRelease(decodeRelease(v)));
      } catch {
        out[k] = B64_REDACTED;
      }
    } else if (k === '.dockerconfigjson' || k === '.dockercfg') {
      out[k] = redactDockerConfig(v);
    } else {
      out[k] = B64_REDACTED;
    }
  }
  const copy: KubeObject = { ...obj, data: out, metadata: { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), [REDACTED_ANNOTATION]: 'true' } } };
  delete copy.stringData;
  return copy;
}

type Env = { name: string; value?: string };
function redactContainers(containers: unknown): unknown {
  if (!Array.isArray(containers)) return containers;
  return containers.map((c: { env?: Env[]; args?: string[]; command?: string[] }) => ({
    ...c,
    ...(c.env
      ? { env: c.env.map((e) => (e.value !== undefined ? { ...e, value: isSecretKey(e.name) && e.value !== '' ? REDACTED : redactText(e.value) } : e)) }
      : {}),
    ...(c.args ? { args: c.args.map(redactText) } : {}),
    ...(c.command ? { command: c.command.map(redactText) } : {}),
  }));
}

function redactPodSpec(spec: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!spec) return spec;
  return { ...spec, containers: redactContainers(spec.containers), ...(spec.initContainers ? { initContainers: redactContainers(spec.initContainers) } : {}) };
}

/** A redacted copy of any object, fit for a snapshot. */
export function redactObject(obj: KubeObject): KubeObject {
  const metadata = { ...obj.metadata };
  // managedFields name fields, never values; ServiceAccounts keep them, so a snapshot still tells when an
  // identity annotation changed (pods older than that keep the old identity).
  if (obj.kind !== 'ServiceAccount') delete metadata.managedFields;
  if (metadata.annotations) {
    const a = { ...metadata.annotations };
    // last-applied-configuration repeats the whole object, Secrets included.
    delete a['kubectl.kubernetes.io/last-applied-configuration'];
    metadata.annotations = a;
  }
  let out: KubeObject = { ...obj, metadata };
  switch (obj.kind) {
    case 'Secret':
      return redactSecret(out);
    case 'ConfigMap': {
      const data = (obj.data ?? {}) as Record<string, string>;
      out.data = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, isSecretKey(k) ? REDACTED : redactText(v)]));
      if (obj.binaryData) out.binaryData = {};
      return out;
    }
    case 'Pod':
      out.spec = redactPodSpec(obj.spec as Record<string, unknown>);
      return out;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job': {
      const spec = obj.spec as { template?: { spec?: Record<string, unknown> } } | undefined;
      if (spec?.template) out = { ...out, spec: { ...spec, template: { ...spec.template, spec: redactPodSpec(spec.template.spec) } } };
      return out;
    }
    case 'Event':
      return { ...out, message: typeof obj.message === 'string' ? redactText(obj.message) : obj.message };
    case 'CustomResourceDefinition': {
      // Keep names and versions; drop the (large) schemas.
      const spec = obj.spec as { versions?: Record<string, unknown>[] };
      return { ...out, spec: { ...spec, versions: (spec.versions ?? []).map(({ schema: _s, ...v }) => v) } };
    }
    default:
      return redactValue(undefined, out) as KubeObject;
  }
}
