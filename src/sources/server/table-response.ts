/** `kubectl get`'s server-side printing (`Accept: …;as=Table;g=meta.k8s.io`), for lists, objects and watch events. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../engine/types.js';
import { present, printerColumns, type Route, type ServerContext } from './context.js';
import { toTable, type TableOptions } from './tables.js';

export const wantsTable = (accept: string) => /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);

export interface ListMetadata {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Rows are rendered this many objects at a time: a long list is streamed, never rendered whole. */
const ROWS_AT_ONCE = 500;

/** A Table of a resource's objects, streamed row by row (the same JSON `toTable` makes of them all at once). */
export function sendTable(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, r: Route, objects: Iterable<KubeObject>, metadata: ListMetadata): Promise<void> {
  const includeObject = url.searchParams.get('includeObject') ?? undefined;
  const cols = printerColumns(ctx, r.info);
  const opts: TableOptions = { now: ctx.now, metadata, ...(includeObject ? { includeObject } : {}), ...(cols ? { printerColumns: cols } : {}) };
  const { rows: _none, ...head } = toTable(r.info.group, r.info.kind, [], opts);
  function* rows(): Generator<unknown> {
    let chunk: KubeObject[] = [];
    const flush = () => toTable(r.info.group, r.info.kind, chunk, { ...opts, omitColumns: true }).rows;
    for (const o of objects) {
      chunk.push(present(o, r.info));
      if (chunk.length < ROWS_AT_ONCE) continue;
      yield* flush();
      chunk = [];
    }
    yield* flush();
  }
  return ctx.respond.stream(req, res, head, 'rows', rows());
}
