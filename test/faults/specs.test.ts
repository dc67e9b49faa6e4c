/**
 * The small grammars of this area: durations (`--request-timeout`, `--deadline`, `stall:…:20s`), `serve --fault`
 * and `serve --deny` specs (a spec that would deny nothing is refused), Retry-After and the backoff.
 */
import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter, retryDelayMs, RETRY_AFTER_CAP_MS } from '../../src/sources/kube/live-kube.js';
import { globToRegExp, parseDenySpecs, parseFaultSpec } from '../../src/sources/server/faults.js';
import { runCli } from '../support/cli.js';
import { demoSnapshot, DEMO } from './harness.js';

describe('duration flags of this area (the grammar itself: test/engine/duration.test.ts)', () => {
  it.each([
    [['triage', '--deadline', 'soon'], /--deadline: "soon" is not a duration/],
    [['triage', '--deadline', '0'], /--deadline: "0" must be longer than zero/],
    [['triage', '--request-timeout', '1x'], /--request-timeout: "1x" is not a duration/],
    [['triage', '--request-timeout', '600h'], /--request-timeout: "600h" is too long/],
  ])('the CLI refuses %j with one line and exit 2', async (args, message) => {
    const r = await runCli(args, { CI: 'true' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('stall:…:ARG takes the same durations', () => {
    expect(parseFaultSpec('stall:/version:1:1m30s')).toMatchObject({ delayMs: 90_000 });
    expect(() => parseFaultSpec('stall:/version:1:soon')).toThrow(/"soon" is not a duration/);
  });
});

describe('serve --fault specs', () => {
  it.each([
    ['429:/apis/apps/v1/deployments:1:30', { match: { path: '/apis/apps/v1/deployments' }, status: 429, times: 1, retryAfter: 30 }],
    ['500', { match: {}, status: 500 }],
    ['503::*:2', { match: {}, status: 503, retryAfter: 2 }],
    ['500:**:3', { match: {}, status: 500, times: 3 }],
    ['reset:/api/v1/namespaces/*/pods', { match: { path: '/api/v1/namespaces/*/pods' }, action: 'reset' }],
    ['stall:/version', { match: { path: '/version' }, action: 'stall' }],
    ['stall:/api/**:2:1m30s', { match: { path: '/api/**' }, action: 'stall', times: 2, delayMs: 90_000 }],
    ['nonjson:/api/v1/namespaces/*/pods/*/log:1', { match: { path: '/api/v1/namespaces/*/pods/*/log' }, action: 'nonjson', times: 1 }],
    ['404-all', { match: {}, action: 'not-kubernetes' }],
  ])('%s', (spec, fault) => expect(parseFaultSpec(spec)).toEqual(fault));

  it.each([
    ['boom', /unknown kind "boom"/],
    ['200', /status 200 is not an error/],
    ['500:/x:0', /count "0" must be a positive whole number/],
    ['500:/x:two', /count "two" must be a positive whole number/],
    ['500:/x:1:5', /only 429 and 503 take an argument/],
    ['429:/x:1:soon', /Retry-After "soon" must be whole seconds/],
    ['reset:/x:1:5', /reset takes no argument/],
    ['stall:/x:1:forever', /"forever" is not a duration/],
    ['404-all:/x', /404-all takes no path/],
    ['500:api/v1', /must start with \//],
    ['500:/x:1:2:3', /too many fields/],
  ])('%s is refused: %s', (spec, why) => {
    expect(() => parseFaultSpec(spec)).toThrow(why);
    expect(() => parseFaultSpec(spec)).toThrow(/expected KIND\[:PATH\[:COUNT\[:ARG\]\]\]/);
  });

  it.each([
    ['/api/v1/namespaces/*/pods', '/api/v1/namespaces/llm-engine/pods', true],
    ['/api/v1/namespaces/*/pods', '/api/v1/namespaces/llm-engine/pods/x', false],
    ['/api/v1/namespaces/*/pods/*/log', '/api/v1/namespaces/a/pods/b/log', true],
    ['/api/**', '/api/v1/nodes', true],
    ['/api/**', '/apis/apps/v1/deployments', false],
    ['/apis/apps/v1/deployments', '/apis/apps/v1/deployments', true],
    ['/apis/apps/v1/deployments', '/apis/apps/v1/deploymentsX', false],
    ['/api/v1/namespaces/model-engine/configmaps/model-engine-service-config', '/api/v1/namespaces/model-engine/configmaps/model-engine-service-configXmap', false],
  ])('glob %s matches %s: %s', (glob, path, hit) => expect(globToRegExp(glob).test(path)).toBe(hit));
});

describe('serve --deny specs', () => {
  const parse = async (spec: string) => parseDenySpecs([spec], await demoSnapshot())[0];

  it.each([
    ['list:deployments', { verb: 'list', resource: 'deployments.apps' }],
    ['list:deploy', { verb: 'list', resource: 'deployments.apps' }],
    ['get:deployments.apps:model-engine', { verb: 'get', resource: 'deployments.apps', namespace: 'model-engine' }],
    ['get:pods/log:llm-engine', { verb: 'get', resource: 'pods/log', namespace: 'llm-engine' }],
    ['*:*', { verb: '*', resource: '*' }],
    ['list:secrets:model-engine', { verb: 'list', resource: 'secrets', namespace: 'model-engine' }],
    ['watch:ScaledObject', { verb: 'watch', resource: 'scaledobjects.keda.sh' }],
  ])('%s', async (spec, denial) => expect(await parse(spec)).toEqual(denial));

  it.each([
    ['list:deployment:nope', /the snapshot has no namespace "nope" \(it has .*model-engine.*\), so this denies nothing/],
    ['read:pods', /unknown verb "read"/],
    ['list:widgets', /unknown resource "widgets": this snapshot serves /],
    ['list:pods/log', /pods\/log is only ever asked with get, so "list" denies nothing/],
    ['list:nodes:llm-engine', /nodes is cluster-scoped, so a namespace denies nothing/],
    ['list', /expected VERB:RESOURCE\[:NAMESPACE\]/],
    ['list::x', /expected VERB:RESOURCE\[:NAMESPACE\]/],
    ['list:pods:Bad_NS', /"Bad_NS" is not a namespace name/],
  ])('%s is refused: %s', async (spec, why) => {
    await expect(parse(spec)).rejects.toThrow(why);
  });

  it('serve refuses a bad --deny or --fault with one line and exit 2, before serving', async () => {
    const deny = await runCli(['serve', DEMO, '--deny', 'list:deployments:nope'], { CI: 'true' });
    expect(deny).toMatchObject({ code: 2, stdout: '' });
    expect(deny.stderr).toMatch(/^model-engine-doctor: error: bad --deny "list:deployments:nope": the snapshot has no namespace "nope"/);
    const fault = await runCli(['serve', DEMO, '--fault', '500:/x:1:5'], { CI: 'true' });
    expect(fault).toMatchObject({ code: 2, stdout: '' });
    expect(fault.stderr).toMatch(/^model-engine-doctor: error: bad --fault "500:\/x:1:5": only 429 and 503 take an argument/);
  });
});

describe('Retry-After and backoff', () => {
  const now = Date.parse('2026-11-20T09:30:00Z');
  it.each([
    ['30', 30_000],
    ['0', 0],
    ['Fri, 20 Nov 2026 09:30:07 GMT', 7000],
    ['Fri, 20 Nov 2026 09:29:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %s is %s ms', (v, ms) => expect(parseRetryAfter(v, now)).toBe(ms));

  it('honours Retry-After up to the cap, else backs off exponentially with jitter, capped at 2 s', () => {
    expect(retryDelayMs(0, '30', now)).toBe(RETRY_AFTER_CAP_MS);
    expect(retryDelayMs(0, '2', now)).toBe(2000);
    for (let attempt = 0; attempt < 6; attempt++) {
      const base = Math.min(2000, 200 * 2 ** attempt);
      for (let i = 0; i < 20; i++) {
        const d = retryDelayMs(attempt);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(d).toBeLessThanOrEqual(Math.ceil(base * 1.2));
      }
    }
  });
});
