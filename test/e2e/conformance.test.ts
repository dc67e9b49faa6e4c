/**
 * Conformance of the snapshot API server (`serve`) with the real kube-apiserver: the same requests — discovery, lists
 * with limit/continue, label and field selectors (including invalid ones), get of a missing object, pods/log, kubectl
 * get/describe — against the real API server and against `serve` of a `collect`ed snapshot of it must answer alike.
 * Where `serve` differs on purpose (it is read-only) the test says so.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { createEndpoint } from './harness/builder.js';
import { BIN, cluster, doctor, e2eUnavailable, exec, kubectlJson } from './harness/cluster.js';
import { chartUnavailable, installModelEngine, uninstall, type Install } from './harness/install.js';
import { boundPods, crashLoop, CUSTOM_STATUS } from './harness/kubelet.js';
import { waitForAvailable, waitForEvent } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/conformance.test.ts SKIPPED\n`);

interface Answer {
  status: number;
  body: string;
  json?: Record<string, unknown>;
  contentType: string;
}

interface Target {
  name: 'real' | 'serve';
  server: string;
  kubeconfig: string;
  tls: https.RequestOptions;
}

function request(t: Target, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${t.server}${path}`, { ...t.tls, headers: { ...(t.tls.headers ?? {}), Accept: 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(body) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, contentType: String(res.headers['content-type'] ?? ''), ...(json ? { json } : {}) });
      });
    });
    req.on('error', reject);
  });
}

const names = (a: Answer) => ((a.json?.items as { metadata: { namespace?: string; name: string } }[] | undefined) ?? []).map((i) => `${i.metadata.namespace ?? ''}/${i.metadata.name}`).sort();
/** A Status failure reduced to what clients read: code, reason and message. */
const statusOf = (a: Answer) => ({ code: (a.json?.code as number | undefined) ?? a.status, kind: a.json?.kind, reason: a.json?.reason, message: a.json?.message });

