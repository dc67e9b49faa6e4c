/**
 * KubePort over a real cluster. Authentication, TLS, proxies and exec credential plugins (aws eks get-token,
 * gke-gcloud-auth-plugin, kubelogin) stay in @kubernetes/client-node's hands: every request is a client-node
 * `RequestContext` passed through `KubeConfig.applySecurityAuthentication` and sent by its own fetch library.
 * We add what checks need on top: paging, selectors, per-run memoisation, timeouts and kubectl-style names.
 */
import { IsomorphicFetchHttpLibrary, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { CancelledError, EXIT, FatalError, ForbiddenError } from '../../engine/errors.js';
import type { KubeObject, KubePort, ListOptions, LogOptions } from '../../engine/types.js';
import { loadKubeconfigFile } from './kubeconfig-check.js';
import { apiVersionOf, hasServed, lookupResource, qualifiedName, type ResourceInfo } from './resources.js';

export const DEFAULT_TIMEOUT_MS = 15_000;
const PAGE_SIZE = 500;

const firstLine = (s: string) => s.split('\n')[0]!.trim();

// ---------------------------------------------------------------------------------------------------
// kubeconfig: loading, merging, overrides and impersonation live in ./kubeconfig.ts

export { loadKubeConfig, NoKubeConfigError, type LoadKubeConfigOptions } from './kubeconfig.js';

// ---------------------------------------------------------------------------------------------------
// Requests

interface Resp {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The credentials could not be obtained (an exec plugin failed, a token file is missing…). */
class CredentialError extends Error {}

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

/** Failures worth one more try: the server shed load, or a kept-alive connection was closed under us. */
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED']);

function statusMessage(r: Resp): string {
  try {
    const s = JSON.parse(r.text) as { kind?: string; message?: string; reason?: string };
    if (s.kind === 'Status' && s.message) return s.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return firstLine(r.text).slice(0, 300) || `HTTP ${r.status}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

export interface LiveKubeOptions {
  /** Aborts every request in flight (Ctrl-C); they then reject with CancelledError. */
  signal?: AbortSignal;
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
  /** Extra tries for 429/5xx and dropped connections on these read-only GETs; default 2. */
  retries?: number;
  /** Page size for lists; default 500 (as kubectl). */
  pageSize?: number;
}

/** KubePort over the kubeconfig's current context. Lists, logs and discovery are memoised for the run. */
export class LiveKube implements KubePort {
  requestCount = 0;
  readonly target: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly pageSize: number;
  private readonly signal: AbortSignal | undefined;
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly lists = new Map<string, Promise<KubeObject[]>>();
  private readonly logMemo = new Map<string, Promise<string | undefined>>();
  private discovery: Promise<ResourceInfo[]> | undefined;
  private dispatcher: ReturnType<RequestContext['getDispatcher']>;

  refresh(): void {
    this.lists.clear();
    this.logMemo.clear();
  }

  constructor(
    private readonly kc: KubeConfig,
    opts: LiveKubeOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = opts.retries ?? 2;
    this.pageSize = opts.pageSize ?? PAGE_SIZE;
    this.signal = opts.signal;
    const cluster = kc.getCurrentCluster();
    this.target = `${kc.getCurrentContext()}${cluster ? ` (${cluster.server})` : ''}`;
  }

  /** Release pooled connections (idle ones never hold the process open, so calling this is optional). */
  async close(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    await d?.close().catch(() => undefined);
  }

  /** One GET through client-node's auth and fetch, with timeout and retries. */
  async request(path: string, query: Record<string, string | undefined> = {}, accept = 'application/json'): Promise<Resp> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new FatalError(`context "${this.kc.getCurrentContext()}" has no cluster`);
    // Plain concatenation keeps a server URL's own path prefix (Rancher: https://rancher/k8s/clusters/c-x).
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    for (let attempt = 0; ; attempt++) {
      if (this.signal?.aborted) throw new CancelledError();
      const ctx = new RequestContext(url.toString(), 'GET');
      ctx.setHeaderParam('Accept', accept);
      ctx.setHeaderParam('User-Agent', 'model-engine-doctor');
      try {
        await this.kc.applySecurityAuthentication(ctx);
      } catch (e) {
        throw new CredentialError(`cannot get credentials for context "${this.kc.getCurrentContext()}": ${firstLine((e as Error).message)}`);
      }
      // client-node builds a new connection pool per request; keep the first so requests share connections.
      const fresh = ctx.getDispatcher();
      if (fresh && this.dispatcher && fresh !== this.dispatcher) {
        void fresh.close().catch(() => undefined);
        ctx.setDispatcher(this.dispatcher);
      } else if (fresh) this.dispatcher = fresh;
      const timeout = AbortSignal.timeout(this.timeoutMs);
      ctx.setSignal(this.signal ? AbortSignal.any([this.signal, timeout]) : timeout);
      this.requestCount++;
      let resp: Resp;
      try {
        const r = await this.http.send(ctx).toPromise();
        resp = { status: r.httpStatusCode, headers: r.headers, text: await r.body.text() };
      } catch (e) {
        if (this.signal?.aborted) throw new CancelledError();
        if (timeout.aborted) throw new Error(`GET ${url.pathname}: no answer within ${this.timeoutMs} ms`);
        if (attempt < this.retries && RETRY_CODES.has(codeOf(e) ?? '')) {
          await sleep(100 * 2 ** attempt);
          continue;
        }
        throw new Error(`GET ${url.pathname}: ${describeFetchError(e)}`, { cause: e });
      }
      if (RETRY_STATUS.has(resp.status) && attempt < this.retries) {
        const after = Number(resp.headers['retry-after']);
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 5) * 1000 : 200 * 2 ** attempt);
        continue;
      }
      return resp;
    }
  }

  private fail(r: Resp, what: string): never {
    throw new Error(`${what}: ${r.status} ${statusMessage(r)}`);
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
      p.catch(() => {
        if (this.discovery === p) this.discovery = undefined;
      });
    }
    return this.discovery;
  }

  private async fetchDiscovery(): Promise<ResourceInfo[]> {
    const [core, apis] = await Promise.all([this.request('/api', {}, DISCOVERY_ACCEPT), this.request('/apis', {}, DISCOVERY_ACCEPT)]);
    const out: ResourceInfo[] = [];
    const legacy: string[] = [];
    for (const [r, isCore] of [[core, true], [apis, false]] as const) {
      if (r.status === 403) throw new ForbiddenError('get', isCore ? '/api' : '/apis', undefined, statusMessage(r));
      if (r.status !== 200) this.fail(r, `GET ${isCore ? '/api' : '/apis'}`);
      const body = JSON.parse(r.text) as AggregatedList & {
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
        const r = await this.request(path);
        // A broken aggregated API (metrics-server down) answers 503; kubectl skips it, and so do we.
        return r.status === 200 ? parseResourceList(JSON.parse(r.text) as LegacyResourceList) : [];
      }),
    );
    for (const l of lists) out.push(...l);
    return out;
  }

  async list<T extends KubeObject = KubeObject>(resource: string, opts: ListOptions = {}): Promise<T[]> {
    const info = await this.resolve(resource);
    if (!info) return [];
    const ns = info.namespaced ? opts.namespace : undefined;
    const key = JSON.stringify([qualifiedName(info), ns ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? '']);
    let p = this.lists.get(key);
    if (!p) {
      p = this.fetchList(info, ns, opts);
      this.lists.set(key, p);
      // Forget failures (a later call may succeed) except RBAC denials, which hold for the whole run.
      p.catch((e: unknown) => {
        if (!(e instanceof ForbiddenError)) this.lists.delete(key);
      });
    }
    return structuredClone(await p) as T[];
  }

  private async fetchList(info: ResourceInfo, ns: string | undefined, opts: ListOptions): Promise<KubeObject[]> {
    const path = this.collectionPath(info, ns);
    const items: KubeObject[] = [];
    let cont: string | undefined;
    let paged = true;
    for (let page = 0; ; page++) {
      const r = await this.request(path, {
        ...(paged ? { limit: String(this.pageSize) } : {}),
        continue: cont,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      });
      if (r.status === 410 && cont) {
        // The continue token expired mid-list: start over in one unpaged request, as client-go's pager does.
        items.length = 0;
        cont = undefined;
        paged = false;
        continue;
      }
      if (r.status === 403) throw new ForbiddenError('list', qualifiedName(info), ns, statusMessage(r));
      if (r.status === 404) return []; // the resource (a CRD) is not installed
      if (r.status !== 200) this.fail(r, `list ${qualifiedName(info)}${ns ? ` in ${ns}` : ''}`);
      const body = JSON.parse(r.text) as { apiVersion?: string; items?: KubeObject[]; metadata?: { continue?: string } };
      // Built-in list items come without kind/apiVersion; fill them in as kubectl does when it prints.
      const apiVersion = body.apiVersion ?? apiVersionOf(info);
      for (const it of body.items ?? []) items.push({ apiVersion, kind: info.kind, ...it });
      const next = body.metadata?.continue || undefined;
      if (!next) return items;
      if (next === cont || page > 10_000) throw new Error(`list ${qualifiedName(info)}: the server repeats its continue token`);
      cont = next;
    }
  }

  async get<T extends KubeObject = KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> {
    const info = await this.resolve(resource);
    if (!info) return undefined;
    const ns = info.namespaced ? namespace : undefined;
    const r = await this.request(`${this.collectionPath(info, ns)}/${encodeURIComponent(name)}`);
    if (r.status === 404) return undefined;
    if (r.status === 403) throw new ForbiddenError('get', qualifiedName(info), ns, statusMessage(r));
    if (r.status !== 200) this.fail(r, `get ${qualifiedName(info)} ${ns ? `${ns}/` : ''}${name}`);
    return { apiVersion: apiVersionOf(info), kind: info.kind, ...(JSON.parse(r.text) as KubeObject) } as T;
  }

  async logs(namespace: string, pod: string, container: string, opts: LogOptions = {}): Promise<string | undefined> {
    const key = JSON.stringify([namespace, pod, container, opts.tailLines ?? null, !!opts.previous]);
    let p = this.logMemo.get(key);
    if (!p) {
      p = (async () => {
        const r = await this.request(
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
          {
            container,
            ...(opts.tailLines !== undefined ? { tailLines: String(opts.tailLines) } : {}),
            ...(opts.previous ? { previous: 'true' } : {}),
          },
          '*/*',
        );
        // 404: no such pod; 400: no such container, not started yet, or no previous instance.
        if (r.status === 404 || r.status === 400) return undefined;
        if (r.status === 403) throw new ForbiddenError('get', 'pods/log', namespace, statusMessage(r));
        if (r.status !== 200) this.fail(r, `logs ${namespace}/${pod} -c ${container}`);
        return r.text;
      })();
      this.logMemo.set(key, p);
      p.catch((e: unknown) => {
        if (!(e instanceof ForbiddenError)) this.logMemo.delete(key);
      });
    }
    return p;
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

/** Check the cluster answers (GET /version). Unreachable, TLS failures and 401 are FatalErrors (exit 2), one line. */
export async function connect(kc: KubeConfig, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ClusterInfo> {
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new FatalError(`context "${context}" has no cluster server`);
  const kube = new LiveKube(kc, { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, retries: 0, ...(opts.signal ? { signal: opts.signal } : {}) });
  let r: Resp;
  try {
    r = await kube.request('/version');
  } catch (e) {
    if (e instanceof CancelledError) throw e;
    if (e instanceof CredentialError) throw new FatalError(e.message, EXIT.usage);
    const detail = (e as Error).message.replace(/^GET \/version: /, '');
    throw new FatalError(`cannot reach the cluster at ${server}: ${detail} (context "${context}")`, EXIT.usage);
  } finally {
    await kube.close();
  }
  if (r.status === 401) {
    throw new FatalError(
      `the cluster at ${server} rejected the credentials: 401 ${statusMessage(r)} (context "${context}")`,
      EXIT.usage,
      'refresh them (aws eks update-kubeconfig, gcloud container clusters get-credentials, az aks get-credentials) and retry',
    );
  }
  if (r.status >= 500) {
    throw new FatalError(`the cluster at ${server} is not healthy: /version answered ${r.status} ${statusMessage(r)} (context "${context}")`, EXIT.usage);
  }
  let version = 'unknown';
  if (r.status === 200) {
    try {
      version = (JSON.parse(r.text) as { gitVersion?: string }).gitVersion ?? 'unknown';
    } catch {
      throw new FatalError(`${server} does not look like a Kubernetes API server: /version is not JSON (context "${context}")`, EXIT.usage);
    }
  }
  const date = Date.parse(r.headers['date'] ?? '');
  return { server, context, version, now: Number.isNaN(date) ? new Date() : new Date(date) };
}
