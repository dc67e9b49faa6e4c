/**
 * KubePort over a real cluster. Authentication, TLS, proxies and exec credential plugins (aws eks get-token,
 * gke-gcloud-auth-plugin, kubelogin) stay in @kubernetes/client-node's hands: every request is a client-node
 * `RequestContext` passed through `KubeConfig.applySecurityAuthentication` and sent by its own fetch library.
 * We add what checks need on top: paging, selectors, per-run memoisation, timeouts and kubectl-style names.
 */
import { IsomorphicFetchHttpLibrary, KubeConfig, RequestContext } from './client-node.js';
import { ApiError, CancelledError, DeadlineError, EXIT, FatalError, ForbiddenError, formatMs, ifUnreadable, type Deadline } from '../../engine/errors.js';
import { project, projectAll, REPEATED_KINDS } from '../../engine/projection.js';
import { deepFreeze, sharedList } from '../../engine/frozen.js';
import { Interner } from '../../engine/intern.js';
import { redactText } from '../../engine/redact.js';
import type { KubeObject, KubePort, ListOptions, LogOptions } from '../../engine/types.js';
import { sleep } from '../sleep.js';
import { execPluginOf, guardExecPlugins, killExecPlugins } from './exec-plugins.js';
import { apiVersionOf, hasServed, lookupResource, qualifiedName, type ResourceInfo } from './resources.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { tailLines } from './snapshot-kube.js';

const PAGE_SIZE = 500;

const firstLine = (s: string) => s.split('\n')[0]!.trim();

// ---------------------------------------------------------------------------------------------------
// kubeconfig: loading, merging, overrides and impersonation live in ./kubeconfig.ts

export { loadKubeConfig, NoKubeConfigError, type LoadKubeConfigOptions } from './kubeconfig.js';

// ---------------------------------------------------------------------------------------------------
// Requests: the one path every read takes (discovery, lists, gets, logs, the release Secret, /version).

interface Resp {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The JSON body, parsed once when the answer was checked (a 100,000-pod list is not parsed twice). */
  json?: unknown;
}

/** The answer's JSON body: the one parsed when it was checked, else parsed now (throws on what is not JSON). */
function bodyOf(r: Resp): unknown {
  return r.json !== undefined ? r.json : JSON.parse(r.text);
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Extra tries after the first for 429, 5xx, dropped connections and answers that are not JSON. */
export const DEFAULT_RETRIES = 3;
/** The longest `Retry-After` honoured; a server asking for more is asked again after this long. */
export const RETRY_AFTER_CAP_MS = 5_000;
/** How long an exec credential plugin may take (or `--request-timeout`, when longer). */
export const EXEC_PLUGIN_TIMEOUT_MS = 60_000;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 2_000;
/** A request that timed out is tried once more at most: a hung connection is worth one fresh try, not four. */
const TIMEOUT_RETRIES = 1;
/**
 * After this many reads in a row end unanswered (timed out or unreachable, retries spent), the cluster is taken as
 * gone for the run: later reads fail at once with the same reason instead of each waiting out its own timeout.
 */
const UNANSWERED_LIMIT = 3;

/** Statuses the API server (or a proxy before it) sends for conditions that pass: load shed, a restart, a timeout. */
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
/** A kept-alive connection closed under us, or the server reset it mid-answer. */
const RESET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/** The one-line reason behind a failed fetch (`connect ECONNREFUSED 127.0.0.1:6443`, a TLS error…). */
export function describeFetchError(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const c = (cur as { cause?: unknown }).cause;
    if (!c) break;
    cur = c;
  }
  // Duck-typed, not instanceof: undici's errors may come from another realm (jest's VM, worker threads).
  const errors = (cur as { errors?: unknown[] }).errors;
  if (Array.isArray(errors) && errors.length) cur = errors[0]; // AggregateError from happy-eyeballs connects
  const msg = typeof (cur as { message?: unknown })?.message === 'string' ? (cur as Error).message : String(cur);
  // Node appends advice about --use-system-ca to certificate errors; it does not help a doctor's user.
  return firstLine(msg || (cur as { code?: string })?.code || 'unknown error').replace(/; if the root CA is installed locally.*$/, '');
}

const codeOf = (e: unknown): string | undefined => {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
};

/** `Retry-After` in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before try `attempt + 2`: the server's `Retry-After` (capped), else exponential backoff with jitter. */
export function retryDelayMs(attempt: number, retryAfter?: string, now = Date.now()): number {
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return Math.min(asked, RETRY_AFTER_CAP_MS);
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** A `v1 Status` body, as every Kubernetes API answer that is not a success carries. */
function statusOf(text: string): { message?: string; reason?: string } | undefined {
  try {
    const s = JSON.parse(text) as { kind?: string; message?: string; reason?: string } | null;
    return s && s.kind === 'Status' ? s : undefined;
  } catch {
    return undefined;
  }
}

function statusMessage(r: Resp): string {
  return statusOf(r.text)?.message || firstLine(r.text).slice(0, 200) || `HTTP ${r.status}`;
}

/** A short, safe quote of a body that should not be there (an HTML error page, a proxy's banner). */
const quoteBody = (text: string) => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one ? `"${redactText(one.slice(0, 80))}${one.length > 80 ? '…' : ''}"` : 'an empty body';
};

