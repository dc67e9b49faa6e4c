/**
 * One realistic snapshot per cause code, diagnosed as `endpoint <id>` diagnoses it: through `--snapshot` (the
 * snapshot kube port) and, for a few, through the live path (the real @kubernetes/client-node against the
 * snapshot API server with its kubeconfig), which must reach the same diagnosis.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnosis } from '../../src/engine/diagnosis.js';
import { CAUSE_CODES } from '../../diagnoses/index.js';
import { LiveKube, loadKubeConfig } from '../../src/sources/kube/live-kube.js';
import { startSnapshotServer, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { CAUSE_CASES, diagnoseSnapshot, diagnoseWith, snapshotOf, type CauseCase } from './cases.js';

const json = (x: unknown) => JSON.stringify(x);

function expectCase(d: Diagnosis, c: CauseCase): void {
  expect(d.cause).toBe(c.cause);
  for (const phrase of c.summary) expect(d.summary).toContain(phrase);
  const commands = (d.remediation.commands ?? []).join('\n');
  for (const phrase of c.commands ?? []) expect(commands).toContain(phrase);
  for (const phrase of c.values ?? []) expect(d.remediation.values ?? '').toContain(phrase);
  for (const phrase of c.evidence ?? []) expect(json(d.evidence)).toContain(phrase);
  expect(d.remediation.summary.length).toBeGreaterThan(10);
  expect(d.remediation.docs).toMatch(/^docs\/endpoint\.md#[a-z-]+$/);
}

describe('every cause code has a fixture', () => {
  it('covers CAUSE_CODES exactly', () => {
    expect(new Set(CAUSE_CASES.map((c) => c.cause))).toEqual(new Set(CAUSE_CODES));
  });
});

describe('endpoint diagnosis over --snapshot', () => {
  it.each(CAUSE_CASES.map((c) => [`${c.cause} (${c.fixture})`, c] as const))('%s', async (_n, c) => {
    const { diagnosis, calls } = await diagnoseSnapshot(c.fixture, c.query, c.api);
    expectCase(diagnosis, c);
    // A bounded handful of API calls: lists with selectors, events per object, nodes once, logs of a few containers.
    expect(calls).toBeLessThanOrEqual(20);
    expect(diagnosis.endpoint.namespace).toBe('llm-engine');
    if (c.cause !== 'NOT_FOUND') expect(diagnosis.endpoint.id).toMatch(/^end_[0-9a-v]{20}$/);
    expect(diagnosis.chain.length).toBeGreaterThan(0);
  });

  it('names the endpoint by name when asked by id, and by id when asked by name', async () => {
    expect((await diagnoseSnapshot('endpoint-crash-loop', 'end_ct5j9lan2ojg00a4qma0')).diagnosis.endpoint).toEqual({ id: 'end_ct5j9lan2ojg00a4qma0', name: 'llama-3-8b-ft-v2', namespace: 'llm-engine' });
    expect((await diagnoseSnapshot('endpoint-crash-loop', 'llama-3-8b-ft-v2')).diagnosis.endpoint.id).toBe('end_ct5j9lan2ojg00a4qma0');
    // The object name works too (what kubectl shows).
    expect((await diagnoseSnapshot('endpoint-crash-loop', 'launch-endpoint-id-end-ct5j9lan2ojg00a4qma0')).diagnosis.cause).toBe('CRASH_LOOP');
  });

  it('walks Deployment → ReplicaSet → Pod → Container → Event in the chain', async () => {
    const { diagnosis } = await diagnoseSnapshot('endpoint-image-pull', 'end_ct5a0c9n2ojg00a4qm10');
    const [deploy] = diagnosis.chain;
    expect(deploy).toMatchObject({ kind: 'Deployment', name: 'launch-endpoint-id-end-ct5a0c9n2ojg00a4qm10', state: 'fail', summary: expect.stringContaining('0/1 available') });
    const rs = deploy!.children.find((c) => c.kind === 'ReplicaSet')!;
    const pod = rs.children.find((c) => c.kind === 'Pod')!;
    const main = pod.children.find((c) => c.kind === 'Container' && c.name === 'main')!;
    expect(main).toMatchObject({ state: 'fail', summary: 'waiting: ImagePullBackOff' });
    expect(main.children[0]).toMatchObject({ kind: 'Event', state: 'fail', summary: expect.stringContaining('403 Forbidden') });
    expect(pod.children.find((c) => c.kind === 'Node')).toMatchObject({ name: 'ip-10-42-12-155.ec2.internal', summary: expect.stringContaining('g5.2xlarge') });
  });

  it('shows the scheduler and the nodes of the requested type under an unscheduled pod', async () => {
    const { diagnosis } = await diagnoseSnapshot('endpoint-insufficient-gpu', 'llama-3-8b-finetune');
    const text = json(diagnosis.chain);
    expect(text).toContain('"kind":"Scheduler"');
    expect(text).toContain('FailedScheduling ×9: 0/4 nodes available');
    expect(text).toContain('2 node(s): Insufficient nvidia.com/gpu');
  });

  it('keeps the healthy endpoint of a namespace healthy next to a failing one', async () => {
    expect((await diagnoseSnapshot('endpoint-insufficient-gpu', 'llama-3-8b-instruct')).diagnosis.cause).toBe('HEALTHY');
  });
});

describe('endpoint diagnosis over the live path (client-node → snapshot API server)', () => {
  const LIVE = ['endpoint-image-pull', 'endpoint-no-matching-nodes', 'endpoint-crash-loop', 'endpoint-missing-priority-class', 'endpoint-build-failed', 'endpoint-insufficient-gpu', 'endpoint-admission-denied', 'endpoint-sidecar-not-ready', 'endpoint-scale-from-zero-blocked', 'endpoint-async-not-consuming'];
  let dir: string;
  const servers: SnapshotServer[] = [];
  const kubes: LiveKube[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'med-endpoint-live-'));
  });
  afterAll(async () => {
    await Promise.all(kubes.map((k) => k.close()));
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it.each(CAUSE_CASES.filter((c) => LIVE.includes(c.fixture)).map((c) => [c.cause, c] as const))('%s: same diagnosis as --snapshot', async (_n, c) => {
    const snap = await snapshotOf(c.fixture);
    const srv = await startSnapshotServer({ snapshot: snap });
    servers.push(srv);
    const file = join(dir, `${c.fixture}.kubeconfig`);
    await writeFile(file, srv.kubeconfig);
    const kube = new LiveKube(loadKubeConfig({ kubeconfig: file }));
    kubes.push(kube);
    const live = await diagnoseWith(kube, c.query, snap.now);
    expectCase(live, c);
    const offline = (await diagnoseSnapshot(c.fixture, c.query)).diagnosis;
    expect({ ...live, chain: undefined }).toEqual({ ...offline, chain: undefined });
    expect(live.chain).toEqual(offline.chain);
    // The server saw label-selected lists and per-object event lists, never a bare list of the namespace's events.
    const eventLists = srv.requestLog.filter((r) => r.path.includes('/events'));
    // (An endpoint without objects has no events to read.)
    expect(eventLists.length > 0).toBe(c.cause !== 'BUILD_FAILED');
    expect(eventLists.every((r) => r.path.includes('fieldSelector=involvedObject.name'))).toBe(true);
  });
});
