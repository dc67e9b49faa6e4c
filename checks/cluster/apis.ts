import { conformAs, defineCheck, fail, ForbiddenError, pass, warn, type Evidence, type Finding, type KubeObject, type KubePort, type ValuesPort } from '../../src/engine/index.js';

/** A CRD the install needs, the API version model-engine writes, and why (facts §8 "CRDs / APIs used"). */
export interface RequiredCrd {
  name: string;
  group: string;
  version: string;
  why: string;
  /** The values key that makes it required. */
  because?: string;
  /** True when the chart itself renders an object of this kind, so helm install fails without the CRD. */
  blocksInstall: boolean;
  install: string[];
}

const KEDA_INSTALL = [
  'helm repo add kedacore https://kedacore.github.io/charts',
  'helm install keda kedacore/keda --namespace keda --create-namespace',
  '# AKS: az aks update --resource-group <rg> --name <cluster> --enable-keda',
];
const ISTIO_INSTALL = ['istioctl install --set profile=default', '# or the managed add-on: AKS --enable-asm, GKE Cloud Service Mesh'];
const VPA_INSTALL = ['git clone https://github.com/kubernetes/autoscaler.git && ./autoscaler/vertical-pod-autoscaler/hack/vpa-up.sh'];

const truthy = (v: unknown) => v === true || v === 'true';

/** The CRDs these values need. */
export function requiredCrds(values: ValuesPort, cloud: string | undefined): RequiredCrd[] {
  const out: RequiredCrd[] = [];
  const chartTa = cloud === 'azure' || truthy(values.get('redis.enableAuth'));
  const kedaWhy = `endpoints with min_workers: 0 are scaled by KEDA ScaledObjects${chartTa ? ', and the chart renders a TriggerAuthentication (helm install fails without the CRD)' : ''}`;
  out.push(
    { name: 'scaledobjects.keda.sh', group: 'keda.sh', version: 'v1alpha1', why: kedaWhy, install: KEDA_INSTALL, blocksInstall: chartTa },
    { name: 'triggerauthentications.keda.sh', group: 'keda.sh', version: 'v1alpha1', why: kedaWhy, install: KEDA_INSTALL, blocksInstall: chartTa },
  );
  const istio = truthy(values.get('config.values.launch.istio_enabled'));
  // Istio: model-engine writes both kinds for every endpoint; the chart renders the gateway's own when enabled.
  for (const [name, version, kind, chartKey] of [
    ['virtualservices.networking.istio.io', 'v1alpha3', 'VirtualService', 'virtualservice.enabled'],
    ['destinationrules.networking.istio.io', 'v1beta1', 'DestinationRule', 'destinationrule.enabled'],
  ] as const) {
    const chart = truthy(values.get(chartKey));
    if (!istio && !chart) continue;
    out.push({
      name,
      group: 'networking.istio.io',
      version,
      why: `every endpoint gets a ${kind}${chart ? ', and the chart renders one for the gateway (helm install fails without the CRD)' : ''}`,
      because: istio ? 'config.values.launch.istio_enabled' : chartKey,
      install: ISTIO_INSTALL,
      blocksInstall: chart,
    });
  }
  if (truthy(values.get('autoscaling.vertical.enabled'))) {
    out.push({
      name: 'verticalpodautoscalers.autoscaling.k8s.io',
      group: 'autoscaling.k8s.io',
      version: 'v1',
      why: 'the chart renders VerticalPodAutoscalers for the gateway, builder and cacher (helm install fails without the CRD)',
      because: 'autoscaling.vertical.enabled',
      install: VPA_INSTALL,
      blocksInstall: true,
    });
  }
  return out;
}

