import { describe, expect, it } from '@jest/globals';
import { defineCheck, fail, pass, ForbiddenError, type Check, type CheckContext, type RunEvent } from '../../src/engine/index.js';
import { CancelledError } from '../../src/engine/errors.js';
import { compareResults, runCheck, runChecks, whyNotApplicable, type BaseContext } from '../../src/engine/runner.js';
import { selectChecks, validateRegistry } from '../../src/engine/registry.js';
import type { CommitsPort } from '../../src/engine/ports/commits.js';
import type { ExecPort } from '../../src/engine/ports/exec.js';
import type { RedisPort } from '../../src/engine/ports/redis.js';
import { baseContext } from '../support/context.js';


const messages = { ok: 'all good', bad: 'broken {{what}}' };
function makeCheck(id: string, run: (ctx: CheckContext) => Promise<ReturnType<typeof pass> | ReturnType<typeof pass>[]>, meta: Partial<Check['meta']> = {}): Check {
  return defineCheck({
    meta: { id, title: id, description: id, clouds: 'all', severity: 'high', needs: [], messages, ...meta },
    run,
  });
}
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

describe('runCheck', () => {
  it('renders messages, fills meta, and redacts secrets in data and evidence', async () => {
    const check = makeCheck('demo/secret', async () =>
      fail('bad', {
        data: { what: 'redis://:hunter2@cache:6379/0' },
        evidence: [{ type: 'values', path: 'redis.auth', value: 'hunter2' }, { type: 'log', namespace: 'n', pod: 'p', container: 'c', line: 'connect rediss://default:s3cr3t@h:6380 failed' }],
        remediation: { summary: 'fix it', commands: ['redis-cli -u redis://:hunter2@cache:6379 ping'] },
      }),
    );
    const [r] = await runCheck(check, baseContext(), { timeoutMs: 1000 });
    expect(r).toMatchObject({ id: 'demo/secret', area: 'demo', status: 'fail', severity: 'high', messageId: 'bad', docs: 'docs/checks/demo/secret.md' });
    const text = JSON.stringify(r);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cr3t');
    expect(r!.message).toBe('broken redis://:REDACTED@cache:6379/0');
  });

  it('turns a thrown error into an error result and keeps going', async () => {
    const check = makeCheck('demo/throws', async () => {
      throw new Error('boom');
    });
    const [r] = await runCheck(check, baseContext(), { timeoutMs: 1000 });
    expect(r).toMatchObject({ status: 'error', messageId: 'crashed' });
    expect(r!.message).toContain('boom');
  });

  it('times out a slow check, aborts its signal, and reports an error', async () => {
    let aborted = false;
    const check = makeCheck('demo/slow', async (ctx) => {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      await sleep(5000, ctx.signal);
      return pass('ok');
    });
    const t = Date.now();
    const [r] = await runCheck(check, baseContext(), { timeoutMs: 100 });
    expect(Date.now() - t).toBeLessThan(1000);
    expect(r).toMatchObject({ status: 'error', messageId: 'timeout' });
    expect(aborted).toBe(true);
  });

  it('honours a per-check timeout override', async () => {
    const check = makeCheck('demo/override', async (ctx) => {
      await sleep(300, ctx.signal);
      return pass('ok');
    }, { timeoutMs: 1000 });
    const [r] = await runCheck(check, baseContext(), { timeoutMs: 50 });
    expect(r!.status).toBe('pass');
  });

  it('turns RBAC denials into a skip naming verb, resource and namespace', async () => {
    const check = makeCheck('demo/rbac', async () => {
      throw new ForbiddenError('list', 'pods', 'llm-engine');
    });
    const [r] = await runCheck(check, baseContext(), { timeoutMs: 1000 });
    expect(r).toMatchObject({ status: 'skip', messageId: 'forbidden' });
    expect(r!.message).toBe('skipped: RBAC forbidden: cannot list pods in namespace llm-engine');
  });

  it('rejects an unknown messageId as a check bug (error result)', async () => {
    const check = makeCheck('demo/typo', async () => pass('nope'));
    const [r] = await runCheck(check, baseContext(), { timeoutMs: 1000 });
    expect(r).toMatchObject({ status: 'error', messageId: 'crashed' });
  });

  it.each([
    [{ clouds: ['azure'] as const }, {}, 'notApplicable'],
    [{ clouds: ['azure'] as const }, { cloud: undefined, matrix: undefined }, 'cloudUnknown'],
    [{ needs: ['kube'] as const }, {}, 'needsCluster'],
    [{ needs: ['values'] as const }, {}, 'needsValues'],
    [{ needs: ['cloud-api'] as const }, {}, 'needsCloudApi'],
    [{ needs: ['registry'] as const }, {}, 'needsProbe'],
  ])('skips when not applicable: %j %j → %s', async (meta, ctxOver, messageId) => {
    const check = makeCheck('demo/na', async () => pass('ok'), meta as Partial<Check['meta']>);
    expect(whyNotApplicable(check, baseContext(ctxOver as Partial<BaseContext>))?.messageId).toBe(messageId);
    const [r] = await runCheck(check, baseContext(ctxOver as Partial<BaseContext>), { timeoutMs: 1000 });
    expect(r).toMatchObject({ status: 'skip', messageId });
  });
});