const isHtml = (r: Resp) => /text\/html/i.test(r.headers['content-type'] ?? '');

/** Why a response is not one a Kubernetes API server sends, or undefined when it could be. */
function notKubernetes(r: Resp, expect: 'json' | 'text'): string | undefined {
  if (r.status === 200) {
    if (isHtml(r)) return `the answer is an HTML page (${quoteBody(r.text)}), not the Kubernetes API`;
    if (expect === 'json') {
      try {
        r.json = JSON.parse(r.text);
      } catch {
        return `the answer is not JSON (${r.headers['content-type'] || 'no content type'}: ${quoteBody(r.text)})`;
      }
    }
    return undefined;
  }
  // Every failure the API server itself sends carries a Status; anything else came from something in front of it.
  if (r.status >= 400 && r.status !== 401 && !statusOf(r.text)) return `${r.status} with ${quoteBody(r.text)}, not a Kubernetes Status`;
  return undefined;
}

const DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface AggregatedList {
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: { resource: string; responseKind?: { kind?: string }; scope?: string; singularResource?: string; shortNames?: string[]; verbs?: string[] }[];
    }[];
  }[];
}

interface LegacyResourceList {
  groupVersion: string;
  resources?: { name: string; kind: string; singularName?: string; namespaced: boolean; shortNames?: string[]; verbs?: string[] }[];
}

/** Resources from an aggregated discovery document (apidiscovery.k8s.io v2 / v2beta1). */
export function parseAggregatedDiscovery(doc: AggregatedList): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const g of doc.items ?? []) {
    for (const v of g.versions ?? []) {
      for (const r of v.resources ?? []) {
        out.push({
          kind: r.responseKind?.kind ?? '',
          plural: r.resource,
          singular: r.singularResource || (r.responseKind?.kind ?? '').toLowerCase(),
          group: g.metadata?.name ?? '',
          version: v.version,
          namespaced: r.scope === 'Namespaced',
          ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
          ...(r.verbs ? { verbs: r.verbs } : {}),
        });
      }
    }
  }
  return out;
}

/** Resources from a legacy `APIResourceList` (subresources such as `pods/log` left out). */
export function parseResourceList(doc: LegacyResourceList): ResourceInfo[] {
  const [group, version] = doc.groupVersion.includes('/') ? (doc.groupVersion.split('/') as [string, string]) : ['', doc.groupVersion];
  return (doc.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({
      kind: r.kind,
      plural: r.name,
      singular: r.singularName || r.kind.toLowerCase(),
      group,
      version,
      namespaced: r.namespaced,
      ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
      ...(r.verbs ? { verbs: r.verbs } : {}),
    }));
}


export interface RequestSpec {
  /** kubectl-style, for messages: `list pods in llm-engine`. Default: `GET <path>`. */
  what?: string;
  query?: Record<string, string | undefined>;
  accept?: string;
  /** What a 200 must hold; default JSON (logs are text). */
  expect?: 'json' | 'text';
}

export interface LiveKubeOptions {
  /** Aborts every request in flight (Ctrl-C); they then reject with CancelledError. */
  signal?: AbortSignal;
  /** The run's `--deadline`: requests in flight then reject with DeadlineError. */
  deadline?: Deadline;
  /** Per-request timeout (`--request-timeout`); default 15 s; 0: none. */
  timeoutMs?: number;
  /** Extra tries for 429/5xx, dropped connections and non-JSON answers; default 3 (a timeout is retried once). */
  retries?: number;
  /** Page size for lists; default 500 (as kubectl). */
  pageSize?: number;
  /** How long an exec credential plugin may take; default 60 s or the request timeout, when longer; 0: no limit. */
  execTimeoutMs?: number;
  /** Tries after a timeout; default 1 (`connect` uses 0: a server that does not answer at first contact is down). */
  timeoutRetries?: number;
}

/** The failure a request ends in when a stop signal fired: Ctrl-C, or the run's deadline. */
function stopped(signal: AbortSignal | undefined, deadline: Deadline | undefined): Error | undefined {
  if (signal?.aborted) return new CancelledError();
  if (deadline?.signal.aborted) return new DeadlineError(deadline.ms);
  return undefined;
}

/**
 * The kinds a cluster holds by the tens of thousands. Their items are kept without what no check reads and what
 * weighs most: `metadata.managedFields` (every writer's field set: often half a pod's JSON, more of a node's) and
 * kubectl's last-applied copy of the object. ServiceAccounts keep theirs (identity/* dates annotations by them).
 */
