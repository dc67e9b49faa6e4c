/**
 * A small HTTPS client for registry probes. node:https (not fetch) so each registry can get its own CA bundle
 * (`/etc/docker/certs.d/<host>/ca.crt`, as docker does), redirects can drop credentials when they leave the
 * registry's origin (ECR and GAR redirect blob reads to storage), and TLS/network failures keep their codes.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** The final URL after redirects. */
  url: string;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Extra CA certificates (PEM) trusted for this request, on top of the system's. */
  ca?: readonly string[];
  /** Connect to this address instead of the URL's host (TLS still verifies the URL's host name). */
  connectTo?: { host: string; port: number };
  maxBodyBytes?: number;
  maxRedirects?: number;
}

/** A transport failure (no HTTP answer): DNS, refused, timeout, TLS. */
export class NetworkError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly tls: boolean,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH|ALTNAME/;

export function isTlsCode(code: string): boolean {
  return TLS_CODES.test(code);
}

function once(req: HttpRequest, url: URL): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    if (req.signal.aborted) {
      reject(new NetworkError('ABORTED', 'aborted', false));
      return;
    }
    const isHttps = url.protocol === 'https:';
    const lib = isHttps ? https : http;
    const options: https.RequestOptions = {
      method: req.method,
      host: req.connectTo?.host ?? url.hostname,
      port: req.connectTo?.port ?? (url.port ? Number(url.port) : isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: { 'user-agent': 'model-engine-doctor', ...req.headers, host: url.host },
      ...(isHttps ? { ...(isIP(url.hostname) ? {} : { servername: url.hostname }), ...(req.ca?.length ? { ca: [...rootCertificates, ...req.ca] } : {}) } : {}),
      agent: false,
    };
    const r = lib.request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const max = req.maxBodyBytes ?? 4 * 1024 * 1024;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= max) chunks.push(c);
      });
      res.on('end', () => {
        cleanup();
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), url: url.toString() });
      });
      res.on('error', (e) => {
        cleanup();
        reject(toNetworkError(e));
      });
    });
    const timer = setTimeout(() => r.destroy(new NetworkError('ETIMEDOUT', `no answer within ${req.timeoutMs} ms`, false)), req.timeoutMs);
    const onAbort = () => r.destroy(new NetworkError('ABORTED', 'aborted', false));
    req.signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
    };
    r.on('error', (e) => {
      cleanup();
      reject(toNetworkError(e));
    });
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

function toNetworkError(e: unknown): NetworkError {
  if (e instanceof NetworkError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? 'ERROR';
  return new NetworkError(code, err.message ?? String(e), isTlsCode(code) || /certificate|ssl|tls/i.test(err.message ?? ''));
}

/** One request, following redirects (credentials are dropped when a redirect leaves the origin). */
export async function request(req: HttpRequest): Promise<HttpResponse> {
  let url = new URL(req.url);
  const origin = url.origin;
  let headers = { ...req.headers };
  for (let i = 0; i <= (req.maxRedirects ?? 5); i++) {
    const { connectTo, ...rest } = req;
    // An address override belongs to the registry's own origin, never to where it redirects (blob storage).
    const res = await once({ ...rest, headers, ...(connectTo && url.origin === origin ? { connectTo } : {}) }, url);
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
    url = new URL(location, url);
    if (url.origin !== origin) {
      const { authorization: _drop, ...rest } = headers;
      headers = rest;
    }
  }
  throw new NetworkError('TOO_MANY_REDIRECTS', 'too many redirects', false);
}
