/**
 * Watches: a chunked stream of `{type, object}` lines. With no resourceVersion (or "0") a watch starts with the
 * current state as ADDED events (written with backpressure; changes meanwhile wait their turn), then every write
 * to the store reaches the watchers whose selection it enters, changes in or leaves.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../engine/types.js';
import { parseFieldSelector, parseLabelSelector } from '../kube/selectors.js';
import type { ResourceInfo } from '../kube/resources.js';
import { present, printerColumns, type Route, type ServerContext } from './context.js';
import { selected, selectors } from './lists.js';
import { writeChunk } from './respond.js';
import { sameResource } from './store.js';
import { toTable } from './tables.js';
import { wantsTable } from './table-response.js';

interface Watcher {
  info: ResourceInfo;
  namespace: string | undefined;
  labelSelector: string;
  fieldSelector: string;
  labels: ReturnType<typeof parseLabelSelector>;
  fields: ReturnType<typeof parseFieldSelector>;
  res: ServerResponse;
  table: boolean;
  includeObject: string | undefined;
  sentColumns: boolean;
  /** Events that happened while the initial state was still being written. */
  backlog?: string[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

function watchMatches(w: Watcher, o: KubeObject): boolean {
  if (!sameResource(o, w.info)) return false;
  if (w.namespace && o.metadata.namespace !== w.namespace) return false;
  return selected(w, o);
}

export class Watchers {
  private readonly open = new Set<Watcher>();

  constructor(private readonly ctx: () => ServerContext) {}

  private event(w: Watcher, type: string, obj: KubeObject): string {
    const ctx = this.ctx();
    let object: unknown = present(obj, w.info);
    if (w.table) {
      const cols = printerColumns(ctx, w.info);
      object = toTable(w.info.group, w.info.kind, [present(obj, w.info)], {
        now: ctx.now,
        omitColumns: w.sentColumns,
        metadata: { resourceVersion: obj.metadata.resourceVersion ?? ctx.store.resourceVersion },
        ...(w.includeObject ? { includeObject: w.includeObject } : {}),
        ...(cols ? { printerColumns: cols } : {}),
      });
      w.sentColumns = true;
    }
    return `${JSON.stringify({ type, object })}\n`;
  }

  async watch(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, accept: string): Promise<void> {
    const sel = selectors(url, r.info);
    const w: Watcher = {
      info: r.info,
      namespace: r.info.namespaced ? r.namespace : undefined,
      ...sel,
      res,
      table: wantsTable(accept),
      includeObject: url.searchParams.get('includeObject') ?? undefined,
      sentColumns: false,
    };
    this.ctx().respond.log(req, 200);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    this.open.add(w);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const done = () => {
      this.open.delete(w);
      if (timer) clearTimeout(timer);
    };
    res.on('close', done);
    req.on('close', done);
    const fromRv = url.searchParams.get('resourceVersion');
    if (!fromRv || fromRv === '0') {
      // Like the real server: with no (or "0") resourceVersion a watch starts with the current state as ADDED events.
      w.backlog = [];
      const initial = this.ctx().store.objects().filter((o) => watchMatches(w, o));
      for (const o of initial) {
        if (res.destroyed || res.writableEnded) return;
        const wait = writeChunk(res, this.event(w, 'ADDED', o));
        if (wait) await wait;
      }
      const backlog = w.backlog;
      delete w.backlog;
      if (!res.destroyed && !res.writableEnded) for (const line of backlog) res.write(line);
    }
  }

  /** A write happened: tell each watcher whose selection it concerns. */
  emit(type: WatchEventType, obj: KubeObject, old?: KubeObject): void {
    for (const w of this.open) {
      const after = watchMatches(w, obj);
      const before = old ? watchMatches(w, old) : false;
      // A change that moves an object into or out of a watcher's selection is an ADDED or DELETED to that watcher.
      const t = type === 'MODIFIED' ? (after && before ? 'MODIFIED' : after ? 'ADDED' : before ? 'DELETED' : undefined) : after ? type : undefined;
      if (!t) continue;
      const line = this.event(w, t, obj);
      if (w.backlog) w.backlog.push(line);
      else w.res.write(line);
    }
  }

  closeAll(): void {
    for (const w of this.open) w.res.end();
    this.open.clear();
  }
}
