/**
 * The router: faults first (as a proxy in front of the server would inject them), health, authentication,
 * `/version`, then the path resolved to discovery or a resource route and the method to its handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { checkDenied, type Route, type ServerContext } from './context.js';
import { discovery, type DiscoveryOptions } from './discovery.js';
import { applyFault, type FaultState } from './faults.js';
import { get } from './get.js';
import { list } from './lists.js';
import { podLog } from './logs.js';
import { HttpError, methodNotAllowed, notFound } from './status.js';
import { create, remove, update } from './writes.js';

export interface RouterOptions extends DiscoveryOptions {
  token: string | undefined;
  faults: FaultState[];
  version: unknown;
  dateHeader: string;
  /** Aborted when the server closes: a stalled fault stops waiting. */
  closing: AbortSignal;
}

/** `['api', 'v1', 'namespaces', 'x', 'pods', 'p', 'log']` → its route; `'discovery'` for group/version documents. */
export function resolveRoute(served: ServerContext['served'], segs: string[]): Route | 'discovery' | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length < 2) return 'discovery';
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else {
    if (segs.length < 3) return 'discovery';
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  }
  if (rest.length === 0) return 'discovery';
  const find = (plural: string) => served.find((r) => r.group === group && r.version === version && r.plural === plural);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = find(rest[2]!);
    if (info?.namespaced && rest.length <= 5) {
      return { group, version, info, namespace: rest[1]!, ...(rest[3] ? { name: rest[3] } : {}), ...(rest[4] ? { sub: rest[4] } : {}) };
    }
  }
  const info = find(rest[0]!);
  if (!info || rest.length > 3) return undefined;
  return { group, version, info, ...(rest[1] ? { name: rest[1] } : {}), ...(rest[2] ? { sub: rest[2] } : {}) };
}

/** GET/HEAD of a route: an object, its log, a list or a watch. */
function read(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, route: Route, accept: string): void | Promise<void> {
  const { info, namespace, name, sub } = route;
  if (name) {
    checkDenied(ctx, 'get', info, namespace, name, sub === 'log' ? 'log' : undefined);
    return sub === 'log' ? podLog(ctx, req, res, url, route) : get(ctx, req, res, url, route, accept);
  }
  const watching = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
  checkDenied(ctx, watching ? 'watch' : 'list', info, namespace);
  return watching ? ctx.watchers.watch(req, res, url, route, accept) : list(ctx, req, res, url, route, accept);
}

/** A resource route by method. */
function dispatch(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, route: Route, accept: string): void | Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const { info, namespace, name, sub } = route;
  if (sub && !(sub === 'status' || (sub === 'log' && info.group === '' && info.plural === 'pods'))) throw notFound();
  const isWrite = method !== 'GET' && method !== 'HEAD';
  if (isWrite && !ctx.writable) throw methodNotAllowed();
  switch (method) {
    case 'GET':
    case 'HEAD':
      return read(ctx, req, res, url, route, accept);
    case 'POST':
      if (name) throw methodNotAllowed();
      checkDenied(ctx, 'create', info, namespace);
      return create(ctx, req, res, url, route);
    case 'PUT':
    case 'PATCH':
      if (!name) throw methodNotAllowed();
      checkDenied(ctx, method === 'PUT' ? 'update' : 'patch', info, namespace, name);
      return update(ctx, req, res, route, method);
    case 'DELETE':
      if (!name) throw methodNotAllowed();
      checkDenied(ctx, 'delete', info, namespace, name);
      return remove(ctx, req, res, route);
    default:
      throw methodNotAllowed();
  }
}

async function serve(ctx: ServerContext, o: RouterOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('Date', o.dateHeader);
  res.setHeader('Audit-Id', randomUUID());
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://snapshot.invalid');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const accept = String(req.headers.accept ?? '');

  const fault = await applyFault(o.faults, req, res, o.closing, (status) => {
    ctx.respond.markFaulted(req);
    ctx.respond.log(req, status);
  });
  if (fault === 'handled') return;
  if (fault !== 'serve') {
    ctx.respond.markFaulted(req);
    if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
    throw new HttpError(fault.status, `injected fault: ${fault.status} for ${method} ${path}`);
  }
  if (['/healthz', '/livez', '/readyz'].includes(path)) return ctx.respond.text(req, res, 200, 'ok');
  if (o.token && req.headers.authorization !== `Bearer ${o.token}`) throw new HttpError(401, 'Unauthorized');

  if (path === '/version') return ctx.respond.json(req, res, 200, o.version);
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (segs[0] !== 'api' && segs[0] !== 'apis') throw notFound();
  const route = resolveRoute(ctx.served, segs);
  if (route === undefined) throw notFound();
  if (route === 'discovery') {
    if (method !== 'GET') throw methodNotAllowed();
    return discovery(ctx, o, req, res, segs, accept);
  }
  return dispatch(ctx, req, res, url, route, accept);
}

/** The request listener: every error becomes a Status (or, once the answer has begun, the end of it). */
export function router(ctx: ServerContext, o: RouterOptions) {
  return (req: IncomingMessage, res: ServerResponse) => {
    serve(ctx, o, req, res).catch((e: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.end();
        return;
      }
      if (e instanceof HttpError) ctx.respond.status(req, res, e.code, e.message, e.details, e.reason);
      else if (o.closing.aborted) res.destroy();
      else ctx.respond.status(req, res, 500, `internal error: ${(e as Error).message ?? String(e)}`);
    });
  };
}
