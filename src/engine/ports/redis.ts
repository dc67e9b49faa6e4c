/**
 * The redis port: a read-only, step-by-step probe of a Redis server the way model-engine connects to it (DNS,
 * TCP, TLS, AUTH, PING, SELECT, ACL permissions, latency), stopping at the first failing step. Checks reach it as
 * `ctx.ports.redis` (`needs: ['redis']`); it is created in `src/run/ports.ts` and implemented in
 * `src/sources/redis/`. With `--exec` a second implementation runs the same probe from inside the gateway pod
 * (`ctx.ports.redisExec`), with model-engine's own config and Python client.
 */
import type { SecretString } from './secret.js';

export type RedisStepName = 'dns' | 'tcp' | 'tls' | 'auth' | 'ping' | 'select' | 'acl' | 'latency';
export const REDIS_STEPS: readonly RedisStepName[] = ['dns', 'tcp', 'tls', 'auth', 'ping', 'select', 'acl', 'latency'];

/** How the probe logs in. The Entra token is fetched inside the source and goes nowhere but into AUTH. */
export type RedisCredential =
  | { kind: 'none' }
  | { kind: 'password'; username?: string; password: SecretString }
  | { kind: 'entra-token'; username?: string; scope: string };

/** Where and how to connect: what a redis:// or rediss:// URL says, with the credential kept opaque. */
export interface RedisTarget {
  host: string;
  port: number;
  tls: boolean;
  /** False for `ssl_cert_reqs=none` (the Celery Redis broker with REDIS_AUTH_TOKEN): the chain is not checked. */
  verifyCertificate: boolean;
  db: number;
  credential: RedisCredential;
  /** The URL as shown to people: never holds a password or token. */
  display: string;
}

/** Errors the probe names (`errorCode`). Node's own codes (`ENOTFOUND`, `ECONNREFUSED`, TLS codes) pass through. */
export type RedisErrorCode =
  | 'ENOTFOUND'
  | 'EAI_AGAIN'
  | 'ECONNREFUSED'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'ECONNRESET'
  | 'TLS_TIMEOUT'
  /** The server closed the connection before the TLS handshake finished (no alert): at its client limit, or dropped in front of it. */
  | 'CLOSED_BEFORE_TLS'
  /** rediss:// to a port that speaks plain Redis (e.g. 6379 instead of Azure's 6380). */
  | 'PORT_IS_PLAIN'
  /** redis:// to a port that speaks TLS. */
  | 'PORT_EXPECTS_TLS'
  | 'CERT_UNTRUSTED'
  | 'CERT_HOSTNAME_MISMATCH'
  | 'CERT_EXPIRED'
  | 'WRONGPASS'
  | 'NOAUTH'
  | 'AUTH_NOT_CONFIGURED'
  | 'TOKEN_UNAVAILABLE'
  | 'NOPERM'
  | 'DB_OUT_OF_RANGE'
  | 'SELECT_NOT_ALLOWED'
  | 'NO_REPLY'
  | 'LOADING'
  /** The server is at its client limit: it answers each new connection "-ERR max number of clients reached" and closes it. */
  | 'MAX_CLIENTS'
  | 'ERROR'
  | (string & {});

export interface RedisStep {
  name: RedisStepName;
  ok: boolean;
  /** Wall time of the step. */
  ms: number;
  /** One line, no secrets: what happened (`resolved to 10.0.3.7`, `WRONGPASS invalid username-password pair`). */
  detail: string;
  /** True when the step did not apply (plain Redis has no TLS step; no ACL DRYRUN on this server). */
  skipped?: boolean;
}

/** Whether a user may run one command, by `ACL DRYRUN` or (for read-only commands) by trying it. */
export interface AclVerdict {
  command: string;
  allowed: boolean | 'unknown';
  detail: string;
}

