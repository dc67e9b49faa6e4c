/**
 * Faults and RBAC denials for the snapshot API server, and the grammar `serve --fault` / `serve --deny` take, so
 * users can rehearse a flaky API server or a narrow ClusterRole against a snapshot (docs/faults.md).
 *
 *   --fault KIND[:PATH[:COUNT[:ARG]]]
 *     KIND   an HTTP status 400-599 (429, 500, 503 …) | reset | stall | nonjson | 404-all
 *     PATH   a glob over the request path, query left out: `*` within one segment, `**` across segments;
 *            empty or omitted: every path
 *     COUNT  how many matching requests get the fault, after which the path behaves; `*` or omitted: all of them
 *     ARG    429/503: the Retry-After seconds sent; stall: how long to hold the request before serving it
 *            (a duration; omitted: until the client gives up)
 *   `404-all` stands alone: every request (`/version` too) gets a plain-text `404 page not found`, as from a web
 *   server that is not a Kubernetes API.
 *
 *   --deny VERB:RESOURCE[:NAMESPACE]   (as kubectl spells resources: deploy, deployments, deployments.apps, pods/log)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDuration } from '../../engine/duration.js';
import type { Denial } from '../kube/snapshot-kube.js';
import { lookupResource, qualifiedName, type ResourceInfo } from '../kube/resources.js';
import type { Snapshot } from '../snapshot/load.js';
import { servedResources } from '../snapshot/query.js';
import { sleep } from '../sleep.js';

/** Make matching requests fail or stall, for tests of retries, timeouts and error handling. */
export interface Fault {
  /** `path` is a glob (see the grammar above); `pathPrefix` a plain prefix of the path with its query. */
  match: { method?: string; pathPrefix?: string; path?: string };
  /** Answer with this status (a `Status` body) instead of serving the request. */
  status?: number;
  /** Sent as `Retry-After` (seconds) with `status`. */
  retryAfter?: number;
  /** Wait this long first (then answer with `status`, or serve the request normally). */
  delayMs?: number;
  /**
   * `reset`: close the connection without an answer. `stall`: hold the request (for `delayMs`, else until the
   * client gives up). `nonjson`: answer 200 with an HTML page. `not-kubernetes`: `404 page not found` as text.
   */
  action?: 'reset' | 'stall' | 'nonjson' | 'not-kubernetes';
  /** How many matching requests it applies to; unlimited when omitted. */
  times?: number;
}

export class SpecError extends Error {}

/** `**` → any run of characters, `*` → any within one path segment; anchored. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += /[.+?^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}

const KINDS = 'an HTTP status 400-599 (429, 500, 503 …), reset, stall, nonjson or 404-all';

/** Parse one `--fault` spec; a SpecError names what is wrong and what is accepted. */
export function parseFaultSpec(spec: string): Fault {
  const bad = (why: string) => new SpecError(`bad --fault "${spec}": ${why}; expected KIND[:PATH[:COUNT[:ARG]]] with KIND ${KINDS} (docs/faults.md)`);
  const [kind = '', path = '', count = '', arg, ...extra] = spec.split(':');
  if (extra.length) throw bad('too many fields');
  if (kind === '404-all') {
    if (spec !== '404-all') throw bad('404-all takes no path, count or argument');
    return { match: {}, action: 'not-kubernetes' };
  }
  const fault: Fault = { match: {} };
  if (path && path !== '**') {
    if (!path.startsWith('/') && !path.startsWith('*')) throw bad(`the path "${path}" must start with / (e.g. /api/v1/namespaces/*/pods)`);
    fault.match.path = path;
  }
  if (count && count !== '*') {
    if (!/^\d+$/.test(count) || Number(count) === 0) throw bad(`the count "${count}" must be a positive whole number (or * for every request)`);
    fault.times = Number(count);
  }
  if (/^\d{3}$/.test(kind)) {
    const status = Number(kind);
    if (status < 400 || status > 599) throw bad(`status ${status} is not an error (400-599)`);
    fault.status = status;
    if (arg !== undefined) {
      if (status !== 429 && status !== 503) throw bad('only 429 and 503 take an argument (the Retry-After seconds)');
      if (!/^\d+$/.test(arg)) throw bad(`the Retry-After "${arg}" must be whole seconds`);
      fault.retryAfter = Number(arg);
    }
    return fault;
  }
  switch (kind) {
    case 'reset':
    case 'nonjson':
      if (arg !== undefined) throw bad(`${kind} takes no argument`);
      fault.action = kind;
      return fault;
    case 'stall':
      fault.action = 'stall';
      if (arg !== undefined) {
        try {
          fault.delayMs = parseDuration(arg);
        } catch (e) {
          throw bad((e as Error).message);
        }
      }
      return fault;
    default:
      throw bad(`unknown kind "${kind}"`);
  }
}

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', '*'] as const;
const SUBRESOURCES: Record<string, readonly string[]> = { log: ['get'], exec: ['create'], status: ['get', 'update', 'patch'] };
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Parse one `--deny` spec against what the server serves, and refuse one that would deny nothing: an unknown
 * verb or resource, a namespace the snapshot does not hold, a namespace on a cluster-scoped resource.
 * The resource comes back as the server checks it (`deploy` → `deployments.apps`).
 */
