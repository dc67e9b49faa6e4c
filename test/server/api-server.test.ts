import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import type { Snapshot } from '../../src/sources/snapshot/load.js';
import { FIXTURE, loadFixture, PODS, raw } from './helpers.js';

const KUBECTL_DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

let snapshot: Snapshot;
let srv: SnapshotServer;
beforeAll(async () => {
  snapshot = await loadFixture();
  srv = await startSnapshotServer({ snapshot });
});
afterAll(async () => {
  await srv.close();
});

describe('discovery', () => {
  it('serves /version with the snapshot time as the HTTP Date', async () => {
    const r = await raw(srv.url, '/version');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ major: '1', minor: '29+', gitVersion: 'v1.29.3-eks-ae9a62a' });
    expect(r.headers.date).toBe('Tue, 14 May 2024 10:30:00 GMT');
    expect(new Date(String(r.headers.date)).getTime()).toBe(snapshot.now.getTime());
  });

  it('serves legacy /api, /api/v1, /apis and group versions', async () => {
    const api = await raw(srv.url, '/api');
    expect(api.json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });

    const v1 = await raw(srv.url, '/api/v1');
    expect(v1.json.kind).toBe('APIResourceList');
    const byName = Object.fromEntries((v1.json.resources as { name: string }[]).map((r) => [r.name, r]));
    expect(byName.pods).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'], verbs: ['get', 'list', 'watch'], categories: ['all'] });
    expect(byName['pods/log']).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    expect(byName.nodes).toMatchObject({ kind: 'Node', namespaced: false });
    // Built-ins are served even when the snapshot holds none of them, as on a real cluster.
    expect(byName.secrets).toMatchObject({ kind: 'Secret' });

    const apis = await raw(srv.url, '/apis');
    const groups = Object.fromEntries((apis.json.groups as { name: string }[]).map((g) => [g.name, g]));
    expect(apis.json.kind).toBe('APIGroupList');
    expect(groups['keda.sh']).toEqual({
      name: 'keda.sh',
      versions: [{ groupVersion: 'keda.sh/v1alpha1', version: 'v1alpha1' }],
      preferredVersion: { groupVersion: 'keda.sh/v1alpha1', version: 'v1alpha1' },
    });
    expect(groups.apps).toBeDefined();
    // CRD groups exist only when the snapshot has them.
    expect(groups['networking.istio.io']).toBeUndefined();

    const keda = await raw(srv.url, '/apis/keda.sh/v1alpha1');
    expect(keda.json.resources).toEqual([
      { name: 'scaledobjects', singularName: 'scaledobject', namespaced: true, kind: 'ScaledObject', verbs: ['get', 'list', 'watch'], shortNames: ['so'] },
    ]);
    expect((await raw(srv.url, '/apis/keda.sh')).json).toMatchObject({ kind: 'APIGroup', name: 'keda.sh' });
    expect((await raw(srv.url, '/apis/networking.istio.io/v1beta1')).status).toBe(404);
  });

  it('answers kubectl 1.32 aggregated discovery with apidiscovery.k8s.io/v2', async () => {
    const r = await raw(srv.url, '/apis', { headers: { Accept: KUBECTL_DISCOVERY_ACCEPT } });
    expect(r.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(r.json.kind).toBe('APIGroupDiscoveryList');
    const keda = r.json.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'keda.sh');
    expect(keda.versions[0].resources[0]).toMatchObject({
      resource: 'scaledobjects',
      responseKind: { group: 'keda.sh', version: 'v1alpha1', kind: 'ScaledObject' },
      scope: 'Namespaced',
    });
    const core = await raw(srv.url, '/api', { headers: { Accept: KUBECTL_DISCOVERY_ACCEPT } });
    const pods = core.json.items[0].versions[0].resources.find((x: { resource: string }) => x.resource === 'pods');
    expect(pods.subresources.map((s: { subresource: string }) => s.subresource)).toContain('log');
  });

  it('falls back to plain discovery when aggregated discovery is off, and 406 when nothing else is acceptable', async () => {
    const plain = await startSnapshotServer({ snapshot, aggregatedDiscovery: false });
    try {
      const r = await raw(plain.url, '/apis', { headers: { Accept: KUBECTL_DISCOVERY_ACCEPT } });
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.json.kind).toBe('APIGroupList');
      const only = await raw(plain.url, '/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
      expect(only.status).toBe(406);
      expect(only.json).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
    } finally {
      await plain.close();
    }
  });

  it('has no OpenAPI documents (404 Status)', async () => {
    for (const p of ['/openapi/v2', '/openapi/v3']) {
      const r = await raw(srv.url, p);
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    }
  });
});

