import { defineCheck, fail, pass, refOf, skip, warn, type ContainerStatus, type Finding, type KubeObject, type Node, type Pod } from '../../src/engine/index.js';
import { GPU_RESOURCE, isGpuNode, nodeAccelerator, nodeGpuAllocatable, nodeGpuCapacity } from '../../src/model-engine/gpu.js';

interface DaemonSet extends KubeObject {
  spec?: { selector?: { matchLabels?: Record<string, string> } };
}

/**
 * NVIDIA device plugin DaemonSets as the usual installs name them: the static manifest and GPU operator
 * (`nvidia-device-plugin-daemonset`), the helm chart (`<release>-nvidia-device-plugin`), GKE's
 * (`nvidia-gpu-device-plugin-*`). Not MPS/validator helpers.
 */
export const DEVICE_PLUGIN_DS = /^(.*-)?nvidia-(gpu-)?device-plugin(-daemonset|-(small|medium|large)(-cos|-ubuntu)?)?$/;
export const VALIDATOR_DS = 'nvidia-operator-validator';

export type NodePluginState =
  | { state: 'ok' }
  | { state: 'no-resource' }
  /** MIG strategy "mixed": slices appear as nvidia.com/mig-<profile>, never as nvidia.com/gpu. */
  | { state: 'mig-resources'; resources: string[] }
  | { state: 'unhealthy'; capacity: number }
  /** Some GPUs lost: 0 < allocatable < capacity (the device plugin marked the others unhealthy). */
  | { state: 'partial'; capacity: number; allocatable: number }
  | { state: 'plugin-not-ready'; pod: Pod }
  | { state: 'no-plugin-pod' };

const ready = (p: Pod) => p.status?.phase === 'Running' && (p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

/** One GPU node: does it advertise allocatable GPUs, and does a device plugin pod run on it? */
export function judgeNode(node: Node, pluginPods: readonly Pod[]): NodePluginState {
  const cap = nodeGpuCapacity(node);
  const alloc = nodeGpuAllocatable(node);
  const mine = pluginPods.filter((p) => p.spec.nodeName === node.metadata.name);
  if (cap === 0) {
    const mig = Object.entries(node.status?.capacity ?? {}).filter(([k, v]) => k.startsWith('nvidia.com/mig-') && Number(v) > 0).map(([k]) => k);
    return mig.length > 0 ? { state: 'mig-resources', resources: mig } : { state: 'no-resource' };
  }
  if (alloc === 0) return { state: 'unhealthy', capacity: cap };
  const notReady = mine.find((p) => !ready(p));
  if (mine.length > 0 && !mine.some(ready)) return { state: 'plugin-not-ready', pod: notReady! };
  if (mine.length === 0 && pluginPods.length > 0) return { state: 'no-plugin-pod' };
  if (alloc < cap) return { state: 'partial', capacity: cap, allocatable: alloc };
  return { state: 'ok' };
}

/** Why a GPU operator validator pod is not ready: its first init container that did not succeed. */
export function validatorFailure(pod: Pod): string | undefined {
  if (ready(pod)) return undefined;
  const bad = (cs: ContainerStatus) =>
    cs.state?.waiting?.reason
      ? `${cs.name}: ${cs.state.waiting.reason}${cs.lastState?.terminated ? ` (last exit ${cs.lastState.terminated.exitCode ?? '?'})` : ''}`
      : cs.state?.terminated && cs.state.terminated.exitCode !== 0
        ? `${cs.name}: exit ${cs.state.terminated.exitCode ?? '?'}`
        : cs.state?.running && !cs.ready
          ? `${cs.name}: running, not ready`
          : undefined;
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const why = bad(cs);
    if (why) return why;
  }
  return `phase ${pod.status?.phase ?? 'Unknown'}`;
}

const selectorOf = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `${k}=${v}`).join(',');

