/**
 * The step-by-step Redis probe: DNS (node `dns`), TCP (`net`), TLS (`tls`) by hand so each failure is named,
 * then AUTH, PING, SELECT, ACL DRYRUN and latency with ioredis. Every step has a timeout; the probe stops at the
 * first failing step. Read-only: PING, AUTH, SELECT, ACL WHOAMI/DRYRUN, INFO server, LLEN and — only when ACL
 * DRYRUN is unavailable — read-only commands on a key that does not exist.
 */
import { hostAllowed, policyFromEnv, type NetworkPolicy } from '../net-policy.js';
import { promises as dns } from 'node:dns';
import { hostname } from 'node:os';
import net from 'node:net';
import tls from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { CancelledError } from '../../engine/errors.js';
import type { EntraTokenSource } from '../../engine/ports/cloud.js';
import type {
  AclVerdict,
  RedisErrorCode,
  RedisPort,
  RedisProbeOptions,
  RedisProbeResult,
  RedisStepName,
  RedisTarget,
} from '../../engine/ports/redis.js';
import { revealSecret, scrubSecrets, type SecretString } from '../../engine/ports/secret.js';
import { redactText } from '../../engine/redact.js';

export const DEFAULT_STEP_TIMEOUT_MS = 3000;
/** A key no one uses: read-only fallback permission checks touch only this. */
export const PROBE_KEY = 'model-engine-doctor:acl-probe';
/** Commands that only read, which the probe may run for real when ACL DRYRUN is unavailable. */
const READ_ONLY = new Set(['GET', 'LLEN', 'EXISTS', 'TTL', 'PTTL', 'LRANGE', 'MGET', 'HGET', 'HGETALL', 'SMEMBERS', 'ZRANGE', 'ZREVRANGEBYSCORE', 'TYPE']);

export interface RedisSourceOptions {
  /** Extra CA certificates (PEM) trusted beside Node's defaults — a private CA, or a test's. */
  ca?: string | readonly string[];
  /**
   * Host overrides, like curl's `--resolve`: connect to another address (and port) for a host while still
   * checking the certificate against the original name. Tests point cluster hostnames at loopback with it.
   */
  resolve?: Readonly<Record<string, { host: string; port?: number }>>;
  /** Where Entra tokens come from (the cloud source), for `entra-token` credentials. */
  tokens?: EntraTokenSource;
  /** Description of where the probe runs (default: this machine's hostname). */
  from?: string;
  /** Where probes may connect (default: `MED_NETWORK`, else all). */
  network?: NetworkPolicy;
  /** The resolver (default: the system's `dns.lookup`); tests give one that answers without the network. */
  lookup?: (host: string) => Promise<{ address: string }[]>;
}

class StepFailure extends Error {
  constructor(
    readonly code: RedisErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The `oid` (and whether a user or an app) of an Entra access token, read from its payload without verifying
 * it: Azure Cache for Redis takes the AUTH user name to be the object id the token was issued to. Undefined
 * when the token is not a JWT or has no `oid`.
 */
export function tokenObjectId(token: string): { objectId: string; kind?: 'user' | 'app' } | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { oid?: unknown; idtyp?: unknown; upn?: unknown; scp?: unknown };
    if (typeof claims.oid !== 'string' || !claims.oid) return undefined;
    const kind = claims.idtyp === 'app' ? 'app' : claims.idtyp === 'user' || claims.upn !== undefined || claims.scp !== undefined ? 'user' : undefined;
    return { objectId: claims.oid, ...(kind ? { kind } : {}) };
  } catch {
    return undefined;
  }
}

const codeOf = (e: unknown): string | undefined => (e as { code?: string } | undefined)?.code;
const firstLine = (s: string) => s.split('\n')[0]!.trim();

/** Reject after `ms` with a StepFailure, or when `signal` aborts with CancelledError. */
function withTimeout<T>(p: Promise<T>, ms: number, code: RedisErrorCode, what: string, signal?: AbortSignal, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new StepFailure(code, `${what}: no answer within ${ms} ms`));
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      onTimeout?.();
      reject(new CancelledError());
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

