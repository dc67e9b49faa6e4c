/**
 * Faults that pass: one 429 (Retry-After: 30), 5xx, a reset connection, a stalled request, an HTML page instead of
 * JSON — at the reads that matter (finding the control plane, the service ConfigMap, the endpoint diagnosis lists,
 * logs). The doctor retries them and its report is the very report of a fault-free run. The faults are injected by
 * the snapshot API server from `serve --fault` specs; the doctor talks to it through the real client.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { comparable, doctor, MIXTRAL, rehearsing, seen, type Outcome, type Rehearsal } from './harness.js';

/** Every request a fault answered was asked again (same path and query) and answered 200. */
const retriedToSuccess = (r: Rehearsal) =>
  r.server.requestLog.every((e, i) => !e.fault || r.server.requestLog.slice(i + 1).some((later) => later.path === e.path && later.status === 200));

let dir: string;
let baseline: Outcome;
let baselineEndpoint: Outcome;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-faults-retries-'));
  await rehearsing(dir, {}, async (clean) => {
    baseline = await doctor(['triage'], clean.kubeconfig);
    baselineEndpoint = await doctor(['endpoint', MIXTRAL], clean.kubeconfig);
  });
  // The fault-free run is the reference: a real report with failures to find.
  expect(baseline.code).toBe(3);
  expect(baseline.report!.counts.fail).toBeGreaterThan(0);
  expect(baselineEndpoint.report!.diagnosis).toMatchObject({ cause: 'IMAGE_PULL' });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withFaults = <T>(fault: string[], fn: (r: Rehearsal) => Promise<T>) => rehearsing(dir, { fault }, fn);

describe('retried faults give the report of a fault-free run', () => {
  it.each([
    // [what, fault spec, how many requests it hits, extra flags]
    ['a 500 twice at the service ConfigMap read', '500:/api/v1/namespaces/model-engine/configmaps/model-engine-service-config:2', 2, []],
    ['a reset connection during the endpoint pod list', 'reset:/api/v1/namespaces/llm-engine/pods:1', 1, []],
    ['a stalled ReplicaSet list of the endpoint diagnosis', 'stall:/apis/apps/v1/namespaces/llm-engine/replicasets:1', 1, ['--request-timeout', '1s']],
    ['503 three times with Retry-After: 1 on the endpoint events', '503:/api/v1/namespaces/llm-engine/events:3:1', 3, []],
    ['an HTML page instead of a log, twice', 'nonjson:/api/v1/namespaces/*/pods/*/log:2', 2, []],
  ] as const)('%s', async (_what, spec, hits, flags) => {
    await withFaults([spec], async (r) => {
    const out = await doctor(['triage', ...flags], r.kubeconfig);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(baseline.code);
    expect(comparable(out.report)).toEqual(comparable(baseline.report));
    expect(r.server.requestLog.filter((e) => e.fault)).toHaveLength(hits);
    expect(retriedToSuccess(r)).toBe(true);
    });
  });

  it("a 429 with Retry-After: 30 while finding the control plane waits the 5 s cap, not 30 s", async () => {
    await withFaults(['429:/apis/apps/v1/deployments:1:30'], async (r) => {
    const out = await doctor(['triage'], r.kubeconfig);
    expect(comparable(out.report)).toEqual(comparable(baseline.report));
    expect(seen(r, /^\/apis\/apps\/v1\/deployments$/)).toEqual([429, 200]);
    expect(retriedToSuccess(r)).toBe(true);
    expect(out.ms).toBeGreaterThanOrEqual(4900);
    expect(out.ms).toBeLessThan(25_000);
    });
  });

  it('every fault at once, at each place, still gives the same report', async () => {
    await withFaults([
        '500:/apis/apps/v1/deployments:1',
        '502:/api/v1/namespaces/model-engine/configmaps/model-engine-service-config:1',
        'reset:/api/v1/namespaces/model-engine/secrets:1',
        'reset:/api/v1/namespaces/llm-engine/pods:1',
        'nonjson:/apis/apps/v1/namespaces/llm-engine/deployments:1',
        '429:/api/v1/namespaces/llm-engine/events:1:1',
        'stall:/api/v1/namespaces/*/pods/*/log:1',
        '504:/api/v1/nodes:1',
      ], async (r) => {
    const out = await doctor(['triage', '--request-timeout', '1s'], r.kubeconfig);
    expect(comparable(out.report)).toEqual(comparable(baseline.report));
    expect(r.server.requestLog.filter((e) => e.fault)).toHaveLength(8);
    expect(retriedToSuccess(r)).toBe(true);
    });
  });

  it('the endpoint diagnosis through faults in its lists and logs is the fault-free diagnosis', async () => {
    await withFaults(['reset:/api/v1/namespaces/llm-engine/pods:1', '500:/api/v1/namespaces/llm-engine/events:2', 'nonjson:/apis/apps/v1/namespaces/llm-engine/replicasets:1'], async (r) => {
    const out = await doctor(['endpoint', MIXTRAL], r.kubeconfig);
    expect(out.code).toBe(baselineEndpoint.code);
    expect(out.report!.diagnosis).toEqual(baselineEndpoint.report!.diagnosis);
    expect(comparable(out.report)).toEqual(comparable(baselineEndpoint.report));
    });
  });
});
