/**
 * Faults against the real control plane: an HTTPS fault proxy on 127.0.0.1 in front of the real kube-apiserver
 * (it terminates TLS with the API server's own serving certificate, signed by the cluster CA, and forwards each
 * request with a client certificate of its own, so it can alter answers), injecting what docs/faults.md promises
 * to survive: 429 with Retry-After, 503, a connection reset in the middle of a body, a stall past
 * --request-timeout. What the page promises is asserted: transient faults cost retries, not the report (the same
 * results as a run with no fault); persistent ones give `error` results naming the read (exit 3), an UNKNOWN
 * diagnosis naming it, or — while connecting — one line and exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Report as EngineReport } from '../../src/engine/types.js';
import { createEndpoint } from './harness/builder.js';
import { cluster, doctor, e2eUnavailable } from './harness/cluster.js';
import { chartUnavailable, installModelEngine, uninstall, type Install } from './harness/install.js';
import { clientCert, kubeconfig as makeKubeconfig } from './harness/pki.js';
import { waitForAvailable, waitForEvent } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/faults.test.ts SKIPPED\n`);

interface Fault {
  /** Which requests: method and path (with query), e.g. /^GET \/api\/v1\/namespaces\/llm-engine\/pods\?/. */
  match: RegExp;
  kind: '429' | '503' | 'reset' | 'stall';
  /** How many matching requests get the fault (then they pass through); Infinity: all of them. */
  times: number;
}
interface Hit {
  request: string;
  at: number;
  fault?: Fault['kind'];
}

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

/** The fault proxy: HTTPS on 127.0.0.1, forwarding to the real API server unless a fault matches. */
class FaultProxy {
  faults: Fault[] = [];
  hits: Hit[] = [];
  private server!: Server;
  private readonly stalled = new Set<ServerResponse>();
  url = '';

