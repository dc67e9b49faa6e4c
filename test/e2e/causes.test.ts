/**
 * The causes added for failures that look healthy or unknown (issue 13), on states the real components produce:
 * Pod Security admission and a fail-closed webhook refusing the ReplicaSet's pods (real FailedCreate messages), and a
 * KEDA ScaledObject made from model-engine's own template whose status a simulated KEDA operator writes (no KEDA
 * controller runs here; the operator's pods are real pods on kwok nodes).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEndpoint, type BuiltEndpoint } from './harness/builder.js';
import { apply, e2eUnavailable, kubectl, kubectlJson } from './harness/cluster.js';
import { chartUnavailable, installModelEngine, uninstall, type Install } from './harness/install.js';
import { deleteEndpoint, diagnose, waitForEvent } from './harness/scenario.js';

const skip = e2eUnavailable() ?? chartUnavailable();
if (skip) process.stderr.write(`\n!!! ${skip}: test/e2e/causes.test.ts SKIPPED\n`);

(skip ? describe.skip : describe)('new causes on a real control plane', () => {
  let install: Install;
  const endpoint = createEndpoint;

  beforeAll(async () => {
    install = await installModelEngine({ cloud: 'aws', nodes: [{ name: 'causes-a100-0', cloud: 'aws', gpus: 8, acceleratorLabel: 'nvidia-ampere-a100' }] });
  }, 300_000);
  afterAll(async () => {
    await kubectl(['delete', 'validatingwebhookconfiguration', 'e2e-fail-closed', '--ignore-not-found']);
    await kubectl(['delete', 'namespace', 'keda', '--ignore-not-found', '--wait=false']);
    if (install) await uninstall(install);
  }, 300_000);

  it('Pod Security "restricted" on the endpoint namespace: ADMISSION_DENIED with the admission message', async () => {
    await kubectl(['label', 'namespace', install.endpointNamespace, 'pod-security.kubernetes.io/enforce=restricted', '--overwrite']);
    try {
      const ep = await endpoint({ name: 'psa-denied', cpus: '1', memory: '1Gi' });
      const ev = await waitForEvent(ep, 'FailedCreate');
      expect(ev.message).toMatch(/violates PodSecurity "restricted:latest"/);
      const { code, diagnosis, text } = await diagnose('psa-denied');
      expect(diagnosis.cause).toBe('ADMISSION_DENIED');
      expect(code).toBe(3);
      expect(text).toContain('PodSecurity');
      expect(text).toContain('pod-security.kubernetes.io/enforce');
      await deleteEndpoint(ep);
    } finally {
      await kubectl(['label', 'namespace', install.endpointNamespace, 'pod-security.kubernetes.io/enforce-']);
    }
  });

  it('a fail-closed admission webhook nobody answers: WEBHOOK_UNAVAILABLE naming the webhook', async () => {
    // Loopback only, and a port nothing listens on: the API server's call is refused at once.
    await apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'e2e-fail-closed' },
      webhooks: [
        {
          name: 'pods.policy.e2e.example.com',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          timeoutSeconds: 2,
          clientConfig: { url: 'https://127.0.0.1:1/validate' },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': install.endpointNamespace } },
          objectSelector: { matchLabels: { 'managed-by': 'model-engine' } },
        },
      ],
    });
    try {
      const ep = await endpoint({ name: 'webhook-down', cpus: '1', memory: '1Gi' });
      const ev = await waitForEvent(ep, 'FailedCreate');
      expect(ev.message).toMatch(/failed calling webhook "pods\.policy\.e2e\.example\.com"/);
      const { diagnosis, text } = await diagnose('webhook-down');
      expect(diagnosis.cause).toBe('WEBHOOK_UNAVAILABLE');
      expect(text).toContain('pods.policy.e2e.example.com');
      await deleteEndpoint(ep);
    } finally {
      await kubectl(['delete', 'validatingwebhookconfiguration', 'e2e-fail-closed', '--ignore-not-found']);
    }
  });

  describe('scale from zero (simulated KEDA operator: the ScaledObject status and events are written by the test)', () => {
    let ep: BuiltEndpoint;
    beforeAll(async () => {
      // KEDA's own pods, as its chart labels them, running on the kwok nodes.
      await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keda' } });
      for (const app of ['keda-operator', 'keda-operator-metrics-apiserver']) {
        await apply({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: app, namespace: 'keda', labels: { app } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app } },
            template: { metadata: { labels: { app } }, spec: { nodeSelector: { 'node-lifecycle': 'normal' }, containers: [{ name: app, image: `ghcr.io/kedacore/${app}:2.16.0` }] } },
          },
        });
      }
      // min_workers 0: model-engine creates a KEDA ScaledObject instead of an HPA (facts §6.2).
      ep = await endpoint({ name: 'llama-idle', gpuType: 'nvidia-ampere-a100', gpus: 1, minWorkers: 0, maxWorkers: 2 });
      const so = await kubectlJson<{ kind: string }>(['get', 'scaledobject', '-n', ep.namespace, ep.resourceName]);
      expect(so.kind).toBe('ScaledObject');
    });

    const soStatus = (conditions: object[]) =>
      kubectl(['patch', 'scaledobject', '-n', ep.namespace, ep.resourceName, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions } })]);

    it('KEDA reports the ScaledObject Ready and idle: SCALED_TO_ZERO, nothing to fix (exit 0)', async () => {
      await soStatus([
        { type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' },
        { type: 'Active', status: 'False', reason: 'ScalerNotActive', message: 'Scaling is not performed because triggers are not active' },
        { type: 'Fallback', status: 'False', reason: 'NoFallbackFound', message: 'No fallbacks are active on this scaled object' },
      ]);
      const { code, diagnosis } = await diagnose('llama-idle');
      expect(diagnosis.cause).toBe('SCALED_TO_ZERO');
      expect(code).toBe(0);
    });

    it('KEDA cannot read the Prometheus trigger: SCALE_FROM_ZERO_BLOCKED with KEDA\'s own words', async () => {
      const message =
        'error inspecting prometheus metrics: error when getting metric values Get "http://prometheus-server.istio-system.svc.cluster.local:80/api/v1/query": dial tcp: lookup prometheus-server.istio-system.svc.cluster.local: no such host';
      await soStatus([
        { type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed', message: 'Triggers defined in ScaledObject are not working correctly' },
        { type: 'Active', status: 'False', reason: 'ScalerNotActive', message: 'Scaling is not performed because triggers are not active' },
      ]);
      await apply({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${ep.resourceName}.keda-scaler-failed`, namespace: ep.namespace },
        involvedObject: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: ep.resourceName, namespace: ep.namespace },
        reason: 'KEDAScalerFailed',
        message,
        type: 'Warning',
        count: 12,
        firstTimestamp: new Date(Date.now() - 600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        source: { component: 'keda-operator' },
      });
      const { code, diagnosis, text } = await diagnose('llama-idle');
      expect(diagnosis.cause).toBe('SCALE_FROM_ZERO_BLOCKED');
      expect(code).toBe(3);
      expect(text).toContain('prometheus');
    });
  });
});
