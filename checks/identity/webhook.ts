import { defineCheck, fail, pass, type Cloud, type Finding, type KubeObject, type ObjectRef, type Pod } from '../../src/engine/index.js';
import { podFederation, readIdentityState } from '../../src/model-engine/identity.js';

export interface WebhookConfiguration extends KubeObject {
  webhooks?: {
    name: string;
    clientConfig?: { service?: { name: string; namespace: string; path?: string; port?: number }; url?: string };
    failurePolicy?: 'Fail' | 'Ignore';
  }[];
}

export interface DaemonSet extends KubeObject {
  spec?: { selector?: { matchLabels?: Record<string, string> } };
  status?: { desiredNumberScheduled?: number; numberReady?: number; numberAvailable?: number; numberUnavailable?: number };
}

interface Service extends KubeObject {
  spec?: { selector?: Record<string, string> };
}

/**
 * What federates pods on each cloud: a mutating webhook (IRSA, Azure WI) or a node DaemonSet (GKE). This check owns
 * the webhook on every cloud (cluster/apis leaves it here): it also looks at the pods serving it.
 */
export const FEDERATORS = {
  aws: {
    kind: 'webhook',
    what: 'the EKS pod identity webhook',
    webhookNames: ['iam-for-pods.amazonaws.com'],
    configNames: ['pod-identity-webhook'],
    configNameContains: undefined,
    podSelector: 'app=pod-identity-webhook',
    impact: '',
    install:
      'EKS runs this webhook on the control plane; on self-managed clusters install amazon-eks-pod-identity-webhook (github.com/aws/amazon-eks-pod-identity-webhook).',
    installCommands: [],
  },
  azure: {
    kind: 'webhook',
    what: 'the Azure Workload Identity webhook',
    webhookNames: ['mutation.azure-workload-identity.io'],
    configNames: ['azure-wi-webhook-mutating-webhook-configuration'],
    // Self-managed installs name the configuration after their helm release; they all name the project.
    configNameContains: 'azure-workload-identity',
    podSelector: 'azure-workload-identity.io/system=true',
    impact: ': DefaultAzureCredential fails for Service Bus, Blob Storage, Redis and Key Vault',
    install: 'Enable it: az aks update -g <resource-group> -n <cluster> --enable-oidc-issuer --enable-workload-identity (or install the workload-identity-webhook helm chart in azure-workload-identity-system).',
    installCommands: [
      'az aks update --resource-group <rg> --name <cluster> --enable-oidc-issuer --enable-workload-identity',
      '# self-managed clusters: helm repo add azure-workload-identity https://azure.github.io/azure-workload-identity/charts',
      '# then: helm install workload-identity-webhook azure-workload-identity/workload-identity-webhook -n azure-workload-identity-system --create-namespace --set azureTenantID=<tenant id>',
    ],
  },
  gcp: {
    kind: 'daemonset',
    what: 'the GKE metadata server',
    namespace: 'kube-system',
    name: 'gke-metadata-server',
    install: 'Enable Workload Identity: gcloud container clusters update <cluster> --workload-pool=<project>.svc.id.goog, then --workload-metadata=GKE_METADATA on each node pool.',
  },
} as const;

/** EKS Pod Identity's node agent, needed only when pods use Pod Identity instead of IRSA. */
export const EKS_POD_IDENTITY_AGENT = { namespace: 'kube-system', name: 'eks-pod-identity-agent' } as const;

/** The federator's MutatingWebhookConfiguration: by its known names, the webhook names in it, or a name part. */
export function findWebhook(
  configs: readonly WebhookConfiguration[],
  names: readonly string[],
  configNames: readonly string[],
  configNameContains?: string,
): WebhookConfiguration | undefined {
  return (
    configs.find((c) => configNames.includes(c.metadata.name)) ??
    configs.find((c) => (c.webhooks ?? []).some((w) => names.includes(w.name))) ??
    (configNameContains ? configs.find((c) => c.metadata.name.includes(configNameContains)) : undefined)
  );
}