export interface RedisProbeOptions {
  signal?: AbortSignal;
  /** Per-step timeout (default 3000 ms): a server that never answers costs no more than this per step. */
  timeoutMs?: number;
  /** Commands (with example arguments) to check with `ACL DRYRUN <user> …`; default: none (step skipped). */
  aclCommands?: readonly (readonly string[])[];
  /** Lists whose length to read with LLEN after the steps (broker queues). Read-only. */
  listLengths?: readonly string[];
  /** PINGs for the latency step (default 5). */
  pings?: number;
}

export interface RedisProbeResult {
  target: string;
  /** Where the probe ran: `this machine (hostname)` or `pod <ns>/<name>`. */
  from: string;
  steps: RedisStep[];
  failedStep?: RedisStepName;
  errorCode?: RedisErrorCode;
  /** Median PING round trip, when the latency step ran. */
  latencyMs?: number;
  /** Addresses the host resolved to. */
  addresses?: string[];
  /** `ACL WHOAMI`, when the server has ACLs. */
  user?: string;
  /**
   * Whose Entra identity an `entra-token` login used: the object id (`oid` claim) of the token this probe got,
   * and the pods' `AZURE_OBJECT_ID`. From this machine that is the operator's identity, not the pods'.
   */
  entraIdentity?: EntraIdentity;
  serverVersion?: string;
  acl?: AclVerdict[];
  /** LLEN of each list asked for (`null`: the key exists but is not a list, or LLEN was denied). */
  lists?: Record<string, number | null>;
}

export interface EntraIdentity {
  /** The token's own `oid`: the principal the token was issued to (Redis checks the AUTH user against it). */
  objectId?: string;
  /** `user` (a person's login), `app` (a service principal or managed identity), from the token's claims. */
  kind?: 'user' | 'app';
  /** The object id the pods use (`AZURE_OBJECT_ID`), when known. */
  podObjectId?: string;
}

export interface RedisPort {
  /** Where probes run from, for messages. */
  readonly from: string;
  /**
   * Why this run may not contact `host` (the demo and tests reach loopback only; `--no-probes` reaches nothing),
   * or undefined when it may. Checks ask before probing and report a skip instead of a failure.
   */
  refusal?(host: string): string | undefined;
  probe(target: RedisTarget, opts?: RedisProbeOptions): Promise<RedisProbeResult>;
}

/** The name checks use for the in-pod implementation (`--exec`). */
export const REDIS_EXEC_PORT = 'redisExec';

/**
 * A probe target from a redis:// or rediss:// URL, read as redis-py's `from_url` reads it: user and password
 * from the userinfo (percent-decoded), db from the path (or `?db=`), port 6379 when absent (also for rediss://),
 * `ssl_cert_reqs=none` turns certificate checks off. Undefined when the URL is not a Redis URL.
 */
export function redisTargetFromUrl(url: string, makeSecret: (s: string) => SecretString): RedisTarget | undefined {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return undefined;
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if ((scheme !== 'redis' && scheme !== 'rediss') || !u.hostname) return undefined;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : 6379;
  const pathDb = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
  const queryDb = u.searchParams.get('db');
  const dbText = pathDb !== '' ? pathDb : (queryDb ?? '');
  const db = /^\d+$/.test(dbText) ? Number(dbText) : 0;
  const reqs = (u.searchParams.get('ssl_cert_reqs') ?? '').toLowerCase();
  const verifyCertificate = !(reqs === 'none' || reqs === 'cert_none');
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const credential: RedisCredential =
    password !== undefined
      ? { kind: 'password', ...(username ? { username } : {}), password: makeSecret(password) }
      : username
        ? { kind: 'password', username, password: makeSecret('') }
        : { kind: 'none' };
  const user = username ? `${username}${password !== undefined ? ':REDACTED' : ''}@` : password !== undefined ? ':REDACTED@' : '';
  const query = verifyCertificate ? '' : '?ssl_cert_reqs=none';
  return {
    host,
    port,
    tls: scheme === 'rediss',
    verifyCertificate,
    db,
    credential,
    display: `${scheme}://${user}${host.includes(':') ? `[${host}]` : host}:${port}/${db}${query}`,
  };
}
