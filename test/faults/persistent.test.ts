/**
 * Faults that do not pass. A read that keeps failing is named — in an `error` result of each check that needed it,
 * in an UNKNOWN diagnosis — and the report is still produced; a server that is not a Kubernetes API, or from which
 * nothing can be read, is exit 2 with one line; `--deadline` bounds the whole run; Ctrl-C while connecting is 130.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildKubeconfig, startSnapshotServer } from '../../src/sources/server/api-server.js';
import { parseFaultSpec } from '../../src/sources/server/faults.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { fixture } from '../support/check-tester.js';
import { runCli } from '../support/cli.js';
import { closedPort, comparable, doctor, MIXTRAL, rehearsing, seen, useDemo, type Outcome, type Rehearsal } from './harness.js';

const demo = useDemo('persistent');
const withFaults = <T>(fault: string[], fn: (r: Rehearsal) => Promise<T>) => rehearsing(demo.dir, { fault }, fn);

/** One line of error and at most one hint; nothing on stdout; never a stack. */
function oneLine(out: Outcome, re: RegExp) {
  expect(out.code).toBe(2);
  expect(out.stdout).toBe('');
  const lines = out.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(re);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1]) expect(lines[1]).toMatch(/^hint: /);
  expect(out.stderr).not.toMatch(/\n\s+at /);
}

describe('a read that keeps failing is named, and the report is produced', () => {
  it('the endpoint pod list answering 500 for good: error results naming it, each list asked once with its retries', async () => {
    await withFaults(['500:/api/v1/namespaces/llm-engine/pods'], async (r) => {
    const out = await doctor(['triage'], r.kubeconfig);
    expect(out.code).toBe(3);
    const errors = out.report!.results.filter((x) => x.status === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e).toMatchObject({ messageId: 'apiError' });
      expect(e.message).toMatch(/^could not read from the cluster: list pods in llm-engine: 500 injected fault: .* \(after 4 tries\)$/);
    }
    expect(errors.map((e) => e.id)).toContain('endpoints/serving');
    // No endpoint is called healthy or not serving from a list that was never read.
    for (const row of (out.report!.endpoints ?? []) as { cause: string }[]) expect(row.cause).toBe('UNKNOWN');
    // Each distinct list was read once for the whole run: 4 tries each, never once per check.
    const tries = seen(r, /^\/api\/v1\/namespaces\/llm-engine\/pods$/);
    expect(tries.every((s) => s === 500)).toBe(true);
    expect(tries.length % 4).toBe(0);
    expect(tries.length).toBeLessThanOrEqual(12);
    // What did not depend on it is judged as without the fault.
    const unaffected = (o: Outcome) => o.report!.results.filter((x) => x.id.startsWith('control-plane/') || x.id.startsWith('redis/')).map(({ durationMs: _d, ...x }) => x);
    expect(unaffected(out)).toEqual(unaffected(demo.baseline));
    });
  });

  it('the endpoint diagnosis over a failing list is UNKNOWN, naming the read (exit 3)', async () => {
    await withFaults(['500:/api/v1/namespaces/llm-engine/pods'], async (r) => {
    const out = await doctor(['endpoint', MIXTRAL], r.kubeconfig);
    expect(out.code).toBe(3);
    expect(out.report!.diagnosis).toMatchObject({ cause: 'UNKNOWN' });
    expect((out.report!.diagnosis as { summary: string }).summary).toMatch(/list pods in llm-engine: 500 injected fault/);
    });
  });

  it('finding the control plane through a list that never answers: found another way, same report', async () => {
    await withFaults(['stall:/apis/apps/v1/deployments'], async (r) => {
    const out = await doctor(['triage', '--request-timeout', '1s'], r.kubeconfig);
    expect(comparable(out.report)).toEqual(comparable(demo.baseline.report));
    // Two tries (a timeout is retried once), then the service ConfigMap named the namespace.
    expect(seen(r, /^\/apis\/apps\/v1\/deployments$/)).toEqual([0, 0]);
    });
  });

  it('the service ConfigMap read failing for good: the checks that read it err naming it; the rest goes on', async () => {
    await withFaults(['503:/api/v1/namespaces/model-engine/configmaps/model-engine-service-config::1'], async (r) => {
    const out = await doctor(['triage'], r.kubeconfig);
    expect(out.code).toBe(3);
    // The endpoint namespace still comes from the installed release's values.
    expect(out.report!.target.namespaces).toEqual({ controlPlane: 'model-engine', endpoint: 'llm-engine' });
    const errors = out.report!.results.filter((x) => x.status === 'error');
    expect(errors.map((e) => e.id)).toEqual(expect.arrayContaining(['redis/cache-url', 'broker/queues']));
    for (const e of errors) {
      expect(e.message).toMatch(/^could not read from the cluster: get configmaps model-engine\/model-engine-service-config: 503 injected fault.*\(after 4 tries\)$/);
    }
    // The read was made once for the run (4 tries), not once per check.
    expect(seen(r, /^\/api\/v1\/namespaces\/model-engine\/configmaps\/model-engine-service-config$/)).toEqual([503, 503, 503, 503]);
    expect(out.report!.endpoints).toEqual(demo.baseline.report!.endpoints);
    });
  });

  it('the release Secret failing for good: the checks that need values say the release could not be read, and why', async () => {
    await withFaults(['500:/api/v1/namespaces/model-engine/secrets'], async (r) => {
      const out = await doctor(['triage'], r.kubeconfig);
      expect(out.code).toBe(3);
      expect(out.report!.target.unread).toEqual([expect.stringMatching(/^helm values: list secrets in model-engine: 500 injected fault: .*\(after 4 tries\); pass -f values\.yaml$/)]);
      const needValues = out.report!.results.filter((x) => /needs helm values/.test(x.message));
      expect(needValues.length).toBeGreaterThanOrEqual(15);
      for (const x of needValues) expect(x).toMatchObject({ status: 'skip', messageId: 'apiError' });
    });
  });

  it('logs answered with an HTML page for good: the checks that read logs err naming it; diagnoses stand', async () => {
    await withFaults(['nonjson:/api/v1/namespaces/*/pods/*/log'], async (r) => {
    const out = await doctor(['triage'], r.kubeconfig);
    expect(out.code).toBe(3);
    const errors = out.report!.results.filter((x) => x.status === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.message).toMatch(/logs of .*: the answer is an HTML page .*not the Kubernetes API \(after 4 tries\)/);
    expect(out.report!.endpoints).toEqual(demo.baseline.report!.endpoints);
    });
  });
});