export const LEAN_KINDS: ReadonlySet<string> = new Set(['Pod', 'Event', 'Node', 'ReplicaSet']);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** An item of a {@link LEAN_KINDS} list as the port keeps it: without managedFields and the last-applied copy. */
export function leanItem(it: KubeObject): KubeObject {
  const md = it.metadata as KubeObject['metadata'] & { managedFields?: unknown };
  if (!md || (md.managedFields === undefined && md.annotations?.[LAST_APPLIED] === undefined)) return it;
  const { managedFields: _dropped, ...metadata } = md;
  if (metadata.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _applied, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  return { ...it, metadata };
}

/** `objects` in the API server's key order (namespace/name, byte order), each key made once. */
function byKey(objects: KubeObject[]): KubeObject[] {
  const keyed = objects.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o] as const);
  return keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
}

/**
 * `others` (in the API server's order: by namespace, then name) with each namespace's own list (in the server's order
 * too) put where that namespace falls; undefined when `others` is not in namespace order (the caller sorts then).
 */
export function spliceNamespaces(others: readonly KubeObject[], lists: readonly (readonly [string, readonly KubeObject[]])[]): KubeObject[] | undefined {
  const blocks = [...lists].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: KubeObject[] = [];
  const put = (items: readonly KubeObject[]) => {
    for (const o of items) out.push(o); // not push(...items): 100,000 arguments overflow the stack
  };
  let next = 0;
  let previous = '';
  for (const o of others) {
    const ns = o.metadata.namespace ?? '';
    if (ns < previous) return undefined;
    previous = ns;
    while (next < blocks.length && blocks[next]![0] < ns) put(blocks[next++]![1]);
    out.push(o);
  }
  while (next < blocks.length) put(blocks[next++]![1]);
  return out;
}

/** The memo key of a list. */
function listKey(info: ResourceInfo, ns: string | undefined, opts: ListOptions): string {
  return JSON.stringify([qualifiedName(info), ns ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? '', opts.project ?? '']);
}

/** Long log reads take at least this many lines (the most any check asks for), so each is read once per run. */
const LOG_TAIL_FLOOR = 2000;

/** Kinds of requests memoised for the run, each with its own map. */
type Memo<T> = Map<string, Promise<T>>;

/**
 * Remember a read for the run, failures included: a denial, or a failure the retries did not get past, is the
 * same answer for every check that asks (and costs no more requests). Cancellation and the deadline are not
 * answers, so they are not kept.
 */
function memoised<T>(memo: Memo<T>, key: string, read: () => Promise<T>): Promise<T> {
  let p = memo.get(key);
  if (!p) {
    p = read();
    memo.set(key, p);
    p.catch((e: unknown) => {
      if (e instanceof CancelledError || e instanceof DeadlineError) memo.delete(key);
    });
  }
  return p;
}

/** KubePort over the kubeconfig's current context. Discovery, lists, gets and logs are memoised for the run. */
export class LiveKube implements KubePort {
  requestCount = 0;
  readonly target: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly pageSize: number;
  private readonly execTimeoutMs: number;
  private readonly timeoutRetries: number;
  /** Reads in a row that got no answer at all, and the last reason (see {@link UNANSWERED_LIMIT}). */
  private unanswered = 0;
  private lastUnanswered: ApiError | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly deadline: Deadline | undefined;
  private readonly plugin: string | undefined;
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly lists: Memo<KubeObject[]> = new Map();
  private readonly gets: Memo<KubeObject | undefined> = new Map();
  private readonly logMemo: Memo<string | undefined> = new Map();
  private discovery: Promise<ResourceInfo[]> | undefined;
  private dispatcher: ReturnType<RequestContext['getDispatcher']>;
  /** Credentials are fetched one request at a time, so an exec plugin runs once and the rest use its cached answer. */
  private authQueue: Promise<unknown> = Promise.resolve();

  refresh(): void {
    this.lists.clear();
    this.gets.clear();
    this.logMemo.clear();
  }

  constructor(
    private readonly kc: KubeConfig,
    opts: LiveKubeOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.pageSize = opts.pageSize ?? PAGE_SIZE;
    this.execTimeoutMs = opts.execTimeoutMs ?? (this.timeoutMs === 0 ? 0 : Math.max(EXEC_PLUGIN_TIMEOUT_MS, this.timeoutMs));
    this.timeoutRetries = opts.timeoutRetries ?? TIMEOUT_RETRIES;
    this.signal = opts.signal;
    this.deadline = opts.deadline;
    this.plugin = execPluginOf(kc);
    if (this.plugin) guardExecPlugins(kc);
    const cluster = kc.getCurrentCluster();
    this.target = redactText(`${kc.getCurrentContext()}${cluster ? ` (${cluster.server})` : ''}`);
  }