export const isPodReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export type DaemonSetHealth = { state: 'ready'; ready: number; desired: number } | { state: 'degraded' | 'down'; ready: number; desired: number };

export function daemonSetHealth(ds: DaemonSet): DaemonSetHealth {
  const desired = ds.status?.desiredNumberScheduled ?? 0;
  const ready = ds.status?.numberReady ?? 0;
  if (desired === 0 || ready === 0) return { state: 'down', ready, desired };
  return ready < desired ? { state: 'degraded', ready, desired } : { state: 'ready', ready, desired };
}

const selectorOf = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(',');

export default defineCheck({
  meta: {
    id: 'identity/webhook',
    title: 'Workload identity webhook installed and running',
    description:
      'The component that federates pods runs: the EKS pod identity webhook (and the Pod Identity agent where used), the Azure Workload Identity mutating webhook and its pods, or the GKE metadata server DaemonSet.',
    clouds: ['aws', 'azure', 'gcp'],
    severity: 'critical',
    needs: ['kube'],
    messages: {
      managed: '{{what}} is installed ({{config}}) and served by the cluster control plane',
      running: '{{what}} is installed ({{config}}) with {{ready}} ready pod(s) behind service {{service}}',
      missing: '{{what}} is not installed: no MutatingWebhookConfiguration {{config}}, so pods get no {{identity}} credentials{{impact}}',
      backendMissing: '{{what}} ({{config}}) points at service {{service}}, which does not exist',
      backendDown: '{{what}} ({{config}}) has no ready pods behind service {{service}}{{impact}}',
      daemonSetReady: '{{what}} DaemonSet {{namespace}}/{{name}} is ready on {{ready}}/{{desired}} nodes',
      daemonSetMissing: '{{what}} DaemonSet {{namespace}}/{{name}} does not exist{{impact}}',
      daemonSetDown: '{{what}} DaemonSet {{namespace}}/{{name}} is ready on only {{ready}}/{{desired}} nodes',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const cloud = ctx.cloud as Exclude<Cloud, 'onprem'>;
    const f = FEDERATORS[cloud];
    const identity = ctx.matrix?.workloadIdentity ?? cloud;
    const out: Finding[] = [];

    const checkDaemonSet = async (what: string, namespace: string, name: string, impact: string, install: string) => {
      const object: ObjectRef = { kind: 'DaemonSet', namespace, name };
      const ds = await kube.get<DaemonSet>('daemonsets.apps', name, namespace);
      if (!ds) {
        out.push(fail('daemonSetMissing', { data: { what, namespace, name, impact }, object, remediation: { summary: install, commands: [`kubectl -n ${namespace} get daemonsets`] } }));
        return;
      }
      const h = daemonSetHealth(ds);
      const data = { what, namespace, name, ready: h.ready, desired: h.desired };
      if (h.state === 'ready') out.push(pass('daemonSetReady', { data, object }));
      else
        out.push(
          fail('daemonSetDown', {
            data,
            object,
            severity: h.state === 'down' ? 'critical' : 'high',
            evidence: [{ type: 'field', object, path: 'status.numberReady', value: h.ready }],
            remediation: {
              summary: `Find why ${name} pods are not ready on every node; pods on those nodes cannot get credentials.`,
              commands: [`kubectl -n ${namespace} get pods -l ${selectorOf(ds.spec?.selector?.matchLabels ?? {})} -o wide`, `kubectl -n ${namespace} describe daemonset ${name}`],
            },
          }),
        );
    };

    if (f.kind === 'daemonset') {
      await checkDaemonSet(f.what, f.namespace, f.name, ': GKE Workload Identity is not enabled on this cluster', f.install);
      return out;
    }

    const configs = await kube.list<WebhookConfiguration>('mutatingwebhookconfigurations.admissionregistration.k8s.io');
    const config = findWebhook(configs, f.webhookNames, f.configNames, f.configNameContains);
    const configName = config?.metadata.name ?? f.configNames[0]!;
    const configRef: ObjectRef = { kind: 'MutatingWebhookConfiguration', name: configName };
    const data = { what: f.what, config: configName, identity };

    // EKS Pod Identity pods need the node agent instead of the webhook.
    const state = await readIdentityState(ctx);
    const pods = state?.subjects.flatMap((s) => s.pods) ?? [];
    const usesPodIdentity = cloud === 'aws' && state !== undefined && pods.some((p) => podFederation(p, state.profile).state === 'pod-identity');
    const onlyPodIdentity = usesPodIdentity && state !== undefined && pods.every((p) => podFederation(p, state.profile).state === 'pod-identity');
    if (usesPodIdentity) {
      await checkDaemonSet('the EKS Pod Identity agent', EKS_POD_IDENTITY_AGENT.namespace, EKS_POD_IDENTITY_AGENT.name, '', 'Install the add-on: aws eks create-addon --cluster-name <cluster> --addon-name eks-pod-identity-agent');
    }

    if (!config) {
      if (onlyPodIdentity) return out;
      out.push(
        fail('missing', {
          data: { ...data, impact: f.impact },
          object: configRef,
          evidence: [{ type: 'note', text: `MutatingWebhookConfigurations present: ${configs.map((c) => c.metadata.name).join(', ') || '(none)'}` }],
          remediation: { summary: f.install, commands: ['kubectl get mutatingwebhookconfigurations', ...f.installCommands] },
        }),
      );
      return out;
    }

    const hooks = (config.webhooks ?? []).filter((w) => (f.webhookNames as readonly string[]).includes(w.name));
    const hook = hooks[0] ?? config.webhooks?.[0];
    const svc = hook?.clientConfig?.service;
    if (!svc) {
      out.push(pass('managed', { data, object: configRef }));
      return out;
    }
    const serviceName = `${svc.namespace}/${svc.name}`;
    const service = await kube.get<Service>('services', svc.name, svc.namespace);
    // Snapshots of infrastructure namespaces may hold pods but not Services: then judge by the webhook's own pod label.
    const fallback = service ? [] : await kube.list<Pod>('pods', { namespace: svc.namespace, labelSelector: f.podSelector });
    if (!service && fallback.length === 0) {
      out.push(
        fail('backendMissing', {
          data: { ...data, service: serviceName },
          object: configRef,
          evidence: [{ type: 'field', object: configRef, path: `webhooks[${hook.name}].clientConfig.service`, value: serviceName }],
          remediation: { summary: `Reinstall ${f.what} so its service and pods exist again. ${f.install}`, commands: [`kubectl -n ${svc.namespace} get svc,deploy,pods`] },
        }),
      );
      return out;
    }
    const selector = service ? selectorOf(service.spec?.selector ?? {}) : f.podSelector;
    const backends = service ? (selector ? await kube.list<Pod>('pods', { namespace: svc.namespace, labelSelector: selector }) : []) : fallback;
    const ready = backends.filter(isPodReady);
    if (ready.length === 0) {
      const failClosed = hook.failurePolicy !== 'Ignore';
      out.push(
        fail('backendDown', {
          data: {
            ...data,
            service: serviceName,
            impact: failClosed
              ? ': with failurePolicy Fail the API server rejects every pod it must mutate, so control-plane rollouts and endpoint pods cannot be created'
              : ': with failurePolicy Ignore new pods start without credentials',
          },
          object: configRef,
          severity: 'critical',
          evidence: backends.slice(0, 5).map((p) => ({ type: 'field', object: { kind: 'Pod', namespace: p.metadata.namespace!, name: p.metadata.name }, path: 'status.phase', value: p.status?.phase ?? 'Unknown' })),
          remediation: {
            summary: `Get ${f.what} pods running again (see their events and logs), then restart pods created while it was down.`,
            commands: [`kubectl -n ${svc.namespace} get pods -l ${selector} -o wide`, `kubectl -n ${svc.namespace} describe pods -l ${selector}`],
          },
        }),
      );
      return out;
    }
    out.push(pass('running', { data: { ...data, service: serviceName, ready: ready.length }, object: configRef }));
    return out;
  },
});