(skip ? describe.skip : describe)('conformance: serve of a collected snapshot answers as the real API server', () => {
  let install: Install;
  let work: string;
  let served: SnapshotServer;
  let real: Target;
  let serve: Target;
  let crashPod: string;
  const NS = 'llm-engine';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'med-e2e-conf-'));
    install = await installModelEngine({ cloud: 'aws', nodes: [{ name: 'conf-a100-0', cloud: 'aws', gpus: 8, acceleratorLabel: 'nvidia-ampere-a100' }] });
    const a = await createEndpoint({ name: 'llama-3-8b', gpuType: 'nvidia-ampere-a100', gpus: 1, minWorkers: 2 });
    const b = await createEndpoint({ name: 'llama-3-70b', gpuType: 'nvidia-hopper-h100', gpus: 4 });
    const c = await createEndpoint({ name: 'qwen-crash', gpuType: 'nvidia-ampere-a100', gpus: 1, podAnnotations: CUSTOM_STATUS });
    await waitForAvailable(a, 2);
    await waitForEvent(b, 'FailedScheduling');
    const [pod] = await boundPods(c.namespace, c.resourceName);
    crashPod = pod!.metadata.name;
    await crashLoop(pod!, 'main', 4, ['line one', 'line two', 'RuntimeError: boom']);
    const snap = join(work, 'snap');
    const collected = await doctor(['collect', '-o', snap]);
    expect(collected.code).toBe(0);
    served = await startSnapshotServer({ snapshot: await loadSnapshot(snap), tls: true, token: 'conformance-token' });
    const state = cluster();
    const admin = parse(readFileSync(state.kubeconfig, 'utf8')) as { users: { user: Record<string, string> }[] };
    const u = admin.users[0]!.user;
    real = {
      name: 'real',
      server: state.server,
      kubeconfig: state.kubeconfig,
      tls: { ca: readFileSync(state.caCert), cert: Buffer.from(u['client-certificate-data']!, 'base64'), key: Buffer.from(u['client-key-data']!, 'base64') },
    };
    const servedKubeconfig = join(work, 'served.kubeconfig');
    writeFileSync(servedKubeconfig, served.kubeconfig);
    serve = { name: 'serve', server: served.url, kubeconfig: servedKubeconfig, tls: { ca: served.caPem!, headers: { Authorization: 'Bearer conformance-token' } } };
  }, 300_000);
  afterAll(async () => {
    await served?.close();
    if (install) await uninstall(install);
    if (work) rmSync(work, { recursive: true, force: true });
  }, 300_000);

  const both = async (path: string) => ({ r: await request(real, path), s: await request(serve, path) });

  describe('discovery', () => {
    it('/version: the same release', async () => {
      const { r, s } = await both('/version');
      expect(s.json?.gitVersion).toBe(r.json?.gitVersion);
      expect(s.json?.major).toBe(r.json?.major);
      expect(s.json?.minor).toBe(r.json?.minor);
    });

    it('/api and /apis: the same versions; every group served is served by the real server at the same preferred version', async () => {
      const { r, s } = await both('/api');
      expect(s.json?.kind).toBe('APIVersions');
      expect(s.json?.versions).toEqual(r.json?.versions);
      const g = await both('/apis');
      type Groups = { groups: { name: string; preferredVersion: { groupVersion: string } }[] };
      const realGroups = new Map((g.r.json as unknown as Groups).groups.map((x) => [x.name, x.preferredVersion.groupVersion]));
      for (const x of (g.s.json as unknown as Groups).groups) expect([x.name, realGroups.get(x.name)]).toEqual([x.name, x.preferredVersion.groupVersion]);
    });

    it.each(['/api/v1', '/apis/apps/v1', '/apis/batch/v1', '/apis/keda.sh/v1alpha1'])('%s: the same kinds, scopes and short names for each resource served', async (path) => {
      const { r, s } = await both(path);
      type List = { kind: string; resources: { name: string; kind: string; namespaced: boolean; shortNames?: string[] }[] };
      const realBy = new Map((r.json as unknown as List).resources.map((x) => [x.name, x]));
      expect(s.json?.kind).toBe('APIResourceList');
      for (const x of (s.json as unknown as List).resources) {
        const y = realBy.get(x.name);
        expect([x.name, x.kind, x.namespaced, x.shortNames ?? []]).toEqual([x.name, y?.kind, y?.namespaced, y?.shortNames ?? []]);
      }
    });
  });

  describe('lists', () => {
    it('limit and continue page through the same objects', async () => {
      for (const t of [real, serve]) {
        const first = await request(t, `/api/v1/namespaces/${NS}/pods?limit=2`);
        const meta = first.json?.metadata as { continue?: string; remainingItemCount?: number };
        expect([t.name, (first.json?.items as unknown[]).length, typeof meta.continue]).toEqual([t.name, 2, 'string']);
        const rest = await request(t, `/api/v1/namespaces/${NS}/pods?limit=500&continue=${encodeURIComponent(meta.continue!)}`);
        expect([t.name, (rest.json?.metadata as { continue?: string }).continue ?? '']).toEqual([t.name, '']);
      }
      const all = await both(`/api/v1/namespaces/${NS}/pods`);
      expect(names(all.s)).toEqual(names(all.r));
      expect(names(all.s).length).toBeGreaterThanOrEqual(4);
    });

    it('a continue token that is not one: the same 400/410 kind of answer', async () => {
      const { r, s } = await both(`/api/v1/namespaces/${NS}/pods?limit=1&continue=not-a-token`);
      expect(statusOf(s).code).toBe(statusOf(r).code);
      expect(statusOf(s).reason).toBe(statusOf(r).reason);
    });

    it.each([
      ['equality', 'app=model-engine', 'model-engine'],
      ['set-based in', 'app in (model-engine,model-engine-cacher)', 'model-engine'],
      ['exists and not', 'endpoint_name,endpoint_name!=llama-3-70b', NS],
      ['does not exist', '!endpoint_name', NS],
    ])('label selector (%s) selects the same pods', async (_name, selector, ns) => {
      const { r, s } = await both(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`);
      expect(s.status).toBe(200);
      expect(names(s)).toEqual(names(r));
    });

    it.each([
      ['phase', 'status.phase=Running'],
      ['unscheduled', 'spec.nodeName='],
      ['name', 'metadata.name=NAME'],
      ['not equal', 'status.phase!=Running'],
    ])('field selector (%s) selects the same pods', async (_name, selector) => {
      const { r, s } = await both(`/api/v1/pods?fieldSelector=${encodeURIComponent(selector.replace('NAME', crashPod))}`);
      expect(s.status).toBe(200);
      expect(names(s).filter((n) => n.startsWith(`${NS}/`) || n.startsWith('model-engine/'))).toEqual(
        names(r).filter((n) => n.startsWith(`${NS}/`) || n.startsWith('model-engine/')),
      );
    });

    it.each([
      ['an unsupported field', '/api/v1/pods?fieldSelector=foo%3Dbar'],
      ['an invalid label selector', '/api/v1/pods?labelSelector=app%3D%3D%3D!x'],
      ...['a in (b', '!', 'a,', 'x notin', 'a/b/c=1', 'a=b c', 'a>x', 'a in ()', 'Bad_Key-=v', 'a=-bad-', '(a)'].map(
        (sel) => [`label selector ${JSON.stringify(sel)}`, `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(sel)}`] as [string, string],
      ),
      ['an unsupported field on events', '/api/v1/events?fieldSelector=nope%3D1'],
    ])('%s: the same 400 Status', async (_name, path) => {
      const { r, s } = await both(path);
      expect(statusOf(s)).toEqual(statusOf(r));
    });
  });

  describe('get', () => {
    it('a missing object: the same 404 NotFound Status with details', async () => {
      const { r, s } = await both(`/api/v1/namespaces/${NS}/pods/no-such-pod`);
      expect(statusOf(s)).toEqual(statusOf(r));
      expect(s.json?.details).toEqual(r.json?.details);
    });

    it('a missing object in a missing namespace, and a list there', async () => {
      const g = await both('/api/v1/namespaces/no-such-ns/configmaps/x');
      expect(statusOf(g.s)).toEqual(statusOf(g.r));
      const l = await both('/api/v1/namespaces/no-such-ns/configmaps');
      expect([l.s.status, names(l.s)]).toEqual([l.r.status, names(l.r)]);
    });

    it('an existing object: the same spec', async () => {
      const { r, s } = await both(`/apis/apps/v1/namespaces/model-engine/deployments/model-engine`);
      expect((s.json?.spec as Record<string, unknown>).template).toEqual((r.json?.spec as Record<string, unknown>).template);
    });
  });

  describe('pods/log', () => {
    it('current and previous logs, with tailLines, are the same text', async () => {
      for (const q of ['container=main', 'container=main&previous=true', 'container=main&tailLines=1']) {
        const { r, s } = await both(`/api/v1/namespaces/${NS}/pods/${crashPod}/log?${q}`);
        expect([q, s.status, s.body]).toEqual([q, r.status, r.body]);
      }
    });

    it('a container the pod does not have: the same 400', async () => {
      const { r, s } = await both(`/api/v1/namespaces/${NS}/pods/${crashPod}/log?container=nope`);
      expect(statusOf(s)).toEqual(statusOf(r));
    });
  });

  describe('kubectl', () => {
    const kubectlOn = async (t: Target, args: string[]) => {
      const r = await exec(join(BIN, 'kubectl'), [`--kubeconfig=${t.kubeconfig}`, ...args], { env: { HOME: work } });
      // Ages differ by the seconds between the two reads, and with them the column widths: compare words, not spacing.
      return { code: r.code, out: r.stdout.replace(/\b\d+(s|m|h|d)(\d+(s|m))?\b/g, '<age>').replace(/[ \t]+/g, ' '), err: r.stderr };
    };

    it.each([
      [['get', 'pods', '-n', NS]],
      [['get', 'deployments', '-n', 'model-engine']],
      [['get', 'nodes', '-l', 'k8s.amazonaws.com/accelerator']],
      [['get', 'scaledobjects,hpa', '-n', NS]],
      [['get', 'pods', '-n', NS, '-o', 'name']],
    ])('kubectl %j prints the same table', async (args) => {
      const a = await kubectlOn(real, args);
      const b = await kubectlOn(serve, args);
      expect([b.code, b.out]).toEqual([a.code, a.out]);
    });

    it('kubectl describe pod shows the same facts (status, node, conditions, events)', async () => {
      const podName = (await kubectlJson<{ items: { metadata: { name: string } }[] }>(['get', 'pods', '-n', NS, '-l', 'endpoint_name=llama-3-70b'])).items[0]!.metadata.name;
      const keep = (out: string) =>
        out
          .split('\n')
          .filter((l) => /^(Name|Namespace|Priority Class Name|Service Account|Node|Status|QoS Class|Node-Selectors):|FailedScheduling/.test(l.trim()) || /^\s+(Ready|PodScheduled)\s/.test(l))
          .map((l) => l.replace(/\s+/g, ' ').trim());
      const a = await kubectlOn(real, ['describe', 'pod', '-n', NS, podName]);
      const b = await kubectlOn(serve, ['describe', 'pod', '-n', NS, podName]);
      expect(keep(b.out)).toEqual(keep(a.out));
      expect(keep(a.out).some((l) => l.includes('FailedScheduling'))).toBe(true);
    });
  });
});
