/**
 * A loopback HTTP server that plays back recorded cloud API answers (AWS IAM/STS/EKS, Azure ARM and Microsoft
 * Graph, GCP IAM and Resource Manager, Artifact Registry). Recordings live in `<root>/<scenario>/*.http`; clients
 * reach a scenario with the endpoint override `http://127.0.0.1:<port>/<scenario>`.
 *
 * Each recording names the API reference its shape follows and the one request it answers:
 *
 * ```
 * # _source: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
 * # any other comment
 * > POST /
 * > Action=GetRole&RoleName=llm-engine&Version=2010-05-08
 *
 * HTTP/1.1 200 OK
 * Content-Type: text/xml
 *
 * <GetRoleResponse …
 * ```
 *
 * A recording may also name request headers the API requires (IMDS's `Metadata: true`, the GCE metadata server's
 * `Metadata-Flavor: Google`, the `X-Amz-Target` of an AWS JSON 1.1 API): `> Name: value` lines after the request
 * line, ended by a bare `>` line, before the body (as in HTTP itself):
 *
 * ```
 * > POST /
 * > X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken
 * > Content-Type: application/x-amz-json-1.1
 * >
 * > {}
 * ```
 *
 * A request is answered only when method, path, query, the recorded headers AND body all match a recording (query
 * parameters and form fields in any order, JSON bodies by value, header names in any case, headers the recording
 * does not name ignored; a recorded value `{{*}}` stands for a field that must be present but changes on every
 * request, such as a client library's request id or telemetry); otherwise the server answers 501 and says which part
 * differed from the nearest recording — never a 404, which a client would read as "does not exist". Misses are kept in
 * `misses` so a test can insist there were none. AWS requests also have their SigV4 signature recomputed with the
 * test credentials and compared.
 */
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

export const TEST_AWS_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
export const TEST_ARM_TOKEN = 'test-arm-token';
export const TEST_GCP_TOKEN = 'test-gcp-token';

/** One recording: the request it answers and the raw response. */
export interface Recording {
  file: string;
  source: string;
  method: string;
  /** Path (with the scenario prefix removed) and query, as written in the recording. */
  target: string;
  /** Request headers the recording requires (lower-case names), `{{*}}` for any value. */
  headers: Record<string, string>;
  body: string;
  response: string;
}

export interface RecordedRequest {
  scenario: string;
  method: string;
  /** The path after the scenario prefix, with the query. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The recording that answered, if any (file name without `.http`). */
  file?: string;
  /** Why no recording answered: which part differed from the nearest one. */
  miss?: string;
  /** For SigV4-signed requests: whether the signature matches a re-signature with the test credentials. */
  sigv4?: 'valid' | 'invalid';
}

/** Parse a recording file; throws when it does not name its API reference or its request. */
export function parseRecording(file: string, text: string): Recording {
  const lines = text.split(/\r?\n/);
  let source = '';
  let i = 0;
  const request: string[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) {
      const m = /^#\s*_source:\s*(\S+)/.exec(line);
      if (m) source = m[1]!;
      continue;
    }
    if (line.startsWith('>')) {
      request.push(line.replace(/^> ?/, ''));
      continue;
    }
    if (line.trim() === '' && request.length > 0) {
      i++;
      break;
    }
    if (line.trim() !== '') throw new Error(request.length === 0 ? `${file}: a recording must name its request ("> METHOD /path?query") before the response` : `${file}: unexpected line before the response: ${line}`);
  }
  if (!source) throw new Error(`${file}: a recording must name the API reference it follows ("# _source: <url>")`);
  const [method, target] = (request[0] ?? '').split(/\s+/, 2);
  if (!method || !target) throw new Error(`${file}: a recording must name its request ("> METHOD /path?query")`);
  // Headers: the lines up to a bare `>` line, when there is one; without it every line after the request is body.
  const end = request.indexOf('', 1);
  const headers: Record<string, string> = {};
  for (const h of end > 0 ? request.slice(1, end) : []) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*?)\s*$/.exec(h);
    if (!m) throw new Error(`${file}: a request header line must read "> Name: value" (got "${h}")`);
    headers[m[1]!.toLowerCase()] = m[2]!;
  }
  const body = request.slice(end > 0 ? end + 1 : 1).join('\n');
  return { file, source, method, target, headers, body, response: lines.slice(i).join('\r\n') };
}

/** Decode a path for comparison, keeping `%2F` (an encoded slash inside one segment is not a separator). */
const normPath = (p: string) =>
  p
    .split(/%2F/i)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join('%2F');