describe('a log read that fails degrades, noted in the evidence', () => {
  // As a kubelet that cannot be reached makes the API server's pods/log proxy answer 500 (test/e2e/aws-endpoints).
  it('logs answering 500 for good: the crash loop is still diagnosed from the pod, the unread log named', async () => {
    const server = await startSnapshotServer({ snapshot: await loadSnapshot(fixture('fixtures/clusters/endpoint-crash-loop')), faults: [parseFaultSpec('500:/api/v1/namespaces/*/pods/*/log')] });
    try {
      const kubeconfig = join(demo.dir, 'crash-loop');
      await writeFile(kubeconfig, server.kubeconfig);
      const out = await doctor(['endpoint', 'end_ct5j9lan2ojg00a4qma0'], kubeconfig);
      expect(out.code).toBe(3);
      const d = out.report!.diagnosis as { cause: string; evidence: { type: string; text?: string }[] };
      expect(d.cause).toBe('CRASH_LOOP');
      expect(d.evidence.filter((e) => e.type === 'log')).toEqual([]);
      expect(d.evidence.find((e) => e.type === 'note' && /^not readable: .*read logs of llm-engine\/[\w-]+: logs of .*500 injected fault/.test(e.text ?? ''))).toBeDefined();
      expect(server.requestLog.some((e) => e.fault && e.status === 500 && /\/log\?/.test(e.path))).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('nothing readable is exit 2 with one line', () => {
  it('a server that answers 404 to everything is not taken for a cluster', async () => {
    await withFaults(['404-all'], async (r) => {
    oneLine(await doctor(['triage'], r.kubeconfig), /^model-engine-doctor: error: http:\/\/127\.0\.0\.1:\d+ does not look like a Kubernetes API server: GET \/version: 404 with "404 page not found", not a Kubernetes Status \(context ".*"\)$/);
    });
  });

  it('a server answering HTML pages is not taken for a cluster', async () => {
    await withFaults(['nonjson'], async (r) => {
    oneLine(await doctor(['triage'], r.kubeconfig), /does not look like a Kubernetes API server: GET \/version: the answer is an HTML page/);
    });
  });

  it('a server failing every request (after retries) is not healthy', async () => {
    await withFaults(['500'], async (r) => {
    oneLine(await doctor(['triage'], r.kubeconfig), /^model-engine-doctor: error: the cluster at http:\/\/127\.0\.0\.1:\d+ is not healthy: GET \/version: 500 injected fault: 500 for GET \/version \(after 4 tries\)/);
    expect(seen(r, /^\/version$/)).toEqual([500, 500, 500, 500]);
    });
  });

  it('a cluster that answers /version and fails every other read', async () => {
    await withFaults(['503:/api/**', '503:/apis/**'], async (r) => {
    const out = await doctor(['triage'], r.kubeconfig);
    oneLine(out, /^model-engine-doctor: error: nothing could be read from the cluster: .*503 injected fault/);
    });
  });

  it('a closed port: unreachable, no retries', async () => {
    const port = await closedPort();
    const kc = join(demo.dir, 'closed');
    await writeFile(kc, buildKubeconfig({ server: `http://127.0.0.1:${port}`, context: 'prod' }));
    const out = await doctor(['triage'], kc);
    oneLine(out, new RegExp(`^model-engine-doctor: error: cannot reach the cluster at http://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(context "prod"\\)$`));
  });
});

describe('--deadline bounds the run, and Ctrl-C while connecting or parsing is honoured', () => {
  it('requests that never answer: at the deadline the report is printed with what was finished (exit 3)', async () => {
    await withFaults(['stall:/api/v1/namespaces/llm-engine/**', 'stall:/apis/apps/v1/namespaces/llm-engine/**'], async (r) => {
    const out = await doctor(['triage', '--request-timeout', '1m', '--deadline', '4s'], r.kubeconfig);
    expect(out.code).toBe(3);
    expect(out.ms).toBeLessThan(4000 + 2500);
    const stopped = out.report!.results.filter((x) => x.messageId === 'deadline');
    expect(stopped.length).toBeGreaterThan(0);
    for (const s of stopped) {
      expect(s.status).toBe('error');
      expect(s.message).toMatch(/^(stopped|not run): the run's --deadline of 4s was reached/);
    }
    // What did not wait on the stalled namespace was judged as usual.
    expect(out.report!.counts.pass).toBeGreaterThan(0);
    });
  });

  it('a deadline that passes while connecting is exit 2 with one line, on time', async () => {
    await withFaults(['stall:/version'], async (r) => {
    const out = await doctor(['triage', '--deadline', '1500ms'], r.kubeconfig);
    oneLine(out, /^model-engine-doctor: error: the run's --deadline of 1\.5s was reached before the checks could start/);
    expect(out.ms).toBeLessThan(1500 + 2000);
    });
  });

  it('Ctrl-C while a large snapshot is being parsed: exit 130 at once, not when parsing ends', async () => {
    const big = join(demo.dir, 'big-snapshot');
    await mkdir(big);
    const filler = Array.from({ length: 40 }, (_, j) => `  key${j}: "value ${j} ${'x'.repeat(60)}"`).join('\n');
    for (let i = 0; i < 1500; i++) {
      await writeFile(join(big, `cm-${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler-${i}\n  namespace: default\ndata:\n${filler}\n`);
    }
    const t0 = performance.now();
    const pending = runCli(['triage', '--snapshot', big, '-o', 'json'], { CI: 'true' });
    setTimeout(() => process.emit('SIGINT', 'SIGINT'), 200);
    const out = await pending;
    const cancelledAfter = performance.now() - t0;
    expect(out.code).toBe(130);
    expect(out.stdout).toBe('');
    // Parsing the whole folder takes far longer than it took to stop.
    const t1 = performance.now();
    await loadSnapshot(big);
    expect(performance.now() - t1).toBeGreaterThan(2 * cancelledAfter);
  });

  it('Ctrl-C while the cluster is not answering the first request: exit 130 at once', async () => {
    await withFaults(['stall:/version'], async (r) => {
    const pending = doctor(['triage'], r.kubeconfig);
    setTimeout(() => process.emit('SIGINT', 'SIGINT'), 700);
    const out = await pending;
    expect(out.code).toBe(130);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/cancelled/);
    expect(out.ms).toBeLessThan(700 + 2000);
    });
  });
});