/** A promise that rejects after `ms` (StepFailure) or on abort (CancelledError); `cancel` clears the timer. */
function deadline(ms: number, code: RedisErrorCode, what: string, signal?: AbortSignal): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepFailure(code, `${what}: no answer within ${ms} ms`)), ms);
    onAbort = () => reject(new CancelledError());
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Connect a plain TCP socket. */
function tcpConnect(host: string, port: number): { promise: Promise<net.Socket>; socket: net.Socket } {
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  const promise = new Promise<net.Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
  promise.catch(() => undefined);
  return { promise, socket };
}

/**
 * Send an inline `PING` on a plain connection and classify the first bytes back: RESP (`+`, `-`, `$`…), a TLS
 * record (the port speaks TLS), the connection closed, or nothing.
 */
function rawPing(socket: net.Socket): Promise<'resp' | 'tls' | 'closed' | 'other'> {
  return new Promise((resolve) => {
    const done = (v: 'resp' | 'tls' | 'closed' | 'other') => {
      socket.removeAllListeners('data');
      resolve(v);
    };
    socket.once('data', (d: Buffer) => {
      const b = d[0];
      if (b !== undefined && '+-$:*_%'.includes(String.fromCharCode(b))) done('resp');
      else if (b === 0x15 || b === 0x16) done('tls');
      else done('other');
    });
    socket.once('error', () => done('closed'));
    socket.once('close', () => done('closed'));
    socket.write('PING\r\n');
  });
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Map a TLS handshake error to the probe's code and a sentence. */
export function classifyTlsError(e: unknown): { code: RedisErrorCode; detail: string } {
  const code = codeOf(e) ?? '';
  const msg = firstLine((e as Error)?.message ?? String(e));
  if (UNTRUSTED.has(code)) return { code: 'CERT_UNTRUSTED', detail: `certificate not trusted: ${msg} (${code})` };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { code: 'CERT_HOSTNAME_MISMATCH', detail: `certificate does not match the host name: ${msg}` };
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return { code: 'CERT_EXPIRED', detail: `certificate not valid now: ${msg} (${code})` };
  if (/wrong version number|packet length too long|unknown protocol|record layer failure/i.test(msg)) {
    return { code: 'PORT_IS_PLAIN', detail: `the server did not speak TLS (${msg})` };
  }
  // Closed without a TLS alert before the handshake finished: not a TLS disagreement (that ends in an alert). Redis
  // at its client limit does this on a TLS port: its "-ERR max number of clients reached" cannot go out over TLS yet.
  if (/disconnected before secure TLS connection was established/i.test(msg) || (code === 'ECONNRESET' && /socket hang up|ECONNRESET/i.test(msg))) {
    return { code: 'CLOSED_BEFORE_TLS', detail: `the server closed the connection before the TLS handshake finished, without a TLS alert (${msg})` };
  }
  return { code: code || 'ERROR', detail: `TLS handshake failed: ${msg}${code ? ` (${code})` : ''}` };
}

/** Map a Redis reply error to the probe's code. */
export function classifyRedisError(e: unknown): RedisErrorCode {
  const msg = (e as Error)?.message ?? String(e);
  const code = codeOf(e);
  if (/^WRONGPASS/.test(msg) || /invalid username-password pair|invalid password/i.test(msg)) return 'WRONGPASS';
  if (/^NOAUTH/.test(msg) || /Authentication required/i.test(msg)) return 'NOAUTH';
  if (/called without any password configured|no password is set/i.test(msg)) return 'AUTH_NOT_CONFIGURED';
  if (/^NOPERM/.test(msg)) return 'NOPERM';
  if (/DB index is out of range/i.test(msg)) return 'DB_OUT_OF_RANGE';
  if (/SELECT is not allowed in cluster mode/i.test(msg)) return 'SELECT_NOT_ALLOWED';
  if (/^LOADING/.test(msg)) return 'LOADING';
  if (/max number of clients reached/i.test(msg)) return 'MAX_CLIENTS';
  if (code === 'ECONNRESET' || /Connection is closed|ECONNRESET/i.test(msg)) return 'ECONNRESET';
  if (/Command timed out/i.test(msg)) return 'NO_REPLY';
  return code ?? 'ERROR';
}

function isPrivateOrLoopback(ip: string): boolean {
  return /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|169\.254\.)/.test(ip) || /^(::1$|f[cd][0-9a-f]{2}:|fe80:)/i.test(ip);
}

