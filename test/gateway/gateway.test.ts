/**
 * `--gateway-url`: the gateway port against a loopback HTTP server answering with recorded model-engine JSON, and
 * the endpoint diagnosis with the API's view beside the cluster's (UPDATE_FAILED, UPDATE_PENDING, READY with no
 * workers, 404).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { diagnose } from '../../diagnoses/index.js';
import { collectEndpointFacts } from '../../src/model-engine/endpoint-facts.js';
import type { GatewayPort } from '../../src/engine/ports/gateway.js';
import { createGatewayPort, splitUrl } from '../../src/sources/gateway/index.js';
import { SnapshotKube } from '../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { runMain } from '../support/capture.js';
import { fixture } from '../support/check-tester.js';

const KEY = 'sk-test-0b2c8e1f5a7d4c3b9e6a1f0d2c4b6a8e';
const RECORDED = ['end_ct4p8uhn2ojg00a4qkgg', 'end_ct5oeqfn2ojg00a4qmf0', 'end_ct5ndpen2ojg00a4qme0'];

let server: Server;
let url: string;
const requests: { url: string; auth?: string }[] = [];
const records = new Map<string, unknown>();
let mode: 'normal' | 'unauthorized' | 'slow' | 'html' = 'normal';

beforeAll(async () => {
  for (const id of RECORDED) records.set(id, JSON.parse(await readFile(fixture(`fixtures/gateway/${id}.json`), 'utf8')));
  server = createServer((req: IncomingMessage, res) => {
    requests.push({ url: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (mode === 'slow') return void setTimeout(() => send(200, {}), 2_000).unref();
    if (mode === 'html') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return void res.end('<html><body>502 Bad Gateway</body></html>');
    }
    // model-engine answers 401 without valid basic auth (user = API key, empty password).
    if (mode === 'unauthorized' || req.headers.authorization !== `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`) return send(401, { detail: 'Could not authenticate user' });
    const u = new URL(req.url ?? '/', 'http://x');
    const byId = /^\/v1\/model-endpoints\/([^/]+)$/.exec(u.pathname);
    if (byId) {
      const rec = records.get(byId[1]!);
      return rec ? send(200, rec) : send(404, { detail: 'The specified model endpoint could not be found.' });
    }
    if (u.pathname === '/v1/model-endpoints') {
      const name = u.searchParams.get('name');
      return send(200, { model_endpoints: [...records.values()].filter((r) => (r as { name: string }).name === name) });
    }
    send(404, { detail: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((r) => server.close(() => r())));

const signal = () => new AbortController().signal;
const port = (extra: Partial<Parameters<typeof createGatewayPort>[0]> = {}) => createGatewayPort({ url, apiKey: KEY, network: 'loopback', ...extra });

describe('the gateway port', () => {
  it('reads a record by id with basic auth (user = API key)', async () => {
    const a = await port().endpoint('end_ct4p8uhn2ojg00a4qkgg', signal());
    expect(a).toMatchObject({ state: 'found', record: { name: 'mixtral-8x7b', status: 'READY', deployment_state: { available_workers: 0, unavailable_workers: 1 } } });
    expect(requests.at(-1)).toEqual({ url: '/v1/model-endpoints/end_ct4p8uhn2ojg00a4qkgg', auth: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` });
  });

  it('finds a record by name through the list route', async () => {
    const a = await port().endpoint('qwen-2-72b-instruct', signal());
    expect(a).toMatchObject({ state: 'found', record: { id: 'end_ct5oeqfn2ojg00a4qmf0', status: 'UPDATE_FAILED' } });
    expect(requests.at(-1)!.url).toBe('/v1/model-endpoints?name=qwen-2-72b-instruct');
    expect(await port().endpoint('no-such-endpoint', signal())).toMatchObject({ state: 'not-found' });
  });

  it('404 is not-found; 401, 5xx, non-JSON and timeouts are unavailable; the key never shows', async () => {
    expect(await port().endpoint('end_ct5pfrgn2ojg00a4qmg0', signal())).toMatchObject({ state: 'not-found', detail: 'The specified model endpoint could not be found.' });
    const noKey = await port({ apiKey: undefined }).endpoint('end_ct4p8uhn2ojg00a4qkgg', signal());
    expect(noKey).toMatchObject({ state: 'unavailable', httpStatus: 401, detail: expect.stringContaining('set MODEL_ENGINE_API_KEY') });
    mode = 'unauthorized';
    const refused = await port().endpoint('end_ct4p8uhn2ojg00a4qkgg', signal());
    expect(refused).toMatchObject({ state: 'unavailable', detail: expect.stringContaining('was refused') });
    expect(JSON.stringify(refused)).not.toContain(KEY);
    mode = 'html';
    expect(await port().endpoint('end_ct4p8uhn2ojg00a4qkgg', signal())).toMatchObject({ state: 'unavailable', httpStatus: 502, detail: expect.stringContaining('not JSON') });
    mode = 'slow';
    expect(await port({ timeoutMs: 100 }).endpoint('end_ct4p8uhn2ojg00a4qkgg', signal())).toMatchObject({ state: 'unavailable', detail: 'no answer in time' });
    mode = 'normal';
  });

  it('takes credentials out of the URL and respects the network policy', async () => {
    expect(splitUrl('https://user:pw@gw.example.com/base/')).toEqual({ base: 'https://gw.example.com/base', user: 'user' });
    expect(splitUrl('127.0.0.1:5000')).toEqual({ base: 'http://127.0.0.1:5000' });
    const before = requests.length;
    const refused = await createGatewayPort({ url: 'http://gateway.example.com', network: 'loopback' }).endpoint('end_ct4p8uhn2ojg00a4qkgg', signal());
    expect(refused).toMatchObject({ state: 'unavailable', detail: expect.stringContaining('gateway.example.com was not contacted') });
    expect(requests.length).toBe(before);
  });
});

async function diagnoseWithApi(snapshot: string, query: string, gateway: GatewayPort): Promise<Diagnosis> {
  const snap = await loadSnapshot(fixture(`fixtures/clusters/${snapshot}`));
  const facts = await collectEndpointFacts({ kube: new SnapshotKube(snap), query, namespace: 'llm-engine', controlPlaneNamespace: 'model-engine', now: snap.now, signal: signal(), gateway, hints: { cloud: 'aws', gatewayUrl: gateway.baseUrl } });
  return diagnose(facts);
}

describe('the diagnosis with the API beside the cluster', () => {
  it('UPDATE_FAILED + no objects → BUILD_FAILED with status_reason', async () => {
    const d = await diagnoseWithApi('endpoint-build-failed', 'end_ct5oeqfn2ojg00a4qmf0', port());
    expect(d.cause).toBe('BUILD_FAILED');
    expect(d.summary).toContain('Endpoint deployment failed due to an internal error.');
    expect(d.api).toEqual({ status: 'UPDATE_FAILED', statusReason: 'Endpoint deployment failed due to an internal error.' });
    expect(d.chain[0]).toMatchObject({ kind: 'Endpoint', state: 'fail' });
  });

  it('UPDATE_PENDING for 20 minutes while the builder is scaled to 0 → BUILD_PENDING', async () => {
    const d = await diagnoseWithApi('endpoint-build-pending', 'end_ct5ndpen2ojg00a4qme0', port());
    expect(d.cause).toBe('BUILD_PENDING');
    expect(d.summary).toContain('the API says UPDATE_PENDING since 20m ago: Deployment model-engine/model-engine-endpoint-builder is scaled to 0');
    expect(d.summary).not.toContain('cannot tell a pending endpoint from a wrong id');
    expect(d.remediation.commands).toContain('kubectl -n model-engine scale deploy model-engine-endpoint-builder --replicas=1');
  });

  it('READY with 0 available workers ("stuck initializing") → the cluster cause, with the API view', async () => {
    const d = await diagnoseWithApi('demo-aws', 'end_ct4p8uhn2ojg00a4qkgg', port());
    expect(d.cause).toBe('IMAGE_PULL');
    expect(d.api).toEqual({ status: 'READY', availableWorkers: 0, unavailableWorkers: 1 });
    expect(d.evidence).toContainEqual({ type: 'probe', target: `${url}/v1/model-endpoints/end_ct4p8uhn2ojg00a4qkgg`, detail: 'API status READY, 0 available worker(s)' });
  });

  it('404 and no objects → NOT_FOUND that says the API does not know it either', async () => {
    const d = await diagnoseWithApi('endpoint-not-found', 'end_ct5pfrgn2ojg00a4qmg0', port());
    expect(d.cause).toBe('NOT_FOUND');
    expect(d.summary).toContain('and the API does not know it either');
  });

  it('an unreachable API changes nothing but is said', async () => {
    const d = await diagnoseWithApi('endpoint-crash-loop', 'end_ct5j9lan2ojg00a4qma0', port({ apiKey: undefined }));
    expect(d.cause).toBe('CRASH_LOOP');
    expect(d.api?.error).toContain('HTTP 401');
  });
});

describe('endpoint --gateway-url on the command line', () => {
  it('reads the key from MODEL_ENGINE_API_KEY, shows the API view and never prints the key', async () => {
    for (const output of ['json', 'text', 'markdown']) {
      const r = await runMain(['endpoint', 'end_ct5oeqfn2ojg00a4qmf0', '--snapshot', fixture('fixtures/clusters/endpoint-build-failed'), '--gateway-url', url, '-o', output], { MODEL_ENGINE_API_KEY: KEY, MED_NETWORK: 'loopback' });
      expect(r.code).toBe(3);
      expect(r.stdout + r.stderr).not.toContain(KEY);
      if (output === 'json') expect((JSON.parse(r.stdout) as { diagnosis: Diagnosis }).diagnosis).toMatchObject({ cause: 'BUILD_FAILED', api: { status: 'UPDATE_FAILED' } });
      if (output === 'text') expect(r.stdout).toContain('API: UPDATE_FAILED · status_reason: Endpoint deployment failed due to an internal error.');
    }
  });
});
