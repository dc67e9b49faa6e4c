import { describe, expect, it } from '@jest/globals';
import check, { crdState, requiredCrds } from '../../../checks/cluster/apis.js';
import { loadValuesFiles } from '../../../src/sources/values/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot, editItems } from '../../support/derived-snapshot.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;
const c = (name: string) => `fixtures/clusters/preflight-${name}`;
const NS = 'model-engine';
const crd = (name: string) => ({ kind: 'CustomResourceDefinition', name });

type Item = { metadata: { name: string }; spec?: { versions?: unknown[] }; status?: unknown };
const items = (edit: (list: Item[]) => Item[]) => editItems<Item>(edit);
/**
 * preflight-aws-ready while a second KEDA install fights over the CRD names: the API server keeps
 * scaledobjects.keda.sh NamesAccepted False / Established False and serves nothing of it.
 */
const KEDA_NOT_ESTABLISHED = derivedSnapshot(c('aws-ready'), {
  'crds.yaml': items((l) =>
    l.map((x) =>
      x.metadata.name === 'scaledobjects.keda.sh'
        ? { ...x, status: { conditions: [{ type: 'NamesAccepted', status: 'False', reason: 'ListKindConflict', message: '"ScaledObjectList" is already in use' }, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }] } }
        : x,
    ),
  ),
});
/** preflight-aws-ready with an old VPA (0.7: autoscaling.k8s.io v1beta2 only, before v1 was served) installed. */
const OLD_VPA = derivedSnapshot(c('aws-ready'), {
  'crds.yaml': items((l) => [
    ...l,
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'verticalpodautoscalers.autoscaling.k8s.io' },
      spec: { group: 'autoscaling.k8s.io', names: { kind: 'VerticalPodAutoscaler', plural: 'verticalpodautoscalers' }, scope: 'Namespaced', versions: [{ name: 'v1beta1', served: false, storage: false }, { name: 'v1beta2', served: true, storage: true }] },
      status: { conditions: [{ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' }, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted' }] },
    } as Item,
  ]),
});
/** preflight-aws-ready without prometheus-adapter: no custom.metrics.k8s.io APIService at all. */
const NO_ADAPTER = derivedSnapshot(c('aws-ready'), { 'apiservices.yaml': items((l) => l.filter((x) => x.metadata.name !== 'v1beta1.custom.metrics.k8s.io')) });

testCheck(check, {
  valid: [
    { name: 'EKS with KEDA, Istio and prometheus-adapter', snapshot: c('aws-ready'), values: [v('aws-good')], namespace: NS },
    { name: 'AKS with the KEDA and Workload Identity add-ons', snapshot: c('azure-ready'), values: [v('azure-good')], namespace: NS },
    { name: 'GKE', snapshot: c('gcp'), values: [v('gcp-good')], namespace: NS },
    {
      name: 'RBAC forbids listing CRDs: discovery answers instead',
      snapshot: c('aws-ready'),
      values: [v('aws-good')],
      namespace: NS,
      denials: [{ verb: 'list', resource: 'customresourcedefinitions.apiextensions.k8s.io' }],
    },
  ],
  invalid: [
    {
      name: 'EKS without KEDA, custom metrics adapter down',
      snapshot: c('aws-broken'),
      values: [v('aws-good')],
      namespace: NS,
      errors: [
        { messageId: 'crdMissing', status: 'fail', object: crd('scaledobjects.keda.sh') },
        { messageId: 'crdMissing', status: 'fail', object: crd('triggerauthentications.keda.sh') },
        { messageId: 'customMetricsUnavailable', status: 'warn', object: { kind: 'APIService', name: 'v1beta1.custom.metrics.k8s.io' } },
      ],
    },
    { name: 'the KEDA ScaledObject CRD not Established (its names conflict)', snapshot: KEDA_NOT_ESTABLISHED, values: [v('aws-good')], namespace: NS, errors: [{ messageId: 'crdNotEstablished', status: 'fail', object: crd('scaledobjects.keda.sh') }] },
    { name: 'VPA enabled with an old VPA serving only v1beta2', snapshot: OLD_VPA, values: [v('aws-good')], set: ['autoscaling.vertical.enabled=true'], namespace: NS, errors: [{ messageId: 'crdVersionNotServed', status: 'fail', object: crd('verticalpodautoscalers.autoscaling.k8s.io') }] },
    { name: 'HPA enabled without a custom metrics adapter', snapshot: NO_ADAPTER, values: [v('aws-good')], namespace: NS, errors: [{ messageId: 'customMetricsMissing', status: 'warn', severity: 'medium', object: { kind: 'APIService', name: 'v1beta1.custom.metrics.k8s.io' } }] },
    {
      name: 'VPA enabled on a cluster without the VPA CRDs',
      snapshot: c('aws-ready'),
      values: [v('aws-good')],
      set: ['autoscaling.vertical.enabled=true'],
      namespace: NS,
      errors: [{ messageId: 'crdMissing', status: 'fail', object: crd('verticalpodautoscalers.autoscaling.k8s.io') }],
    },
  ],
});

