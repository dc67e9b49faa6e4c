/** GET of one object, as JSON or as a one-row Table. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { present, type Route, type ServerContext } from './context.js';
import { objectNotFound } from './status.js';
import { sendTable, wantsTable } from './table-response.js';

export function get(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, r: Route, accept: string): void | Promise<void> {
  const obj = ctx.store.find(r.info, r.namespace, r.name!);
  if (!obj) throw objectNotFound(r.info, r.name);
  if (wantsTable(accept)) return sendTable(ctx, req, res, url, r, [obj], { resourceVersion: ctx.store.resourceVersion });
  return ctx.respond.json(req, res, 200, present(obj, r.info));
}
