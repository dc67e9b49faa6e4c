/**
 * kwok nodes shaped as each cloud's managed node pools label and taint them, with model-engine's accelerator label
 * (`k8s.amazonaws.com/accelerator`, on every cloud — facts §6.4) where the operator adds it. kwok (annotation
 * `kwok.x-k8s.io/node: fake`) keeps them Ready with lease heartbeats and runs the pods bound to them.
 */
import type { Cloud } from '../../../src/engine/types.js';
import { apply, kubectl, kubectlJson, waitFor } from './cluster.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeSpec {
  name: string;
  cloud: Cloud;
  pool?: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  /** nvidia.com/gpu capacity. */
  gpus?: number;
  /** nvidia.com/gpu allocatable, when some GPUs are lost (defaults to `gpus`). */
  allocatableGpus?: number;
  /** model-engine GpuType for `k8s.amazonaws.com/accelerator` (absent: the operator did not label the node). */
  acceleratorLabel?: string;
  instanceType?: string;
  labels?: Record<string, string>;
  /** Replaces the cloud's default GPU taint when given. */
  taints?: Taint[];
  /** Label `node-lifecycle: normal` (the chart's default nodeSelector). Default true. */
  lifecycleNormal?: boolean;
}

const DEFAULT_INSTANCE: Record<Cloud, { cpu: string; gpu: string }> = {
  aws: { cpu: 'm6i.4xlarge', gpu: 'p4d.24xlarge' },
  azure: { cpu: 'Standard_D16s_v5', gpu: 'Standard_NC24ads_A100_v4' },
  gcp: { cpu: 'n2-standard-16', gpu: 'a2-highgpu-1g' },
  onprem: { cpu: 'bare-metal', gpu: 'bare-metal-gpu' },
};

function cloudLabels(spec: NodeSpec, pool: string, instance: string, gpu: boolean): { labels: Record<string, string>; providerID?: string; taints: Taint[] } {
  const base: Record<string, string> = {
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': spec.name,
    'node.kubernetes.io/instance-type': instance,
    type: 'kwok',
  };
  switch (spec.cloud) {
    case 'aws':
      return {
        labels: {
          ...base,
          'eks.amazonaws.com/nodegroup': pool,
          'eks.amazonaws.com/capacityType': 'ON_DEMAND',
          'topology.kubernetes.io/region': 'us-east-1',
          'topology.kubernetes.io/zone': 'us-east-1a',
        },
        providerID: `aws:///us-east-1a/i-0${Buffer.from(spec.name).toString('hex').slice(0, 16).padEnd(16, '0')}`,
        // EKS GPU node groups are commonly tainted so only GPU workloads land there; model-engine tolerates it.
        taints: gpu ? [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] : [],
      };
    case 'azure':
      return {
        labels: {
          ...base,
          agentpool: pool,
          'kubernetes.azure.com/agentpool': pool,
          'kubernetes.azure.com/cluster': 'MC_llm_llm-aks_eastus',
          'kubernetes.azure.com/mode': gpu ? 'user' : 'system',
          'topology.kubernetes.io/region': 'eastus',
          'topology.kubernetes.io/zone': 'eastus-1',
          ...(gpu ? { 'kubernetes.azure.com/accelerator': 'nvidia' } : {}),
        },
        providerID: `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_llm_llm-aks_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/aks-${pool}-12345678-vmss/virtualMachines/${spec.name.length % 10}`,
        // AKS's documented GPU node pool taint (az aks nodepool add --node-taints sku=gpu:NoSchedule).
        taints: gpu ? [{ key: 'sku', value: 'gpu', effect: 'NoSchedule' }] : [],
      };
    case 'gcp':
      return {
        labels: {
          ...base,
          'cloud.google.com/gke-nodepool': pool,
          'topology.kubernetes.io/region': 'us-central1',
          'topology.kubernetes.io/zone': 'us-central1-a',
          ...(gpu ? { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100', 'cloud.google.com/gke-gpu': 'true' } : {}),
        },
        providerID: `gce://llm-project/us-central1-a/gke-llm-${pool}-${spec.name}`,
        // GKE adds this taint to every GPU node pool.
        taints: gpu ? [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] : [],
      };
    case 'onprem':
      return { labels: base, taints: gpu ? [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] : [] };
  }
}

export function nodeObject(spec: NodeSpec): Record<string, unknown> {
  const gpu = (spec.gpus ?? 0) > 0;
  const pool = spec.pool ?? (gpu ? 'gpu' : 'cpu');
  const instance = spec.instanceType ?? DEFAULT_INSTANCE[spec.cloud][gpu ? 'gpu' : 'cpu'];
  const c = cloudLabels(spec, pool, instance, gpu);
  const labels: Record<string, string> = {
    ...c.labels,
    ...(spec.lifecycleNormal === false ? {} : { 'node-lifecycle': 'normal' }),
    ...(spec.acceleratorLabel ? { 'k8s.amazonaws.com/accelerator': spec.acceleratorLabel } : {}),
    ...spec.labels,
  };
  const resources = (gpus: number | undefined) => ({
    cpu: spec.cpu ?? (gpu ? '96' : '16'),
    memory: spec.memory ?? (gpu ? '1152Gi' : '64Gi'),
    pods: String(spec.pods ?? 110),
    'ephemeral-storage': '500Gi',
    ...(gpus !== undefined && gpus > 0 ? { 'nvidia.com/gpu': String(gpus) } : {}),
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: spec.name, labels, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: { ...(c.providerID ? { providerID: c.providerID } : {}), taints: spec.taints ?? c.taints },
    status: { capacity: resources(spec.gpus), allocatable: resources(spec.allocatableGpus ?? spec.gpus) },
  };
}

/** Create nodes and wait until kwok reports each Ready (and the not-ready taint is gone). */
export async function addNodes(specs: NodeSpec[]): Promise<string[]> {
  // Node status is a subresource: create the objects, then write capacity through `status` as a kubelet registers it.
  const objects = specs.map(nodeObject);
  await apply(objects.map(({ status: _s, ...o }) => o));
  for (const o of objects) {
    const name = (o.metadata as { name: string }).name;
    await kubectl(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: o.status })]);
  }
  const names = specs.map((s) => s.name);
  type NodeList = { items: { metadata: { name: string }; spec: { taints?: Taint[] }; status: { conditions?: { type: string; status: string }[] } }[] };
  await waitFor(
    `nodes ${names.join(', ')} Ready`,
    async () => {
      const list = await kubectlJson<NodeList>(['get', 'nodes']);
      const ready = new Set(
        list.items
          .filter((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
          .filter((n) => !(n.spec.taints ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready'))
          .map((n) => n.metadata.name),
      );
      return names.every((n) => ready.has(n));
    },
    60_000,
  );
  return names;
}

export async function deleteNodes(names: string[]): Promise<void> {
  if (names.length) await kubectl(['delete', 'node', '--ignore-not-found', '--wait=false', ...names]);
}
