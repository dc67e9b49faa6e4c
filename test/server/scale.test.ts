/**
 * `serve` and `collect` at a size where whole-list habits break (issue 16): a synthetic cluster of a few thousand
 * pods and events (the full target size, 100,000 pods, is in `npm run bench`). No timing here: correctness of paged
 * and unpaged lists as the real client and kubectl page them, and a collect that round-trips.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticCluster } from '../../bench/synthetic.js';
import type { KubeObject } from '../../src/engine/types.js';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { loadSnapshot, resourcesOf, type Snapshot } from '../../src/sources/snapshot/load.js';
import { compareKeys, objectKey } from '../../src/sources/snapshot/query.js';
import { runCli } from '../support/cli.js';
import { ObjectStore } from '../../src/sources/server/store.js';
import { raw } from './helpers.js';

const NOW = new Date('2026-11-20T09:30:00Z');
const objects = syntheticCluster({ endpoints: 300, nodes: 400, replicas: 8, nodeAgents: true, events: 3000, brokenFraction: 0.05, now: NOW });
const snapshot: Snapshot = { path: 'synthetic', objects, resources: resourcesOf(objects), logs: new Map(), info: undefined, now: NOW };
const keysOf = (kind: string, ns?: string) =>
  objects
    .filter((o) => o.kind === kind && (!ns || o.metadata.namespace === ns))
    .map(objectKey)
    .sort(compareKeys);

let server: SnapshotServer;
let tmp: string;
beforeAll(async () => {
  server = await startSnapshotServer({ snapshot });
  tmp = await mkdtemp(join(tmpdir(), 'med-scale-'));
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Every page of a list, following continue tokens, as the real client does. */
async function pages(path: string, limit: number) {
  const out: { items: KubeObject[]; metadata: { continue?: string; remainingItemCount?: number; resourceVersion: string } }[] = [];
  let cont = '';
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await raw(server.url, `${path}${sep}limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    expect(r.status).toBe(200);
    out.push(r.json);
    cont = r.json.metadata.continue ?? '';
    if (!cont) return out;
  }
}

describe('serve at a few thousand pods (issue 16)', () => {
  it('the cluster is as large as the test says', () => {
    expect(keysOf('Pod').length).toBeGreaterThan(2500);
    expect(keysOf('Event').length).toBe(3000);
    expect(keysOf('Node').length).toBe(400);
  });

  it('pages all pods in key order, each exactly once, with the remaining count going down', async () => {
    const ps = await pages('/api/v1/pods', 250);
    const got = ps.flatMap((p) => p.items.map((o) => objectKey(o)));
    expect(got).toEqual(keysOf('Pod'));
    expect(ps.length).toBe(Math.ceil(keysOf('Pod').length / 250));
    ps.slice(0, -1).forEach((p, i) => expect(p.metadata.remainingItemCount).toBe(keysOf('Pod').length - 250 * (i + 1)));
    expect(ps.at(-1)!.metadata.remainingItemCount).toBeUndefined();
    // One resourceVersion for the whole list, as the first page gave it.
    expect(new Set(ps.map((p) => p.metadata.resourceVersion)).size).toBe(1);
  });

  it('an unpaged list (streamed) holds the same items as the pages', async () => {
    const r = await raw(server.url, '/api/v1/pods');
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.json.kind).toBe('PodList');
    expect(r.json.items.map((o: KubeObject) => objectKey(o))).toEqual(keysOf('Pod'));
    expect(r.json.items[0].kind).toBeUndefined(); // built-in list items carry no kind, as the real server sends them
  });

  it('pages one namespace without the others, and a label selection without a remaining count', async () => {
    const ks = await pages('/api/v1/namespaces/kube-system/pods', 333);
    expect(ks.flatMap((p) => p.items.map((o) => objectKey(o)))).toEqual(keysOf('Pod', 'kube-system'));
    expect(ks[0]!.metadata.remainingItemCount).toBe(keysOf('Pod', 'kube-system').length - 333);
    const proxies = await pages('/api/v1/pods?labelSelector=name%3Dkube-proxy', 100);
    expect(proxies.flatMap((p) => p.items.map((o) => o.metadata.name))).toHaveLength(400);
    expect(proxies.every((p) => p.metadata.remainingItemCount === undefined)).toBe(true);
  });

  it('streams a Table of thousands of rows as kubectl asks for it', async () => {
    const r = await raw(server.url, '/api/v1/namespaces/llm-engine/events', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    expect(r.json.kind).toBe('Table');
    expect(r.json.columnDefinitions.length).toBeGreaterThan(0);
    expect(r.json.rows).toHaveLength(keysOf('Event', 'llm-engine').length);
  });

  it('collect reads it through the live path and writes large lists as JSON that loads back whole', async () => {
    const kubeconfig = join(tmp, 'kubeconfig');
    await writeFile(kubeconfig, server.kubeconfig);
    const out = join(tmp, 'collected');
    const r = await runCli(['collect', out, '--kubeconfig', kubeconfig, '--endpoint-namespace', 'llm-engine'], { CI: 'true', KUBECONFIG: undefined, MED_NETWORK: 'none' });
    expect(r.stderr).toMatch(/wrote .*collected: \d+ objects/);
    expect(r.code).toBe(0);
    const files = await readdir(join(out, 'llm-engine'));
    expect(files).toEqual(expect.arrayContaining(['pods.json', 'events.json', 'deployments.apps.yaml']));
    const back = await loadSnapshot(out);
    const podsBack = back.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === 'llm-engine').map(objectKey).sort(compareKeys);
    expect(podsBack).toEqual(keysOf('Pod', 'llm-engine'));
    expect(back.objects.filter((o) => o.kind === 'Event')).toHaveLength(3000);
    expect(back.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === 'kube-system')).toHaveLength(keysOf('Pod', 'kube-system').length);
    // A generous bound, not a timing assert: about 10 s alone, several times that on a busy machine in the full suite.
  }, 240_000);
});

describe('the store at full target size', () => {
  it('starts with 200,000 objects (a spread of them as arguments overflowed the stack) and keeps the highest resourceVersion', () => {
    const many: KubeObject[] = Array.from({ length: 200_000 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: `ns-${i % 7}`, resourceVersion: String(i + 5000) } }));
    const store = new ObjectStore(many);
    expect(store.resourceVersion).toBe('204999');
    const pods = { kind: 'Pod', plural: 'pods', singular: 'pod', group: '', version: 'v1', namespaced: true };
    expect(store.find(pods, 'ns-1', 'p-199998')?.metadata.resourceVersion).toBe('204998');
    expect(store.ofResource(pods).map(objectKey).slice(0, 3)).toEqual(['ns-0/p-0', 'ns-0/p-100002', 'ns-0/p-100009']);
  });
});