describe('typed ports (meta.needs and meta.uses)', () => {
  const exec = { redisProbe: async () => { throw new Error('not called'); } } as unknown as ExecPort;
  const commits = { isAncestor: async () => ({ answer: 'yes' as const, via: 'test' }) } as unknown as CommitsPort;
  const meta = { title: 't', description: 't', clouds: 'all' as const, severity: 'high' as const, messages };

  it('skips a check whose needed port the run has not, naming the need and the flag that adds it', async () => {
    const check = defineCheck({ meta: { ...meta, id: 'demo/needs-exec', needs: ['exec'] }, run: async () => pass('ok') });
    const [r] = await runCheck(check, baseContext({ ports: { commits } }), { timeoutMs: 1000 });
    expect(r).toMatchObject({ status: 'skip', messageId: 'needsProbe' });
    expect(r!.message).toBe('needs exec: exec into the gateway pod; rerun with --exec on a live cluster');
  });

  it('hands a check the ports it declared and no other', async () => {
    const seen: string[][] = [];
    const needsExec = defineCheck({
      meta: { ...meta, id: 'demo/exec', needs: ['exec'] },
      run: async (ctx) => (seen.push(Object.keys(ctx.ports).filter((k) => ctx.ports[k as keyof typeof ctx.ports])), ctx.ports.exec === exec ? pass('ok') : pass('nope')),
    });
    const usesCommits = defineCheck({
      meta: { ...meta, id: 'demo/commits', needs: [], uses: ['commits'] },
      run: async (ctx) => (seen.push(Object.keys(ctx.ports).filter((k) => ctx.ports[k as keyof typeof ctx.ports])), pass('ok')),
    });
    const declaresNone = defineCheck({
      meta: { ...meta, id: 'demo/none', needs: ['kube'] },
      run: async (ctx) => (seen.push(Object.keys(ctx.ports)), pass('ok')),
    });
    const ctx = baseContext({ ports: { exec, commits }, kube: {} as BaseContext['kube'] });
    const [a] = await runCheck(needsExec, ctx, { timeoutMs: 1000 });
    await runCheck(usesCommits, ctx, { timeoutMs: 1000 });
    await runCheck(declaresNone, ctx, { timeoutMs: 1000 });
    expect(a).toMatchObject({ status: 'pass', messageId: 'ok' });
    expect(seen).toEqual([['exec'], ['commits'], []]);
  });

  it('types the context by the declaration: an undeclared port does not compile, a used one may be undefined (held by tsc)', () => {
    const check = defineCheck({
      meta: { ...meta, id: 'demo/types', needs: ['kube', 'redis'], uses: ['exec'] },
      run: async (ctx) => {
        const redis: RedisPort = ctx.ports.redis;
        // @ts-expect-error a used port may be missing from the run
        const exec: ExecPort = ctx.ports.exec;
        // @ts-expect-error the check did not declare commits
        void ctx.ports.commits;
        void [redis, exec];
        return pass('ok');
      },
    });
    expect(check.meta).toMatchObject({ needs: ['kube', 'redis'], uses: ['exec'] });
  });
});

describe('runChecks', () => {
  it('runs with bounded concurrency, emits events in order, sorts failures first, counts by status', async () => {
    let running = 0;
    let peak = 0;
    const mk = (id: string, outcome: 'ok' | 'bad') =>
      makeCheck(id, async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(30);
        running--;
        return outcome === 'ok' ? pass('ok') : fail('bad', { data: { what: id }, remediation: { summary: 'x' } });
      });
    const checks = [mk('a/one', 'ok'), mk('a/two', 'bad'), mk('b/three', 'ok'), mk('b/four', 'ok'), mk('c/five', 'bad')];
    const events: RunEvent[] = [];
    const report = await runChecks({
      command: 'triage',
      toolVersion: '0.0.0',
      checks,
      context: baseContext(),
      target: { mode: 'offline', namespaces: { controlPlane: 'a', endpoint: 'b' }, valuesFiles: [] },
      concurrency: 2,
      onEvent: (e) => events.push(e),
    });
    expect(peak).toBe(2);
    expect(report.counts).toEqual({ pass: 3, warn: 0, fail: 2, skip: 0, error: 0 });
    expect(report.results.map((r) => r.status)).toEqual(['fail', 'fail', 'pass', 'pass', 'pass']);
    expect(events[0]!.type).toBe('run:start');
    expect(events.at(-1)!.type).toBe('run:end');
    expect(events.filter((e) => e.type === 'check:start')).toHaveLength(5);
    expect(events.filter((e) => e.type === 'check:end')).toHaveLength(5);
    expect(report.schemaVersion).toBe(1);
  });

  it('leaves out checks for other clouds unless asked for by id', async () => {
    const azureOnly = makeCheck('azure/thing', async () => pass('ok'), { clouds: ['azure'] });
    const any = makeCheck('any/thing', async () => pass('ok'));
    const input = {
      command: 'triage',
      toolVersion: '0',
      checks: [azureOnly, any],
      context: baseContext(),
      target: { mode: 'offline' as const, namespaces: { controlPlane: 'a', endpoint: 'b' }, valuesFiles: [] },
    };
    expect((await runChecks(input)).results.map((r) => r.id)).toEqual(['any/thing']);
    const explicit = await runChecks({ ...input, explicitIds: new Set(['azure/thing']) });
    expect(explicit.results.find((r) => r.id === 'azure/thing')).toMatchObject({ status: 'skip', messageId: 'notApplicable' });
  });

  it('cancels: running checks see their signal aborted, queued ones never start, the run rejects', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    let sawAbort = false;
    const slow = (id: string) =>
      makeCheck(id, async (ctx) => {
        started.push(id);
        try {
          await sleep(10_000, ctx.signal);
        } catch (e) {
          sawAbort = true;
          throw e;
        }
        return pass('ok');
      });
    const run = runChecks({
      command: 'triage',
      toolVersion: '0',
      checks: [slow('a/1'), slow('a/2'), slow('a/3')],
      context: baseContext(),
      target: { mode: 'offline', namespaces: { controlPlane: 'a', endpoint: 'b' }, valuesFiles: [] },
      concurrency: 1,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const t = Date.now();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - t).toBeLessThan(2000);
    expect(started).toEqual(['a/1']);
    expect(sawAbort).toBe(true);
  });
});