export default defineCheck({
  meta: {
    id: 'gpu/device-plugin',
    title: 'GPU nodes advertise their GPUs',
    description:
      'Each GPU node has all its nvidia.com/gpu allocatable (allocatable below capacity means the device plugin marked GPUs unhealthy), runs a ready NVIDIA device plugin pod (standalone, GKE or GPU operator), and passed the GPU operator validator where installed.',
    clouds: 'all',
    severity: 'critical',
    needs: ['kube'],
    messages: {
      ok: '{{count}} GPU node(s) advertise allocatable nvidia.com/gpu and run a ready device plugin',
      noGpuNodes: 'no GPU nodes in the cluster',
      noPlugin: 'no NVIDIA device plugin DaemonSet found and {{count}} GPU node(s) advertise no nvidia.com/gpu',
      noResource: 'GPU node {{node}} advertises no nvidia.com/gpu: the NVIDIA driver or device plugin is not working there{{plugin}}',
      unhealthy: 'GPU node {{node}} has {{capacity}} nvidia.com/gpu in capacity but 0 allocatable: the device plugin reports its GPUs unhealthy',
      partialLoss:
        'GPU node {{node}} has {{capacity}} nvidia.com/gpu in capacity but only {{allocatable}} allocatable: the device plugin reports {{lost}} GPU(s) unhealthy, so pods asking for more than {{allocatable}} cannot land there',
      migResources: 'GPU node {{node}} advertises {{resources}} but no nvidia.com/gpu (MIG strategy "mixed"), and endpoints request nvidia.com/gpu',
      pluginNotReady: 'device plugin pod {{pod}} on GPU node {{node}} is not ready ({{why}})',
      noPluginPod: 'no device plugin pod runs on GPU node {{node}} (DaemonSet {{daemonsets}} skips it); its GPUs disappear at the next kubelet restart',
      validatorOk: 'GPU operator validator passed on {{count}} node(s)',
      validatorFailed: 'GPU operator validation failed on node {{node}}: {{why}}',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const [nodes, daemonsets] = await Promise.all([kube.list<Node>('nodes'), kube.list<DaemonSet>('daemonsets.apps')]);
    const gpuNodes = nodes.filter(isGpuNode);
    if (gpuNodes.length === 0) return skip('noGpuNodes');
    const pluginDs = daemonsets.filter((d) => DEVICE_PLUGIN_DS.test(d.metadata.name));
    const validatorDs = daemonsets.filter((d) => d.metadata.name === VALIDATOR_DS);
    // One pods list per DaemonSet selector, never per node.
    const podsOf = (ds: DaemonSet) => {
      const sel = ds.spec?.selector?.matchLabels;
      return sel && Object.keys(sel).length > 0 ? kube.list<Pod>('pods', { namespace: ds.metadata.namespace!, labelSelector: selectorOf(sel) }) : Promise.resolve([]);
    };
    const [pluginPods, validatorPods] = await Promise.all([
      Promise.all(pluginDs.map(podsOf)).then((x) => x.flat()),
      Promise.all(validatorDs.map(podsOf)).then((x) => x.flat()),
    ]);
    const out: Finding[] = [];
    const dsNames = pluginDs.map((d) => `${d.metadata.namespace}/${d.metadata.name}`).join(', ');
    const install = {
      summary:
        'Install the NVIDIA device plugin (EKS/AKS: the static manifest or helm chart; GKE installs it unless the driver install was disabled; on-prem: the NVIDIA GPU operator), and make sure the NVIDIA driver is on the node.',
      commands: [
        'helm upgrade -i nvdp nvdp/nvidia-device-plugin --repo https://nvidia.github.io/k8s-device-plugin -n kube-system',
        'helm upgrade -i gpu-operator nvidia/gpu-operator --repo https://helm.ngc.nvidia.com/nvidia -n gpu-operator --create-namespace',
      ],
    };
    const noResource = gpuNodes.filter((n) => nodeGpuCapacity(n) === 0);
    if (pluginDs.length === 0 && noResource.length > 0) {
      out.push(fail('noPlugin', { data: { count: noResource.length }, evidence: noResource.slice(0, 5).map((n) => ({ type: 'field' as const, object: refOf(n, 'Node'), path: `status.capacity["${GPU_RESOURCE}"]`, value: null })), remediation: install }));
    }
    let ok = 0;
    for (const n of gpuNodes) {
      const object = refOf(n, 'Node');
      const node = n.metadata.name;
      const v = judgeNode(n, pluginPods);
      const here = pluginPods.filter((p) => p.spec.nodeName === node);
      const describe = `kubectl describe node ${node}`;
      switch (v.state) {
        case 'ok':
          ok++;
          break;
        case 'no-resource':
          if (pluginDs.length === 0) break; // reported once above
          out.push(
            fail('noResource', {
              data: { node, plugin: here.length ? `; device plugin pod ${here[0]!.metadata.name} is ${ready(here[0]!) ? 'ready' : 'not ready'}` : '; no device plugin pod runs there' },
              object,
              severity: nodeAccelerator(n) ? 'critical' : 'high',
              evidence: [{ type: 'field', object, path: 'status.capacity', value: n.status?.capacity ?? {} }],
              remediation: {
                summary: 'Check the driver and the device plugin on this node (its pod logs show NVML errors when the driver is missing).',
                commands: [describe, ...(here[0] ? [`kubectl -n ${here[0].metadata.namespace} logs ${here[0].metadata.name}`] : [])],
              },
            }),
          );
          break;
        case 'mig-resources':
          out.push(
            fail('migResources', {
              data: { node, resources: v.resources.join(', ') },
              object,
              severity: 'high',
              evidence: [{ type: 'field', object, path: 'status.capacity', value: n.status?.capacity ?? {} }],
              remediation: {
                summary: 'Use the single MIG strategy so MIG slices are advertised as nvidia.com/gpu (model-engine requests that resource for MIG types too).',
                commands: ['kubectl patch clusterpolicies.nvidia.com/cluster-policy --type merge -p \'{"spec":{"mig":{"strategy":"single"}}}\''],
              },
            }),
          );
          break;
        case 'unhealthy':
          out.push(
            fail('unhealthy', {
              data: { node, capacity: v.capacity },
              object,
              evidence: [
                { type: 'field', object, path: `status.capacity["${GPU_RESOURCE}"]`, value: String(v.capacity) },
                { type: 'field', object, path: `status.allocatable["${GPU_RESOURCE}"]`, value: n.status?.allocatable?.[GPU_RESOURCE] ?? '0' },
              ],
              remediation: {
                summary: 'The device plugin marked the GPUs unhealthy (XID errors, driver fault): check its logs and dmesg on the node; cordon and replace the node if the GPU failed.',
                commands: [describe, ...(here[0] ? [`kubectl -n ${here[0].metadata.namespace} logs ${here[0].metadata.name}`] : []), `kubectl cordon ${node}`],
              },
            }),
          );
          break;
        case 'partial':
          out.push(
            warn('partialLoss', {
              data: { node, capacity: v.capacity, allocatable: v.allocatable, lost: v.capacity - v.allocatable },
              object,
              severity: 'high',
              evidence: [
                { type: 'field', object, path: `status.capacity["${GPU_RESOURCE}"]`, value: String(v.capacity) },
                { type: 'field', object, path: `status.allocatable["${GPU_RESOURCE}"]`, value: String(v.allocatable) },
              ],
              remediation: {
                summary: 'One or more GPUs failed (XID errors, fallen off the bus, ECC): the device plugin logs name them; drain and replace the node, since a multi-GPU endpoint pod can no longer fit there.',
                commands: [describe, ...(here[0] ? [`kubectl -n ${here[0].metadata.namespace} logs ${here[0].metadata.name} | grep -iE 'unhealthy|xid'`] : []), `kubectl drain ${node} --ignore-daemonsets --delete-emptydir-data`],
              },
            }),
          );
          break;
        case 'plugin-not-ready':
          out.push(
            fail('pluginNotReady', {
              data: { node, pod: v.pod.metadata.name, why: validatorFailure(v.pod) ?? 'not ready' },
              object: refOf(v.pod, 'Pod'),
              severity: 'high',
              remediation: { summary: 'Fix the device plugin pod (see its events and logs); while it is down the node stops advertising GPUs.', commands: [`kubectl -n ${v.pod.metadata.namespace} describe pod ${v.pod.metadata.name}`, `kubectl -n ${v.pod.metadata.namespace} logs ${v.pod.metadata.name}`] },
            }),
          );
          break;
        case 'no-plugin-pod':
          out.push(
            warn('noPluginPod', {
              data: { node, daemonsets: dsNames },
              object,
              severity: 'medium',
              remediation: {
                summary: "Make the device plugin DaemonSet's nodeSelector/affinity/tolerations cover this node (GPU operator: label nvidia.com/gpu.deploy.device-plugin=true; tolerate nvidia.com/gpu).",
                commands: [`kubectl get ds -A | grep device-plugin`, describe],
              },
            }),
          );
          break;
      }
    }
    if (ok > 0) out.push(pass('ok', { data: { count: ok } }));

    if (validatorDs.length > 0) {
      let passed = 0;
      for (const n of gpuNodes) {
        const pod = validatorPods.find((p) => p.spec.nodeName === n.metadata.name);
        if (!pod) continue;
        const why = validatorFailure(pod);
        if (!why) {
          passed++;
          continue;
        }
        out.push(
          fail('validatorFailed', {
            data: { node: n.metadata.name, why },
            object: refOf(pod, 'Pod'),
            severity: 'high',
            evidence: [...(pod.status?.initContainerStatuses ?? [])].map((cs) => ({
              type: 'field' as const,
              object: refOf(pod, 'Pod'),
              path: `status.initContainerStatuses[${cs.name}].state`,
              value: cs.state ?? {},
            })),
            remediation: {
              summary: 'Read the failing validation step\'s log (driver, toolkit, cuda or plugin) and fix that layer on the node.',
              commands: [`kubectl -n ${pod.metadata.namespace} logs ${pod.metadata.name} -c ${why.split(':')[0]}`, `kubectl -n ${pod.metadata.namespace} get pods -o wide --field-selector spec.nodeName=${n.metadata.name}`],
            },
          }),
        );
      }
      if (passed > 0) out.push(pass('validatorOk', { data: { count: passed } }));
    }
    return out;
  },
});