interface CrdView extends KubeObject {
  spec?: { group?: string; versions?: { name: string; served?: boolean }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export type CrdState = { state: 'ok' } | { state: 'missing' } | { state: 'not-established'; reason: string } | { state: 'version-not-served'; served: string[] };

/** Judge a CRD object (as listed) against what the install needs. */
export function crdState(crd: CrdView | undefined, version: string): CrdState {
  if (!crd) return { state: 'missing' };
  const est = crd.status?.conditions?.find((c) => c.type === 'Established');
  if (est && est.status !== 'True') return { state: 'not-established', reason: `${est.reason ?? ''} ${est.message ?? ''}`.trim() || 'Established is not True' };
  const versions = crd.spec?.versions;
  if (versions && !versions.some((v) => v.name === version && v.served !== false)) {
    return { state: 'version-not-served', served: versions.filter((v) => v.served !== false).map((v) => v.name) };
  }
  return { state: 'ok' };
}

interface ApiServiceView extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
  spec?: { service?: { name?: string; namespace?: string } };
}

export const CUSTOM_METRICS_APISERVICE = 'v1beta1.custom.metrics.k8s.io';

const DOCS = 'docs/checks/cluster/apis.md';

/**
 * CRDs by one list. Reading CRDs is cluster-scoped; when RBAC forbids it, fall back to discovery (which every
 * authenticated user may read) and lose only the Established/served-version detail.
 */
async function crdLookup(kube: KubePort): Promise<{ byName: Map<string, CrdView>; via: 'list' } | { via: 'discovery' }> {
  try {
    const crds = (await kube.list<KubeObject>('customresourcedefinitions.apiextensions.k8s.io')).map((c) => conformAs<CrdView>('CustomResourceDefinition', c));
    return { byName: new Map(crds.map((c) => [c.metadata.name, c])), via: 'list' };
  } catch (e) {
    if (e instanceof ForbiddenError) return { via: 'discovery' };
    throw e;
  }
}

export default defineCheck({
  meta: {
    id: 'cluster/apis',
    title: 'CRDs and APIs the install needs',
    // The workload-identity webhook (Azure's included) is identity/webhook's: it also checks the pods behind it.
    description: 'KEDA, Istio (when enabled), VPA (when enabled) and the custom metrics API (when the HPA is enabled) are installed.',
    clouds: 'all',
    severity: 'critical',
    needs: ['kube', 'values'],
    scopes: ['preflight', 'triage'],
    messages: {
      crdOk: 'CRD {{name}} is installed and serves {{version}}',
      crdMissing: 'CRD {{name}} is not installed: {{why}}',
      crdNotEstablished: 'CRD {{name}} exists but is not Established ({{reason}}): {{why}}',
      crdVersionNotServed: 'CRD {{name}} does not serve {{version}} (serves {{served}}), which model-engine writes: {{why}}',
      customMetricsOk: 'APIService {{name}} is Available: HPAs can read request-concurrency-average',
      customMetricsMissing:
        'APIService {{name}} does not exist: the gateway HPA (and endpoint HPAs) cannot read request-concurrency-average, so nothing scales on load',
      customMetricsUnavailable: 'APIService {{name}} is not Available ({{reason}}): HPAs cannot read request-concurrency-average, so nothing scales on load',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const values = ctx.values!;
    const out: Finding[] = [];
    const need = requiredCrds(values, ctx.cloud);
    const lookup = await crdLookup(kube);
    for (const c of need) {
      const object = { kind: 'CustomResourceDefinition', name: c.name };
      const evidence: Evidence[] = c.because ? [values.evidence(c.because)] : [];
      let state: CrdState;
      if (lookup.via === 'list') state = crdState(lookup.byName.get(c.name), c.version);
      else state = (await kube.hasResource(c.name)) ? { state: 'ok' } : { state: 'missing' };
      const data = { name: c.name, version: c.version, why: c.why };
      const remediation = { summary: `Install ${c.group} (it provides ${c.name}) before helm install.`, commands: c.install, docs: DOCS };
      const severity = c.blocksInstall ? ('critical' as const) : ('high' as const);
      switch (state.state) {
        case 'ok':
          out.push(pass('crdOk', { data, object, evidence }));
          break;
        case 'missing':
          out.push(fail('crdMissing', { severity, data, object, evidence: [...evidence, { type: 'note', text: `looked up by ${lookup.via}` }], remediation }));
          break;
        case 'not-established':
          out.push(fail('crdNotEstablished', { severity, data: { ...data, reason: state.reason }, object, evidence: [...evidence, { type: 'field', object, path: 'status.conditions[Established]', value: state.reason }], remediation: { ...remediation, commands: [`kubectl get crd ${c.name} -o jsonpath='{.status.conditions}'`, ...c.install] } }));
          break;
        case 'version-not-served':
          out.push(fail('crdVersionNotServed', { severity, data: { ...data, served: state.served }, object, evidence: [...evidence, { type: 'field', object, path: 'spec.versions', value: state.served.join(', ') }], remediation: { ...remediation, summary: `Install a release of ${c.group} that serves ${c.version}.` } }));
          break;
      }
    }

    if (truthy(values.get('autoscaling.horizontal.enabled'))) {
      const name = CUSTOM_METRICS_APISERVICE;
      const object = { kind: 'APIService', name };
      const read = await kube.get<KubeObject>('apiservices.apiregistration.k8s.io', name);
      const api = read && conformAs<ApiServiceView>('APIService', read);
      const evidence: Evidence[] = [values.evidence('autoscaling.horizontal.enabled')];
      const remediation = {
        summary: 'Install a custom metrics adapter (prometheus-adapter) that serves request-concurrency-average from the Istio metrics in Prometheus, or disable autoscaling.horizontal.',
        commands: [
          'helm repo add prometheus-community https://prometheus-community.github.io/helm-charts',
          'helm install prometheus-adapter prometheus-community/prometheus-adapter -n monitoring --create-namespace --set prometheus.url=<prometheus url>',
          `kubectl get apiservice ${name}`,
          'kubectl get --raw /apis/custom.metrics.k8s.io/v1beta1 | head -c 400',
        ],
        docs: DOCS,
      };
      const available = api?.status?.conditions?.find((c) => c.type === 'Available');
      if (!api) {
        out.push(warn('customMetricsMissing', { severity: 'medium', data: { name }, object, evidence, remediation }));
      } else if (available?.status !== 'True') {
        const reason = `${available?.reason ?? 'no Available condition'}${available?.message ? `: ${available.message}` : ''}`;
        out.push(
          warn('customMetricsUnavailable', {
            severity: 'medium',
            data: { name, reason },
            object,
            evidence: [...evidence, { type: 'field', object, path: 'status.conditions[Available]', value: reason }],
            remediation: { ...remediation, summary: `Fix the service behind ${name} (${api.spec?.service ? `${api.spec.service.namespace}/${api.spec.service.name}` : 'its adapter'}) until it is Available.` },
          }),
        );
      } else {
        out.push(pass('customMetricsOk', { data: { name }, object, evidence }));
      }
    }
    return out;
  },
});
