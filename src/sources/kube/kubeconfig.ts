/**
 * The kubeconfig kubectl would use, with kubectl's overrides: `--kubeconfig`, else `KUBECONFIG` (a list merged as
 * kubectl merges it: missing and empty files are skipped, a malformed one is an error naming it), else
 * `~/.kube/config`, else the in-cluster service account; then `--context`, `--cluster`, `--user`, and impersonation
 * (`--as`, `--as-group`) sent as kubectl sends it: one `Impersonate-User` header and one `Impersonate-Group` header
 * line per group (the API server reads each line as one group; a comma-joined line would be one group named "a, b").
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { checkKubeconfig } from './kubeconfig-check.js';
import type { Context, RequestContext, User } from '@kubernetes/client-node';
import { KubeConfig } from './client-node.js';
import { parse } from 'yaml';
import { FatalError } from '../../engine/errors.js';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const firstLine = (s: string) => s.split('\n')[0]!.trim();

export interface LoadKubeConfigOptions {
  /** `--kubeconfig`; else `KUBECONFIG` (a list, merged as kubectl merges it), else `~/.kube/config`, else in-cluster. */
  kubeconfig?: string;
  /** `--context`; else the kubeconfig's current context. */
  context?: string;
  /** `--cluster`: the kubeconfig cluster to use instead of the context's. */
  cluster?: string;
  /** `--user`: the kubeconfig user to use instead of the context's. */
  user?: string;
  /** `--as`: the user to impersonate (overrides the kubeconfig user's `as`). */
  as?: string;
  /** `--as-group` (repeatable): groups to impersonate; needs `as`, as in kubectl. */
  asGroups?: string[];
  /** `-v`/`--v` as kubectl reads it: 6 and above log every API request (method, URL, status, time) to `log`. */
  verbosity?: number;
  log?: (line: string) => void;
}

/**
 * Nothing is configured: no kubeconfig file, or no context to use. `preflight` then runs offline; every other
 * command stops with this one line (exit 2). A malformed file or an unknown `--context` is a plain FatalError.
 */
export class NoKubeConfigError extends FatalError {
  override name = 'NoKubeConfigError';
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;
type Dispatch = Dispatcher['dispatch'];
type DispatchOptions = Parameters<Dispatch>[0];
type DispatchHandler = Parameters<Dispatch>[1];

/** Request headers as undici accepts them, normalised to a record whose arrays become one line per value. */
function headerRecord(headers: DispatchOptions['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (k: string, v: unknown) => {
    if (v === undefined || v === null) return;
    const key = k.toLowerCase();
    const prev = out[key];
    const next = Array.isArray(v) ? v.map(String) : String(v);
    out[key] = prev === undefined ? next : [...[prev].flat(), ...[next].flat()];
  };
  if (Array.isArray(headers)) {
    if (headers.every((h) => typeof h === 'string' || Buffer.isBuffer(h))) {
      for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), String(headers[i + 1]));
    } else for (const [k, v] of headers as unknown as [string, string][]) add(k, v);
  } else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string]>) add(k, v);
  } else if (headers) {
    for (const [k, v] of Object.entries(headers)) add(k, v);
  }
  return out;
}

