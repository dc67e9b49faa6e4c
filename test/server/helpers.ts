import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolve } from 'node:path';
import { loadSnapshot, type Snapshot } from '../../src/sources/snapshot/load.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const FIXTURE = resolve(REPO, 'fixtures/clusters/server-basic');

export const loadFixture = (): Promise<Snapshot> => loadSnapshot(FIXTURE);

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** A raw HTTP(S) request, to see exactly what the server sends (status, headers, body). */
export function raw(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: unknown; ca?: string } = {},
): Promise<RawResponse> {
  const url = new URL(path, base);
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = send(
      url,
      {
        method: opts.method ?? 'GET',
        headers: { ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...opts.headers },
        ...(opts.ca ? { ca: opts.ca } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

export const PODS = {
  gateway1: 'model-engine-5b8c7d9f4-2xkqp',
  gateway2: 'model-engine-5b8c7d9f4-7mzrt',
  builder: 'model-engine-endpoint-builder-6f9b8c7d5-q4wnv',
  crashing: 'launch-endpoint-id-end-cp3ihvs2v2qg00aaaa0g-7d4f8b9c6-x8k2p',
  pending: 'launch-endpoint-id-end-cp3ihvs2v2qg00aaaa0g-7d4f8b9c6-z9t5m',
  keda: 'keda-operator-7b6c5d4f8-kp2wd',
};
