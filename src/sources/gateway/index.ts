/**
 * The gateway port over HTTP: model-engine's REST API read with `fetch`, a per-request timeout, and HTTP basic auth
 * whose user is the API key (as the llm-engine client sends it). The key comes from `MODEL_ENGINE_API_KEY` (or the
 * URL's userinfo) and never appears in a message, a URL shown to people, or an error.
 */
import { hostAllowed, type NetworkPolicy } from '../net-policy.js';
import type { GatewayAnswer, GatewayEndpointRecord, GatewayPort } from '../../engine/ports/gateway.js';
import { ENDPOINT_ID } from '../../model-engine/naming.js';
import { abortError } from '../../engine/errors.js';

export interface GatewayOptions {
  /** `--gateway-url`, e.g. `http://model-engine.model-engine.svc.cluster.local` or a port-forward. */
  url: string;
  /** Basic-auth user (model-engine's API key / user id); empty: no Authorization header. */
  apiKey?: string;
  timeoutMs?: number;
  /** Where probes may connect (`--no-probes`, the demo's loopback-only runs); default all. */
  network?: NetworkPolicy;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export const DEFAULT_GATEWAY_TIMEOUT_MS = 10_000;

/** Split credentials off a URL: model-engine wants them as basic auth, and fetch refuses URLs that carry them. */
export function splitUrl(raw: string): { base: string; user?: string } {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new Error(`--gateway-url ${JSON.stringify(raw.replace(/\/\/[^@/]*@/, '//'))} is not a URL`);
  }
  const user = u.username ? decodeURIComponent(u.username) : undefined;
  u.username = '';
  u.password = '';
  return { base: u.toString().replace(/\/+$/, ''), ...(user ? { user } : {}) };
}

export function gatewayOptionsFromEnv(url: string, network: NetworkPolicy = 'all', env: NodeJS.ProcessEnv = process.env): GatewayOptions {
  const key = env.MODEL_ENGINE_API_KEY?.trim();
  return { url, network, ...(key ? { apiKey: key } : {}) };
}

function describe(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'no answer in time';
  const code = err?.cause?.code;
  return code ? `${code}${err.cause?.message ? ` (${err.cause.message})` : ''}` : (err?.message ?? String(e));
}

const firstLine = (s: string) => (s.split('\n')[0] ?? '').slice(0, 300);

export function createGatewayPort(opts: GatewayOptions): GatewayPort {
  const { base, user } = splitUrl(opts.url);
  const key = opts.apiKey ?? user;
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS;
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'model-engine-doctor' };
  if (key) headers.Authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

  const get = async (path: string, signal: AbortSignal): Promise<{ url: string; status?: number; body?: unknown; error?: string }> => {
    const url = `${base}${path}`;
    const allowed = hostAllowed(new URL(url).hostname, opts.network ?? 'all');
    if (!allowed.ok) return { url, error: allowed.reason };
    try {
      const r = await doFetch(url, { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
      const text = await r.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return { url, status: r.status, error: `answered ${r.status} with a body that is not JSON: ${firstLine(text)}` };
      }
      return { url, status: r.status, body };
    } catch (e) {
      if (signal.aborted) throw abortError(signal);
      return { url, error: describe(e) };
    }
  };

  const detailOf = (body: unknown): string => {
    const d = (body as { detail?: unknown } | undefined)?.detail;
    return typeof d === 'string' ? d : d !== undefined ? JSON.stringify(d) : '';
  };

  return {
    baseUrl: base,
    async endpoint(idOrName, signal): Promise<GatewayAnswer> {
      const byId = ENDPOINT_ID.test(idOrName);
      const r = await get(byId ? `/v1/model-endpoints/${encodeURIComponent(idOrName)}` : `/v1/model-endpoints?name=${encodeURIComponent(idOrName)}`, signal);
      if (r.error !== undefined) return { state: 'unavailable', url: r.url, detail: r.error, ...(r.status ? { httpStatus: r.status } : {}) };
      const status = r.status!;
      if (status === 404) return { state: 'not-found', url: r.url, detail: detailOf(r.body) || 'HTTP 404' };
      if (status === 401 || status === 403) {
        return {
          state: 'unavailable',
          url: r.url,
          httpStatus: status,
          detail: `HTTP ${status}${key ? ' (the API key in MODEL_ENGINE_API_KEY was refused)' : ' (set MODEL_ENGINE_API_KEY to the API key / user id)'}`,
        };
      }
      if (status !== 200) return { state: 'unavailable', url: r.url, httpStatus: status, detail: `HTTP ${status}${detailOf(r.body) ? `: ${detailOf(r.body)}` : ''}` };
      if (byId) {
        const rec = r.body as GatewayEndpointRecord | undefined;
        if (!rec || typeof rec.status !== 'string') return { state: 'unavailable', url: r.url, httpStatus: status, detail: 'the answer is not a model endpoint record' };
        return { state: 'found', record: rec, url: r.url };
      }
      const list = (r.body as { model_endpoints?: GatewayEndpointRecord[] } | undefined)?.model_endpoints;
      if (!Array.isArray(list)) return { state: 'unavailable', url: r.url, httpStatus: status, detail: 'the answer is not a list of model endpoints' };
      const hit = list.find((e) => e.name === idOrName);
      return hit ? { state: 'found', record: hit, url: r.url } : { state: 'not-found', url: r.url, detail: `no endpoint named ${idOrName} for this API key` };
    },
  };
}