describe('list and get', () => {
  it('lists cluster-wide and per namespace with a typed List and a resourceVersion', async () => {
    const all = await raw(srv.url, '/api/v1/pods');
    expect(all.json).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(all.json.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(all.json.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual([
      PODS.keda,
      PODS.crashing,
      PODS.pending,
      PODS.gateway1,
      PODS.gateway2,
      PODS.builder,
    ]);
    // The real server leaves kind/apiVersion off built-in list items.
    expect(all.json.items[0].kind).toBeUndefined();
    const ns = await raw(srv.url, '/api/v1/namespaces/kube-system/pods');
    expect(ns.json.items).toHaveLength(1);
    const so = await raw(srv.url, '/apis/keda.sh/v1alpha1/namespaces/llm-engine/scaledobjects');
    expect(so.json).toMatchObject({ kind: 'ScaledObjectList', apiVersion: 'keda.sh/v1alpha1' });
    expect(so.json.items[0]).toMatchObject({ kind: 'ScaledObject', apiVersion: 'keda.sh/v1alpha1' });
    const crd = await raw(srv.url, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/scaledobjects.keda.sh');
    expect(crd.json).toMatchObject({ kind: 'CustomResourceDefinition', spec: { group: 'keda.sh' } });
  });

  it('pages with limit/continue and says how many remain', async () => {
    const names: string[] = [];
    let cont = '';
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await raw(srv.url, `/api/v1/pods?limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      expect(r.status).toBe(200);
      names.push(...r.json.items.map((p: { metadata: { name: string } }) => p.metadata.name));
      if (r.json.metadata.remainingItemCount !== undefined) remaining.push(r.json.metadata.remainingItemCount);
      cont = r.json.metadata.continue ?? '';
      if (!cont) break;
    }
    expect(names).toHaveLength(6);
    expect(new Set(names).size).toBe(6);
    expect(remaining).toEqual([4, 2]);
    const withSelector = await raw(srv.url, '/api/v1/pods?limit=1&labelSelector=app%3Dmodel-engine');
    expect(withSelector.json.metadata.continue).toBeTruthy();
    expect(withSelector.json.metadata.remainingItemCount).toBeUndefined();
    const bad = await raw(srv.url, '/api/v1/pods?limit=2&continue=garbage');
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toBe('BadRequest');
  });

  it('filters with label and field selectors, and rejects the field labels the real server rejects', async () => {
    const q = async (p: string) => (await raw(srv.url, p)).json.items.map((o: { metadata: { name: string } }) => o.metadata.name);
    expect(await q('/api/v1/pods?labelSelector=' + encodeURIComponent('app in (model-engine,keda-operator)'))).toEqual([PODS.keda, PODS.gateway1, PODS.gateway2]);
    expect(await q('/api/v1/pods?fieldSelector=' + encodeURIComponent('spec.nodeName='))).toEqual([PODS.pending]);
    expect(await q('/api/v1/namespaces/llm-engine/events?fieldSelector=' + encodeURIComponent(`involvedObject.name=${PODS.pending}`))).toHaveLength(1);
    const bad = await raw(srv.url, '/api/v1/pods?fieldSelector=spec.containers.image%3Dx');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'field label not supported: spec.containers.image',
      reason: 'BadRequest',
      code: 400,
    });
    expect((await raw(srv.url, '/api/v1/pods?labelSelector=' + encodeURIComponent('app in (a'))).status).toBe(400);
  });

  it('gets named objects and answers NotFound with a real Status', async () => {
    const pod = await raw(srv.url, `/api/v1/namespaces/llm-engine/pods/${PODS.gateway1}`);
    expect(pod.json).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: PODS.gateway1 } });
    const node = await raw(srv.url, '/api/v1/nodes/ip-10-0-3-77.us-west-2.compute.internal');
    expect(node.json.metadata.labels['k8s.amazonaws.com/accelerator']).toBe('nvidia-ampere-a10');
    const ns = await raw(srv.url, '/api/v1/namespaces/llm-engine');
    expect(ns.json).toMatchObject({ kind: 'Namespace', status: { phase: 'Active' } });
    const missing = await raw(srv.url, '/apis/apps/v1/namespaces/llm-engine/deployments/nope');
    expect(missing.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    // In another namespace the pod does not exist.
    expect((await raw(srv.url, `/api/v1/namespaces/default/pods/${PODS.gateway1}`)).status).toBe(404);
    expect((await raw(srv.url, '/api/v1/widgets')).status).toBe(404);
  });

  it('serves a Table when kubectl asks for one, with ages from the snapshot time', async () => {
    const r = await raw(srv.url, '/api/v1/namespaces/llm-engine/pods', { headers: { Accept: TABLE_ACCEPT } });
    expect(r.json).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(r.json.columnDefinitions.filter((c: { priority: number }) => c.priority === 0).map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    const row = r.json.rows.find((x: { cells: string[] }) => x.cells[0] === PODS.crashing);
    expect(row.cells.slice(0, 5)).toEqual([PODS.crashing, '1/2', 'CrashLoopBackOff', '4 (3m19s ago)', '24m']);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { namespace: 'llm-engine', name: PODS.crashing } });
    const pending = r.json.rows.find((x: { cells: string[] }) => x.cells[0] === PODS.pending);
    expect(pending.cells.slice(0, 7)).toEqual([PODS.pending, '0/2', 'Pending', '0', '9m27s', '<none>', '<none>']);
    const so = await raw(srv.url, '/apis/keda.sh/v1alpha1/namespaces/llm-engine/scaledobjects', { headers: { Accept: TABLE_ACCEPT } });
    const cols = so.json.columnDefinitions.map((c: { name: string }) => c.name);
    expect(cols.slice(0, 4)).toEqual(['Name', 'ScaleTargetKind', 'ScaleTargetName', 'Min']);
    const cells = Object.fromEntries(cols.map((c: string, i: number) => [c, so.json.rows[0].cells[i]]));
    expect(cells).toMatchObject({ Triggers: 'redis', Ready: 'True', Min: 0, Max: 2, Age: '25m' });
  });
});

describe('pods/log', () => {
  const logPath = (pod: string, q = '') => `/api/v1/namespaces/llm-engine/pods/${pod}/log${q}`;

  it('serves a container log, its tail and the previous instance', async () => {
    const file = await readFile(join(FIXTURE, 'logs/llm-engine', PODS.crashing, 'main.log'), 'utf8');
    const full = await raw(srv.url, logPath(PODS.crashing, '?container=main'));
    expect(full.headers['content-type']).toBe('text/plain');
    expect(full.text).toBe(file);
    const tail = await raw(srv.url, logPath(PODS.crashing, '?container=main&tailLines=1'));
    expect(tail.text).toBe(`${file.trimEnd().split('\n').pop()}\n`);
    const prev = await raw(srv.url, logPath(PODS.crashing, '?container=main&previous=true'));
    expect(prev.text).toContain('10:25:58');
    // Single-container pods need no container parameter.
    expect((await raw(srv.url, logPath(PODS.gateway1))).text).toContain('Application startup complete.');
  });

  it('answers 400 like the real server for ambiguous, unknown or not-started containers', async () => {
    const ambiguous = await raw(srv.url, logPath(PODS.crashing));
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.json.message).toBe(`a container name must be specified for pod ${PODS.crashing}, choose one of: [http-forwarder main]`);
    expect((await raw(srv.url, logPath(PODS.crashing, '?container=sidecar'))).json.message).toBe(
      `container sidecar is not valid for pod ${PODS.crashing}`,
    );
    expect((await raw(srv.url, logPath(PODS.pending, '?container=main'))).json.message).toContain('is waiting to start');
    expect((await raw(srv.url, logPath(PODS.gateway1, '?previous=true'))).status).toBe(400);
    expect((await raw(srv.url, logPath('nope', '?container=main'))).status).toBe(404);
  });
});

describe('access control, writes and faults', () => {
  it('refuses writes with 405 MethodNotAllowed unless writable', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/namespaces/default/pods'],
      ['DELETE', `/api/v1/namespaces/llm-engine/pods/${PODS.gateway1}`],
      ['PATCH', `/api/v1/namespaces/llm-engine/pods/${PODS.gateway1}`],
      ['PUT', `/api/v1/namespaces/llm-engine/pods/${PODS.gateway1}`],
    ] as const) {
      const r = await raw(srv.url, path, { method, body: { metadata: { name: 'x' } } });
      expect(r.status).toBe(405);
      expect(r.json).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
    }
    expect((await raw(srv.url, `/api/v1/namespaces/llm-engine/pods/${PODS.gateway1}`)).status).toBe(200);
  });

  it('denies with the real Forbidden message and details', async () => {
    const s = await startSnapshotServer({
      snapshot,
      denials: [
        { verb: 'list', resource: 'pods', namespace: 'llm-engine' },
        { verb: 'get', resource: 'pods/log' },
        { verb: 'list', resource: 'deployments.apps' },
      ],
    });
    try {
      const r = await raw(s.url, '/api/v1/namespaces/llm-engine/pods');
      expect(r.status).toBe(403);
      expect(r.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'pods is forbidden: User "system:serviceaccount:default:model-engine-doctor" cannot list resource "pods" in API group "" in the namespace "llm-engine"',
        reason: 'Forbidden',
        details: { kind: 'pods' },
        code: 403,
      });
      expect((await raw(s.url, '/api/v1/namespaces/kube-system/pods')).status).toBe(200);
      // Listing across namespaces needs the permission everywhere.
      expect((await raw(s.url, '/api/v1/pods')).json.message).toContain('cannot list resource "pods" in API group "" at the cluster scope');
      expect((await raw(s.url, '/apis/apps/v1/namespaces/llm-engine/deployments')).json.message).toBe(
        'deployments.apps is forbidden: User "system:serviceaccount:default:model-engine-doctor" cannot list resource "deployments" in API group "apps" in the namespace "llm-engine"',
      );
      const log = await raw(s.url, `/api/v1/namespaces/llm-engine/pods/${PODS.gateway1}/log`);
      expect(log.json.message).toBe(
        `pods "${PODS.gateway1}" is forbidden: User "system:serviceaccount:default:model-engine-doctor" cannot get resource "pods/log" in API group "" in the namespace "llm-engine"`,
      );
      expect((await raw(s.url, `/api/v1/namespaces/llm-engine/pods/${PODS.gateway1}`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('requires the bearer token when one is set (health endpoints excepted)', async () => {
    const s = await startSnapshotServer({ snapshot, token: 'abc123' });
    try {
      const denied = await raw(s.url, '/api/v1/pods');
      expect(denied.status).toBe(401);
      expect(denied.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      expect((await raw(s.url, '/api/v1/pods', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await raw(s.url, '/api/v1/pods', { headers: { Authorization: 'Bearer abc123' } })).status).toBe(200);
      expect((await raw(s.url, '/healthz')).text).toBe('ok');
      expect(parse(s.kubeconfig).users[0].user.token).toBe('abc123');
    } finally {
      await s.close();
    }
  });

  it('injects statuses and delays for matching requests, a limited number of times', async () => {
    const s = await startSnapshotServer({
      snapshot,
      faults: [
        { match: { method: 'GET', pathPrefix: '/api/v1/nodes' }, status: 503, times: 2 },
        { match: { pathPrefix: '/api/v1/namespaces' }, delayMs: 150 },
      ],
    });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await raw(s.url, '/api/v1/nodes')).status);
      expect(statuses).toEqual([503, 503, 200]);
      const first = await raw(s.url, '/api/v1/nodes');
      expect(first.status).toBe(200);
      const t0 = Date.now();
      expect((await raw(s.url, '/api/v1/namespaces')).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      expect(s.requestLog.slice(0, 3)).toEqual([
        { method: 'GET', path: '/api/v1/nodes', status: 503, fault: true },
        { method: 'GET', path: '/api/v1/nodes', status: 503, fault: true },
        { method: 'GET', path: '/api/v1/nodes', status: 200 },
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('TLS', () => {
  it('serves HTTPS with a fresh CA that the kubeconfig carries', async () => {
    const s = await startSnapshotServer({ snapshot, tls: true });
    try {
      expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = new X509Certificate(s.caPem!);
      expect(ca.ca).toBe(true);
      const cfg = parse(s.kubeconfig);
      expect(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(s.caPem);
      // The context keeps the name of the cluster the snapshot was collected from.
      expect(cfg['current-context']).toBe('arn:aws:eks:us-west-2:123456789012:cluster/ml-serving-prod');
      expect((await raw(s.url, '/version', { ca: s.caPem! })).json.gitVersion).toBe('v1.29.3-eks-ae9a62a');
      await expect(raw(s.url, '/version')).rejects.toThrow(/self[- ]signed|unable to verify/i);
    } finally {
      await s.close();
    }
  });
});