  /** Release pooled connections (idle ones never hold the process open, so calling this is optional). */
  async close(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    await d?.close().catch(() => undefined);
  }

  private stopError(): Error | undefined {
    return stopped(this.signal, this.deadline);
  }

  /** Wait, unless Ctrl-C or the deadline comes first. */
  private async pause(ms: number): Promise<void> {
    const stops = [this.signal, this.deadline?.signal].filter((s): s is AbortSignal => !!s);
    await sleep(ms, stops.length ? AbortSignal.any(stops) : new AbortController().signal, () => this.stopError() ?? new CancelledError());
  }

  /**
   * Authenticate a request through client-node (tokens, client certificates, exec plugins). A plugin gets
   * {@link EXEC_PLUGIN_TIMEOUT_MS}; on timeout, Ctrl-C or the deadline it is killed with its children.
   */
  private async authenticate(ctx: RequestContext): Promise<void> {
    const failed = (detail: string) => new ApiError('credentials', `cannot get credentials for context "${this.kc.getCurrentContext()}"`, detail);
    const apply = () => this.kc.applySecurityAuthentication(ctx);
    const auth = this.plugin ? this.authQueue.then(apply) : apply();
    if (this.plugin) this.authQueue = auth.catch(() => undefined);
    const limits = [this.signal, this.deadline?.signal, ...(this.plugin && this.execTimeoutMs > 0 ? [AbortSignal.timeout(this.execTimeoutMs)] : [])].filter(
      (s): s is AbortSignal => !!s,
    );
    const limit = limits.length ? AbortSignal.any(limits) : undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const onLimit = () => {
          killExecPlugins();
          reject(this.stopError() ?? failed(`the exec plugin ${this.plugin} gave no credentials within ${formatMs(this.execTimeoutMs)}; it was stopped`));
        };
        if (limit?.aborted) return onLimit();
        limit?.addEventListener('abort', onLimit, { once: true });
        auth.then(
          () => {
            limit?.removeEventListener('abort', onLimit);
            resolve();
          },
          (e: unknown) => {
            limit?.removeEventListener('abort', onLimit);
            // client-node parses the plugin's stdout as JSON: nothing or anything else is a SyntaxError, whose text
            // (JavaScript's, quoting what was printed) says nothing useful and may quote a credential.
            if (e instanceof SyntaxError) {
              reject(this.stopError() ?? failed(`the exec plugin${this.plugin ? ` ${this.plugin}` : ''} did not print an ExecCredential (JSON with status.token) on stdout; run it by hand to see what it prints`));
              return;
            }
            // A plugin's stderr may hold what it was handed (a token, a password): only a redacted first line is shown.
            reject(this.stopError() ?? failed(redactText(firstLine(String((e as Error)?.message ?? e)) || 'the exec plugin failed with no message')));
          },
        );
      });
    } finally {
      auth.catch(() => undefined);
    }
  }

  /** One GET and its answer, through client-node's auth and fetch, with one retry policy for every read. */
  async request(path: string, spec: RequestSpec = {}): Promise<Resp> {
    const what = spec.what ?? `GET ${path}`;
    if (this.unanswered >= UNANSWERED_LIMIT && this.lastUnanswered) {
      throw new ApiError(this.lastUnanswered.failure, what, `not sent: the cluster left the last ${this.unanswered} reads unanswered (${this.lastUnanswered.detail})`);
    }
    try {
      const r = await this.send(path, what, spec);
      this.unanswered = 0;
      return r;
    } catch (e) {
      if (e instanceof ApiError && (e.failure === 'timeout' || e.failure === 'unreachable')) {
        this.unanswered++;
        this.lastUnanswered = e;
      }
      throw e;
    }
  }

  private async send(path: string, what: string, spec: RequestSpec): Promise<Resp> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new FatalError(`context "${this.kc.getCurrentContext()}" has no cluster`);
    const expect = spec.expect ?? 'json';
    // Plain concatenation keeps a server URL's own path prefix (Rancher: https://rancher/k8s/clusters/c-x).
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    let timeouts = 0;
    for (let attempt = 0; ; attempt++) {
      const stop = this.stopError();
      if (stop) throw stop;
      const tries = () => (attempt > 0 ? ` (after ${attempt + 1} tries)` : '');
      const ctx = new RequestContext(url.toString(), 'GET');
      ctx.setHeaderParam('Accept', spec.accept ?? 'application/json');
      ctx.setHeaderParam('User-Agent', 'model-engine-doctor');
      await this.authenticate(ctx);
      // client-node builds a new connection pool per request; keep the first so requests share connections.
      const fresh = ctx.getDispatcher();
      if (fresh && this.dispatcher && fresh !== this.dispatcher) {
        void fresh.close().catch(() => undefined);
        ctx.setDispatcher(this.dispatcher);
      } else if (fresh) this.dispatcher = fresh;
      const timeout = this.timeoutMs > 0 ? AbortSignal.timeout(this.timeoutMs) : undefined;
      const signals = [this.signal, this.deadline?.signal, timeout].filter((s): s is AbortSignal => !!s);
      if (signals.length) ctx.setSignal(AbortSignal.any(signals));
      this.requestCount++;
      let resp: Resp;
      try {
        const r = await this.http.send(ctx).toPromise();
        resp = { status: r.httpStatusCode, headers: r.headers, text: await r.body.text() };
      } catch (e) {
        const halt = this.stopError();
        if (halt) throw halt;
        if (timeout?.aborted) {
          if (timeouts++ < this.timeoutRetries && attempt < this.retries) continue;
          throw new ApiError('timeout', what, `no answer within ${formatMs(this.timeoutMs)}${tries()}`);
        }
        const reset = RESET_CODES.has(codeOf(e) ?? '');
        if (reset && attempt < this.retries) {
          await this.pause(retryDelayMs(attempt));
          continue;
        }
        throw new ApiError('unreachable', what, `${redactText(describeFetchError(e))}${tries()}`);
      }
      const odd = notKubernetes(resp, expect);
      if ((RETRY_STATUS.has(resp.status) || (odd && resp.status === 200)) && attempt < this.retries) {
        await this.pause(retryDelayMs(attempt, resp.headers['retry-after']));
        continue;
      }
      if (odd) throw new ApiError(RETRY_STATUS.has(resp.status) ? 'server' : 'not-kubernetes', what, `${odd}${tries()}`);
      if (RETRY_STATUS.has(resp.status)) throw new ApiError('server', what, `${resp.status} ${redactText(statusMessage(resp))}${tries()}`);
      if (resp.status === 401) throw new ApiError('credentials', what, `401 ${redactText(statusMessage(resp))}: the cluster rejected the credentials`);
      return resp;
    }
  }

  /** An answer no read expects (a 400 on a list, a 405…): the server's own message. */
  private unexpected(r: Resp, what: string): never {
    throw new ApiError('server', what, `${r.status} ${redactText(statusMessage(r))}`);
  }

  private collectionPath(info: ResourceInfo, namespace: string | undefined): string {
    const prefix = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${prefix}${ns}/${info.plural}`;
  }

  /** kubectl's spelling → resource: the built-in table first, then the cluster's discovery (for CRDs). */
  async resolve(resource: string): Promise<ResourceInfo | undefined> {
    const known = lookupResource(resource);
    if (known) return known;
    const served = await this.discover();
    const hit = lookupResource(resource, served);
    return hit && served.includes(hit) ? hit : undefined;
  }

  /** Everything the API server serves, memoised: aggregated discovery where offered, else the legacy walk. */
  discover(): Promise<ResourceInfo[]> {
    if (!this.discovery) {
      const p = this.fetchDiscovery();
      this.discovery = p;
      p.catch((e: unknown) => {
        if ((e instanceof CancelledError || e instanceof DeadlineError) && this.discovery === p) this.discovery = undefined;
      });
    }
    return this.discovery;
  }

  private async fetchDiscovery(): Promise<ResourceInfo[]> {
    const get = (path: string) => this.request(path, { what: `discovery (GET ${path})`, accept: DISCOVERY_ACCEPT });
    const [core, apis] = await Promise.all([get('/api'), get('/apis')]);
    const out: ResourceInfo[] = [];
    const legacy: string[] = [];
    for (const [r, isCore] of [[core, true], [apis, false]] as const) {
      const path = isCore ? '/api' : '/apis';
      if (r.status === 403) throw new ForbiddenError('get', path, undefined, redactText(statusMessage(r)));
      if (r.status !== 200) this.unexpected(r, `discovery (GET ${path})`);
      const body = bodyOf(r) as AggregatedList & {
        versions?: string[];
        groups?: { name: string; versions: { groupVersion: string }[]; preferredVersion?: { groupVersion: string } }[];
      };
      if (/as=APIGroupDiscoveryList/.test(r.headers['content-type'] ?? '')) out.push(...parseAggregatedDiscovery(body));
      else if (isCore) legacy.push(...(body.versions ?? []).map((v) => `/api/${v}`));
      else {
        for (const g of body.groups ?? []) {
          // Preferred version first, so name lookups land on it.
          const gvs = [g.preferredVersion?.groupVersion, ...g.versions.map((v) => v.groupVersion)].filter((x): x is string => !!x);
          legacy.push(...[...new Set(gvs)].map((gv) => `/apis/${gv}`));
        }
      }
    }
    const lists = await Promise.all(
      legacy.map(async (path) => {
        // A broken aggregated API (metrics-server down) answers 503 or not at all; kubectl skips it, and so do we.
        const r = await ifUnreadable(() => this.request(path, { what: `discovery (GET ${path})` }), () => undefined);
        return r?.status === 200 ? parseResourceList(bodyOf(r) as LegacyResourceList) : [];
      }),
    );
    for (const l of lists) out.push(...l);
    return out;
  }

  async list<T extends KubeObject = KubeObject>(resource: string, opts: ListOptions = {}): Promise<T[]> {
    const info = await this.resolve(resource);
    if (!info) return [];
    const ns = info.namespaced ? opts.namespace : undefined;
    const key = listKey(info, ns, opts);
    // Read once per run, shared read-only with every check (src/engine/frozen.ts): no per-check copy.
    return sharedList(await memoised(this.lists, key, () => this.derivedList(info, ns, opts) ?? this.splitList(info, ns, opts) ?? this.fetchList(info, ns, opts))) as T[];
  }

  /** Namespaces whose pods this run reads whole (see {@link readsWhole}). */
  private wholePods: readonly string[] = [];

  /**
   * Say that the run reads these namespaces' pods whole anyway (the control plane's and the endpoints': the checks
   * list both). A cluster-wide list of pods is then read as those lists plus one of the rest
   * (`metadata.namespace!=…`), so the endpoint namespace's 100,000 pods are read and parsed once, not twice.
   */
  readsWhole(resource: 'pods', namespaces: readonly string[]): void {
    if (resource === 'pods') this.wholePods = [...new Set(namespaces.filter(Boolean))].sort();
  }

  /**
   * A cluster-wide list of pods made of the namespaces read whole and one list of the other namespaces, in the API
   * server's order (by the key namespace/name). Undefined when it does not apply; when a part fails, the list is read
   * in one piece as before.
   */
  private splitList(info: ResourceInfo, ns: string | undefined, opts: ListOptions): Promise<KubeObject[]> | undefined {
    if (info.kind !== 'Pod' || ns !== undefined || this.wholePods.length === 0) return undefined;
    if (/metadata\.namespace/.test(opts.fieldSelector ?? '')) return undefined;
    const filter = this.localFilter(info, undefined, opts);
    if (!filter) return undefined;
    const focus = this.wholePods;
    const rest = { ...opts, fieldSelector: [opts.fieldSelector, ...focus.map((f) => `metadata.namespace!=${f}`)].filter(Boolean).join(',') };
    const read = async (): Promise<KubeObject[]> => {
      const [parts, others] = await Promise.all([Promise.all(focus.map((f) => memoised(this.lists, listKey(info, f, {}), () => this.fetchList(info, f, {})))), this.fetchList(info, undefined, rest)]);
      const mine = parts.map((items) => projectAll(items.filter(filter), opts.project));
      // The API server's key order (namespace/name, byte order): each namespace's list where that namespace falls
      // among the others, as the server would have listed them all.
      return spliceNamespaces(others, focus.map((f, i) => [f, mine[i]!] as const)) ?? byKey([...others, ...mine.flat()]);
    };
    return read().catch((e: unknown) => {
      if (e instanceof CancelledError || e instanceof DeadlineError) throw e;
      return this.fetchList(info, ns, opts);
    });
  }

  /** The selectors of `opts` applied here as the API server applies them; undefined for one only the server understands. */
  private localFilter(info: ResourceInfo, ns: string | undefined, opts: ListOptions): ((o: KubeObject) => boolean) | undefined {
    try {
      const labels = parseLabelSelector(opts.labelSelector);
      const fields = parseFieldSelector(opts.fieldSelector, info.kind);
      return (o) => (!ns || o.metadata.namespace === ns) && matchLabels(o.metadata.labels, labels) && matchFields(o, fields);
    } catch {
      return undefined;
    }
  }

  /**
   * A filtered or projected list answered from a broader one this run already read (or is reading): the whole
   * namespace, or the whole cluster, filtered here by the same selector rules the API server applies. Each object
   * is then fetched once per run however many selectors ask for it. Undefined when no broader list was asked for;
   * when the broader read fails (RBAC may allow a namespace and not the cluster), the list is read itself.
   */
  private derivedList(info: ResourceInfo, ns: string | undefined, opts: ListOptions): Promise<KubeObject[]> | undefined {
    if (!opts.labelSelector && !opts.fieldSelector && !opts.project) return undefined;
    const filter = this.localFilter(info, ns, opts);
    if (!filter) return undefined; // a selector only the API server understands (or refuses): ask it
    const broader = [listKey(info, ns, {}), ...(ns && info.namespaced ? [listKey(info, undefined, {})] : [])].map((k) => this.lists.get(k)).find((p) => p !== undefined);
    if (!broader) return undefined;
    return broader.then(
      (items) => projectAll(items.filter(filter), opts.project),
      () => this.fetchList(info, ns, opts),
    );
  }

  private async fetchList(info: ResourceInfo, ns: string | undefined, opts: ListOptions): Promise<KubeObject[]> {
    const path = this.collectionPath(info, ns);
    const what = `list ${qualifiedName(info)} ${ns ? `in ${ns}` : info.namespaced ? 'in all namespaces' : 'at cluster scope'}`;
    const items: KubeObject[] = [];
    // Repeated subtrees and strings held once (src/engine/intern.ts). The pool lives as long as this read: the
    // replicas of a list share; the lists of a run are disjoint (each object is read once), so a pool kept for the
    // whole run would only keep its own index (24 MB for 93,000 pods) alive.
    const pool = REPEATED_KINDS.has(info.kind) ? new Interner() : undefined;
    let cont: string | undefined;
    let paged = true;
    for (let page = 0; ; page++) {
      const r = await this.request(path, {
        what,
        query: { ...(paged ? { limit: String(this.pageSize) } : {}), continue: cont, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
      });
      if (r.status === 410 && cont) {
        // The continue token expired mid-list: start over in one unpaged request, as client-go's pager does.
        items.length = 0;
        cont = undefined;
        paged = false;
        continue;
      }
      if (r.status === 403) throw new ForbiddenError('list', qualifiedName(info), ns, redactText(statusMessage(r)));
      if (r.status === 404) return []; // the resource (a CRD) is not installed
      if (r.status !== 200) this.unexpected(r, what);
      const body = bodyOf(r) as { apiVersion?: string; items?: KubeObject[]; metadata?: { continue?: string } };
      // Built-in list items come without kind/apiVersion; fill them in as kubectl does when it prints.
      const apiVersion = body.apiVersion ?? apiVersionOf(info);
      const lean = LEAN_KINDS.has(info.kind);
      for (const it of Array.isArray(body.items) ? body.items : []) {
        const item = project({ apiVersion, kind: info.kind, ...(lean ? leanItem(it) : it) }, opts.project);
        items.push(pool ? pool.intern(item) : item);
      }
      const next = body.metadata?.continue || undefined;
      if (!next) return items;
      if (next === cont || page > 10_000) throw new ApiError('server', what, 'the server repeats its continue token');
      cont = next;
    }
  }

  async get<T extends KubeObject = KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> {
    const info = await this.resolve(resource);
    if (!info) return undefined;
    const ns = info.namespaced ? namespace : undefined;
    const key = JSON.stringify([qualifiedName(info), ns ?? '', name]);
    // An object of a list this run already read is not fetched again.
    const listed = this.lists.get(listKey(info, ns, {}));
    const hit = await memoised(this.gets, key, async () => {
      if (listed) {
        const items = await listed.catch(() => undefined);
        if (items) return items.find((o) => o.metadata.name === name);
      }
      const what = `get ${qualifiedName(info)} ${ns ? `${ns}/` : ''}${name}`;
      const r = await this.request(`${this.collectionPath(info, ns)}/${encodeURIComponent(name)}`, { what });
      if (r.status === 404) return undefined;
      if (r.status === 403) throw new ForbiddenError('get', qualifiedName(info), ns, redactText(statusMessage(r)));
      if (r.status !== 200) this.unexpected(r, what);
      return { apiVersion: apiVersionOf(info), kind: info.kind, ...(bodyOf(r) as KubeObject) };
    });
    return hit === undefined ? undefined : (deepFreeze(hit) as T);
  }

  async logs(namespace: string, pod: string, container: string, opts: LogOptions = {}): Promise<string | undefined> {
    // One read per container log and run: the long reads (control-plane logs, 200 lines and more) read at least
    // LOG_TAIL_FLOOR lines, and the shorter of them are cut from it; a short tail (a crash's last lines) is read as asked.
    const tail = opts.tailLines === undefined || opts.tailLines < 200 ? opts.tailLines : Math.max(opts.tailLines, LOG_TAIL_FLOOR);
    const text = await this.readLog(namespace, pod, container, { ...opts, ...(tail !== undefined ? { tailLines: tail } : {}) });
    return text === undefined || opts.tailLines === undefined || opts.tailLines >= (tail ?? 0) ? text : opts.tailLines === 0 ? '' : tailLines(text, opts.tailLines);
  }

  private readLog(namespace: string, pod: string, container: string, opts: LogOptions): Promise<string | undefined> {
    const key = JSON.stringify([namespace, pod, container, opts.tailLines ?? null, !!opts.previous]);
    return memoised(this.logMemo, key, async () => {
      const what = `logs of ${namespace}/${pod} -c ${container}${opts.previous ? ' --previous' : ''}`;
      const r = await this.request(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`, {
        what,
        accept: '*/*',
        expect: 'text',
        query: {
          container,
          ...(opts.tailLines !== undefined ? { tailLines: String(opts.tailLines) } : {}),
          ...(opts.previous ? { previous: 'true' } : {}),
        },
      });
      // 404: no such pod; 400: no such container, not started yet, or no previous instance.
      if (r.status === 404 || r.status === 400) return undefined;
      if (r.status === 403) throw new ForbiddenError('get', 'pods/log', namespace, redactText(statusMessage(r)));
      if (r.status !== 200) this.unexpected(r, what);
      return r.text;
    });
  }

  async hasResource(resource: string): Promise<boolean> {
    return hasServed(await this.discover(), resource);
  }
}

