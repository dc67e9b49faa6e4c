/**
 * Where registry credentials come from, short of the cloud logins (cloud.ts): the user's docker config, the
 * cluster's pull secrets, and the `WWW-Authenticate` challenge that says how to use them. Secrets stay in this
 * module and the probe; what leaves is a label, an outcome and (for ECR logins) an expiry.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REDACTED } from '../../engine/redact.js';
import { helperServerUrl, type HelperAnswer } from './cred-helper.js';

/** A usable credential for one registry host. */
export type Credential =
  | { kind: 'anonymous'; label: string }
  | { kind: 'basic'; label: string; username: string; password: string; expiresAt?: Date }
  /** An OAuth2 refresh token (docker config `identitytoken`, ACR exchange). */
  | { kind: 'refresh-token'; label: string; refreshToken: string }
  /** A credential that could not be used, reported as such. */
  | { kind: 'unusable'; label: string; outcome: 'redacted' | 'expired' | 'unavailable' | 'error'; detail: string; expiresAt?: Date };

export interface Challenge {
  scheme: 'bearer' | 'basic' | 'other';
  params: Record<string, string>;
}

/** Parse `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (quoted or bare values). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: scheme === 'bearer' ? 'bearer' : scheme === 'basic' ? 'basic' : 'other', params };
}

/**
 * docker config `auths` keys name hosts several ways (`https://index.docker.io/v1/`, `host`, `https://host/`), and
 * Docker Hub by several names (`docker.io`, `index.docker.io`, `registry-1.docker.io`): all become one host.
 */
export function normalizeRegistryHost(key: string): string {
  let h = key.trim().replace(/^https?:\/\//, '');
  h = h.split('/')[0] ?? h;
  if (h === 'index.docker.io' || h === 'registry-1.docker.io' || h === 'registry.hub.docker.com') return 'docker.io';
  return h;
}

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/**
 * The expiry of an ECR login password (`aws ecr get-login-password`): base64 JSON with an `expiration`
 * (epoch seconds). Only the expiry leaves this function.
 */
export function ecrTokenExpiry(password: string): Date | undefined {
  try {
    const json = JSON.parse(Buffer.from(password, 'base64').toString('utf8')) as { expiration?: unknown };
    const exp = Number(json.expiration);
    return Number.isFinite(exp) && exp > 0 ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** Turn one docker-config auth entry into a credential (or say why it cannot be used). */
export function credentialFromAuthEntry(entry: DockerAuthEntry, label: string, now: Date): Credential {
  let username = entry.username;
  let password = entry.password;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i >= 0) {
      username ??= decoded.slice(0, i);
      password ??= decoded.slice(i + 1);
    }
  }
  if (password === REDACTED || entry.identitytoken === REDACTED) {
    return { kind: 'unusable', label, outcome: 'redacted', detail: 'credentials redacted in snapshot (host and user name kept)' };
  }
  if (entry.identitytoken) return { kind: 'refresh-token', label, refreshToken: entry.identitytoken };
  if (!username || password === undefined || password === '') {
    return { kind: 'unusable', label, outcome: 'unavailable', detail: 'entry has no user name or password' };
  }
  const expiresAt = username === 'AWS' ? ecrTokenExpiry(password) : undefined;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    return { kind: 'unusable', label, outcome: 'expired', detail: `ECR login token expired at ${expiresAt.toISOString()} (they last 12 h)`, expiresAt };
  }
  return { kind: 'basic', label, username, password, ...(expiresAt ? { expiresAt } : {}) };
}

export interface DockerConfigJson {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  /** `.dockercfg` (legacy) puts the host map at the top level. */
  [host: string]: unknown;
}

/** The entries of a parsed docker config for `host` (any spelling of it), as `[key, entry]`. */
function entriesForHost(cfg: DockerConfigJson, host: string): [string, DockerAuthEntry][] {
  const map = (cfg.auths ?? (Object.fromEntries(Object.entries(cfg).filter(([k, v]) => v && typeof v === 'object' && k !== 'credHelpers')) as Record<string, DockerAuthEntry>)) as Record<
    string,
    DockerAuthEntry
  >;
  const want = normalizeRegistryHost(host);
  return Object.entries(map).filter(([key, entry]) => normalizeRegistryHost(key) === want && entry && typeof entry === 'object');
}

/** An entry with nothing in it: what `docker login` leaves in `auths` when a credential helper holds the secret. */
const isPlaceholder = (e: DockerAuthEntry) => !e.auth && !e.username && !e.password && !e.identitytoken;

/** Credentials for `host` in a parsed docker config (`auths`, or the legacy top-level map); no helpers. */
export function credentialsForHost(cfg: DockerConfigJson, host: string, label: string, now: Date): Credential[] {
  return entriesForHost(cfg, host).map(([, entry]) => credentialFromAuthEntry(entry, label, now));
}

/** The credential helper the docker CLI would ask for `host`: `credHelpers[host]` (any spelling), else `credsStore`. */
export function credentialHelperFor(cfg: DockerConfigJson, host: string): string | undefined {
  const want = normalizeRegistryHost(host);
  const specific = Object.entries(cfg.credHelpers ?? {}).find(([k]) => normalizeRegistryHost(k) === want)?.[1];
  return specific || cfg.credsStore || undefined;
}

export type HelperLookup = (helper: string, serverUrl: string) => Promise<HelperAnswer>;

/**
 * Credentials for `host` from the user's docker config, as the docker CLI finds them: through the credential helper
 * when one is configured for the host (the `auths` entry is then an empty placeholder), else from `auths`.
 */
export async function dockerConfigCredentialsForHost(cfg: DockerConfigJson, host: string, label: string, now: Date, ask: HelperLookup): Promise<Credential[]> {
  const helper = credentialHelperFor(cfg, host);
  const stored = entriesForHost(cfg, host).filter(([, e]) => !(helper && isPlaceholder(e)));
  const out = stored.map(([, entry]) => credentialFromAuthEntry(entry, label, now));
  if (!helper) return out;
  const hl = `docker-credential-${helper} (${label})`;
  const a = await ask(helper, helperServerUrl(normalizeRegistryHost(host)));
  if (a.state === 'found') {
    out.unshift(
      a.username === '<token>'
        ? { kind: 'refresh-token', label: hl, refreshToken: a.secret }
        : { kind: 'basic', label: hl, username: a.username, password: a.secret, ...(a.username === 'AWS' && ecrTokenExpiry(a.secret) ? { expiresAt: ecrTokenExpiry(a.secret)! } : {}) },
    );
  } else if (a.state === 'error' || out.length === 0) {
    out.unshift({ kind: 'unusable', label: hl, outcome: a.state === 'error' ? 'error' : 'unavailable', detail: a.detail });
  }
  return out;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

export async function readDockerConfig(path: string): Promise<DockerConfigJson | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as DockerConfigJson;
  } catch {
    return undefined;
  }
}

/** Decode a pull Secret's `.dockerconfigjson` / `.dockercfg`. */
export function dockerConfigFromSecret(secret: { type?: string; data?: Record<string, string> }): DockerConfigJson | undefined {
  const raw = secret.data?.['.dockerconfigjson'] ?? secret.data?.['.dockercfg'];
  if (!raw) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as DockerConfigJson;
  } catch {
    return undefined;
  }
}
