import type { Evidence } from './types.js';

/**
 * Secrets never leave the process: every value that reaches a result, a snapshot or a log line passes
 * through here first. Keys that name credentials are replaced whole; URLs keep their host but lose the
 * password; well-known token shapes inside free text are masked.
 */
export const REDACTED = 'REDACTED';

const SECRET_KEY =
  /(pass(word|wd)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth$|^auth|connection[-_]?string|conn[-_]?str|sas|dockerconfigjson|dockercfg|\.pem$|\.key$|database_url|cert(ificate)?_?key)/i;
/** Keys that look secret by the pattern above but only name a secret (not hold one). */
const SAFE_KEY =
  /(secret_?name|secretname|secret_?key$|secretkey$|authsecretname|authsecretkey|kedasecretname|enableauth|secret_?ref|secretKeyRef|tokenfile|token_file|token_path|tokenpath|auth_?mode|authentication_?ref|authenticationRef|passwordSecret)/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !SAFE_KEY.test(key);
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]+)@/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const KV_SECRET = /\b(AccountKey|SharedAccessKey|SharedAccessSignature|password|passwd|pwd|token|secret|sig|AccessKey)=([^;&\s"']+)/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const AWS_SECRET = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

/** Mask credentials inside free text (URLs with passwords, bearer tokens, key=value secrets, JWTs). */
export function redactText(text: string): string {
  return text
    .replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(BEARER, (_m, kind: string) => `${kind} ${REDACTED}`)
    .replace(KV_SECRET, (_m, k: string) => `${k}=${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(AWS_SECRET, REDACTED);
}

/** Redact a value found under `key`: whole when the key names a credential, else masked text, recursively. */
export function redactValue(key: string | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (key !== undefined && isSecretKey(key) && (typeof value === 'string' || typeof value === 'number')) {
    return value === '' ? value : REDACTED;
  }
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(undefined, v));
  if (typeof value === 'object') {
    // Env-var style entries ({name: REDIS_PASSWORD, value: …}) name the secret in `name`, not in the key.
    const entry = value as Record<string, unknown>;
    if (typeof entry.name === 'string' && typeof entry.value === 'string' && isSecretKey(entry.name) && entry.value !== '') {
      return { ...redactValue(undefined, { ...entry, value: '' }) as Record<string, unknown>, value: REDACTED };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(k, v);
    return out;
  }
  return value;
}

/** An evidence item with every value, message, log line and detail redacted. */
export function redactEvidence(e: Evidence): Evidence {
  switch (e.type) {
    case 'field':
    case 'values': {
      const key = e.path.split(/[.[\]"]+/).filter(Boolean).pop();
      return { ...e, value: redactValue(key, e.value) };
    }
    case 'event':
      return { ...e, message: redactText(e.message) };
    case 'log':
      return { ...e, line: redactText(e.line) };
    case 'probe':
      return { ...e, detail: redactText(e.detail), target: redactText(e.target) };
    case 'note':
      return { ...e, text: redactText(e.text) };
    case 'object':
      return e.detail ? { ...e, detail: redactText(e.detail) } : e;
  }
}