export function parseDenySpec(spec: string, served: readonly ResourceInfo[], namespaces: readonly string[]): Denial {
  const bad = (why: string) => new SpecError(`bad --deny "${spec}": ${why}`);
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) throw bad('expected VERB:RESOURCE[:NAMESPACE], e.g. list:deployments.apps or get:pods/log:llm-engine');
  const [verb, resource, namespace] = parts as [string, string, string | undefined];
  if (!(VERBS as readonly string[]).includes(verb)) throw bad(`unknown verb "${verb}" (one of ${VERBS.join(', ')})`);
  let qualified = '*';
  let info: ResourceInfo | undefined;
  if (resource !== '*') {
    const [base, sub, ...rest] = resource.split('/');
    info = lookupResource(base!, served);
    if (!info || !served.includes(info) || rest.length) {
      throw bad(`unknown resource "${resource}": this snapshot serves ${served.map(qualifiedName).sort().slice(0, 8).join(', ')}, …`);
    }
    qualified = qualifiedName(info);
    if (sub !== undefined) {
      const verbs = SUBRESOURCES[sub];
      if (!verbs || info.plural !== 'pods' || info.group !== '') throw bad(`unknown subresource "${resource}" (pods/log, pods/exec, pods/status)`);
      if (verb !== '*' && !verbs.includes(verb)) throw bad(`${qualified}/${sub} is only ever asked with ${verbs.join(' or ')}, so "${verb}" denies nothing`);
      qualified = `${qualified}/${sub}`;
    }
  }
  if (namespace !== undefined) {
    if (!DNS_LABEL.test(namespace)) throw bad(`"${namespace}" is not a namespace name`);
    if (info && !info.namespaced) throw bad(`${qualified} is cluster-scoped, so a namespace denies nothing (leave it out)`);
    if (!namespaces.includes(namespace)) throw bad(`the snapshot has no namespace "${namespace}" (it has ${namespaces.join(', ')}), so this denies nothing`);
  }
  return { verb: verb as Denial['verb'], resource: qualified, ...(namespace ? { namespace } : {}) };
}

/** `--deny` specs checked against what a server over `snapshot` serves and the namespaces it holds. */
export function parseDenySpecs(specs: readonly string[], snapshot: Snapshot): Denial[] {
  const served = servedResources(snapshot);
  const namespaces = [...new Set(snapshot.objects.flatMap((o) => [o.metadata.namespace, o.kind === 'Namespace' ? o.metadata.name : undefined]).filter((n): n is string => !!n))].sort();
  return specs.map((spec) => parseDenySpec(spec, served, namespaces));
}

// ---------------------------------------------------------------------------------------------------
// Applying faults (called once per request by the server)

export interface FaultState {
  fault: Fault;
  left: number;
  pattern?: RegExp;
}

export const armFaults = (faults: readonly Fault[]): FaultState[] =>
  faults.map((fault) => ({ fault, left: fault.times ?? Infinity, ...(fault.match.path ? { pattern: globToRegExp(fault.match.path) } : {}) }));

const NOT_JSON_PAGE = '<html><head><title>502 Bad Gateway</title></head><body><h1>upstream connect error or disconnect/reset before headers</h1></body></html>\n';

/** What the server should do after a fault was applied: answer with a status, serve normally, or nothing more. */
export type FaultOutcome = { status: number; retryAfter?: number } | 'serve' | 'handled';

/**
 * Apply the first fault that matches this request (and still has uses left). `closing` aborts when the server
 * shuts down; `log` records what was answered (0: no answer at all).
 */
export async function applyFault(
  states: FaultState[],
  req: IncomingMessage,
  res: ServerResponse,
  closing: AbortSignal,
  log: (status: number) => void,
): Promise<FaultOutcome> {
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = req.url ?? '/';
  const path = raw.split('?')[0]!;
  const s = states.find(
    (x) =>
      x.left > 0 &&
      (!x.fault.match.method || x.fault.match.method.toUpperCase() === method) &&
      (!x.fault.match.pathPrefix || raw.startsWith(x.fault.match.pathPrefix)) &&
      (!x.pattern || x.pattern.test(path)),
  );
  if (!s) return 'serve';
  s.left--;
  const f = s.fault;
  if (f.action === 'stall' && f.delayMs === undefined) {
    // Hold until the client gives up (or the server stops), then drop the connection: there is no answer.
    await new Promise<void>((resolve) => {
      if (closing.aborted || req.destroyed) return resolve();
      closing.addEventListener('abort', () => resolve(), { once: true });
      res.on('close', () => resolve());
    });
    log(0);
    res.destroy();
    return 'handled';
  }
  if (f.delayMs) await sleep(f.delayMs, closing, () => new Error('server closing'));
  switch (f.action) {
    case 'reset':
      log(0);
      req.socket.destroy();
      return 'handled';
    case 'nonjson':
      log(200);
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(NOT_JSON_PAGE) });
      res.end(NOT_JSON_PAGE);
      return 'handled';
    case 'not-kubernetes':
      log(404);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('404 page not found\n');
      return 'handled';
    case 'stall':
    case undefined:
      return f.status ? { status: f.status, ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}) } : 'serve';
  }
}
