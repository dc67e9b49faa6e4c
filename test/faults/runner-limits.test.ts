/**
 * The runner's side of faults: `--timeout` bounds checks that allow themselves longer, `--deadline` stops what
 * runs and reports what never started, a read failure is an `error` naming it, and a namespace the run could not
 * determine throws its reason at the check that reads it.
 */
import { describe, expect, it } from '@jest/globals';
import { defineCheck, pass, type Check, type CheckContext, type RunEvent } from '../../src/engine/index.js';
import { ApiError, CancelledError, ForbiddenError, type Deadline } from '../../src/engine/errors.js';
import { checkNamespaces, runCheck, runChecks } from '../../src/engine/runner.js';
import { baseContext } from '../support/context.js';


const make = (id: string, run: (ctx: CheckContext) => Promise<ReturnType<typeof pass>>, meta: Partial<Check['meta']> = {}): Check =>
  defineCheck({ meta: { id, title: id, description: id, clouds: 'all', severity: 'high', needs: [], messages: { ok: 'ok' }, ...meta }, run });

/** A check that never finishes and ignores its signal, as a hung SDK call would. */
const hung = (id: string, ownTimeoutMs?: number) => make(id, () => new Promise(() => undefined), ownTimeoutMs ? { timeoutMs: ownTimeoutMs } : {});

const deadlineIn = (ms: number): Deadline => ({ signal: AbortSignal.timeout(ms), ms });

describe('--timeout', () => {
  it('bounds a check that allows itself longer (its own 5 minutes)', async () => {
    const t0 = performance.now();
    const [r] = await runCheck(hung('demo/slow', 300_000), baseContext(), { timeoutMs: 30_000, forceTimeoutMs: 200 });
    // Far below the 30 s default and the check's own 5 minutes, with room for a loaded machine.
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r).toMatchObject({ status: 'error', messageId: 'timeout', message: 'check timed out after 200ms' });
  });

  it('without it, a check keeps its own timeout over the default', async () => {
    const t0 = performance.now();
    const [r] = await runCheck(hung('demo/own', 250), baseContext(), { timeoutMs: 30_000 });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r).toMatchObject({ status: 'error', messageId: 'timeout' });
  });

  it('runChecks passes --timeout to every check', async () => {
    const report = await runChecks({ command: 'triage', toolVersion: 't', checks: [hung('demo/a', 60_000), hung('demo/b')], context: baseContext(), target: { mode: 'offline', namespaces: baseContext().namespaces, valuesFiles: [] }, checkTimeoutMs: 150 });
    expect(report.results.map((r) => [r.id, r.messageId])).toEqual([
      ['demo/a', 'timeout'],
      ['demo/b', 'timeout'],
    ]);
    // Both stopped by the 150 ms --timeout, not the 60 s and 30 s they would allow themselves (a loaded CI machine
    // once took 2.6 s here: the bound only has to tell the two apart).
    expect(report.durationMs).toBeLessThan(10_000);
  });
});

describe('--deadline', () => {
  it('stops running checks and reports those it never started, each as an error saying so; on time', async () => {
    const events: RunEvent[] = [];
    const checks = [hung('demo/first'), hung('demo/second'), make('demo/third', async () => pass('ok'))];
    const t0 = performance.now();
    const report = await runChecks({
      command: 'triage',
      toolVersion: 't',
      checks,
      context: baseContext(),
      target: { mode: 'offline', namespaces: baseContext().namespaces, valuesFiles: [] },
      concurrency: 1,
      deadline: deadlineIn(300),
      onEvent: (e) => events.push(e),
    });
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(report.results.map((r) => [r.id, r.status, r.messageId, r.message])).toEqual([
      ['demo/first', 'error', 'deadline', "stopped: the run's --deadline of 300ms was reached"],
      ['demo/second', 'error', 'deadline', "not run: the run's --deadline of 300ms was reached before it started"],
      ['demo/third', 'error', 'deadline', "not run: the run's --deadline of 300ms was reached before it started"],
    ]);
    // The UI sees every check start and end, the unstarted ones too.
    expect(events.filter((e) => e.type === 'check:end')).toHaveLength(3);
  });

  it('Ctrl-C is still cancellation, not a deadline', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(
      runChecks({ command: 'triage', toolVersion: 't', checks: [hung('demo/x')], context: baseContext(), target: { mode: 'offline', namespaces: baseContext().namespaces, valuesFiles: [] }, deadline: deadlineIn(10_000), signal: ac.signal, cancelGraceMs: 50 }),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('read failures in checks', () => {
  it('an ApiError is an error result naming the read and the failure', async () => {
    const check = make('demo/reads', async () => {
      throw new ApiError('server', 'list pods in llm-engine', '500 etcdserver: request timed out (after 4 tries)');
    });
    const [r] = await runCheck(check, baseContext(), { timeoutMs: 1000 });
    expect(r).toMatchObject({ status: 'error', messageId: 'apiError', message: 'could not read from the cluster: list pods in llm-engine: 500 etcdserver: request timed out (after 4 tries)' });
  });

  it('a namespace the run could not determine throws its reason at the check that reads it, and only there', async () => {
    const denied = new ForbiddenError('list', 'deployments.apps', undefined, 'needed to find the control-plane namespace; pass -n NAMESPACE');
    const ctx = baseContext({ namespaces: { controlPlane: '<control-plane-namespace>', endpoint: 'llm-engine' }, missing: { controlPlaneNamespace: denied } });
    const readsControlPlane = make('demo/cp', async (c) => pass('ok', { data: { ns: c.namespaces.controlPlane } }));
    const readsEndpoints = make('demo/ep', async (c) => pass('ok', { data: { ns: c.namespaces.endpoint } }));
    const [cp] = await runCheck(readsControlPlane, ctx, { timeoutMs: 1000 });
    expect(cp).toMatchObject({ status: 'skip', messageId: 'forbidden', message: 'skipped: RBAC forbidden: cannot list deployments.apps at cluster scope (needed to find the control-plane namespace; pass -n NAMESPACE)' });
    const [ep] = await runCheck(readsEndpoints, ctx, { timeoutMs: 1000 });
    expect(ep).toMatchObject({ status: 'pass' });
    // Known namespaces are handed over as they are.
    expect(checkNamespaces(baseContext())).toEqual({ controlPlane: 'model-engine', endpoint: 'llm-engine' });
  });
});
