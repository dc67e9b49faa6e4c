import { describe, expect, it } from '@jest/globals';
import check, { findWebhook, FEDERATORS, type WebhookConfiguration } from '../../../checks/identity/webhook.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot, editItems } from '../../support/derived-snapshot.js';

/**
 * identity-azure-healthy after the Workload Identity webhook's Deployment and Service were deleted (kubectl delete
 * of its manifests in the wrong order) while its MutatingWebhookConfiguration stayed: the API server calls a
 * service that is gone.
 */
const BACKEND_GONE = derivedSnapshot('fixtures/clusters/identity-azure-healthy', {
  'services.yaml': editItems((svcs) => svcs.filter((x) => x.metadata.name !== 'azure-wi-webhook-webhook-service')),
  'pods-kube-system.yaml': editItems((pods) => pods.filter((p) => !String(p.metadata.name).startsWith('azure-wi-webhook-controller-manager'))),
});

testCheck(check, {
  valid: [
    { name: 'EKS: pod identity webhook served by the control plane', snapshot: 'fixtures/clusters/identity-aws-healthy', namespace: 'model-engine' },
    { name: 'EKS Pod Identity agent ready', snapshot: 'fixtures/clusters/identity-aws-pod-identity', namespace: 'model-engine' },
    { name: 'AKS workload identity add-on with ready pods', snapshot: 'fixtures/clusters/identity-azure-healthy', namespace: 'model-engine' },
    { name: 'GKE metadata server on every enabled node', snapshot: 'fixtures/clusters/identity-gcp-healthy', namespace: 'model-engine' },
  ],
  invalid: [
    {
      name: 'AWS: no pod-identity-webhook configuration',
      snapshot: 'fixtures/clusters/identity-aws-broken',
      namespace: 'model-engine',
      errors: [{ messageId: 'missing', object: { kind: 'MutatingWebhookConfiguration', name: 'pod-identity-webhook' } }],
    },
    {
      // Moved from cluster/apis, which left the webhook to this check.
      name: 'AKS preflight: no Workload Identity webhook at all (only Istio\'s)',
      snapshot: 'fixtures/clusters/preflight-azure-broken',
      namespace: 'model-engine',
      errors: [{ messageId: 'missing', status: 'fail', object: { kind: 'MutatingWebhookConfiguration', name: 'azure-wi-webhook-mutating-webhook-configuration' } }],
    },
    {
      name: 'Azure: webhook pods crash-looping behind a fail-closed webhook',
      snapshot: 'fixtures/clusters/identity-azure-broken',
      namespace: 'model-engine',
      errors: [{ messageId: 'backendDown', object: { name: 'azure-wi-webhook-mutating-webhook-configuration' } }],
    },
    {
      name: 'Azure: the webhook configuration points at a Service that was deleted',
      snapshot: BACKEND_GONE,
      namespace: 'model-engine',
      errors: [{ messageId: 'backendMissing', status: 'fail', object: { kind: 'MutatingWebhookConfiguration', name: 'azure-wi-webhook-mutating-webhook-configuration' } }],
    },
    {
      name: 'GKE: a metadata-server pod not ready',
      snapshot: 'fixtures/clusters/identity-gcp-broken',
      namespace: 'model-engine',
      errors: [{ messageId: 'daemonSetDown', object: { kind: 'DaemonSet', namespace: 'kube-system', name: 'gke-metadata-server' } }],
    },
    {
      name: 'RBAC: cannot list webhook configurations',
      snapshot: 'fixtures/clusters/identity-aws-healthy',
      namespace: 'model-engine',
      denials: [{ verb: 'list', resource: 'mutatingwebhookconfigurations.admissionregistration.k8s.io' }],
      errors: [{ messageId: 'forbidden', status: 'skip' }],
    },
  ],
});

it('backendMissing names the service the configuration points at, and how to look', async () => {
  const [r] = (await runCase(check, { name: 'x', snapshot: BACKEND_GONE, namespace: 'model-engine' })).filter((x) => x.status === 'fail');
  expect(r!.message).toMatch(/\(azure-wi-webhook-mutating-webhook-configuration\) points at service kube-system\/azure-wi-webhook-webhook-service, which does not exist$/);
  expect(r!.remediation?.commands).toEqual(['kubectl -n kube-system get svc,deploy,pods']);
});

describe('identity/webhook on a snapshot without the webhook Service', () => {
  // `collect` keeps only pods of infrastructure namespaces: the Service behind the webhook is not in the snapshot.
  const withoutServices = async (path: string) => {
    const snapshot = await loadSnapshot(fixture(path));
    const kube = new SnapshotKube(snapshot);
    const get = kube.get.bind(kube);
    kube.get = (async (resource: string, name: string, ns?: string) => (resource === 'services' ? undefined : get(resource, name, ns))) as typeof kube.get;
    const { context } = await resolveContext({ kube, namespace: 'model-engine', now: snapshot.now });
    return runCheck(check, context, { timeoutMs: 10_000 });
  };
  it('judges the webhook by its pods', async () => {
    expect((await withoutServices('fixtures/clusters/identity-azure-healthy')).map((r) => [r.status, r.messageId])).toEqual([['pass', 'running']]);
    expect((await withoutServices('fixtures/clusters/identity-azure-broken')).map((r) => [r.status, r.messageId])).toEqual([['fail', 'backendDown']]);
  });
});

describe('identity/webhook on Azure', () => {
  it('a missing webhook says what fails and how to enable it', async () => {
    const [r] = await runCase(check, { name: '', snapshot: 'fixtures/clusters/preflight-azure-broken', namespace: 'model-engine' });
    expect(r!.message).toContain('DefaultAzureCredential fails for Service Bus, Blob Storage, Redis and Key Vault');
    expect(r!.evidence).toEqual([{ type: 'note', text: 'MutatingWebhookConfigurations present: istio-sidecar-injector-asm-1-23-aks-istio-system' }]);
    expect(r!.status === 'fail' && r!.remediation.commands).toContain('az aks update --resource-group <rg> --name <cluster> --enable-oidc-issuer --enable-workload-identity');
  });

  const az = FEDERATORS.azure;
  const config = (name: string, webhook?: string): WebhookConfiguration => ({ metadata: { name }, ...(webhook ? { webhooks: [{ name: webhook }] } : {}) });
  it.each<[WebhookConfiguration, boolean]>([
    [config('azure-wi-webhook-mutating-webhook-configuration'), true],
    [config('azure-workload-identity-webhook-mutating-webhook-configuration'), true],
    [config('my-release', 'mutation.azure-workload-identity.io'), true],
    [config('pod-identity-webhook', 'iam-for-pods.amazonaws.com'), false],
    [config('istio-sidecar-injector', 'rev.namespace.sidecar-injector.istio.io'), false],
  ])('findWebhook(%j) finds the Azure webhook: %s', (c, want) => {
    expect(findWebhook([c], az.webhookNames, az.configNames, az.configNameContains) === c).toBe(want);
  });
});