/** Log a request as kubectl does at -v=6: `GET https://…/api/v1/pods?limit=500 200 OK in 12 milliseconds`. */
function loggingHandler(handler: DispatchHandler, line: (outcome: string) => void): DispatchHandler {
  const started = Date.now();
  const ms = () => `in ${Date.now() - started} milliseconds`;
  return new Proxy(handler, {
    get(target, key, receiver) {
      if (key === 'onResponseStart') {
        return (controller: unknown, status: number, headers: unknown, message?: string) => {
          line(`${status}${message ? ` ${message}` : ''} ${ms()}`);
          return (target.onResponseStart as ((...a: unknown[]) => void) | undefined)?.call(target, controller, status, headers, message);
        };
      }
      if (key === 'onResponseError') {
        return (controller: unknown, err: Error) => {
          line(`failed ${ms()}: ${firstLine(err.message)}`);
          return (target.onResponseError as ((...a: unknown[]) => void) | undefined)?.call(target, controller, err);
        };
      }
      const v = Reflect.get(target, key, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

interface Extras {
  groups: string[];
  verbosity: number;
  log?: (line: string) => void;
}

/** A KubeConfig whose requests carry the impersonated groups and, at -v=6, are logged. */
class DoctorKubeConfig extends KubeConfig {
  constructor(private readonly extras: Extras) {
    super();
  }

  private get intercepting(): boolean {
    return this.extras.groups.length > 0 || (this.extras.verbosity >= 6 && !!this.extras.log);
  }

  /** An interceptor needs a dispatcher to wrap: ask for an agent where client-node would use the global one. */
  override createDispatcherOptions(...args: Parameters<KubeConfig['createDispatcherOptions']>): ReturnType<KubeConfig['createDispatcherOptions']> {
    const opts = super.createDispatcherOptions(...args);
    return opts.type === 'none' && this.intercepting ? { type: 'agent', connect: { keepAlive: true, keepAliveInitialDelay: 30_000 } } : opts;
  }

  override async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(ctx);
    const dispatcher = ctx.getDispatcher();
    if (dispatcher && this.intercepting) ctx.setDispatcher(dispatcher.compose((dispatch: Dispatch) => this.intercept(dispatch)) as Dispatcher);
  }

  /** The WebSocket path (exec): node's http sends an array header value as one line per value. */
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    if (this.extras.groups.length) (opts as { headers?: Record<string, unknown> }).headers = { ...opts.headers, 'Impersonate-Group': [...this.extras.groups] };
  }

  private intercept(dispatch: Dispatch): Dispatch {
    return (opts, handler) => {
      let h = handler;
      if (this.extras.verbosity >= 6 && this.extras.log) {
        const log = this.extras.log;
        const url = `${String(opts.origin ?? '')}${opts.path}`;
        h = loggingHandler(handler, (outcome) => log(`${opts.method} ${url} ${outcome}`));
      }
      if (!this.extras.groups.length) return dispatch(opts, h);
      const headers = headerRecord(opts.headers);
      headers['impersonate-group'] = [...this.extras.groups];
      return dispatch({ ...opts, headers }, h);
    };
  }
}

/** A user's `as-groups`, which client-node does not read (kubectl sends them with the user's `as`). */
function asGroupsOf(text: string): Map<string, string[]> {
  const doc = parse(text) as { users?: { name?: string; user?: { 'as-groups'?: unknown } }[] } | null;
  const out = new Map<string, string[]>();
  for (const u of doc?.users ?? []) {
    const groups = u.user?.['as-groups'];
    if (u.name && Array.isArray(groups)) out.set(u.name, groups.map(String));
  }
  return out;
}

/** One kubeconfig file, or undefined when it is empty (kubectl reads an empty file as an empty config). */
function readFile(file: string): { kc: KubeConfig; asGroups: Map<string, string[]> } | undefined {
  try {
    if (statSync(file).isDirectory()) throw new Error('is a directory');
    const text = readFileSync(file, 'utf8');
    if (text.trim() === '') return undefined;
    // The shape first (one line naming a bad field, not a client-node TypeError), then client-node's own load,
    // which also resolves relative certificate paths against the file's folder.
    if (!checkKubeconfig(text, file)) return undefined;
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return { kc, asGroups: asGroupsOf(text) };
  } catch (e) {
    if (e instanceof FatalError) throw e;
    throw new FatalError(`cannot read kubeconfig ${file}: ${firstLine((e as Error).message)}`);
  }
}

interface Loaded {
  clusters: KubeConfig['clusters'];
  users: KubeConfig['users'];
  contexts: KubeConfig['contexts'];
  currentContext: string;
  source: string;
  /** Users' `as-groups`, by user name. */
  asGroups: Map<string, string[]>;
}

/** Merge kubeconfig files as kubectl does: the first file to define a name (or the current context) wins. */
function loadMerged(files: string[], source: string): Loaded {
  const out: Loaded = { clusters: [], users: [], contexts: [], currentContext: '', source, asGroups: new Map() };
  for (const file of files) {
    const read = readFile(file);
    if (!read) continue;
    const { kc } = read;
    for (const [user, groups] of read.asGroups) if (!out.asGroups.has(user)) out.asGroups.set(user, groups);
    for (const c of kc.clusters ?? []) if (!out.clusters.some((x) => x.name === c.name)) out.clusters.push(c);
    for (const u of kc.users ?? []) if (!out.users.some((x) => x.name === u.name)) out.users.push(u);
    for (const c of kc.contexts ?? []) if (!out.contexts.some((x) => x.name === c.name)) out.contexts.push(c);
    if (!out.currentContext && kc.currentContext) out.currentContext = kc.currentContext;
  }
  return out;
}

/** Where the configuration comes from, before any override. */
function loadSource(opts: LoadKubeConfigOptions): Loaded {
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new FatalError(`kubeconfig not found: ${opts.kubeconfig}`);
    return loadMerged([opts.kubeconfig], opts.kubeconfig);
  }
  if (process.env.KUBECONFIG) {
    const listed = process.env.KUBECONFIG.split(delimiter).filter(Boolean);
    const source = listed.join(delimiter);
    // kubectl skips KUBECONFIG entries that do not exist; none existing is an empty configuration.
    const files = listed.filter((f) => existsSync(f));
    if (files.length === 0) throw new NoKubeConfigError(`kubeconfig not found: no file in KUBECONFIG exists (${source})`);
    return loadMerged(files, source);
  }
  // HOME first, as kubectl and client-node look (os.homedir() ignores a HOME changed at run time).
  const home = join(process.env.HOME || process.env.USERPROFILE || homedir(), '.kube', 'config');
  if (existsSync(home)) return loadMerged([home], home);
  if (existsSync(IN_CLUSTER_TOKEN) && process.env.KUBERNETES_SERVICE_HOST) {
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return { clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext, source: 'in-cluster service account', asGroups: new Map() };
  }
  throw new NoKubeConfigError(`no kubeconfig found: pass --kubeconfig, set KUBECONFIG or create ${home}`);
}

/** The context to use, with `--cluster`/`--user` in place of its own (kubectl's overrides). */
function selectContext(loaded: Loaded, opts: LoadKubeConfigOptions): Context {
  const { source } = loaded;
  const names = loaded.contexts.map((c) => c.name);
  const list = names.length ? ` (contexts: ${names.join(', ')})` : ' (it defines no contexts)';
  const name = opts.context ?? loaded.currentContext;
  let ctx: Context | undefined;
  if (opts.context) {
    ctx = loaded.contexts.find((c) => c.name === opts.context);
    if (!ctx) throw new FatalError(`context "${opts.context}" not found in ${source}${list}`);
  } else if (name) {
    ctx = loaded.contexts.find((c) => c.name === name);
    if (!ctx && !opts.cluster) throw new FatalError(`current context "${name}" not found in ${source}${list}`);
  }
  if (!ctx && !opts.cluster) {
    if (names.length === 0 && loaded.clusters.length === 0) throw new NoKubeConfigError(`${source} defines no context or cluster`);
    throw new NoKubeConfigError(`${source} has no current context: pass --context${list}`);
  }
  // kubectl builds a context from --cluster (and --user) when the kubeconfig has none to use.
  const base: Context = ctx ?? { name: opts.cluster!, cluster: opts.cluster!, user: opts.user ?? '' };
  const chosen: Context = { ...base, ...(opts.cluster ? { cluster: opts.cluster } : {}), ...(opts.user ? { user: opts.user } : {}) };
  if (!loaded.clusters.some((c) => c.name === chosen.cluster)) {
    const clusters = loaded.clusters.map((c) => c.name).join(', ') || 'none';
    throw new FatalError(
      opts.cluster
        ? `cluster "${opts.cluster}" not found in ${source} (clusters: ${clusters})`
        : `context "${chosen.name}" names cluster "${chosen.cluster}", which ${source} does not define`,
    );
  }
  if (opts.user && !loaded.users.some((u) => u.name === opts.user)) {
    throw new FatalError(`user "${opts.user}" not found in ${source} (users: ${loaded.users.map((u) => u.name).join(', ') || 'none'})`);
  }
  return chosen;
}

/**
 * Load the kubeconfig kubectl would use. A missing `--kubeconfig`, a malformed file, an unknown context, cluster or
 * user is a FatalError (exit 2) with one line; nothing configured at all is a NoKubeConfigError (also exit 2).
 */
export function loadKubeConfig(opts: LoadKubeConfigOptions = {}): KubeConfig {
  if (opts.asGroups?.length && !opts.as) throw new FatalError('--as-group needs --as: impersonating groups needs a user to impersonate, as in kubectl');
  let loaded: Loaded;
  try {
    loaded = loadSource(opts);
  } catch (e) {
    if (e instanceof FatalError) throw e;
    throw new FatalError(`cannot read kubeconfig ${opts.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}: ${firstLine((e as Error).message)}`);
  }
  const ctx = selectContext(loaded, opts);
  // Flags win over the kubeconfig user's `as`/`as-groups`, as in kubectl; its groups go only with an impersonated user.
  const configUser = loaded.users.find((u) => u.name === ctx.user);
  const groups = opts.asGroups?.length ? opts.asGroups : (opts.as ?? configUser?.impersonateUser) ? (loaded.asGroups.get(ctx.user) ?? []) : [];
  // --as replaces the user's own `as`; the user object is copied so other contexts sharing it are left alone.
  const users: User[] = loaded.users.map((u) => (opts.as && u.name === ctx.user ? { ...u, impersonateUser: opts.as } : u));
  if (opts.as && !users.some((u) => u.name === ctx.user)) users.push({ name: ctx.user, impersonateUser: opts.as });
  const contexts = loaded.contexts.some((c) => c.name === ctx.name)
    ? loaded.contexts.map((c) => (c.name === ctx.name ? ctx : c))
    : [...loaded.contexts, ctx];
  const kc = new DoctorKubeConfig({ groups, verbosity: opts.verbosity ?? 0, ...(opts.log ? { log: opts.log } : {}) });
  kc.loadFromOptions({ clusters: loaded.clusters, users, contexts, currentContext: ctx.name });
  return kc;
}
