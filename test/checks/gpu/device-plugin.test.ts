import check from '../../../checks/gpu/device-plugin.js';
import { expect, it } from '@jest/globals';
import { runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot, editItems as editList } from '../../support/derived-snapshot.js';
/**
 * gpu-aws-healthy before anyone installed the NVIDIA device plugin: the EKS GPU AMI has the driver but nothing
 * registers nvidia.com/gpu with the kubelet, so the GPU nodes advertise none.
 */
const NO_PLUGIN = derivedSnapshot('fixtures/clusters/gpu-aws-healthy', {
  'daemonsets-kube-system.yaml': editList(() => []),
  'pods-kube-system.yaml': editList((items) => items.filter((p) => !String(p.metadata.name).startsWith('nvidia-device-plugin'))),
  'nodes.yaml': editList((items) =>
    items.map((n) => {
      for (const k of ['capacity', 'allocatable'] as const) delete n.status[k]?.['nvidia.com/gpu'];
      return n;
    }),
  ),
});
/**
 * gpu-aws-healthy after a driver upgrade on ip-10-0-3-72: the plugin container crash-loops (it cannot load NVML);
 * the node still shows the GPU the plugin registered before.
 */
const PLUGIN_CRASHING = derivedSnapshot('fixtures/clusters/gpu-aws-healthy', {
  'pods-kube-system.yaml': editList((items) =>
    items.map((p) =>
      p.spec.nodeName === 'ip-10-0-3-72.us-west-2.compute.internal'
        ? {
            ...p,
            status: {
              ...p.status,
              conditions: p.status.conditions.map((c: { type: string }) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'ContainersNotReady' } : c)),
              containerStatuses: [{ ...p.status.containerStatuses[0], ready: false, started: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
            },
          }
        : p,
    ),
  ),
});

testCheck(check, {
  valid: [
    { name: 'EKS: static device plugin on every GPU node', snapshot: 'fixtures/clusters/gpu-aws-healthy', namespace: 'model-engine', cloud: 'aws' },
    { name: 'AKS: device plugin DaemonSet', snapshot: 'fixtures/clusters/gpu-azure-healthy', namespace: 'model-engine', cloud: 'azure' },
    { name: 'GKE: nvidia-gpu-device-plugin', snapshot: 'fixtures/clusters/gpu-gcp-healthy', namespace: 'model-engine', cloud: 'gcp' },
    { name: 'on-prem: GPU operator, validator passed', snapshot: 'fixtures/clusters/gpu-onprem-healthy', namespace: 'model-engine', cloud: 'onprem' },
  ],
  invalid: [
    {
      name: 'EKS: GPU in capacity but not allocatable; plugin skips a node',
      snapshot: 'fixtures/clusters/gpu-aws-broken',
      namespace: 'model-engine',
      cloud: 'aws',
      errors: [
        { messageId: 'unhealthy', object: { kind: 'Node', name: 'ip-10-0-3-72.us-west-2.compute.internal' } },
        { messageId: 'noPluginPod', status: 'warn', object: { kind: 'Node', name: 'ip-10-0-3-90.us-west-2.compute.internal' } },
      ],
    },
    {
      name: 'on-prem: driver not loaded, mixed MIG resources, validator stuck',
      snapshot: 'fixtures/clusters/gpu-onprem-broken',
      namespace: 'model-engine',
      cloud: 'onprem',
      errors: [
        { messageId: 'noResource', object: { kind: 'Node', name: 'dgx-h100-03' } },
        { messageId: 'migResources', object: { kind: 'Node', name: 'dgx-h100-04' } },
        { messageId: 'validatorFailed', object: { kind: 'Pod', namespace: 'gpu-operator' } },
      ],
    },
    {
      name: 'RBAC: cannot list DaemonSets',
      snapshot: 'fixtures/clusters/gpu-aws-healthy',
      namespace: 'model-engine',
      cloud: 'aws',
      denials: [{ verb: 'list', resource: 'daemonsets.apps' }],
      errors: [{ messageId: 'forbidden', status: 'skip' }],
    },
    {
      name: 'EKS: a p4de that lost 2 of its 8 GPUs (allocatable 6 < capacity 8)',
      snapshot: 'fixtures/clusters/gpu-aws-partial',
      namespace: 'model-engine',
      cloud: 'aws',
      errors: [{ messageId: 'partialLoss', status: 'warn', object: { kind: 'Node', name: 'ip-10-0-4-15.us-west-2.compute.internal' } }],
    },
    {
      name: 'EKS: no device plugin installed, GPU nodes advertise no nvidia.com/gpu',
      snapshot: NO_PLUGIN,
      namespace: 'model-engine',
      cloud: 'aws',
      // One finding for the one cause, not one per node.
      errors: [{ messageId: 'noPlugin', status: 'fail' }],
    },
    {
      name: 'EKS: the device plugin pod on one node crash-loops',
      snapshot: PLUGIN_CRASHING,
      namespace: 'model-engine',
      cloud: 'aws',
      errors: [{ messageId: 'pluginNotReady', status: 'fail', severity: 'high', object: { kind: 'Pod', namespace: 'kube-system', name: 'nvidia-device-plugin-daemonset-fclcd' } }],
    },
    { name: 'no GPU nodes', snapshot: 'fixtures/clusters/identity-onprem-healthy', namespace: 'model-engine', cloud: 'onprem', errors: [{ messageId: 'noGpuNodes', status: 'skip' }] },
  ],
});

it('noPlugin counts the nodes and gives the install commands; pluginNotReady names the crash and how to look', async () => {
  const rs = await runCase(check, { name: 'x', snapshot: NO_PLUGIN, namespace: 'model-engine', cloud: 'aws' });
  const r = rs.find((x) => x.messageId === 'noPlugin')!;
  expect(r.message).toBe('no NVIDIA device plugin DaemonSet found and 3 GPU node(s) advertise no nvidia.com/gpu');
  expect(r.remediation?.commands?.join('\n')).toContain('nvidia-device-plugin');
  const [p] = (await runCase(check, { name: 'y', snapshot: PLUGIN_CRASHING, namespace: 'model-engine', cloud: 'aws' })).filter((x) => x.status === 'fail');
  expect(p!.message).toBe('device plugin pod nvidia-device-plugin-daemonset-fclcd on GPU node ip-10-0-3-72.us-west-2.compute.internal is not ready (nvidia-device-plugin-ctr: CrashLoopBackOff (last exit 1))');
  expect(p!.remediation?.commands).toEqual(['kubectl -n kube-system describe pod nvidia-device-plugin-daemonset-fclcd', 'kubectl -n kube-system logs nvidia-device-plugin-daemonset-fclcd']);
});