const sortedPairs = (q: URLSearchParams) => [...q.entries()].sort((a, b) => (a[0] + '\0' + a[1] < b[0] + '\0' + b[1] ? -1 : 1));
/** A recorded value that matches any value of a field that must be present. */
const ANY = '{{*}}';

/** Whether recorded parameters (`{{*}}` for any value) and received ones are the same set. */
function samePairs(recorded: URLSearchParams, received: URLSearchParams): boolean {
  const a = sortedPairs(recorded);
  const b = sortedPairs(received);
  if (a.length !== b.length) return false;
  const want = new Map<string, string[]>();
  for (const [k, v] of a) want.set(k, [...(want.get(k) ?? []), v]);
  for (const [k, v] of b) {
    const vs = want.get(k);
    const i = vs ? (vs.includes(v) ? vs.indexOf(v) : vs.indexOf(ANY)) : -1;
    if (!vs || i < 0) return false;
    vs.splice(i, 1);
  }
  return true;
}
/** The first recorded header the request lacks or carries with another value, or undefined when all match. */
function headerDiff(recorded: Record<string, string>, received: Record<string, string | string[] | undefined>): string | undefined {
  for (const [name, want] of Object.entries(recorded)) {
    const raw = received[name];
    const got = raw === undefined ? undefined : Array.isArray(raw) ? raw.join(', ') : raw;
    if (got === undefined || (want !== ANY && got !== want)) return `${name} got ${got ?? '(none)'}, recorded ${want}`;
  }
  return undefined;
}
const showQuery = (q: URLSearchParams) => (q.size === 0 ? '(none)' : sortedPairs(q).map(([k, v]) => `${k}=${v}`).join('&'));

/** Whether two bodies say the same: form fields in any order, JSON by value, anything else byte for byte. */
export function sameBody(expected: string, actual: string): boolean {
  if (expected.trim() === '' || actual.trim() === '') return expected.trim() === actual.trim();
  try {
    return isDeepStrictEqual(JSON.parse(expected), JSON.parse(actual));
  } catch {
    /* not JSON */
  }
  if (/^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(expected.trim()) && /^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(actual.trim())) {
    return samePairs(new URLSearchParams(expected.trim()), new URLSearchParams(actual.trim()));
  }
  return expected === actual;
}

export type MatchResult = { ok: true; recording: Recording } | { ok: false; miss: string };

/**
 * The recording that answers a request, or which part of the request differed from the nearest recording
 * (method, path, query, a header the recording names, or body). Header names in `headers` are lower-case, as
 * node:http gives them.
 */
export function matchRecording(
  recordings: readonly Recording[],
  method: string,
  target: string,
  body: string,
  base = 'http://x',
  headers: Record<string, string | string[] | undefined> = {},
): MatchResult {
  const url = new URL(target, 'http://x');
  const want = `${method} ${url.pathname}${url.search}`;
  const parsed = recordings.map((r) => ({ r, url: new URL(r.target.replaceAll('{{base}}', base), 'http://x') }));
  const samePath = parsed.filter((p) => normPath(p.url.pathname) === normPath(url.pathname));
  if (samePath.length === 0) return { ok: false, miss: `${want}: no recording has path ${url.pathname}` };
  const sameMethod = samePath.filter((p) => p.r.method === method);
  if (sameMethod.length === 0) return { ok: false, miss: `${want}: method differed (recorded: ${[...new Set(samePath.map((p) => `${p.r.method} in ${p.r.file}`))].join(', ')})` };
  const sameQuery = sameMethod.filter((p) => samePairs(p.url.searchParams, url.searchParams));
  if (sameQuery.length === 0) {
    return { ok: false, miss: `${want}: query differed: got ${showQuery(url.searchParams)}, recorded ${sameMethod.map((p) => `${showQuery(p.url.searchParams)} (${p.r.file})`).join(' / ')}` };
  }
  const sameHeaders = sameQuery.filter((p) => headerDiff(p.r.headers, headers) === undefined);
  if (sameHeaders.length === 0) {
    return { ok: false, miss: `${want}: header differed: ${sameQuery.map((p) => `${headerDiff(p.r.headers, headers)} (${p.r.file})`).join(' / ')}` };
  }
  const hit = sameHeaders.find((p) => sameBody(p.r.body, body));
  if (!hit) {
    const show = (s: string) => (s.trim() === '' ? '(empty)' : s.length > 300 ? `${s.slice(0, 300)}…` : s);
    return { ok: false, miss: `${want}: body differed: got ${show(body)}, recorded ${sameHeaders.map((p) => `${show(p.r.body)} (${p.r.file})`).join(' / ')}` };
  }
  return { ok: true, recording: hit.r };
}

