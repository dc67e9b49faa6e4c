/**
 * Redaction of Kubernetes objects and whole snapshots, before they are written (`collect`) or served (`serve`).
 * Secret values never leave the cluster: keys stay (checks look for `database_url`), values become `REDACTED`; helm
 * release Secrets keep their values with credentials masked; pull secrets keep registry hosts and user names. Every
 * other object goes through the engine's one redactor ({@link redactValue}) whole: env values under credential
 * names, annotations, container arguments, ConfigMap strings (parsed as YAML/JSON where they are), event and status
 * messages. See docs/security.md.
 */
import { REDACTED, redactText, redactValue } from '../../engine/redact.js';
import { isRecord } from '../../engine/safe.js';
import type { KubeObject } from '../../engine/types.js';
import { decodeRelease, encodeRelease, redactRelease } from '../values/release.js';
import type { Snapshot } from './load.js';

export const REDACTED_ANNOTATION = 'model-engine-doctor/redacted';
const B64_REDACTED = Buffer.from(REDACTED).toString('base64');
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** `{auths: {host: {auth, username, password}}}` (or the legacy `.dockercfg` map): hosts and user names kept. */
function redactDockerConfig(b64: string): string {
  try {
    const cfg: unknown = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
    if (!isRecord(cfg)) return B64_REDACTED;
    const legacy = !isRecord(cfg.auths);
    const entries = legacy ? cfg : (cfg.auths as Record<string, unknown>);
    const auths: Record<string, Record<string, unknown>> = {};
    for (const [host, entry] of Object.entries(entries)) {
      if (!isRecord(entry)) continue;
      let username = typeof entry.username === 'string' ? entry.username : undefined;
      if (!username && typeof entry.auth === 'string') {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        if (decoded.includes(':')) username = decoded.slice(0, decoded.indexOf(':'));
      }
      auths[host] = { ...(username ? { username } : {}), password: REDACTED };
    }
    return Buffer.from(JSON.stringify(legacy ? auths : { auths })).toString('base64');
  } catch {
    return B64_REDACTED;
  }
}

function redactSecretData(obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(obj.data)) return out;
  for (const [k, v] of Object.entries(obj.data)) {
    if (typeof v !== 'string' || v === '') {
      // An empty value is evidence (a key that exists but holds nothing), not a secret.
      out[k] = v === '' ? '' : B64_REDACTED;
    } else if (obj.type === 'helm.sh/release.v1' && k === 'release') {
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
  return out;
}

/** A redacted copy of any object, fit for a snapshot or a served answer. */
export function redactObject(obj: KubeObject): KubeObject {
  const metadata: Record<string, unknown> = { ...obj.metadata };
  // managedFields name fields, never values; ServiceAccounts keep them, so a snapshot still tells when an
  // identity annotation changed (pods older than that keep the old identity).
  if (obj.kind !== 'ServiceAccount') delete metadata.managedFields;
  if (isRecord(metadata.annotations) && LAST_APPLIED in metadata.annotations) {
    // last-applied-configuration repeats the whole object, Secrets included.
    const { [LAST_APPLIED]: _dropped, ...rest } = metadata.annotations;
    metadata.annotations = rest;
  }
  switch (obj.kind) {
    case 'Secret': {
      const { data: _d, stringData: _s, ...rest } = obj;
      const out = redactValue(undefined, { ...rest, metadata }) as KubeObject;
      const annotations = isRecord(out.metadata.annotations) ? out.metadata.annotations : {};
      return { ...out, data: redactSecretData(obj), metadata: { ...out.metadata, annotations: { ...annotations, [REDACTED_ANNOTATION]: 'true' } } };
    }
    case 'ConfigMap': {
      const out = redactValue(undefined, { ...obj, metadata }) as KubeObject;
      if (isRecord(obj.binaryData)) out.binaryData = Object.fromEntries(Object.keys(obj.binaryData).map((k) => [k, B64_REDACTED]));
      return out;
    }
    default:
      return redactValue(undefined, { ...obj, metadata }) as KubeObject;
  }
}

/** A redacted copy of a whole snapshot: objects, logs, and the server URL it was collected from. */
export function redactSnapshot(snapshot: Snapshot): Snapshot {
  const logs = new Map<string, string>();
  for (const [k, v] of snapshot.logs) logs.set(k, redactText(v));
  const info = snapshot.info ? { ...snapshot.info, ...(typeof snapshot.info.server === 'string' ? { server: redactText(snapshot.info.server) } : {}) } : undefined;
  return { ...snapshot, objects: snapshot.objects.map(redactObject), logs, info };
}