describe('selection and registry', () => {
  const checks = validateRegistry([
    makeCheck('values/redis', async () => pass('ok')),
    makeCheck('values/broker', async () => pass('ok')),
    makeCheck('redis/connectivity', async () => pass('ok'), { scopes: ['triage'] }),
  ]);
  it.each([
    [{ only: ['values'] }, ['values/redis', 'values/broker']],
    [{ only: ['redis/connectivity'], scope: 'preflight' as const }, ['redis/connectivity']],
    [{ skip: ['values/redis'] }, ['values/broker', 'redis/connectivity']],
    [{ scope: 'preflight' as const }, ['values/redis', 'values/broker']],
    [{ only: ['values', 'redis'], skip: ['values/broker'] }, ['values/redis', 'redis/connectivity']],
  ])('%j selects %j', (sel, ids) => {
    expect(selectChecks(checks, sel).map((c) => c.meta.id)).toEqual(ids);
  });
  it('rejects unknown names as bad input', () => {
    expect(() => selectChecks(checks, { only: ['nope'] })).toThrow(/unknown check or area "nope"/);
  });
  it('rejects duplicate and malformed ids', () => {
    expect(() => validateRegistry([checks[0]!, checks[0]!])).toThrow(/duplicate/);
    expect(() => validateRegistry([makeCheck('NoArea', async () => pass('ok'))])).toThrow(/<area>\/<slug>/);
  });
  it('orders results failures first, then severity', () => {
    const base = { area: 'a', title: 't', messageId: 'm', message: 'm', evidence: [], docs: 'd' };
    const rs = [
      { ...base, id: 'a/x', status: 'pass' as const, severity: 'critical' as const },
      { ...base, id: 'a/y', status: 'fail' as const, severity: 'low' as const, remediation: { summary: 's' } },
      { ...base, id: 'a/z', status: 'fail' as const, severity: 'critical' as const, remediation: { summary: 's' } },
    ].sort(compareResults);
    expect(rs.map((r) => r.id)).toEqual(['a/z', 'a/y', 'a/x']);
  });
});

describe('ifForbidden', () => {
  it('returns the read, turns a denial into the fallback, and lets other errors through', async () => {
    const { ifForbidden } = await import('../../src/engine/errors.js');
    expect(await ifForbidden(async () => 'ok', () => 'fallback')).toBe('ok');
    const seen: string[] = [];
    const denied = await ifForbidden(
      async () => {
        throw new ForbiddenError('list', 'secrets', 'model-engine');
      },
      (e) => (seen.push(e.message), 'fallback'),
    );
    expect(denied).toBe('fallback');
    expect(seen).toEqual(['forbidden: cannot list secrets in namespace model-engine']);
    await expect(ifForbidden(async () => Promise.reject(new Error('boom')), () => 'fallback')).rejects.toThrow('boom');
  });
});

describe('abortError', () => {
  const aborted = (reason?: unknown) => {
    const c = new AbortController();
    c.abort(reason);
    return c.signal;
  };
  it('keeps the runner\'s own reasons and makes a bare abort() (a DOMException AbortError) a CancelledError', async () => {
    const { abortError, TimeoutError } = await import('../../src/engine/errors.js');
    const timeout = new TimeoutError(5);
    const cancel = new CancelledError();
    expect(abortError(aborted(timeout))).toBe(timeout);
    expect(abortError(aborted(cancel))).toBe(cancel);
    expect(aborted().reason).toBeInstanceOf(DOMException);
    expect(abortError(aborted())).toBeInstanceOf(CancelledError);
    expect(abortError(aborted(new Error('other')))).toBeInstanceOf(CancelledError);
  });
});