/** Parse a raw HTTP response. */
export function parseHttp(text: string): { status: number; headers: Record<string, string>; body: string } {
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0]!)?.[1] ?? 500);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: text.slice(split + 4) };
}

/** Recompute the SigV4 signature of a received request and compare it with the one it carries. */
async function verifySigV4(req: IncomingMessage, fullPath: string, body: string): Promise<'valid' | 'invalid'> {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(auth);
  const amzDate = req.headers['x-amz-date'];
  if (!m || typeof amzDate !== 'string' || m[1] !== TEST_AWS_CREDENTIALS.accessKeyId) return 'invalid';
  const [, , , region, service, signedHeaders, signature] = m;
  const url = new URL(fullPath, 'http://x');
  const headers: Record<string, string> = {};
  for (const h of signedHeaders!.split(';')) headers[h] = String(req.headers[h] ?? '');
  const request = new HttpRequest({
    method: req.method!,
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    ...(body ? { body } : {}),
  });
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const signer = new SignatureV4({ credentials: TEST_AWS_CREDENTIALS, region: region!, service: service!, sha256: Sha256 });
  const signed = await signer.sign(request, { signingDate });
  const again = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1];
  return again === signature ? 'valid' : 'invalid';
}

/** Every recording of a scenario folder. */
export async function loadScenario(dir: string): Promise<Recording[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.http')).sort();
  return Promise.all(files.map(async (f) => parseRecording(f.replace(/\.http$/, ''), await readFile(join(dir, f), 'utf8'))));
}

export interface RecordedCloud {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`) */
  url: string;
  requests: RecordedRequest[];
  /** Requests no recording answered, with the reason (which part differed). */
  misses: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Start the server on loopback. With `tls` (PEM certificate and key, e.g. from a test CA) it speaks HTTPS, for
 * clients that insist on it (MSAL accepts only an https authority). With `scenario`, that one folder is served at
 * `/` with no prefix, for clients whose endpoint override takes a host and port only (google-gax's `apiEndpoint`).
 */
export async function startRecordedCloud(root: string, opts: { tls?: { cert: string; key: string }; scenario?: string } = {}): Promise<RecordedCloud> {
  const requests: RecordedRequest[] = [];
  const scenarios = new Map<string, Promise<Recording[]>>();
  let base = '';
  const handler: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const full = req.url ?? '/';
        const m = /^\/([^/?]+)(\/[^?]*)?(\?.*)?$/.exec(full);
        const scenario = opts.scenario ?? m?.[1] ?? '';
        const path = opts.scenario !== undefined ? full : `${m?.[2] ?? '/'}${m?.[3] ?? ''}`;
        const rec: RecordedRequest = { scenario, method: req.method ?? 'GET', path, headers: req.headers, body };
        requests.push(rec);
        if (req.headers.authorization?.startsWith('AWS4-HMAC-SHA256')) rec.sigv4 = await verifySigV4(req, full, body);
        let recordings = scenarios.get(scenario);
        if (!recordings) scenarios.set(scenario, (recordings = loadScenario(join(root, scenario))));
        let match: MatchResult;
        try {
          match = matchRecording(await recordings, rec.method, path, body, opts.scenario !== undefined ? base : `${base}/${scenario}`, req.headers);
        } catch (e) {
          match = { ok: false, miss: `scenario ${scenario}: ${(e as Error).message}` };
        }
        if (!match.ok) {
          rec.miss = match.miss;
          res.writeHead(501, { 'content-type': 'text/plain' }).end(`no recording in ${scenario} answers ${match.miss}`);
          return;
        }
        rec.file = match.recording.file;
        const r = parseHttp(match.recording.response);
        const out = r.body.replaceAll('{{base}}', opts.scenario !== undefined ? base : `${base}/${scenario}`);
        const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !/^(content-length|date|transfer-encoding)$/i.test(k)));
        res.writeHead(r.status, { ...headers, 'content-length': Buffer.byteLength(out) }).end(out);
      })();
    });
  };
  const server = opts.tls ? createHttpsServer(opts.tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    get misses() {
      return requests.filter((r) => r.miss !== undefined);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