// ---------------------------------------------------------------------------------------------------
// connect

export interface ClusterInfo {
  server: string;
  context: string;
  /** The API server's gitVersion (`v1.29.3-eks-adc7111`), or `unknown`. */
  version: string;
  /** The cluster's clock (HTTP Date of /version), else local time. */
  now: Date;
}

export interface ConnectOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  deadline?: Deadline;
  retries?: number;
  execTimeoutMs?: number;
}

/** Whether a 200 from `/api` is the Kubernetes API's version list (legacy or aggregated discovery). */
function isApiVersions(r: Resp): boolean {
  if (r.status !== 200) return false;
  try {
    const body = bodyOf(r) as { kind?: string; versions?: unknown };
    return body.kind === 'APIVersions' || body.kind === 'APIGroupDiscoveryList' || Array.isArray(body.versions);
  } catch {
    return false;
  }
}

/**
 * Check the cluster answers as a Kubernetes API (GET /version, and /api when /version says nothing useful).
 * Unreachable, timed out, rejected credentials, or not a Kubernetes API are FatalErrors (exit 2) with one line.
 */
export async function connect(kc: KubeConfig, opts: ConnectOptions = {}): Promise<ClusterInfo> {
  const context = kc.getCurrentContext();
  const rawServer = kc.getCurrentCluster()?.server;
  if (!rawServer?.trim()) throw new FatalError(`context "${context}" has no cluster server`);
  if (!URL.canParse(rawServer.trim())) throw new FatalError(`context "${context}" has a cluster server that is not a URL: ${JSON.stringify(redactText(rawServer))}`);
  // kubectl speaks to an API server over https (or http); any other scheme (ftp://, unix://, file://) is bad input.
  const scheme = new URL(rawServer.trim()).protocol;
  if (scheme !== 'https:' && scheme !== 'http:') {
    throw new FatalError(`context "${context}" has a cluster server that is not an http(s) URL: ${JSON.stringify(redactText(rawServer))}`, EXIT.usage, 'a Kubernetes API server URL starts with https:// (or http://)');
  }
  // A server URL may carry a user and password (https://user:pass@host): never in a message.
  const server = redactText(rawServer);
  const kube = new LiveKube(kc, {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    timeoutRetries: 0,
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.execTimeoutMs !== undefined ? { execTimeoutMs: opts.execTimeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.deadline ? { deadline: opts.deadline } : {}),
  });
  const where = `(context "${context}")`;
  const fatal = (e: unknown): never => {
    if (!(e instanceof ApiError)) throw e;
    switch (e.failure) {
      case 'credentials':
        if (/^cannot get credentials/.test(e.what)) throw new FatalError(e.message, EXIT.usage);
        throw new FatalError(
          `the cluster at ${server} rejected the credentials: ${e.detail.replace(/: the cluster rejected the credentials$/, '')} ${where}`,
          EXIT.usage,
          'refresh them (aws eks update-kubeconfig, gcloud container clusters get-credentials, az aks get-credentials) and retry',
        );
      case 'timeout':
        throw new FatalError(`the cluster at ${server} did not answer: ${e.detail} ${where}`, EXIT.usage, 'a slow API server may need a longer --request-timeout');
      case 'unreachable':
        throw new FatalError(`cannot reach the cluster at ${server}: ${e.detail} ${where}`, EXIT.usage);
      case 'server':
        throw new FatalError(`the cluster at ${server} is not healthy: ${e.message} ${where}`, EXIT.usage);
      case 'not-kubernetes':
        throw new FatalError(`${server} does not look like a Kubernetes API server: ${e.message} ${where}`, EXIT.usage, 'check the server URL of the kubeconfig cluster, and any proxy in between');
    }
  };
  try {
    const r = await kube.request('/version').catch(fatal);
    let version: string | undefined;
    if (r.status === 200) {
      const body = bodyOf(r) as { gitVersion?: unknown };
      if (typeof body.gitVersion === 'string') version = body.gitVersion;
    }
    if (!version && r.status !== 403) {
      // Not the answer of a Kubernetes API (which may forbid /version, but always serves it): ask /api to be sure.
      const api = await kube.request('/api').catch(fatal);
      if (!isApiVersions(api)) {
        throw new FatalError(
          `${server} does not look like a Kubernetes API server: GET /version answered ${r.status} and GET /api ${api.status} without the API's version list ${where}`,
          EXIT.usage,
          'check the server URL of the kubeconfig cluster, and any proxy in between',
        );
      }
    }
    const date = Date.parse(r.headers['date'] ?? '');
    return { server, context, version: version ?? 'unknown', now: Number.isNaN(date) ? new Date() : new Date(date) };
  } finally {
    await kube.close();
  }
}