export class RedisSource implements RedisPort {
  readonly from: string;
  private readonly ca: string[] | undefined;

  constructor(private readonly opts: RedisSourceOptions = {}) {
    this.from = opts.from ?? `this machine (${hostname()})`;
    this.ca = opts.ca === undefined ? undefined : typeof opts.ca === 'string' ? [opts.ca] : [...opts.ca];
  }

  private tlsOptions(servername: string | undefined, verify: boolean): tls.ConnectionOptions {
    return {
      ...(servername ? { servername } : {}),
      // Node's default roots plus any extra CA: `ca` alone would replace the defaults.
      ...(this.ca ? { ca: [...tls.rootCertificates, ...this.ca] } : {}),
      rejectUnauthorized: verify,
    };
  }

  refusal(host: string): string | undefined {
    const verdict = hostAllowed(this.opts.resolve?.[host]?.host ?? host, this.opts.network ?? policyFromEnv());
    return verdict.ok ? undefined : verdict.reason;
  }

  async probe(target: RedisTarget, opts: RedisProbeOptions = {}): Promise<RedisProbeResult> {
    const refused = this.refusal(target.host);
    if (refused) throw new Error(`redis probe refused: ${refused}`);
    const run = new ProbeRun(target, opts, { from: this.from, source: this.opts, tlsOptions: (servername, verify) => this.tlsOptions(servername, verify) });
    try {
      return await run.steps();
    } finally {
      run.close();
    }
  }
}

/** What a probe run needs of its source. */
interface ProbeEnv {
  from: string;
  source: RedisSourceOptions;
  tlsOptions(servername: string | undefined, verify: boolean): tls.ConnectionOptions;
}

/** A step's outcome: it passed (go on), or it failed and recorded why (stop; the result says where). */
type Go = boolean;

/**
 * One probe of one target: its state (sockets, the ioredis client, the steps so far) and one method per step, in
 * order. A step that fails records the failure (`failAt`) and returns false, and the probe stops there.
 */
