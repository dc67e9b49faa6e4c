/**
 * RBAC never lies. The audit's cases, each against the demo cluster behind `serve --deny`:
 * - denying deployments.apps made the control-plane namespace fall back to `default` (3 false critical/high fails)
 *   and `endpoint mixtral-8x7b` say BUILD_PENDING where the cause is IMAGE_PULL;
 * - with everything denied, triage exited 0 with skips that named no permission;
 * - a denied release Secret silently dropped the values, and 15 checks skipped with a misleading reason;
 * - `-n llm-engine` (the endpoint namespace) or a typo reported the whole control plane down.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CheckResult } from '../../src/engine/types.js';
import { fixture } from '../support/check-tester.js';
import { doctor, MIXTRAL, rehearse, rehearsing, useDemo, type Outcome, type Rehearsal } from './harness.js';

const demo = useDemo('rbac');
const withDenials = <T>(deny: string[], fn: (r: Rehearsal) => Promise<T>) => rehearsing(demo.dir, { deny }, fn);

const key = (x: CheckResult) => `${x.id} ${x.messageId} ${x.object ? `${x.object.kind}/${x.object.namespace ?? ''}/${x.object.name}` : ''}`;
const findings = (o: Outcome) => o.report!.results.filter((x) => x.status === 'fail' || x.status === 'warn').map(key);

describe('denying deployments.apps', () => {
  it('finds the control plane another way: no fallback to default, no finding the full run does not make', async () => {
    await withDenials(['list:deployments'], async (r) => {
      const out = await doctor(['triage'], r.kubeconfig);
      expect(out.report!.target.namespaces).toEqual({ controlPlane: 'model-engine', endpoint: 'llm-engine' });
      // Every fail or warn is one the fault-free run makes too; none is about `default`.
      const full = new Set(findings(demo.baseline));
      expect(findings(out).filter((f) => !full.has(f))).toEqual([]);
      expect(out.report!.results.some((x) => x.object?.namespace === 'default' && (x.status === 'fail' || x.status === 'warn'))).toBe(false);
      // The checks that needed deployments skip, naming the permission.
      const denied = out.report!.results.filter((x) => x.messageId === 'forbidden');
      expect(denied.length).toBeGreaterThan(0);
      for (const d of denied) expect(d.message).toMatch(/cannot list deployments\.apps in namespace (model-engine|llm-engine)/);
      expect(out.report!.results.find((x) => x.id === 'control-plane/deployments-available')).toMatchObject({ status: 'skip', messageId: 'forbidden' });
    });
  });

  it('endpoint mixtral-8x7b: IMAGE_PULL from its pods, not BUILD_PENDING', async () => {
    await withDenials(['list:deployments'], async (r) => {
      const out = await doctor(['endpoint', MIXTRAL], r.kubeconfig);
      expect(out.report!.diagnosis).toMatchObject({ cause: 'IMAGE_PULL' });
      expect(out.code).toBe(3);
    });
  });

  it("and the endpoint's pods too: the diagnosis says it cannot see, naming the permission", async () => {
    await withDenials(['list:deployments', 'list:pods:llm-engine'], async (r) => {
      const out = await doctor(['endpoint', MIXTRAL], r.kubeconfig);
      const d = out.report!.diagnosis as { cause: string; summary: string };
      expect(d.cause).toBe('UNKNOWN');
      expect(d.summary).toMatch(/cannot list pods in namespace llm-engine/);
      const tri = await doctor(['triage'], r.kubeconfig);
      expect(tri.report!.results.find((x) => x.id === 'endpoints/serving')).toMatchObject({ status: 'skip', messageId: 'forbidden' });
      expect(tri.report!.results.find((x) => x.id === 'endpoints/serving')!.message).toMatch(/cannot list pods in namespace llm-engine/);
    });
  });
});

describe('when the control plane cannot be found at all', () => {
  it('the namespace is named unknown with the reason, and every check that needs it skips naming the permission', async () => {
    // Cluster-wide lists are denied by any namespaced denial, as the real API server does: nothing finds the control
    // plane. The values come from a file (the release cannot be read), so the endpoint namespace is known.
    await withDenials(['list:deployments', 'list:configmaps', 'list:pods:model-engine', 'list:secrets:model-engine', 'list:pods:kube-system'], async (r) => {
      const out = await doctor(['triage', '-f', fixture('fixtures/values/aws-good.yaml')], r.kubeconfig);
      const t = out.report!.target;
      expect(t.namespaces).toEqual({ controlPlane: '<control-plane-namespace>', endpoint: 'llm-engine' });
      expect(t.unread![0]).toMatch(/^control-plane namespace unknown: forbidden: cannot list deployments\.apps at cluster scope \(needed to find the control-plane namespace; pass -n NAMESPACE\)$/);
      // No finding about a namespace that was guessed.
      expect(out.report!.results.filter((x) => (x.status === 'fail' || x.status === 'warn') && /<(control-plane|endpoint)-namespace>|\bdefault\b/.test(x.message))).toEqual([]);
      // Every skip says why; every one that is about the cluster names the permission.
      for (const s of out.report!.results.filter((x) => x.status === 'skip')) {
        const why = s.messageId === 'forbidden' ? /forbidden: cannot (list|get) [\w./]+ (in namespace [\w-]+|at cluster scope)/ : /\S/;
        expect(`${s.id}: ${s.message}`).toMatch(why);
        if (s.messageId !== 'forbidden') expect(['needsCanary', 'needsCloudApi', 'noImages', 'notProbed', 'noConfig', 'noPods', 'secretNeeded', 'depthUnknown']).toContain(s.messageId);
      }
      expect(out.report!.results.filter((x) => x.messageId === 'forbidden').length).toBeGreaterThan(10);
      // What did not need it was judged: the endpoints, from their pods in llm-engine.
      expect(out.report!.endpoints).toEqual(demo.baseline.report!.endpoints);
      expect(out.code).toBe(3);
    });
  });

  it('-n names the control plane the cluster does not let us find, and the run goes on with it', async () => {
    await withDenials(['list:deployments', 'list:configmaps', 'list:pods:kube-system'], async (r) => {
      const out = await doctor(['triage', '-n', 'model-engine'], r.kubeconfig);
      expect(out.report!.target.namespaces).toEqual({ controlPlane: 'model-engine', endpoint: 'llm-engine' });
      expect(out.report!.target.unread).toBeUndefined();
    });
  });
});

describe('everything denied', () => {
  it('is exit 2 with one line naming what was refused, not exit 0 with a report of skips', async () => {
    await withDenials(['*:*'], async (r) => {
      const out = await doctor(['triage'], r.kubeconfig);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      const [line, hint, ...rest] = out.stderr.trimEnd().split('\n');
      expect(rest).toEqual([]);
      expect(line).toMatch(/^model-engine-doctor: error: nothing could be read from the cluster: RBAC refused every read \(cannot list deployments\.apps at cluster scope; .*\)$/);
      expect(hint).toMatch(/^hint: grant the doctor's identity get and list .*docs\/faults\.md#rbac.*-n/);
    });
  });

  it('the endpoint command too', async () => {
    await withDenials(['*:*'], async (r) => {
      const out = await doctor(['endpoint', MIXTRAL, '-n', 'model-engine', '--endpoint-namespace', 'llm-engine'], r.kubeconfig);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/^model-engine-doctor: error: nothing could be (read from the cluster|checked): RBAC refused/);
      expect(out.stdout).toBe('');
    });
  });
});

describe('a denied release Secret', () => {
  it('is named: the checks that need values skip naming the permission, and the report says the values were not read', async () => {
    await withDenials(['list:secrets:model-engine'], async (r) => {
      const out = await doctor(['triage'], r.kubeconfig);
      expect(out.report!.target.valuesOrigin).toBeUndefined();
      expect(out.report!.target.unread).toEqual([expect.stringMatching(/^helm values: forbidden: cannot list secrets in namespace model-engine .*; pass -f values\.yaml$/)]);
      const needValues = out.report!.results.filter((x) => /needs helm values/.test(x.message));
      expect(needValues.length).toBeGreaterThanOrEqual(15);
      for (const s of needValues) {
        expect(s).toMatchObject({ status: 'skip', messageId: 'forbidden' });
        expect(s.message).toMatch(/^needs helm values, and the installed release could not be read: forbidden: cannot list secrets in namespace model-engine .*; pass -f values\.yaml$/);
      }
      expect(out.report!.results.some((x) => x.messageId === 'needsValues')).toBe(false);
    });
  });
});

describe('-n and --endpoint-namespace that do not hold what they name', () => {
  let r: Rehearsal;
  beforeAll(async () => {
    r = await rehearse(demo.dir);
  });
  afterAll(async () => {
    await r.close();
  });

  it.each([
    ['the endpoint namespace given as -n', ['triage', '-n', 'llm-engine'], /^model-engine-doctor: error: namespace llm-engine holds no model-engine control plane \(no Deployment model-engine, ConfigMap model-engine-service-config or helm release model-engine\); the model-engine Deployment runs in namespace model-engine \(llm-engine is its endpoint namespace: that is --endpoint-namespace\): pass -n model-engine, or leave -n out$/],
    ['a mistyped -n', ['triage', '-n', 'model-engin'], /^model-engine-doctor: error: namespace model-engin does not exist in context ".*"; the model-engine Deployment runs in namespace model-engine: pass -n model-engine, or leave -n out$/],
    ['a namespace without model-engine, on the endpoint command', ['endpoint', MIXTRAL, '-n', 'kube-system'], /^model-engine-doctor: error: namespace kube-system holds no model-engine control plane .*runs in namespace model-engine: pass -n model-engine/],
    ['a mistyped --endpoint-namespace', ['triage', '--endpoint-namespace', 'llm-engin'], /^model-engine-doctor: error: namespace llm-engin does not exist in context ".*"; model-engine's endpoints run in namespace llm-engine \(endpoint_namespace in ConfigMap model-engine\/model-engine-service-config\): pass --endpoint-namespace llm-engine, or leave it out$/],
  ])('%s is exit 2 naming where model-engine runs', async (_what, args, message) => {
    const out = await doctor(args, r.kubeconfig);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr.split('\n')[0]).toMatch(message);
  });

  it('the right -n is accepted, and preflight takes any -n (the namespace may not exist before the install)', async () => {
    expect((await doctor(['triage', '-n', 'model-engine', '--only', 'control-plane/config-maps'], r.kubeconfig)).code).toBe(0);
    const pre = await doctor(['preflight', '-n', 'model-engine-next', '--only', 'cluster'], r.kubeconfig);
    expect(pre.stderr).toBe('');
    expect(pre.report!.target.namespaces.controlPlane).toBe('model-engine-next');
  });
});
