/**
 * Answers and the request log. A list is streamed: its envelope, then each item serialised on its own and written
 * in batches that wait for the socket to drain, so a list of 100,000 pods never becomes one string in memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { statusObject, type StatusDetails } from './status.js';

export interface RequestLogEntry {
  method: string;
  /** The request path with its query string. */
  path: string;
  /** What was answered; 0 when the connection was dropped without an answer (a `reset` or `stall` fault). */
  status: number;
  /** True when an injected fault answered instead of the snapshot. */
  fault?: boolean;
  /** With `recordHeaders`: the header lines as sent (a repeated header stays separate lines; `Authorization` masked). */
  headers?: [string, string][];
}

const NO_CACHE = 'no-cache, private';
/** Bytes gathered before a write: large enough that chunk framing costs nothing, small enough to stay flat. */
const BATCH_BYTES = 64 * 1024;

/** Write a chunk; when the socket's buffer is full, wait until it drains (or the client goes away). */
export function writeChunk(res: ServerResponse, chunk: string): Promise<void> | undefined {
  if (res.write(chunk)) return undefined;
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export class Responder {
  readonly requestLog: RequestLogEntry[] = [];
  private readonly faulted = new WeakSet<IncomingMessage>();

  constructor(private readonly recordHeaders: boolean) {}

  /** Mark a request as answered by an injected fault (its log entry says so). */
  markFaulted(req: IncomingMessage): void {
    this.faulted.add(req);
  }

  log(req: IncomingMessage, status: number): void {
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: req.url ?? '/', status, ...(this.faulted.has(req) ? { fault: true } : {}) };
    if (this.recordHeaders) {
      entry.headers = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        entry.headers.push([name, name.toLowerCase() === 'authorization' ? 'REDACTED' : req.rawHeaders[i + 1]!]);
      }
    }
    this.requestLog.push(entry);
  }

  json(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
    this.log(req, status);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': NO_CACHE, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  status(req: IncomingMessage, res: ServerResponse, code: number, message: string, details?: StatusDetails, reason?: string): void {
    this.json(req, res, code, statusObject(code, message, details, reason));
  }

  text(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
    this.log(req, status);
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Cache-Control': NO_CACHE, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  /**
   * `head` with an array field `field` whose elements are `items`, streamed (chunked): the same JSON as
   * `json(…, {...head, [field]: [...items]})`, without ever holding the whole text (or the whole array).
   */
  async stream(req: IncomingMessage, res: ServerResponse, head: Record<string, unknown>, field: string, items: Iterable<unknown>): Promise<void> {
    this.log(req, 200);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': NO_CACHE });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const open = JSON.stringify(head);
    let batch = `${open.length > 2 ? `${open.slice(0, -1)},` : '{'}${JSON.stringify(field)}:[`;
    let first = true;
    for (const item of items) {
      batch += first ? JSON.stringify(item) : `,${JSON.stringify(item)}`;
      first = false;
      if (batch.length < BATCH_BYTES) continue;
      const wait = writeChunk(res, batch);
      batch = '';
      if (wait) await wait;
      if (res.destroyed) return;
    }
    res.end(`${batch}]}`);
  }
}