class ProbeRun {
  private readonly result: RedisProbeResult;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly connectHost: string;
  private readonly port: number;
  private readonly servername: string | undefined;
  private readonly secrets: (SecretString | string)[] = [];
  private readonly sockets: net.Socket[] = [];
  private client: Redis | undefined;
  private plainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: RedisTarget,
    private readonly opts: RedisProbeOptions,
    private readonly env: ProbeEnv,
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.signal = opts.signal;
    this.result = { target: target.display, from: env.from, steps: [] };
    const override = env.source.resolve?.[target.host];
    this.connectHost = override?.host ?? target.host;
    this.port = override?.port ?? target.port;
    this.servername = net.isIP(target.host) ? undefined : target.host;
    if (target.credential.kind === 'password') this.secrets.push(target.credential.password);
  }

  /** DNS, TCP, TLS (or plain RESP), AUTH, PING, SELECT, ACL, latency, then the list lengths asked for. */
  async steps(): Promise<RedisProbeResult> {
    const address = await this.dns();
    if (address === undefined) return this.result;
    const socket = await this.tcp(address);
    if (!socket) return this.result;
    if (!(this.target.tls ? await this.tls(address, socket) : await this.plain(address, socket))) return this.result;
    for (const s of this.sockets.splice(0)) s.destroy();
    const client = await this.connect(address);
    if (!client) return this.result;
    for (const step of [() => this.auth(client), () => this.ping(client), () => this.select(client), () => this.acl(client), () => this.latency(client)]) {
      if (!(await step())) return this.result;
    }
    await this.lists(client);
    return this.result;
  }

  close(): void {
    clearTimeout(this.plainTimer);
    for (const s of this.sockets) s.destroy();
    this.client?.disconnect();
  }

  // ─── step bookkeeping ──────────────────────────────────────────────────────────────────────────────────────────

  private clean(s: string): string {
    return redactText(scrubSecrets(s, this.secrets));
  }

  private record(name: RedisStepName, ok: boolean, t0: number, detail: string, skipped?: boolean): void {
    this.result.steps.push({ name, ok, ms: Math.round(performance.now() - t0), detail: this.clean(detail), ...(skipped ? { skipped } : {}) });
  }

  private failAt(name: RedisStepName, t0: number, code: RedisErrorCode, detail: string): false {
    this.record(name, false, t0, detail);
    this.result.failedStep = name;
    this.result.errorCode = code;
    return false;
  }

  /** Run one step; a StepFailure or a Redis error becomes this step's failure. */
  private async step<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T; t0: number } | { ok: false; t0: number; code: RedisErrorCode; detail: string }> {
    const t0 = performance.now();
    try {
      return { ok: true, value: await fn(), t0 };
    } catch (e) {
      if (e instanceof CancelledError || this.signal?.aborted) throw new CancelledError();
      if (e instanceof StepFailure) return { ok: false, t0, code: e.code, detail: e.message };
      return { ok: false, t0, code: classifyRedisError(e), detail: firstLine((e as Error).message ?? String(e)) };
    }
  }

  private readonly cmd = <T>(what: string, p: Promise<T>): Promise<T> => withTimeout(p, this.timeoutMs, 'NO_REPLY', what, this.signal);

  /** Destroy a wrapped socket only through its TLS socket: destroying both crashes Node 24 (SIGSEGV). */
  private wrap(raw: net.Socket, secure: tls.TLSSocket): void {
    const i = this.sockets.indexOf(raw);
    if (i >= 0) this.sockets.splice(i, 1);
    this.sockets.push(secure);
  }

  // ─── the steps ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** 1. DNS: the address to connect to, or undefined when the name does not resolve. */
  private async dns(): Promise<string | undefined> {
    const { connectHost, target } = this;
    const t0 = performance.now();
    let addresses: string[];
    if (net.isIP(connectHost)) {
      addresses = [connectHost];
      this.record('dns', true, t0, this.env.source.resolve?.[target.host] ? `${target.host} overridden to ${connectHost}` : `${connectHost} is an IP address; no lookup`);
    } else {
      try {
        const lookup = this.env.source.lookup;
        const found = await withTimeout(lookup ? lookup(connectHost) : dns.lookup(connectHost, { all: true }), this.timeoutMs, 'EAI_AGAIN', `DNS lookup of ${connectHost}`, this.signal);
        addresses = found.map((a) => a.address);
        this.record('dns', true, t0, `${connectHost} resolved to ${addresses.join(', ')}${addresses.some(isPrivateOrLoopback) ? ' (private)' : ''}`);
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        const code = e instanceof StepFailure ? e.code : (codeOf(e) ?? 'ENOTFOUND');
        const detail =
          code === 'ENOTFOUND'
            ? `no DNS record for ${connectHost} (ENOTFOUND) from ${this.env.from}`
            : e instanceof StepFailure
              ? e.message
              : `${firstLine((e as Error).message)} (${code})`;
        this.failAt('dns', t0, code, detail);
        return undefined;
      }
    }
    this.result.addresses = addresses;
    return addresses[0]!;
  }

  /** 2. TCP: the connected socket, or undefined. */
  private async tcp(address: string): Promise<net.Socket | undefined> {
    const { port } = this;
    const t0 = performance.now();
    const { promise, socket } = tcpConnect(address, port);
    this.sockets.push(socket);
    try {
      await withTimeout(promise, this.timeoutMs, 'ETIMEDOUT', `TCP connect to ${address}:${port}`, this.signal, () => socket.destroy());
      this.record('tcp', true, t0, `connected to ${address}:${port}`);
      return socket;
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      const code = e instanceof StepFailure ? e.code : (codeOf(e) ?? 'ERROR');
      const detail = e instanceof StepFailure ? `${e.message} (no SYN-ACK: filtered, or unreachable from ${this.env.from})` : `${firstLine((e as Error).message)}`;
      this.failAt('tcp', t0, code, detail);
      return undefined;
    }
  }

  /** 3. TLS (rediss://): the handshake, the certificate, and a plain-RESP port named as such. */
  private async tls(address: string, socket: net.Socket): Promise<Go> {
    const { port, target, timeoutMs } = this;
    const t1 = performance.now();
    const tlsSocket = tls.connect({ socket, ...this.env.tlsOptions(this.servername, target.verifyCertificate) });
    this.wrap(socket, tlsSocket);
    const handshake = new Promise<tls.TLSSocket>((resolve, reject) => {
      tlsSocket.once('secureConnect', () => resolve(tlsSocket));
      tlsSocket.once('error', reject);
    });
    handshake.catch(() => undefined);
    // A plain Redis port never answers a ClientHello (it waits for a newline): after a short wait, ask the
    // port in plain RESP on a second connection, so that case is named within the same timeout.
    let rejectPlain: (e: Error) => void = () => undefined;
    const plainDetected = new Promise<never>((_, reject) => (rejectPlain = reject));
    plainDetected.catch(() => undefined);
    this.plainTimer = setTimeout(() => {
      const side = tcpConnect(address, port);
      this.sockets.push(side.socket);
      void side.promise
        .then(rawPing, () => 'closed' as const)
        .then((a) => {
          if (a === 'resp') rejectPlain(new StepFailure('PORT_IS_PLAIN', `port ${port} answers plain Redis (RESP), not TLS, but the URL says rediss://`));
        });
    }, Math.min(300, timeoutMs / 4));
    const limit = deadline(timeoutMs, 'TLS_TIMEOUT', `TLS handshake with ${address}:${port}`, this.signal);
    try {
      const s = await Promise.race([handshake, limit.promise, plainDetected]);
      const cert = s.getPeerCertificate();
      const subject = cert?.subject?.CN ?? '';
      const issuer = cert?.issuer?.CN ?? cert?.issuer?.O ?? '';
      const verified = target.verifyCertificate ? 'verified' : `not verified (ssl_cert_reqs=none${s.authorized ? '' : `: ${String(s.authorizationError ?? 'untrusted')}`})`;
      this.record('tls', true, t1, `${s.getProtocol() ?? 'TLS'}; certificate CN=${subject} issued by ${issuer}, expires ${cert?.valid_to ?? '?'}; ${verified}`);
      return true;
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      if (e instanceof StepFailure) return this.failAt('tls', t1, e.code, e.message);
      const c = classifyTlsError(e);
      if (c.code === 'PORT_IS_PLAIN') return this.failAt('tls', t1, c.code, `port ${port} is not a TLS port: ${c.detail}; the URL says rediss://`);
      return this.failAt('tls', t1, c.code, c.detail);
    } finally {
      limit.cancel();
      clearTimeout(this.plainTimer);
    }
  }

  /** 3. Plain (redis://): proof that the port speaks RESP rather than TLS. */
  private async plain(address: string, socket: net.Socket): Promise<Go> {
    const { port, timeoutMs } = this;
    const t1 = performance.now();
    let answer: 'resp' | 'tls' | 'closed' | 'other';
    try {
      answer = await withTimeout(rawPing(socket), timeoutMs, 'NO_REPLY', `PING on ${address}:${port}`, this.signal);
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      const detail = `connected to ${address}:${port}, but nothing came back within ${timeoutMs} ms: not a Redis port, or a proxy/firewall that accepts connections and drops them`;
      return this.failAt('ping', t1, (e as StepFailure).code ?? 'NO_REPLY', detail);
    }
    if (answer === 'resp') {
      this.record('tls', true, t1, 'plain TCP (redis://): the port answers RESP', true);
      return true;
    }
    // Reset or a TLS alert: see whether the port completes a TLS handshake.
    const speaksTls = answer === 'tls' || (await this.completesTlsHandshake(address));
    if (speaksTls) return this.failAt('tls', t1, 'PORT_EXPECTS_TLS', `port ${port} speaks TLS but the URL says redis://: the server closed the plain connection; use rediss://`);
    return this.failAt('tls', t1, answer === 'closed' ? 'ECONNRESET' : 'ERROR', `port ${port} closed the connection (or sent something that is not Redis) on a plain PING`);
  }

  /** Whether the port completes a TLS handshake on a second connection (the certificate not checked). */
  private async completesTlsHandshake(address: string): Promise<boolean> {
    try {
      await this.sideConnection(address, this.timeoutMs, true);
      return true;
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      return false;
    }
  }

  /**
   * A second connection to the port beside the probe's own, open within `ms` (TCP, then a TLS handshake that does not
   * check the certificate when `secure`): for questions the main connection cannot answer. Closed with the probe.
   */
  private async sideConnection(address: string, ms: number, secure: boolean): Promise<net.Socket> {
    const { signal } = this;
    const side = tcpConnect(address, this.port);
    this.sockets.push(side.socket);
    const raw = await withTimeout(side.promise, ms, 'ETIMEDOUT', 'TCP connect', signal, () => side.socket.destroy());
    if (!secure) return raw;
    const t = tls.connect({ socket: raw, ...this.env.tlsOptions(this.servername, false) });
    this.wrap(raw, t);
    await withTimeout(new Promise<void>((resolve, reject) => { t.once('secureConnect', () => resolve()); t.once('error', reject); }), ms, 'TLS_TIMEOUT', 'TLS handshake', signal, () => t.destroy());
    return t;
  }

  /** 4a. A fresh ioredis connection that does nothing on its own (no ready check, no SELECT, no retries). */
  private async connect(address: string): Promise<Redis | undefined> {
    const { port, target, timeoutMs } = this;
    const options: RedisOptions = {
      host: address,
      port,
      lazyConnect: true,
      enableReadyCheck: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      reconnectOnError: () => false,
      autoResubscribe: false,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      connectionName: 'model-engine-doctor',
      ...(target.tls ? { tls: this.env.tlsOptions(this.servername, target.verifyCertificate) } : {}),
    };
    // ioredis sends CLIENT SETNAME on connect; a restricted user may lack it, so leave the name off.
    delete options.connectionName;
    const client = new Redis(options);
    this.client = client;
    client.on('error', () => undefined);
    const t0 = performance.now();
    try {
      await withTimeout(client.connect(), timeoutMs, 'ETIMEDOUT', `connect to ${address}:${port}`, this.signal);
      return client;
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      const code = e instanceof StepFailure ? e.code : classifyRedisError(e);
      const refusal = code === 'ECONNRESET' ? await this.serverRefusal(address) : undefined;
      if (refusal) this.failAt('auth', t0, classifyRedisError(new Error(refusal)), `the server refused the connection: it sent "${refusal}" and closed it`);
      else this.failAt('auth', t0, code, `could not open the Redis connection: ${firstLine((e as Error).message)}`);
      return undefined;
    }
  }

  /**
   * What a server that closes connections says first, unasked: Redis at its client limit writes
   * "-ERR max number of clients reached" on a new connection and closes it, before any command; ioredis drops that
   * line and reports only "Connection is closed". A fresh connection (TLS when the URL says so) reads it back.
   */
  private async serverRefusal(address: string): Promise<string | undefined> {
    const wait = Math.min(this.timeoutMs, 1500);
    try {
      const s = await this.sideConnection(address, wait, this.target.tls);
      const first = await withTimeout(
        new Promise<string | undefined>((resolve) => {
          let buf = '';
          s.on('data', (d: Buffer) => {
            buf += d.toString('latin1');
            if (buf.includes('\r\n') || buf.length > 512) resolve(buf.split('\r\n')[0]);
          });
          s.once('close', () => resolve(buf ? buf.split('\r\n')[0] : undefined));
          s.once('error', () => resolve(undefined));
        }),
        wait,
        'NO_REPLY',
        'first line',
        this.signal,
      );
      return first?.startsWith('-') ? first.slice(1).slice(0, 200) : undefined;
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      return undefined;
    }
  }

  /** 4b. AUTH with the target's credential: none (a PING), a password, or an Entra token. */
  private async auth(client: Redis): Promise<Go> {
    const cred = this.target.credential;
    const r = await this.step(async () => {
      switch (cred.kind) {
        case 'none':
          // No credentials: a server that requires them answers NOAUTH to anything.
          await this.cmd('PING', client.ping());
          return 'no credentials in the URL; the server allows unauthenticated access';
        case 'password': {
          const pw = revealSecret(cred.password);
          await this.cmd('AUTH', cred.username ? client.call('AUTH', cred.username, pw) : client.call('AUTH', pw));
          return `authenticated${cred.username ? ` as ${cred.username}` : ''} with a password`;
        }
        case 'entra-token':
          return this.entraAuth(client, cred);
      }
    });
    if (!r.ok) {
      const own = this.result.entraIdentity?.objectId;
      const why =
        r.code === 'WRONGPASS'
          ? `${r.detail} — the server rejected the ${cred.kind === 'entra-token' ? `Entra token of object id ${own ?? cred.username ?? '(none)'}` : 'username/password'}`
          : r.code === 'NOAUTH'
            ? `${r.detail} — the server requires a password and the URL has none`
            : r.detail;
      return this.failAt('auth', r.t0, r.code, why);
    }
    this.record('auth', true, r.t0, r.value, cred.kind === 'none');
    return true;
  }

  /** AUTH with an Entra token, as whoever the token is for; what it says of the identity. */
  private async entraAuth(client: Redis, cred: Extract<RedisTarget['credential'], { kind: 'entra-token' }>): Promise<string> {
    const { tokens } = this.env.source;
    if (!tokens) throw new StepFailure('TOKEN_UNAVAILABLE', 'no Entra token source in this run (rerun with --cloud-api)');
    let tok: { token: SecretString; expiresOn: Date };
    try {
      tok = await withTimeout(tokens.rawToken(cred.scope, this.signal), Math.max(this.timeoutMs, 10_000), 'TOKEN_UNAVAILABLE', 'Entra token', this.signal);
    } catch (e) {
      if (e instanceof CancelledError || e instanceof StepFailure) throw e;
      throw new StepFailure('TOKEN_UNAVAILABLE', `could not get an Entra token for ${cred.scope}: ${firstLine((e as Error).message)}`);
    }
    this.secrets.push(tok.token);
    // Redis checks the AUTH user against the token's own oid: log in as whoever this token is for (the
    // operator, from this machine), and say so; the pods' AZURE_OBJECT_ID goes with the pods' token only.
    const own = tokenObjectId(revealSecret(tok.token));
    this.result.entraIdentity = { ...(own ? { objectId: own.objectId, ...(own.kind ? { kind: own.kind } : {}) } : {}), ...(cred.username ? { podObjectId: cred.username } : {}) };
    const user = own?.objectId ?? cred.username ?? '';
    await this.cmd('AUTH', client.call('AUTH', user, revealSecret(tok.token)));
    const whose = !own
      ? `${cred.username ?? '(no AZURE_OBJECT_ID)'} (the token carries no oid, so AZURE_OBJECT_ID was used)`
      : own.objectId === cred.username
        ? `${own.objectId}, the pods' own AZURE_OBJECT_ID`
        : `${own.objectId} — the identity ${this.env.from} got a token for (the token's oid), not the pods' AZURE_OBJECT_ID ${cred.username ?? '(unset)'}`;
    return `authenticated as ${whose}, with an Entra token expiring ${tok.expiresOn.toISOString()}`;
  }

  /** 5. PING, then the server version from INFO (best effort: it only decides wording). */
  private async ping(client: Redis): Promise<Go> {
    const r = await this.step(() => this.cmd('PING', client.ping()));
    if (!r.ok) return this.failAt('ping', r.t0, r.code, r.detail);
    this.record('ping', true, r.t0, `PING → ${r.value}`);
    try {
      const info = await this.cmd('INFO', client.info('server'));
      const v = /redis_version:([^\r\n]+)/.exec(info)?.[1];
      if (v) this.result.serverVersion = v.trim();
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      // INFO may be renamed or denied (managed Redis); the version only decides wording.
    }
    return true;
  }

  /** 6. SELECT the target's database (db 0: none, as redis-py). */
  private async select(client: Redis): Promise<Go> {
    const { db } = this.target;
    const t0 = performance.now();
    if (db === 0) {
      this.record('select', true, t0, 'db 0: redis-py sends no SELECT', true);
      return true;
    }
    const r = await this.step(() => this.cmd('SELECT', client.select(db)));
    if (!r.ok) return this.failAt('select', r.t0, r.code, `SELECT ${db}: ${r.detail}`);
    this.record('select', true, r.t0, `SELECT ${db} → OK`);
    return true;
  }

  /** 7. ACL permissions for the commands model-engine uses. */
  private async acl(client: Redis): Promise<Go> {
    const { result } = this;
    const t0 = performance.now();
    const wanted = this.opts.aclCommands ?? [];
    if (wanted.length === 0) {
      this.record('acl', true, t0, 'no commands to check', true);
      return true;
    }
    const cred = this.target.credential;
    const verdicts = await this.aclCheck(client, wanted, cred.kind === 'none' ? undefined : cred.username);
    result.acl = verdicts;
    const denied = verdicts.filter((v) => v.allowed === false).map((v) => v.command);
    const unknown = verdicts.filter((v) => v.allowed === 'unknown').map((v) => v.command);
    const how = verdicts.some((v) => v.detail.startsWith('ACL DRYRUN')) ? 'ACL DRYRUN' : 'read-only trial';
    if (denied.length > 0) return this.failAt('acl', t0, 'NOPERM', `user ${result.user ?? 'default'} may not run: ${denied.join(', ')} (${how})`);
    this.record('acl', true, t0, `user ${result.user ?? 'default'} may run ${verdicts.length - unknown.length}/${verdicts.length} commands${unknown.length ? `; not verifiable without ACL DRYRUN: ${unknown.join(', ')}` : ''}`, unknown.length === verdicts.length);
    return true;
  }

  /** 8. Latency: the median of a few PINGs. */
  private async latency(client: Redis): Promise<Go> {
    const t0 = performance.now();
    const times: number[] = [];
    const n = Math.max(1, this.opts.pings ?? 5);
    try {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await this.cmd('PING', client.ping());
        times.push(performance.now() - t);
      }
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      return this.failAt('latency', t0, classifyRedisError(e), `PING ${times.length + 1}/${n}: ${firstLine((e as Error).message)}`);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    this.result.latencyMs = Math.round(median * 10) / 10;
    this.record('latency', true, t0, `median ${this.result.latencyMs} ms, max ${Math.round(times[times.length - 1]! * 10) / 10} ms over ${n} PINGs from ${this.env.from}`);
    return true;
  }

  /** Lists (broker queues): LLEN is read-only; an unreadable one is null. */
  private async lists(client: Redis): Promise<void> {
    const keys = this.opts.listLengths;
    if (!keys?.length) return;
    const lists: Record<string, number | null> = {};
    this.result.lists = lists;
    for (const key of keys) {
      try {
        lists[key] = await this.cmd('LLEN', client.llen(key));
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        lists[key] = null;
      }
    }
  }

  /** ACL DRYRUN for each command; without it (old server, or no permission for ACL), try read-only ones. */
  private async aclCheck(client: Redis, wanted: readonly (readonly string[])[], username: string | undefined): Promise<AclVerdict[]> {
    const { cmd, result } = this;
    let user = username;
    try {
      user = String(await cmd('ACL WHOAMI', client.call('ACL', 'WHOAMI')));
      result.user = user;
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      result.user = user ?? 'default';
    }
    const out: AclVerdict[] = [];
    let dryRun = true;
    let dryRunWhy = '';
    for (const c of wanted) {
      const name = c[0]!.toUpperCase();
      if (dryRun) {
        try {
          const reply = String(await cmd('ACL DRYRUN', client.call('ACL', 'DRYRUN', result.user ?? 'default', ...c)));
          out.push({ command: name, allowed: reply === 'OK', detail: `ACL DRYRUN: ${reply === 'OK' ? 'OK' : firstLine(reply)}` });
          continue;
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          dryRun = false;
          dryRunWhy = firstLine((e as Error).message);
        }
      }
      if (READ_ONLY.has(name)) {
        const args = c.slice(1).map((a, i) => (i === 0 ? PROBE_KEY : a));
        try {
          await cmd(name, client.call(name, ...args));
          out.push({ command: name, allowed: true, detail: `ran ${name} on ${PROBE_KEY} (ACL DRYRUN unavailable: ${dryRunWhy})` });
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          const denied = classifyRedisError(e) === 'NOPERM';
          out.push({ command: name, allowed: denied ? false : true, detail: `${name} on ${PROBE_KEY}: ${firstLine((e as Error).message)}` });
        }
      } else out.push({ command: name, allowed: 'unknown', detail: `not tried (writes); ACL DRYRUN unavailable: ${dryRunWhy}` });
    }
    return out;
  }
}
