/**
 * A loopback HTTP server that plays back recorded AWS IAM/EKS, Azure ARM and GCP IAM responses
 * (`fixtures/cloud-identity/<scenario>/*.http`, raw HTTP responses). Clients reach a scenario with the endpoint
 * override `http://127.0.0.1:<port>/<scenario>`. Every request is kept for assertions; AWS requests have their
 * SigV4 signature recomputed with the same credentials and compared.
 */
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const TEST_AWS_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
export const TEST_ARM_TOKEN = 'test-arm-token';
export const TEST_GCP_TOKEN = 'test-gcp-token';

export interface RecordedRequest {
  scenario: string;
  method: string;
  /** The path after the scenario prefix, with the query. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The recording served, if any. */
  file?: string;
  /** For SigV4-signed requests: whether the signature matches a re-signature with the test credentials. */
  sigv4?: 'valid' | 'invalid';
}

/** Which recording answers a request (undefined: none). */
export function recordingFor(method: string, path: string, body: string): string | undefined {
  const url = new URL(path, 'http://x');
  const p = url.pathname;
  if (method === 'POST' && p === '/') {
    const form = new URLSearchParams(body);
    const action = form.get('Action');
    if (action === 'GetRole') return `iam-GetRole-${form.get('RoleName')}`;
    if (action === 'GetOpenIDConnectProvider') {
      const arn = form.get('OpenIDConnectProviderArn') ?? '';
      return `iam-GetOpenIDConnectProvider-${arn.replace(/^arn:[^:]+:iam::\d+:oidc-provider\//, '').replaceAll('/', '_')}`;
    }
    return undefined;
  }
  let m = /^\/clusters\/([^/]+)$/.exec(p);
  if (method === 'GET' && m) return `eks-DescribeCluster-${decodeURIComponent(m[1]!)}`;
  m = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities$/.exec(p);
  if (method === 'GET' && m) return url.searchParams.has('$skiptoken') ? 'arm-userAssignedIdentities-page2' : 'arm-userAssignedIdentities';
  m = /\/userAssignedIdentities\/([^/]+)\/federatedIdentityCredentials$/.exec(p);
  if (method === 'GET' && m) return `arm-federatedIdentityCredentials-${m[1]}`;
  if (method === 'GET' && /^\/subscriptions\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters$/.test(p)) return 'arm-managedClusters';
  m = /^\/v1\/projects\/-\/serviceAccounts\/([^/]+):getIamPolicy$/.exec(p);
  if (method === 'POST' && m) return `gcp-getIamPolicy-${decodeURIComponent(m[1]!)}`;
  return undefined;
}

/** Parse a raw HTTP response file. */
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

export interface RecordedCloud {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordedCloud(root: string): Promise<RecordedCloud> {
  const requests: RecordedRequest[] = [];
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const full = req.url ?? '/';
        const m = /^\/([^/?]+)(\/.*)?$/.exec(full);
        const scenario = m?.[1] ?? '';
        const path = m?.[2] ?? '/';
        const rec: RecordedRequest = { scenario, method: req.method ?? 'GET', path, headers: req.headers, body };
        requests.push(rec);
        if (req.headers.authorization?.startsWith('AWS4-HMAC-SHA256')) rec.sigv4 = await verifySigV4(req, full, body);
        const file = recordingFor(rec.method, path, body);
        let text: string | undefined;
        if (file) {
          try {
            text = await readFile(join(root, scenario, `${file}.http`), 'utf8');
            rec.file = file;
          } catch {
            text = undefined;
          }
        }
        if (!text) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`no recording for ${rec.method} ${scenario}${path}`);
          return;
        }
        const r = parseHttp(text);
        const out = r.body.replaceAll('{{base}}', `${base}/${scenario}`);
        const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !/^(content-length|date)$/i.test(k)));
        res.writeHead(r.status, { ...headers, 'content-length': Buffer.byteLength(out) }).end(out);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