  async start(): Promise<void> {
    const state = cluster();
    const upstream = new URL(state.server);
    const client = clientCert({ dir: state.pki }, 'e2e-fault-proxy', ['system:masters']);
    const tls = { ca: readFileSync(state.caCert), cert: readFileSync(client.cert), key: readFileSync(client.key) };
    this.server = createServer({ cert: readFileSync(join(state.pki, 'apiserver.crt')), key: readFileSync(join(state.pki, 'apiserver.key')) }, (req, res) => this.handle(req, res, upstream, tls));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests seen (method and path) matching `re`. */
  seen(re: RegExp): Hit[] {
    return this.hits.filter((h) => re.test(h.request));
  }

  reset(faults: Fault[] = []): void {
    this.faults = faults.map((f) => ({ ...f }));
    this.hits = [];
  }

  async close(): Promise<void> {
    for (const r of this.stalled) r.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse, upstream: URL, tls: { ca: Buffer; cert: Buffer; key: Buffer }): void {
    const line = `${req.method} ${req.url}`;
    const fault = this.faults.find((f) => f.times > 0 && f.match.test(line));
    if (fault) fault.times -= 1;
    this.hits.push({ request: line, at: Date.now(), ...(fault ? { fault: fault.kind } : {}) });
    switch (fault?.kind) {
      case '429':
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(status(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later'));
        return;
      case '503':
        res.writeHead(503, { 'content-type': 'application/json' }).end(status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'));
        return;
      case 'stall':
        // Never answers; the doctor's --request-timeout must end the wait (the socket is closed when it gives up).
        this.stalled.add(res);
        res.on('close', () => this.stalled.delete(res));
        return;
      case 'reset':
      case undefined:
        break;
    }
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, ...tls },
      (upRes) => {
        if (fault?.kind === 'reset') {
          // The real answer's headers and the first half of its body, then the connection is cut.
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const body = Buffer.concat(chunks);
            const headers = { ...upRes.headers, 'content-length': String(body.length) };
            delete headers['transfer-encoding'];
            res.writeHead(upRes.statusCode ?? 200, headers);
            res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
          });
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
}

/** The JSON report as docs/output-schema.md describes it (triage adds `endpoints`). */
type Report = Pick<EngineReport, 'results'> & { endpoints?: { name: string; cause: string }[] };
interface Diagnosis {
  cause: string;
  summary?: string;
}

/** What a fault may not change: every result's verdict (id, message id, object, status) and each endpoint's cause. */
const verdicts = (r: Report) => ({
  results: r.results.map((x) => `${x.id}|${x.messageId}|${x.object?.kind ?? ''}/${x.object?.namespace ?? ''}/${x.object?.name ?? ''}|${x.status}`).sort(),
  endpoints: (r.endpoints ?? []).map((e) => `${e.name}|${e.cause}`).sort(),
});

const PODS_LLM = /^GET \/api\/v1\/namespaces\/llm-engine\/pods\?/;
const CONFIGMAPS_ME = /^GET \/api\/v1\/namespaces\/model-engine\/configmaps[/?]/;
const DEPLOYMENTS_ALL = /^GET \/apis\/apps\/v1\/deployments\?/;
const NODES = /^GET \/api\/v1\/nodes\?/;
const VERSION = /^GET \/version/;

(skip ? describe.skip : describe)('faults between the doctor and a real kube-apiserver (a loopback fault proxy)', () => {
  let install: Install;
  const proxy = new FaultProxy();
  let kubeconfig: string;
  let baseline: Report;
  let baselineCode: number | null;

  async function run(args: string[], extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
    const t0 = Date.now();
    const r = await doctor([...args, ...extra], { kubeconfig });
    return { ...r, ms: Date.now() - t0 };
  }
  const json = (stdout: string) => JSON.parse(stdout) as Report;

  beforeAll(async () => {
    install = await installModelEngine({ cloud: 'aws', nodes: [{ name: 'faults-a100-0', cloud: 'aws', gpus: 8, acceleratorLabel: 'nvidia-ampere-a100' }] });
    const ok = await createEndpoint({ name: 'llama-3-8b', gpuType: 'nvidia-ampere-a100', gpus: 1 });
    const pending = await createEndpoint({ name: 'llama-3-70b', gpuType: 'nvidia-hopper-h100', gpus: 4 });
    await waitForAvailable(ok);
    await waitForEvent(pending, 'FailedScheduling');
    await proxy.start();
    const state = cluster();
    kubeconfig = join(state.dir, 'fault-proxy.kubeconfig');
    writeFileSync(kubeconfig, makeKubeconfig({ server: proxy.url, caCert: state.caCert, user: 'e2e-fault-admin', client: clientCert({ dir: state.pki }, 'e2e-fault-admin', ['system:masters']), context: 'e2e-faults' }));
    proxy.reset();
    const r = await run(['triage', '-o', 'json']);
    baselineCode = r.code;
    baseline = json(r.stdout);
  }, 300_000);
  afterAll(async () => {
    await proxy.close();
    if (install) await uninstall(install);
  }, 300_000);

  it('with no fault, the proxy is transparent: the run reads what the faults below hit, and judges the install', () => {
    expect([0, 3]).toContain(baselineCode);
    expect(baseline.endpoints?.map((e) => e.name).sort()).toEqual(['llama-3-70b', 'llama-3-8b']);
    for (const re of [PODS_LLM, CONFIGMAPS_ME, DEPLOYMENTS_ALL, NODES, VERSION]) expect(proxy.seen(re).length).toBeGreaterThan(0);
    expect(baseline.results.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
  });

  it('429 with Retry-After, 503 twice, a reset mid-body and a stall past --request-timeout: retried, the same report', async () => {
    proxy.reset([
      { match: DEPLOYMENTS_ALL, kind: '429', times: 1 },
      { match: CONFIGMAPS_ME, kind: '503', times: 2 },
      { match: PODS_LLM, kind: 'reset', times: 1 },
      { match: NODES, kind: 'stall', times: 1 },
    ]);
    const r = await run(['triage', '-o', 'json', '--request-timeout', '2s']);
    expect(r.code).toBe(baselineCode);
    expect(verdicts(json(r.stdout))).toEqual(verdicts(baseline));
    // Every fault was met, and each read was tried again until it got the real answer.
    for (const f of proxy.faults) expect(f.times).toBe(0);
    const retried = (re: RegExp, faults: number) => {
      const hits = proxy.seen(re);
      const first = hits.findIndex((h) => !h.fault);
      expect(hits.slice(0, first).every((h) => h.fault)).toBe(true);
      expect(first).toBe(faults);
      return hits;
    };
    const deployments = retried(DEPLOYMENTS_ALL, 1);
    // Retry-After: 1 was honoured (the retry came at least ~1 s after the 429).
    expect(deployments[1]!.at - deployments[0]!.at).toBeGreaterThanOrEqual(900);
    retried(CONFIGMAPS_ME, 2);
    retried(PODS_LLM, 1);
    const nodes = retried(NODES, 1);
    // The stalled read was given up at --request-timeout (2 s), then tried once more.
    expect(nodes[1]!.at - nodes[0]!.at).toBeGreaterThanOrEqual(1900);
    expect(nodes[1]!.at - nodes[0]!.at).toBeLessThan(8000);
  });

  it('a list that keeps failing (503 every time): 4 tries, `error` results naming the read, the rest of the report, exit 3', async () => {
    proxy.reset([{ match: PODS_LLM, kind: '503', times: Infinity }]);
    const r = await run(['triage', '-o', 'json']);
    expect(r.code).toBe(3);
    const report = json(r.stdout);
    const errors = report.results.filter((x) => x.status === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.messageId).toBe('apiError');
      expect(e.message).toMatch(/list pods in (namespace )?llm-engine/);
      expect(e.message).toMatch(/503/);
      expect(e.message).toMatch(/after 4 tries/);
    }
    // Each read (the namespace's pods, and the endpoints' pods by label) is made once for the whole run, with its
    // retries: 4 requests each, not 4 per check that asks.
    const perRead = new Map<string, number>();
    for (const h of proxy.seen(PODS_LLM)) perRead.set(h.request, (perRead.get(h.request) ?? 0) + 1);
    expect(perRead.size).toBeGreaterThan(0);
    expect([...perRead.values()].every((n) => n === 4)).toBe(true);
    // What did not need those pods is judged as without the fault.
    const unaffected = (x: Report) => verdicts(x).results.filter((k) => !errors.some((e) => k.startsWith(`${e.id}|`)));
    expect(unaffected(report).length).toBeGreaterThan(10);
    expect(unaffected(report).every((k) => unaffected(baseline).includes(k) || /\|skip$/.test(k))).toBe(true);
  });

  it('the endpoint diagnosis when its pods cannot be read: UNKNOWN naming the read, never a guess', async () => {
    proxy.reset([{ match: PODS_LLM, kind: '503', times: Infinity }]);
    const r = await run(['endpoint', 'llama-3-70b', '-o', 'json']);
    expect(r.code).toBe(3);
    const d = (JSON.parse(r.stdout) as { diagnosis: Diagnosis }).diagnosis;
    expect(d.cause).toBe('UNKNOWN');
    expect(JSON.stringify(d)).toMatch(/pods in (namespace )?llm-engine/);
    proxy.reset();
    const clean = (JSON.parse((await run(['endpoint', 'llama-3-70b', '-o', 'json'])).stdout) as { diagnosis: Diagnosis }).diagnosis;
    expect(clean.cause).not.toBe('UNKNOWN');
  });

  it('connecting to a server that answers 503 to /version every time: one line, exit 2, after 4 tries', async () => {
    proxy.reset([{ match: VERSION, kind: '503', times: Infinity }]);
    const r = await run(['triage', '-o', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^model-engine-doctor: error: the cluster at ${proxy.url.replace(/[.]/g, '\\.')} is not healthy: GET /version: 503 .*\\(after 4 tries\\)`));
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(proxy.seen(VERSION).length).toBe(4);
  });

  it('connecting to a server that never answers /version: "did not answer" on time (--request-timeout 1s), exit 2', async () => {
    proxy.reset([{ match: VERSION, kind: 'stall', times: Infinity }]);
    const r = await run(['triage', '-o', 'json', '--request-timeout', '1s']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^model-engine-doctor: error: the cluster at https:\/\/127\.0\.0\.1:\d+ did not answer: .*1s/m);
    expect(r.stderr).toMatch(/--request-timeout/);
    // At connect a timed-out /version is not tried again (src/sources/kube/live-kube.ts connect(): timeoutRetries 0):
    // one request, the line at about 1 s, never the default 15 s.
    expect(proxy.seen(VERSION).length).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(900);
    expect(r.ms).toBeLessThan(5000);
  });
});