describe('cluster/apis findings', () => {
  it('says why KEDA is needed and how to install it; the adapter condition is quoted', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good')], namespace: NS });
    const keda = rs.find((r) => r.object?.name === 'scaledobjects.keda.sh')!;
    expect(keda.message).toBe('CRD scaledobjects.keda.sh is not installed: endpoints with min_workers: 0 are scaled by KEDA ScaledObjects');
    expect(keda.status === 'fail' && keda.remediation.commands).toContain('helm install keda kedacore/keda --namespace keda --create-namespace');
    // Install works without KEDA on AWS (no TriggerAuthentication rendered); scale-from-zero endpoints do not.
    expect(keda.severity).toBe('high');
    const cm = rs.find((r) => r.messageId === 'customMetricsUnavailable')!;
    expect(cm.message).toContain('MissingEndpoints: endpoints for service/prometheus-adapter in "monitoring" have no addresses');
    expect(cm.status === 'warn' && cm.remediation.summary).toContain('monitoring/prometheus-adapter');
    expect(rs.filter((r) => r.status === 'pass').map((r) => r.object?.name)).toEqual(['virtualservices.networking.istio.io', 'destinationrules.networking.istio.io']);
  });

  it('Istio CRDs are only required when istio_enabled', async () => {
    const values = await loadValuesFiles([fixture(v('aws-good'))], ['config.values.launch.istio_enabled=false', 'virtualservice.enabled=false', 'destinationrule.enabled=false']);
    expect(requiredCrds(values, 'aws').map((x) => x.name)).toEqual(['scaledobjects.keda.sh', 'triggerauthentications.keda.sh']);
  });

  it('on Azure the chart renders a TriggerAuthentication, so KEDA blocks helm install itself', async () => {
    const values = await loadValuesFiles([fixture(v('azure-good'))], []);
    expect(requiredCrds(values, 'azure')[0]).toMatchObject({ blocksInstall: true, why: expect.stringContaining('helm install fails without the CRD') });
  });

  it('the custom metrics API is not asked for when the HPA is off', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good')], set: ['autoscaling.horizontal.enabled=false'], namespace: NS });
    expect(rs.some((r) => r.object?.kind === 'APIService')).toBe(false);
  });

  it.each<[unknown, string, string]>([
    [undefined, 'v1alpha1', 'missing'],
    [{ metadata: { name: 'x' }, spec: { versions: [{ name: 'v1alpha1', served: true }] }, status: { conditions: [{ type: 'Established', status: 'True' }] } }, 'v1alpha1', 'ok'],
    [{ metadata: { name: 'x' }, spec: { versions: [{ name: 'v1', served: true }, { name: 'v1beta1', served: false }] } }, 'v1beta1', 'version-not-served'],
    [{ metadata: { name: 'x' }, status: { conditions: [{ type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }] } }, 'v1', 'not-established'],
  ])('crdState(%#)', (obj, version, want) => expect(crdState(obj as never, version).state).toBe(want));

  it('leaves the Azure Workload Identity webhook to identity/webhook (test/checks/identity/webhook.test.ts)', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('azure-broken'), values: [v('azure-good')], namespace: NS });
    expect(rs.length).toBeGreaterThan(0);
    expect(rs.some((r) => r.object?.kind === 'MutatingWebhookConfiguration')).toBe(false);
  });
});

it('says why a CRD is not Established and which versions an old one serves', async () => {
  const [r] = (await runCase(check, { name: 'x', snapshot: KEDA_NOT_ESTABLISHED, values: [v('aws-good')], namespace: NS })).filter((x) => x.status === 'fail');
  expect(r!.message).toMatch(/^CRD scaledobjects\.keda\.sh exists but is not Established \(NotAccepted/);
  expect(r!.remediation?.commands?.[0]).toBe("kubectl get crd scaledobjects.keda.sh -o jsonpath='{.status.conditions}'");
  const [o] = (await runCase(check, { name: 'y', snapshot: OLD_VPA, values: [v('aws-good')], set: ['autoscaling.vertical.enabled=true'], namespace: NS })).filter((x) => x.status === 'fail');
  expect(o!.message).toMatch(/^CRD verticalpodautoscalers\.autoscaling\.k8s\.io does not serve v1 \(serves v1beta2\), which model-engine writes/);
  expect(o!.remediation?.summary).toBe('Install a release of autoscaling.k8s.io that serves v1.');
});
