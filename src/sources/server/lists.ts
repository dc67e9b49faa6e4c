/**
 * Lists: namespace, label and field selectors, paging (`limit`/`continue`, `remainingItemCount`), as JSON or as a
 * Table. Pages are cut from the store's key-ordered index (no sort or scan of other namespaces per request) and
 * written item by item: a list of 100,000 pods is never one string.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../engine/types.js';
import { apiVersionOf, BUILTIN_GROUPS, type ResourceInfo } from '../kube/resources.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, SelectorError } from '../kube/selectors.js';
import { objectKey } from '../snapshot/query.js';
import { present, type Route, type ServerContext } from './context.js';
import { HttpError } from './status.js';
import { indexAfter, indexFrom } from './store.js';
import { sendTable, wantsTable, type ListMetadata } from './table-response.js';

// Continue tokens: opaque to clients, the last key served so far (the real server's etcd continue works alike).

function encodeContinue(rv: string, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: string; start: string } {
  try {
    const j = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: string; start?: string };
    if (j.v !== 'meta.k8s.io/v1' || typeof j.start !== 'string' || typeof j.rv !== 'string') throw new Error('bad');
    return { rv: j.rv, start: j.start };
  } catch {
    throw new HttpError(400, 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export interface Selection {
  labelSelector: string;
  fieldSelector: string;
  labels: ReturnType<typeof parseLabelSelector>;
  fields: ReturnType<typeof parseFieldSelector>;
}

/** A request's label and field selectors, parsed; a bad one is a 400 with the parser's sentence. */
export function selectors(url: URL, info: ResourceInfo): Selection {
  const labelSelector = url.searchParams.get('labelSelector') ?? '';
  const fieldSelector = url.searchParams.get('fieldSelector') ?? '';
  try {
    return { labelSelector, fieldSelector, labels: parseLabelSelector(labelSelector), fields: parseFieldSelector(fieldSelector, info.kind) };
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
    // The server says only this; kubectl itself prefixes `Unable to find "/v1, Resource=pods" that match …`.
    throw new HttpError(400, e.message);
  }
}

/** Whether an object is in a selection (namespace aside). */
export const selected = (sel: Selection, o: KubeObject) => matchLabels(o.metadata.labels, sel.labels) && matchFields(o, sel.fields);

/** The matching objects of `list[from, to)`, lazily. */
function* matching(list: readonly KubeObject[], from: number, to: number, keep: (o: KubeObject) => boolean): Generator<KubeObject> {
  for (let i = from; i < to; i++) if (keep(list[i]!)) yield list[i]!;
}

export function list(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, r: Route, accept: string): Promise<void> {
  const sel = selectors(url, r.info);
  const filtered = Boolean(sel.labelSelector || sel.fieldSelector);
  const keep = (o: KubeObject) => !filtered || selected(sel, o);
  const all = ctx.store.ofResource(r.info);
  // A namespace's objects are one run of the key order: `ns/…` sorts from `ns/` to just before `ns0`.
  const ns = r.info.namespaced ? r.namespace : undefined;
  let from = ns ? indexFrom(all, `${ns}/`) : 0;
  const to = ns ? indexFrom(all, `${ns}0`) : all.length;
  const cont = url.searchParams.get('continue');
  let listRv = ctx.store.resourceVersion;
  if (cont) {
    const c = decodeContinue(cont);
    listRv = c.rv;
    from = Math.max(from, indexAfter(all, c.start));
  }
  const metadata: ListMetadata = { resourceVersion: listRv };
  const limit = Number(url.searchParams.get('limit') ?? '0');
  let items: Iterable<KubeObject> = matching(all, from, to, keep);
  if (Number.isInteger(limit) && limit > 0) {
    const page: KubeObject[] = [];
    let i = from;
    for (; i < to && page.length <= limit; i++) if (keep(all[i]!)) page.push(all[i]!);
    if (page.length > limit) {
      page.pop();
      metadata.continue = encodeContinue(listRv, objectKey(page[page.length - 1]!));
      // Like the real server, the count is only known (and sent) when no selector filters the list.
      if (!filtered) metadata.remainingItemCount = to - i + 1;
    }
    items = page;
  }
  if (wantsTable(accept)) return sendTable(ctx, req, res, url, r, items, metadata);
  const builtin = BUILTIN_GROUPS.has(r.info.group);
  function* out(): Generator<unknown> {
    for (const o of items) {
      const p = present(o, r.info);
      if (!builtin) {
        yield p;
        continue;
      }
      const { kind: _k, apiVersion: _a, ...rest } = p;
      yield rest;
    }
  }
  return ctx.respond.stream(req, res, { kind: `${r.info.kind}List`, apiVersion: apiVersionOf(r.info), metadata }, 'items', out());
}
