/**
 * LiveKube through the real @kubernetes/client-node against the snapshot API server, over HTTP and over
 * HTTPS with a CA and a bearer token, with kubeconfigs written to disk and loaded as the CLI loads them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { closedPort } from '../support/net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CoreV1Api, Watch, type KubeConfig } from '@kubernetes/client-node';
import { FatalError, ForbiddenError } from '../../src/engine/errors.js';
import type { KubeObject } from '../../src/engine/types.js';
import { connect, LiveKube, loadKubeConfig, spliceNamespaces } from '../../src/sources/kube/live-kube.js';
import { buildKubeconfig, startSnapshotServer, type SnapshotServer, type SnapshotServerOptions } from '../../src/sources/server/api-server.js';
import { resourcesOf, type Snapshot } from '../../src/sources/snapshot/load.js';
import { loadFixture, PODS } from '../server/helpers.js';

let dir: string;
let snapshot: Snapshot;
const servers: SnapshotServer[] = [];
const kubes: LiveKube[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-live-kube-'));
  snapshot = await loadFixture();
  // A custom resource the built-in table does not know, so resolving it needs API discovery.
  snapshot.objects.push({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'model-engine', namespace: 'llm-engine', creationTimestamp: '2024-05-02T14:03:12Z', labels: { app: 'model-engine' } },
    spec: { endpoints: [{ port: 'http', path: '/metrics' }], selector: { matchLabels: { app: 'model-engine' } } },
  });
  snapshot.resources = resourcesOf(snapshot.objects);
});

afterAll(async () => {
  await Promise.all(kubes.map((k) => k.close()));
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function serve(opts: Omit<SnapshotServerOptions, 'snapshot'> = {}): Promise<{ srv: SnapshotServer; kc: KubeConfig }> {
  const srv = await startSnapshotServer({ snapshot, ...opts });
  servers.push(srv);
  const file = join(dir, `kubeconfig-${n++}`);
  await writeFile(file, srv.kubeconfig);
  return { srv, kc: loadKubeConfig({ kubeconfig: file }) };
}

function live(kc: KubeConfig, opts: ConstructorParameters<typeof LiveKube>[1] = {}): LiveKube {
  const k = new LiveKube(kc, opts);
  kubes.push(k);
  return k;
}

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name);
const gets = (srv: SnapshotServer, prefix: string) => srv.requestLog.filter((r) => r.path.startsWith(prefix));

describe('LiveKube over HTTP', () => {
  let kube: LiveKube;
  beforeAll(async () => {
    const s = await serve();
    kube = live(s.kc);
  });

  it('lists cluster-wide and per namespace, filling kind and apiVersion on items', async () => {
    const pods = await kube.list('pods');
    expect(pods).toHaveLength(6);
    expect(pods.every((p) => p.kind === 'Pod' && p.apiVersion === 'v1')).toBe(true);
    expect(names(await kube.list('pods', { namespace: 'kube-system' }))).toEqual([PODS.keda]);
    const deploys = await kube.list('deployments.apps', { namespace: 'llm-engine' });
    expect(deploys[0]).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'model-engine' } });
    // Namespaces are ignored for cluster-scoped resources, as kubectl does.
    expect(await kube.list('nodes', { namespace: 'llm-engine' })).toHaveLength(3);
    expect(await kube.list('scaledobjects.keda.sh', { namespace: 'llm-engine' })).toHaveLength(1);
  });

  it('passes equality and set-based label selectors through', async () => {
    expect(names(await kube.list('pods', { labelSelector: 'app=model-engine' }))).toEqual([PODS.gateway1, PODS.gateway2]);
    expect(names(await kube.list('pods', { labelSelector: 'app in (model-engine-endpoint-builder, keda-operator)' }))).toEqual([PODS.keda, PODS.builder]);
    expect(names(await kube.list('pods', { namespace: 'llm-engine', labelSelector: 'endpoint_id,version notin (v2)' }))).toEqual([PODS.crashing, PODS.pending]);
    expect(names(await kube.list('pods', { namespace: 'llm-engine', labelSelector: '!endpoint_id,team!=ml' }))).toEqual([PODS.gateway1, PODS.gateway2, PODS.builder]);
  });

  it('passes the field selectors the real server supports through', async () => {
    const events = await kube.list('events', { namespace: 'llm-engine', fieldSelector: `involvedObject.name=${PODS.pending}` });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'Event', reason: 'FailedScheduling', type: 'Warning' });
    expect(names(await kube.list('pods', { fieldSelector: 'spec.nodeName=' }))).toEqual([PODS.pending]);
    expect(await kube.list('pods', { fieldSelector: 'spec.nodeName=ip-10-0-1-23.us-west-2.compute.internal' })).toHaveLength(2);
    expect(await kube.list('pods', { fieldSelector: 'status.phase=Running,metadata.namespace=llm-engine' })).toHaveLength(4);
    const warnings = await kube.list('events', { fieldSelector: 'type=Warning,involvedObject.kind=Pod' });
    expect(warnings.map((e) => e.reason).sort()).toEqual(['BackOff', 'FailedScheduling']);
  });

  it('rejects an unsupported field selector with the server message', async () => {
    await expect(kube.list('pods', { fieldSelector: 'spec.containers.image=vllm' })).rejects.toThrow(
      'list pods in all namespaces: 400 field label not supported: spec.containers.image',
    );
  });

  it('gets named objects and returns undefined on 404', async () => {
    const pod = await kube.get('pods', PODS.crashing, 'llm-engine');
    expect(pod).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { uid: 'b2e1d3c4-4444-4f6a-9b0c-1d2e3f4a5b04' } });
    expect(await kube.get('nodes', 'ip-10-0-3-77.us-west-2.compute.internal')).toMatchObject({ spec: { providerID: 'aws:///us-west-2c/i-0c3d4e5f6a7b89012' } });
    expect(await kube.get('pods', 'nope', 'llm-engine')).toBeUndefined();
    expect(await kube.get('deploy', 'model-engine', 'default')).toBeUndefined();
    // Not installed on this cluster: undefined and [] rather than errors.
    expect(await kube.get('virtualservices.networking.istio.io', 'model-engine', 'llm-engine')).toBeUndefined();
    expect(await kube.list('leaderworkersets.leaderworkerset.x-k8s.io')).toEqual([]);
  });

  it('reads logs with tailLines and previous, undefined when there is none', async () => {
    expect(await kube.logs('llm-engine', PODS.crashing, 'main', { tailLines: 1 })).toBe(
      'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 224.00 MiB. GPU 0 has a total capacity of 22.19 GiB of which 119.50 MiB is free.\n',
    );
    expect(await kube.logs('llm-engine', PODS.crashing, 'main', { previous: true })).toContain('10:25:58');
    expect((await kube.logs('llm-engine', PODS.crashing, 'http-forwarder'))!.split('\n')).toHaveLength(4);
    expect(await kube.logs('llm-engine', PODS.crashing, 'sidecar')).toBeUndefined();
    expect(await kube.logs('llm-engine', PODS.pending, 'main')).toBeUndefined();
    expect(await kube.logs('llm-engine', 'nope', 'main')).toBeUndefined();
  });

  it('answers hasResource from discovery, fetched once', async () => {
    const k = live(loadKubeConfig({ kubeconfig: join(dir, 'kubeconfig-0') }));
    expect(await k.hasResource('scaledobjects.keda.sh')).toBe(true);
    expect(await k.hasResource('keda.sh/v1alpha1')).toBe(true);
    expect(await k.hasResource('keda.sh/v1alpha1/scaledobjects')).toBe(true);
    expect(await k.hasResource('keda.sh/v1')).toBe(false);
    expect(await k.hasResource('virtualservices.networking.istio.io')).toBe(false);
    expect(await k.hasResource('networking.istio.io/v1beta1')).toBe(false);
    expect(await k.hasResource('pods')).toBe(true);
    expect(await k.hasResource('v1')).toBe(true);
    expect(await k.hasResource('servicemonitors.monitoring.coreos.com')).toBe(true);
    // Aggregated discovery: one request for /api and one for /apis, however many questions.
    expect(k.requestCount).toBe(2);
  });

  it('resolves resources the built-in table does not know through discovery', async () => {
    const k = live(loadKubeConfig({ kubeconfig: join(dir, 'kubeconfig-0') }));
    const sm = await k.list('servicemonitors.monitoring.coreos.com', { namespace: 'llm-engine' });
    expect(sm).toEqual([expect.objectContaining({ kind: 'ServiceMonitor', apiVersion: 'monitoring.coreos.com/v1' })]);
    expect(await k.list('servicemonitor', { labelSelector: 'app=model-engine' })).toHaveLength(1);
    expect(await k.list('widgets.example.com')).toEqual([]);
    expect(k.requestCount).toBe(4); // /api + /apis once, then the two lists
  });

  it('walks legacy discovery when the server has no aggregated discovery', async () => {
    const { srv: plain, kc } = await serve({ aggregatedDiscovery: false });
    const k = live(kc);
    expect(await k.hasResource('scaledobjects.keda.sh')).toBe(true);
    expect(await k.hasResource('keda.sh/v1alpha1')).toBe(true);
    expect(await k.hasResource('networking.istio.io/v1beta1')).toBe(false);
    expect(plain.requestLog.map((r) => r.path)).toEqual(expect.arrayContaining(['/api', '/apis', '/api/v1', '/apis/keda.sh/v1alpha1', '/apis/apps/v1']));
    const before = k.requestCount;
    expect(await k.hasResource('deployments.apps')).toBe(true);
    expect(k.requestCount).toBe(before);
  });
});

describe('paging and memoisation', () => {
  it('pages with limit and continue until done (limit 2 over 6 pods: 3 requests)', async () => {
    const { srv, kc } = await serve();
    const k = live(kc, { pageSize: 2 });
    const pods = await k.list('pods');
    expect(new Set(names(pods)).size).toBe(6);
    const reqs = gets(srv, '/api/v1/pods');
    expect(reqs).toHaveLength(3);
    expect(reqs[0]!.path).toBe('/api/v1/pods?limit=2');
    expect(reqs.slice(1).every((r) => /[?&]continue=[^&]+/.test(r.path) && r.status === 200)).toBe(true);
    expect(k.requestCount).toBe(3);
  });

  it('pages with the default page size of 500', async () => {
    const { srv, kc } = await serve();
    await live(kc).list('nodes');
    expect(gets(srv, '/api/v1/nodes').map((r) => r.path)).toEqual(['/api/v1/nodes?limit=500']);
  });

  it('makes one request for identical lists, sequential or concurrent, and shares its frozen objects (each caller its own array)', async () => {
    const { srv, kc } = await serve();
    const k = live(kc);
    const a = await k.list('pods', { namespace: 'llm-engine', labelSelector: 'app=model-engine' });
    const b = await k.list('po', { namespace: 'llm-engine', labelSelector: 'app=model-engine' });
    expect(b).toEqual(a);
    // The same objects, not copies (no per-check copy of a 100,000-pod list), and read-only: a change throws.
    expect(b[0]).toBe(a[0]);
    expect(() => {
      a[0]!.metadata.name = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (a[0]!.metadata.labels as Record<string, string>).app = 'changed';
    }).toThrow(TypeError);
    // Each caller's array is its own: sorting or emptying one leaves the others.
    a.length = 0;
    expect((await k.list('pods', { namespace: 'llm-engine', labelSelector: 'app=model-engine' }))[0]!.metadata.name).toBe(PODS.gateway1);
    expect(b.length).toBeGreaterThan(0);
    const [c, d] = await Promise.all([k.list('nodes'), k.list('nodes')]);
    expect(c).toHaveLength(3);
    expect(d).toHaveLength(3);
    await k.list('pods', { namespace: 'kube-system' }); // different namespace: a new call
    expect(gets(srv, '/api/v1/namespaces/llm-engine/pods')).toHaveLength(1);
    expect(gets(srv, '/api/v1/nodes')).toHaveLength(1);
    expect(k.requestCount).toBe(3);
  });

  it('holds the repeated parts of pods once: replicas share their template, a projection shares with the whole list, and nothing differs from what the server sent', async () => {
    const { kc } = await serve();
    const k = live(kc);
    k.readsWhole('pods', ['llm-engine']);
    const pods = await k.list<KubeObject & { spec: { containers: unknown[]; nodeSelector?: unknown } }>('pods', { namespace: 'llm-engine' });
    // What the server holds, key order and all (the interner changes how pods are held, never what they say).
    const served = snapshot.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === 'llm-engine');
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(served.map((p) => p.metadata.name).sort());
    for (const p of pods) {
      const twin = served.find((o) => o.metadata.name === p.metadata.name)!;
      expect(JSON.stringify([p.spec, p.status, p.metadata.labels])).toBe(JSON.stringify([twin.spec, twin.status, twin.metadata.labels]));
    }
    // Two gateway replicas: one containers array, one labels object.
    const gw = pods.filter((p) => p.metadata.labels?.app === 'model-engine');
    expect(gw.length).toBeGreaterThanOrEqual(2);
    expect(gw[0]!.spec.containers).toBe(gw[1]!.spec.containers);
    expect(gw[0]!.metadata.labels).toBe(gw[1]!.metadata.labels);
    expect(gw[0]).not.toBe(gw[1]);
    // The cluster-wide placement projection is made from the pods of the namespace read whole: it holds the same
    // labels objects, and its replicas share one projected containers array (a pool of its own, dropped with the list).
    const placed = await k.list<KubeObject & { spec: { containers: unknown[] } }>('pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', project: 'placement' });
    const again = gw.map((g) => placed.find((p) => p.metadata.name === g.metadata.name)!);
    expect(again[0]!.metadata.labels).toBe(gw[0]!.metadata.labels);
    expect(again[0]!.spec.containers).toBe(again[1]!.spec.containers);
    expect(again[0]!.spec.containers).not.toBe(gw[0]!.spec.containers); // projected: fewer fields
  });

  it('reads a cluster-wide pod list as the namespaces the run reads whole plus the rest: each pod once, the same list in the same order', async () => {
    const { srv, kc } = await serve();
    const plain = live(kc);
    const k = live(kc);
    k.readsWhole('pods', ['llm-engine', 'model-engine']);
    const opts = { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', project: 'placement' as const };
    const want = await plain.list('pods', opts);
    const before = srv.requestLog.length;
    const got = await k.list('pods', opts);
    expect(got.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(want.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    expect(JSON.stringify(got)).toBe(JSON.stringify(want));
    const asked = srv.requestLog.slice(before).map((r) => decodeURIComponent(r.path));
    expect(asked.filter((p) => p.startsWith('/api/v1/namespaces/llm-engine/pods'))).toHaveLength(1);
    expect(asked.filter((p) => p.startsWith('/api/v1/pods'))).toEqual([expect.stringContaining('metadata.namespace!=llm-engine,metadata.namespace!=model-engine')]);
    // The whole namespace list the checks read next is the one already read.
    await k.list('pods', { namespace: 'llm-engine' });
    expect(srv.requestLog.length - before).toBe(asked.length);
  });

  it('answers as without the hint when a namespace read whole is refused (the cluster-wide list is then refused too)', async () => {
    const { kc } = await serve({ denials: [{ verb: 'list', resource: 'pods', namespace: 'llm-engine' }] });
    const k = live(kc);
    k.readsWhole('pods', ['llm-engine']);
    const err = await k.list('pods', { project: 'placement' }).catch((e: unknown) => e);
    const plainErr = await live(kc).list('pods', { project: 'placement' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(String(err)).toBe(String(plainErr));
  });

  it('refresh() forgets what was read, so the next list asks the cluster again', async () => {
    const { srv, kc } = await serve();
    const k = live(kc);
    await k.list('nodes');
    await k.list('nodes');
    expect(gets(srv, '/api/v1/nodes')).toHaveLength(1);
    k.refresh();
    await k.list('nodes');
    expect(gets(srv, '/api/v1/nodes')).toHaveLength(2);
  });
});

describe('RBAC denials', () => {
  it('turns 403 into ForbiddenError naming verb, resource and namespace', async () => {
    const { srv, kc } = await serve({
      denials: [
        { verb: 'list', resource: 'pods', namespace: 'llm-engine' },
        { verb: 'list', resource: 'deployments.apps' },
        { verb: 'get', resource: 'pods/log', namespace: 'kube-system' },
        { verb: 'get', resource: 'nodes' },
      ],
    });
    const k = live(kc);
    const err = await k.list('pods', { namespace: 'llm-engine' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ verb: 'list', resource: 'pods', namespace: 'llm-engine' });
    expect((err as Error).message).toContain('cannot list pods in namespace llm-engine');
    expect((err as Error).message).toContain('User "system:serviceaccount:default:model-engine-doctor"');
    await expect(k.list('deployments.apps', { namespace: 'default' })).rejects.toMatchObject({ verb: 'list', resource: 'deployments.apps', namespace: 'default' });
    await expect(k.list('pods')).rejects.toMatchObject({ verb: 'list', resource: 'pods', namespace: undefined });
    await expect(k.logs('kube-system', PODS.keda, 'keda-operator')).rejects.toMatchObject({ verb: 'get', resource: 'pods/log', namespace: 'kube-system' });
    await expect(k.get('nodes', 'ip-10-0-1-23.us-west-2.compute.internal')).rejects.toMatchObject({ verb: 'get', resource: 'nodes', namespace: undefined });
    expect(await k.list('pods', { namespace: 'kube-system' })).toHaveLength(1);
    // A denial holds for the run: asking again costs no request.
    await expect(k.list('pods', { namespace: 'llm-engine' })).rejects.toBeInstanceOf(ForbiddenError);
    expect(gets(srv, '/api/v1/namespaces/llm-engine/pods')).toHaveLength(1);
  });
});

describe('faults and timeouts', () => {
  it('retries a 500 and succeeds; a failure that outlasts the retries is the answer for the run until refresh()', async () => {
    const { srv, kc } = await serve({
      faults: [
        { match: { pathPrefix: '/api/v1/namespaces/llm-engine/configmaps' }, status: 500, times: 1 },
        { match: { pathPrefix: '/api/v1/namespaces/default/configmaps' }, status: 503, times: 4 },
      ],
    });
    const k = live(kc);
    expect(names(await k.list('configmaps', { namespace: 'llm-engine' }))).toEqual(['model-engine-service-config']);
    expect(gets(srv, '/api/v1/namespaces/llm-engine/configmaps').map((r) => r.status)).toEqual([500, 200]);
    const failure = 'list configmaps in default: 503 injected fault: 503 for GET /api/v1/namespaces/default/configmaps (after 4 tries)';
    await expect(k.list('configmaps', { namespace: 'default' })).rejects.toThrow(failure);
    expect(gets(srv, '/api/v1/namespaces/default/configmaps').map((r) => r.status)).toEqual([503, 503, 503, 503]);
    // Every check that asks gets the same answer, at no further request.
    await expect(k.list('configmaps', { namespace: 'default' })).rejects.toThrow(failure);
    expect(gets(srv, '/api/v1/namespaces/default/configmaps')).toHaveLength(4);
    k.refresh();
    expect(await k.list('configmaps', { namespace: 'default' })).toEqual([]);
  });

  it('gives up on a request that outlasts the timeout', async () => {
    const { kc } = await serve({ faults: [{ match: { pathPrefix: '/api/v1/namespaces/llm-engine/events' }, delayMs: 3000 }] });
    const k = live(kc, { timeoutMs: 250 });
    const t0 = Date.now();
    await expect(k.list('events', { namespace: 'llm-engine' })).rejects.toThrow('list events in llm-engine: no answer within 250ms (after 2 tries)');
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(await k.list('events', { namespace: 'default' })).toHaveLength(1);
  });
});

describe('HTTPS with a CA and a bearer token', () => {
  let srv: SnapshotServer;
  let kc: KubeConfig;
  beforeAll(async () => {
    ({ srv, kc } = await serve({ tls: true, token: 's3cr3t-t0ken' }));
  });

  it('connects, reads the cluster clock from the Date header and lists through the same auth', async () => {
    const info = await connect(kc, { timeoutMs: 2000 });
    // The served kubeconfig keeps the snapshot's original context name.
    const context = 'arn:aws:eks:us-west-2:123456789012:cluster/ml-serving-prod';
    expect(info).toEqual({ server: srv.url, context, version: 'v1.29.3-eks-ae9a62a', now: snapshot.now });
    const k = live(kc);
    expect(k.target).toBe(`${context} (${srv.url})`);
    expect(await k.list('nodes')).toHaveLength(3);
    expect(await k.hasResource('scaledobjects.keda.sh')).toBe(true);
    expect(await k.logs('kube-system', PODS.keda, 'keda-operator', { tailLines: 1 })).toContain('Initializing Scaling logic');
    expect(srv.requestLog.every((r) => r.status === 200)).toBe(true);
  });

  it('fails with one line and exit 2 on a wrong token or an untrusted certificate', async () => {
    const wrong = join(dir, 'wrong-token');
    await writeFile(wrong, buildKubeconfig({ server: srv.url, caPem: srv.caPem!, token: 'nope', context: 'prod' }));
    const e1 = await connect(loadKubeConfig({ kubeconfig: wrong }), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(FatalError);
    expect(e1).toMatchObject({ exitCode: 2 });
    expect((e1 as Error).message).toBe(`the cluster at ${srv.url} rejected the credentials: 401 Unauthorized (context "prod")`);

    const noCa = join(dir, 'no-ca');
    await writeFile(noCa, buildKubeconfig({ server: srv.url, token: 's3cr3t-t0ken' }));
    const e2 = await connect(loadKubeConfig({ kubeconfig: noCa }), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(FatalError);
    expect((e2 as Error).message).toMatch(new RegExp(`^cannot reach the cluster at ${srv.url}: .*(self[- ]signed|unable to verify).* \\(context "snapshot"\\)$`, 'i'));
    expect((e2 as Error).message).not.toContain('\n');
  });
});

describe('exec credential plugins', () => {
  const execKubeconfig = (server: string, caPem: string, command: string) =>
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'eks', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
      users: [
        {
          name: 'eks-user',
          user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command, args: ['eks', 'get-token', '--cluster-name', 'ml-serving-prod'], interactiveMode: 'Never' } },
        },
      ],
      contexts: [{ name: 'eks', context: { cluster: 'eks', user: 'eks-user' } }],
      'current-context': 'eks',
    });

  it('authenticates with the token an exec plugin prints (client-node runs it)', async () => {
    const { srv } = await serve({ tls: true, token: 'exec-issued-token' });
    const plugin = join(dir, 'fake-aws');
    await writeFile(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"exec-issued-token","expirationTimestamp":"2099-01-01T00:00:00Z"}}'\n`,
      { mode: 0o755 },
    );
    const file = join(dir, 'exec-ok');
    await writeFile(file, execKubeconfig(srv.url, srv.caPem!, plugin));
    const kc = loadKubeConfig({ kubeconfig: file });
    expect((await connect(kc, { timeoutMs: 3000 })).version).toBe('v1.29.3-eks-ae9a62a');
    expect(await live(kc).list('nodes')).toHaveLength(3);
    expect(srv.requestLog.map((r) => r.status)).toEqual([200, 200]);
  });

  it('reports a failing plugin as a FatalError about credentials', async () => {
    const { srv } = await serve({ tls: true, token: 'exec-issued-token' });
    const plugin = join(dir, 'failing-aws');
    await writeFile(plugin, '#!/bin/sh\necho "Unable to locate credentials. You can configure credentials by running aws configure." >&2\nexit 255\n', { mode: 0o755 });
    const file = join(dir, 'exec-fail');
    await writeFile(file, execKubeconfig(srv.url, srv.caPem!, plugin));
    const err = await connect(loadKubeConfig({ kubeconfig: file }), { timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toMatch(/^cannot get credentials for context "eks": /);
    expect((err as Error).message).not.toContain('\n');
    expect(srv.requestLog).toHaveLength(0);
  });
});

describe('connect', () => {
  it('reports a closed port as a FatalError naming the server, the cause and the context', async () => {
    const port = await closedPort();
    const file = join(dir, 'closed');
    await writeFile(file, buildKubeconfig({ server: `http://127.0.0.1:${port}`, context: 'eks-prod' }));
    const err = await connect(loadKubeConfig({ kubeconfig: file }), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as FatalError).exitCode).toBe(2);
    expect((err as Error).message).toBe(
      `cannot reach the cluster at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (context "eks-prod")`,
    );
  });
});

describe('writable server: create, watch, mutate, delete through client-node', () => {
  it('creates a pod with server defaults, streams its changes and deletes it', async () => {
    const { srv, kc } = await serve({ writable: true });
    const core = kc.makeApiClient(CoreV1Api);
    const events: { type: string; phase?: string; name: string }[] = [];
    let resolveDeleted: () => void;
    const deleted = new Promise<void>((r) => (resolveDeleted = r));
    const watch = await new Watch(kc).watch(
      '/api/v1/namespaces/default/pods',
      { fieldSelector: 'metadata.name=canary-probe' },
      (type, obj: { metadata: { name: string }; status?: { phase?: string } }) => {
        events.push({ type, name: obj.metadata.name, ...(obj.status?.phase ? { phase: obj.status.phase } : {}) });
        if (type === 'DELETED') resolveDeleted();
      },
      () => undefined,
    );
    try {
      const created = await core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: 'canary-probe', labels: { app: 'model-engine-doctor-canary' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'probe', image: '123456789012.dkr.ecr.us-west-2.amazonaws.com/vllm:0.4.2', command: ['true'] }] },
        },
      });
      expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata?.creationTimestamp).toEqual(snapshot.now);
      expect(created.status?.phase).toBe('Pending');
      expect(created.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
      expect(created.spec?.serviceAccountName).toBe('default');

      await expect(core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'canary-probe' }, spec: { containers: [] } } })).rejects.toMatchObject({ code: 409 });

      // The kubelet starts it, then it completes.
      srv.mutate('default', 'canary-probe', (p) => {
        p.spec = { ...(p.spec as object), nodeName: 'ip-10-0-1-23.us-west-2.compute.internal' };
        p.status = { phase: 'Running' };
      });
      srv.mutate('default', 'canary-probe', (p) => ({ ...p, status: { phase: 'Succeeded' } }));
      const k = live(kc);
      expect((await k.get('pods', 'canary-probe', 'default'))?.status).toEqual({ phase: 'Succeeded' });

      const gone = await core.deleteNamespacedPod({ name: 'canary-probe', namespace: 'default' });
      expect(gone.metadata?.name).toBe('canary-probe');
      await deleted;
      expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
      expect(events.map((e) => e.phase)).toEqual(['Pending', 'Running', 'Succeeded', 'Succeeded']);
      // Reads are memoised for a run (one answer per object); refresh() asks again, as the TUI's re-run does.
      expect(await k.get('pods', 'canary-probe', 'default')).toMatchObject({ metadata: { name: 'canary-probe' } });
      k.refresh();
      expect(await k.get('pods', 'canary-probe', 'default')).toBeUndefined();
      expect(srv.objects().some((o) => o.metadata.name === 'canary-probe')).toBe(false);
    } finally {
      watch.abort();
    }
  });
});

describe('lean lists of the kinds a cluster holds by the ten thousand', () => {
  it('drops managedFields and the last-applied copy from pods (not from other kinds: service accounts date annotations by theirs), keeps all else', async () => {
    const managedFields = [{ manager: 'kube-controller-manager', operation: 'Update', time: '2026-11-20T09:00:00Z', fieldsV1: { 'f:metadata': {} } }];
    const applied = { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"copy"}', keep: 'me' };
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'model-engine', namespace: 'llm-engine', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/x' } } };
    const objects = [...structuredClone(snapshot.objects), sa].map((o) =>
      o.kind === 'Pod' || o.kind === 'ServiceAccount' ? { ...o, metadata: { ...o.metadata, managedFields, annotations: { ...o.metadata.annotations, ...applied } } } : o,
    );
    const srv = await startSnapshotServer({ snapshot: { ...snapshot, objects }, redact: false }); // served as a real API server would
    servers.push(srv);
    const file = join(dir, 'kubeconfig-lean');
    await writeFile(file, srv.kubeconfig);
    const kube = live(loadKubeConfig({ kubeconfig: file }));
    const pods = await kube.list('pods', { namespace: 'llm-engine' });
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) {
      expect(p.metadata).not.toHaveProperty('managedFields');
      expect(p.metadata.annotations).toMatchObject({ keep: 'me' });
      expect(p.metadata.annotations).not.toHaveProperty(['kubectl.kubernetes.io/last-applied-configuration']);
      expect(p.spec).toBeDefined();
    }
    const sas = await kube.list('serviceaccounts');
    expect(sas.length).toBe(1);
    expect(sas[0]!.metadata).toMatchObject({ managedFields, annotations: { keep: 'me' } });
  });
});

describe('each object read once per run', () => {
  const podPath = (p: string) => p.startsWith('/api/v1/namespaces/llm-engine/pods');
  it('a filtered list after the namespace list, and a get of one of its objects, are answered from it', async () => {
    const { srv, kc } = await serve();
    const kube = live(kc);
    const all = await kube.list('pods', { namespace: 'llm-engine' });
    const before = srv.requestLog.filter((r) => podPath(r.path)).length;
    const gateways = await kube.list('pods', { namespace: 'llm-engine', labelSelector: 'app=model-engine' });
    const running = await kube.list('pods', { namespace: 'llm-engine', fieldSelector: 'status.phase=Running' });
    const one = await kube.get('pods', PODS.gateway1, 'llm-engine');
    expect(srv.requestLog.filter((r) => podPath(r.path)).length).toBe(before);
    // The same answers the API server gives to the filtered requests.
    const { srv: fresh, kc: freshKc } = await serve();
    const asked = live(freshKc);
    expect(names(gateways)).toEqual(names(await asked.list('pods', { namespace: 'llm-engine', labelSelector: 'app=model-engine' })));
    expect(names(running)).toEqual(names(await asked.list('pods', { namespace: 'llm-engine', fieldSelector: 'status.phase=Running' })));
    expect(one).toEqual(await asked.get('pods', PODS.gateway1, 'llm-engine'));
    expect(fresh.requestLog.filter((r) => podPath(r.path)).length).toBe(3);
    expect(gateways.length).toBeGreaterThan(0);
    expect(gateways.length).toBeLessThan(all.length);
  });

  it('a filtered list whose broader list is refused is read itself', async () => {
    const { srv, kc } = await serve({ faults: [{ match: { pathPrefix: '/api/v1/pods' }, status: 403 }] });
    const kube = live(kc);
    await expect(kube.list('pods')).rejects.toBeInstanceOf(ForbiddenError);
    const gateways = await kube.list('pods', { namespace: 'llm-engine', labelSelector: 'app=model-engine' });
    expect(gateways.length).toBeGreaterThan(0);
    expect(srv.requestLog.filter((r) => podPath(r.path))).toHaveLength(1);
  });

  it('a container log is read once whatever the tails asked (200, 1000, 2000), each cut as the kubelet cuts it', async () => {
    const { srv, kc } = await serve();
    const kube = live(kc);
    const full = await kube.logs('llm-engine', PODS.gateway1, 'model-engine');
    const short = await kube.logs('llm-engine', PODS.gateway1, 'model-engine', { tailLines: 200 });
    const long = await kube.logs('llm-engine', PODS.gateway1, 'model-engine', { tailLines: 1000 });
    const longest = await kube.logs('llm-engine', PODS.gateway1, 'model-engine', { tailLines: 2000 });
    expect(srv.requestLog.filter((r) => r.path.includes('/log'))).toHaveLength(2); // whole, and tail 2000
    expect(longest).toBe(long);
    expect(full).toBeDefined();
    // What the server itself answers to each tail.
    const { kc: freshKc } = await serve();
    const asked = live(freshKc);
    expect(short).toBe(await asked.logs('llm-engine', PODS.gateway1, 'model-engine', { tailLines: 200 }));
    expect(longest).toBe(full);
  });

});

describe('spliceNamespaces: whole namespace lists put into the rest of a cluster-wide list', () => {
  const pod = (ns: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name } });
  const keys = (l: readonly KubeObject[] | undefined) => l?.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
  const sorted = (l: KubeObject[]) => [...l].sort((a, b) => { const x = `${a.metadata.namespace}/${a.metadata.name}`; const y = `${b.metadata.namespace}/${b.metadata.name}`; return x < y ? -1 : x > y ? 1 : 0; });

  it("gives the API server's key order for namespaces before, between and after the others, and with no others", () => {
    const others = [pod('b', '1'), pod('b', '2'), pod('d', '1'), pod('kube-system', 'x')];
    const lists = [['z', [pod('z', 'a')]], ['a', [pod('a', 'p'), pod('a', 'q')]], ['c', [pod('c', 'm')]], ['llm-engine', []]] as const;
    const all = [...others, ...lists.flatMap(([, l]) => l)];
    expect(keys(spliceNamespaces(others, lists))).toEqual(keys(sorted(all)));
    expect(keys(spliceNamespaces([], lists))).toEqual(keys(sorted(lists.flatMap(([, l]) => [...l]))));
    expect(keys(spliceNamespaces(others, []))).toEqual(keys(others));
  });

  it('keeps 100,000 pods of one namespace in one piece (no spread of that many arguments)', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => pod('llm-engine', String(i).padStart(6, '0')));
    const out = spliceNamespaces([pod('a', '1'), pod('z', '1')], [['llm-engine', big]]);
    expect(out).toHaveLength(100_002);
    expect(out![1]).toBe(big[0]);
    expect(out![100_001]!.metadata.namespace).toBe('z');
  });

  it('is undefined when the others are not in namespace order (the caller sorts then)', () => {
    expect(spliceNamespaces([pod('b', '1'), pod('a', '1')], [['c', [pod('c', '1')]]])).toBeUndefined();
  });
});
