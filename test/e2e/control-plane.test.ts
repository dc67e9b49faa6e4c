/**
 * The harness itself: the real control plane is what it claims to be (versions, authorisation modes, admission
 * plugins, controllers, scheduler, kwok), so the tiers built on it test against the real thing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apply, cluster, e2eUnavailable, kubectl, kubectlJson, kubectlRun, userKubeconfig, waitFor } from './harness/cluster.js';
import { addNodes, deleteNodes } from './harness/nodes.js';

const skip = e2eUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/control-plane.test.ts SKIPPED\n`);

(skip ? describe.skip : describe)('real control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)', () => {
  const nodes: string[] = [];
  beforeAll(async () => {
    nodes.push(...(await addNodes([{ name: 'harness-cpu-0', cloud: 'aws' }])));
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'harness' } });
  });
  afterAll(async () => {
    await kubectl(['delete', 'namespace', 'harness', '--ignore-not-found', '--wait=false']);
    await deleteNodes(nodes);
  });

  it('is the pinned Kubernetes release, listening on loopback only', async () => {
    const version = await kubectlJson<{ serverVersion: { gitVersion: string } }>(['version']);
    expect(version.serverVersion.gitVersion).toBe('v1.37.2');
    expect(new URL(cluster().server).hostname).toBe('127.0.0.1');
  });

  it('authorises with RBAC: a user with no binding is forbidden, with the real message', async () => {
    const r = await kubectlRun(['get', 'pods', '-n', 'default'], { kubeconfig: userKubeconfig('nobody') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "default"');
  });

  it('runs the admission plugins of a managed cluster: PodSecurity rejects a privileged pod in a restricted namespace', async () => {
    await kubectl(['label', 'namespace', 'harness', 'pod-security.kubernetes.io/enforce=restricted', '--overwrite']);
    const r = await kubectlRun(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'privileged', namespace: 'harness' },
        spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] },
      }),
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest": privileged/);
    await kubectl(['label', 'namespace', 'harness', 'pod-security.kubernetes.io/enforce-']);
  });

  it('schedules with the real scheduler and runs pods on kwok nodes through the real Deployment and ReplicaSet controllers', async () => {
    await apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'harness' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { nodeSelector: { 'node-lifecycle': 'normal' }, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
        },
      },
    });
    const ready = await waitFor('deployment web available', async () => {
      const d = await kubectlJson<{ status: { availableReplicas?: number } }>(['get', 'deployment', '-n', 'harness', 'web']);
      return d.status.availableReplicas === 2 ? d : undefined;
    });
    expect(ready.status.availableReplicas).toBe(2);
    const pods = await kubectlJson<{ items: { spec: { nodeName?: string }; status: { phase: string } }[] }>(['get', 'pods', '-n', 'harness', '-l', 'app=web']);
    expect(pods.items.map((p) => [p.spec.nodeName, p.status.phase])).toEqual([
      ['harness-cpu-0', 'Running'],
      ['harness-cpu-0', 'Running'],
    ]);
  });
});
