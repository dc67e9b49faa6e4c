/**
 * Where the run looks, and what it says about how it knows: a namespace nothing stated is helm's `default` and marked
 * assumed (offline, or before an install when nothing is found and nothing was refused); one that RBAC or the API
 * kept us from finding is a placeholder whose reads fail with the reason — unknown, never assumed, never `default`.
 */
import { describe, expect, it } from '@jest/globals';
import { ForbiddenError } from '../../src/engine/errors.js';
import { unknownNamespace } from '../../src/engine/runner.js';
import { resolveContext } from '../../src/run/context.js';
import { SnapshotKube } from '../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { loadValues } from '../../src/sources/values/load.js';
import { fixture } from '../support/check-tester.js';

const PRE_INSTALL = fixture('fixtures/clusters/preflight-aws-ready');
const DEMO = fixture('fixtures/clusters/demo-aws');
const GOOD = fixture('fixtures/values/aws-good.yaml');

const kubeOf = async (path: string, denials: ConstructorParameters<typeof SnapshotKube>[1] = []) => new SnapshotKube(await loadSnapshot(path), denials);

describe('assumed namespaces', () => {
  it('offline, nothing stated: both default, both assumed', async () => {
    const { context } = await resolveContext({});
    expect(context.namespaces).toEqual({ controlPlane: 'default', endpoint: 'default', assumed: ['controlPlane', 'endpoint'] });
  });

  it('offline, the values name the endpoint namespace: only the release namespace is assumed', async () => {
    const values = await loadValues({ files: [GOOD], defaults: 'builtin' });
    expect(values.get('config.values.launch.endpoint_namespace')).toBe('llm-engine');
    const { context } = await resolveContext({ values });
    expect(context.namespaces).toEqual({ controlPlane: 'default', endpoint: 'llm-engine', assumed: ['controlPlane'] });
  });

  it('-n states it: nothing assumed but what the values leave out', async () => {
    const { context } = await resolveContext({ namespace: 'ml' });
    expect(context.namespaces).toEqual({ controlPlane: 'ml', endpoint: 'ml', assumed: ['endpoint'] });
  });

  it('a cluster before the install (preflight): nothing found, nothing refused, so default is assumed', async () => {
    const { context, unread } = await resolveContext({ kube: await kubeOf(PRE_INSTALL), requireControlPlane: false });
    expect(context.namespaces).toEqual({ controlPlane: 'default', endpoint: 'default', assumed: ['controlPlane', 'endpoint'] });
    expect(unread).toEqual([]);
    expect(context.missing).toBeUndefined();
  });

  it('the same cluster for a command that diagnoses an install: exit 2, no assumption', async () => {
    await expect(resolveContext({ kube: await kubeOf(PRE_INSTALL), requireControlPlane: true })).rejects.toThrow(/^no model-engine control plane in snapshot /);
  });

  it('an installed control plane is found, not assumed', async () => {
    const { context } = await resolveContext({ kube: await kubeOf(DEMO), requireControlPlane: true });
    expect(context.namespaces).toEqual({ controlPlane: 'model-engine', endpoint: 'llm-engine' });
  });
});

describe('unknown namespaces are not assumed', () => {
  it('RBAC hides the control plane before an install too: a placeholder with the reason, not default', async () => {
    // Cluster-wide lists are refused by any namespaced denial (as the API server does): nothing can be looked for.
    const kube = await kubeOf(PRE_INSTALL, [{ verb: 'list', resource: 'deployments.apps', namespace: 'kube-system' }]);
    const { context, unread } = await resolveContext({ kube, requireControlPlane: false });
    expect(context.namespaces.controlPlane).toBe(unknownNamespace('control-plane'));
    expect(context.namespaces.assumed ?? []).not.toContain('controlPlane');
    expect(context.missing?.controlPlaneNamespace).toBeInstanceOf(ForbiddenError);
    expect(unread[0]).toMatch(/^control-plane namespace unknown: forbidden: cannot list deployments\.apps at cluster scope \(needed to find the control-plane namespace; pass -n NAMESPACE\)$/);
    // Its reads fail with the reason instead of reading another namespace.
    await expect(context.kube!.list('secrets', { namespace: context.namespaces.controlPlane })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('the service ConfigMap refused: the endpoint namespace is unknown, not assumed to be the release namespace', async () => {
    const kube = await kubeOf(DEMO, [{ verb: 'get', resource: 'configmaps', namespace: 'model-engine' }]);
    const { context } = await resolveContext({ kube, requireControlPlane: true });
    expect(context.namespaces).toEqual({ controlPlane: 'model-engine', endpoint: unknownNamespace('endpoint') });
    expect(context.missing?.endpointNamespace?.message).toMatch(/cannot get configmaps in namespace model-engine/);
  });
});
