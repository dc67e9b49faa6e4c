/**
 * The one request path (LiveKube over the real client) against the snapshot API server's faults: how each
 * failure is classified once the retries are spent, when the cluster is taken as gone, the deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, DeadlineError } from '../../src/engine/errors.js';
import { LiveKube, loadKubeConfig, type LiveKubeOptions } from '../../src/sources/kube/live-kube.js';
import { buildKubeconfig, startSnapshotServer, type Fault, type SnapshotServer } from '../../src/sources/server/api-server.js';
import { parseFaultSpec } from '../../src/sources/server/faults.js';
import { demoSnapshot } from './harness.js';

let dir: string;
const open: { servers: SnapshotServer[]; kubes: LiveKube[] } = { servers: [], kubes: [] };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-faults-request-'));
});
afterAll(async () => {
  await Promise.all(open.kubes.map((k) => k.close()));
  await Promise.all(open.servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function kubeWith(faults: (string | Fault)[], opts: LiveKubeOptions = {}, server: { token?: string; kubeToken?: string } = {}): Promise<{ kube: LiveKube; srv: SnapshotServer }> {
  const srv = await startSnapshotServer({
    snapshot: await demoSnapshot(),
    faults: faults.map((f) => (typeof f === 'string' ? parseFaultSpec(f) : f)),
    ...(server.token ? { tls: true, token: server.token } : {}),
  });
  open.servers.push(srv);
  const file = join(dir, `kubeconfig-${n++}`);
  await writeFile(file, server.kubeToken ? buildKubeconfig({ server: srv.url, caPem: srv.caPem!, token: server.kubeToken }) : srv.kubeconfig);
  const kube = new LiveKube(loadKubeConfig({ kubeconfig: file }), opts);
  open.kubes.push(kube);
  return { kube, srv };
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('classification once the retries are spent', () => {
  it.each([
    ['a 404 that is not a Kubernetes Status', '404-all', 'not-kubernetes', /^list pods in llm-engine: 404 with "404 page not found", not a Kubernetes Status$/],
    ['an HTML page', 'nonjson:/api/v1/namespaces/llm-engine/pods', 'not-kubernetes', /^list pods in llm-engine: the answer is an HTML page \(".*"\), not the Kubernetes API \(after 4 tries\)$/],
    ['a 502 from a proxy', '502:/api/v1/namespaces/llm-engine/pods', 'server', /^list pods in llm-engine: 502 injected fault: 502 for GET \/api\/v1\/namespaces\/llm-engine\/pods \(after 4 tries\)$/],
    ['a reset every time', 'reset:/api/v1/namespaces/llm-engine/pods', 'unreachable', /^list pods in llm-engine: .* \(after 4 tries\)$/],
  ])('%s', async (_what, spec, kind, message) => {
    const { kube } = await kubeWith([spec]);
    const e = await failure(kube.list('pods', { namespace: 'llm-engine' }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ failure: kind });
    expect((e as Error).message).toMatch(message);
  });

  it('a 404 Status on a list is "not installed" (an empty list), not a failure', async () => {
    const { kube, srv } = await kubeWith(['404:/apis/keda.sh/v1alpha1/namespaces/llm-engine/scaledobjects']);
    expect(await kube.list('scaledobjects.keda.sh', { namespace: 'llm-engine' })).toEqual([]);
    expect(srv.requestLog.filter((r) => r.fault)).toHaveLength(1);
  });

  it('credentials rejected mid-run: a 401 is not retried and says so', async () => {
    const { kube, srv } = await kubeWith([], {}, { token: 'right', kubeToken: 'expired' });
    const e = await failure(kube.list('nodes'));
    expect(e).toMatchObject({ failure: 'credentials', message: 'list nodes at cluster scope: 401 Unauthorized: the cluster rejected the credentials' });
    expect(srv.requestLog).toHaveLength(1);
  });
});

describe('a cluster that stops answering', () => {
  it('after three unanswered reads, the rest fail at once without a request', async () => {
    const { kube, srv } = await kubeWith(['stall:/api/v1/**'], { timeoutMs: 200 });
    for (const ns of ['a', 'b', 'c']) await expect(kube.list('pods', { namespace: ns })).rejects.toMatchObject({ failure: 'timeout' });
    const asked = srv.requestLog.length;
    const t0 = performance.now();
    const e = await failure(kube.list('configmaps', { namespace: 'llm-engine' }));
    expect(performance.now() - t0).toBeLessThan(100);
    expect((e as Error).message).toMatch(/^list configmaps in llm-engine: not sent: the cluster left the last 3 reads unanswered \(no answer within 200ms \(after 2 tries\)\)$/);
    expect(srv.requestLog.length).toBe(asked);
  });

  it('an answer resets the count', async () => {
    const { kube } = await kubeWith(['stall:/api/v1/namespaces/a/**', 'stall:/api/v1/namespaces/b/**'], { timeoutMs: 200 });
    await expect(kube.list('pods', { namespace: 'a' })).rejects.toMatchObject({ failure: 'timeout' });
    await expect(kube.list('pods', { namespace: 'b' })).rejects.toMatchObject({ failure: 'timeout' });
    expect(await kube.list('pods', { namespace: 'llm-engine' })).not.toHaveLength(0);
    await expect(kube.list('events', { namespace: 'a' })).rejects.toMatchObject({ failure: 'timeout' });
    expect(await kube.list('nodes')).not.toHaveLength(0);
  });
});

describe('the deadline', () => {
  it('aborts a request in flight and the waits between retries', async () => {
    const deadline = { signal: AbortSignal.timeout(300), ms: 300 };
    const { kube } = await kubeWith(['stall:/api/v1/namespaces/llm-engine/pods', '429:/api/v1/namespaces/llm-engine/events::5'], { deadline });
    const t0 = performance.now();
    const [stalled, waiting] = await Promise.all([failure(kube.list('pods', { namespace: 'llm-engine' })), failure(kube.list('events', { namespace: 'llm-engine' }))]);
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(stalled).toBeInstanceOf(DeadlineError);
    expect(waiting).toBeInstanceOf(DeadlineError);
    expect((stalled as Error).message).toBe("the run's --deadline of 300ms was reached");
    // Not an answer: a later run (a refresh) may read it.
    await expect(kube.list('pods', { namespace: 'llm-engine' })).rejects.toBeInstanceOf(DeadlineError);
  });
});
