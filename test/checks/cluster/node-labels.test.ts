import { describe, expect, it } from '@jest/globals';
import check, { gpuDemands, guessGpuType, labelCommands, matchingNodes } from '../../../checks/cluster/node-labels.js';
import type { Node } from '../../../src/engine/index.js';
import { MATRIX } from '../../../src/matrix/index.js';
import { loadValuesFiles } from '../../../src/sources/values/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;
const c = (name: string) => `fixtures/clusters/preflight-${name}`;
const NS = 'model-engine';
const A10 = { kind: 'HelmValues', name: 'balloons[0].acceleratorName' };

testCheck(check, {
  valid: [
    { name: 'EKS: node groups labelled node-lifecycle=normal and per GPU type', snapshot: c('aws-ready'), values: [v('aws-good')], namespace: NS },
    { name: 'AKS: node pools labelled', snapshot: c('azure-ready'), values: [v('azure-good')], namespace: NS },
  ],
  invalid: [
    {
      name: 'fresh EKS: no node-lifecycle label, GPU nodes without the accelerator label',
      snapshot: c('aws-broken'),
      values: [v('aws-good')],
      namespace: NS,
      errors: [
        { messageId: 'selectorNoNodes', status: 'fail', object: { kind: 'HelmValues', name: 'nodeSelector' } },
        { messageId: 'gpuNoNodes', status: 'warn', object: A10 },
        { messageId: 'gpuNoNodes', status: 'warn', object: { kind: 'HelmValues', name: 'balloons[1].acceleratorName' } },
      ],
    },
    {
      name: 'AKS GPU pool with only AKS\'s own accelerator=nvidia label',
      snapshot: c('azure-broken'),
      values: [v('azure-good')],
      namespace: NS,
      errors: [
        { messageId: 'selectorNoNodes', status: 'fail', object: { kind: 'HelmValues', name: 'nodeSelector' } },
        { messageId: 'gpuNoNodes', status: 'warn', object: A10 },
      ],
    },
    {
      name: 'GKE: selector cleared with null, GPU pool labelled only cloud.google.com/gke-accelerator',
      snapshot: c('gcp'),
      values: [v('gcp-good')],
      namespace: NS,
      errors: [{ messageId: 'gpuNoNodes', status: 'warn', object: A10 }],
    },
    {
      name: 'GKE with nodeSelector: {} (the default node-lifecycle=normal stays)',
      snapshot: c('gcp'),
      values: [v('gcp-good'), v('scheduling-empty-map')],
      namespace: NS,
      errors: [{ messageId: 'selectorNoNodes', status: 'fail', object: { kind: 'HelmValues', name: 'nodeSelector' } }],
    },
    {
      name: 'control plane pinned to the CPU node group: GPU endpoint pods inherit the pin',
      snapshot: c('aws-ready'),
      values: [v('aws-good'), v('node-labels-pinned-nodegroup')],
      namespace: NS,
      errors: [
        { messageId: 'gpuMissSelector', status: 'warn', object: A10 },
        { messageId: 'gpuMissSelector', status: 'warn', object: { kind: 'HelmValues', name: 'balloons[1].acceleratorName' } },
      ],
    },
  ],
});

describe('cluster/node-labels findings', () => {
  it('EKS: names the unlabelled GPU node, labels it by hand and via its node group', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good')], namespace: NS });
    const a10 = rs.find((r) => r.messageId === 'gpuNoNodes' && r.object?.name === 'balloons[0].acceleratorName')!;
    expect(a10.message).toContain('No node is labelled k8s.amazonaws.com/accelerator=nvidia-ampere-a10');
    expect(a10.message).toContain('1 GPU node(s) have no k8s.amazonaws.com/accelerator label at all (1 look like nvidia-ampere-a10)');
    expect(a10.evidence.map((e) => (e.type === 'values' ? e.path : e.type === 'object' ? e.object.name : e.type))).toEqual([
      'balloons[0].acceleratorName',
      'imageCache.devices[1].nodeSelector["k8s.amazonaws.com/accelerator"]',
      'ip-10-1-1-145.ec2.internal',
    ]);
    if (a10.status !== 'warn') throw new Error('expected warn');
    expect(a10.remediation.commands![0]).toBe('kubectl label nodes ip-10-1-1-145.ec2.internal k8s.amazonaws.com/accelerator=nvidia-ampere-a10');
    expect(a10.remediation.commands![1]).toContain(
      "aws eks update-nodegroup-config --cluster-name <cluster> --nodegroup-name gpu-a10 --labels 'addOrUpdateLabels={k8s.amazonaws.com/accelerator=nvidia-ampere-a10}'",
    );
    const sel = rs.find((r) => r.messageId === 'selectorNoNodes')!;
    expect(sel.message).toContain('No node is labelled node-lifecycle=normal');
    expect(sel.severity).toBe('critical');
    if (sel.status !== 'fail') throw new Error('expected fail');
    // Only the CPU nodes are offered for the control-plane label, and their node group.
    expect(sel.remediation.commands).toEqual([
      'kubectl label nodes ip-10-1-1-31.ec2.internal node-lifecycle=normal',
      'kubectl label nodes ip-10-1-2-88.ec2.internal node-lifecycle=normal',
      expect.stringContaining("--nodegroup-name cpu-general --labels 'addOrUpdateLabels={node-lifecycle=normal}'"),
    ]);
  });

  it('GKE: the a100 node is recognised from cloud.google.com/gke-accelerator and its pool updated with gcloud', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('gcp'), values: [v('gcp-good')], namespace: NS });
    expect(rs.find((r) => r.messageId === 'noSelector')?.status).toBe('pass');
    const w = rs.find((r) => r.messageId === 'gpuNoNodes')!;
    if (w.status !== 'warn') throw new Error('expected warn');
    expect(w.remediation.commands).toEqual([
      'kubectl label nodes gke-gke-prod-usc1-gpu-a100-3f2a1b4c-x7kq k8s.amazonaws.com/accelerator=nvidia-ampere-a100',
      expect.stringMatching(/^gcloud container node-pools update gpu-a100 --cluster <cluster> --node-labels=k8s.amazonaws.com\/accelerator=nvidia-ampere-a100/),
    ]);
  });

  it('AKS: the pool command uses az aks nodepool update', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('azure-broken'), values: [v('azure-good')], namespace: NS });
    const w = rs.find((r) => r.messageId === 'gpuNoNodes')!;
    expect(w.status === 'warn' && w.remediation.commands![1]).toMatch(/^az aks nodepool update .* --name gpua100 --labels k8s.amazonaws.com\/accelerator=nvidia-ampere-a100/);
  });

  it('a balloon that should be running makes a missing GPU type more severe', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good'), v('scheduling-gpu-typo')], namespace: NS, set: [] });
    // scheduling-gpu-typo runs one nvidia-tesla-a10 balloon (a name no node will ever carry).
    expect(rs.find((r) => r.object?.name === 'balloons[0].acceleratorName')).toMatchObject({ messageId: 'gpuNoNodes', severity: 'high' });
  });
});

describe('helpers', () => {
  it('gpuDemands groups balloons and image caches by type, skipping cpu', async () => {
    const values = await loadValuesFiles([fixture(v('aws-good'))], []);
    expect(gpuDemands(values)).toEqual([
      { type: 'nvidia-ampere-a10', paths: ['balloons[0].acceleratorName', 'imageCache.devices[1].nodeSelector["k8s.amazonaws.com/accelerator"]'], balloonReplicas: 0 },
      { type: 'nvidia-hopper-h100', paths: ['balloons[1].acceleratorName', 'imageCache.devices[2].nodeSelector["k8s.amazonaws.com/accelerator"]'], balloonReplicas: 0 },
    ]);
  });

  it.each<[Record<string, string>, string | undefined]>([
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' }, 'nvidia-ampere-a100'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-a100-80gb' }, 'nvidia-ampere-a100e'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-h100-80gb' }, 'nvidia-hopper-h100'],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' }, 'nvidia-tesla-t4'],
    [{ 'nvidia.com/gpu.product': 'NVIDIA-A10G' }, 'nvidia-ampere-a10'],
    [{ 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, 'nvidia-hopper-h100'],
    [{ 'node.kubernetes.io/instance-type': 'g5.12xlarge' }, 'nvidia-ampere-a10'],
    [{ 'node.kubernetes.io/instance-type': 'g4dn.xlarge' }, 'nvidia-tesla-t4'],
    [{ 'node.kubernetes.io/instance-type': 'p4d.24xlarge' }, 'nvidia-ampere-a100'],
    [{ 'node.kubernetes.io/instance-type': 'p4de.24xlarge' }, 'nvidia-ampere-a100e'],
    [{ 'node.kubernetes.io/instance-type': 'p5.48xlarge' }, 'nvidia-hopper-h100'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_NC24ads_A100_v4' }, 'nvidia-ampere-a100'],
    [{ 'node.kubernetes.io/instance-type': 'Standard_NC4as_T4_v3' }, 'nvidia-tesla-t4'],
    [{ 'node.kubernetes.io/instance-type': 'm5.2xlarge' }, undefined],
    [{ 'cloud.google.com/gke-accelerator': 'nvidia-l4' }, undefined],
  ])('guessGpuType(%p)', (labels, want) => expect(guessGpuType(labels)).toBe(want));

  it('labelCommands: on-prem has no node pools', () => {
    expect(labelCommands(MATRIX.onprem, ['node-lifecycle=normal'], [])).toEqual([
      'kubectl label nodes <node> node-lifecycle=normal',
      '# and make your node provisioning keep them (kubelet --node-labels or your cluster tooling)',
    ]);
    expect(labelCommands(undefined, ['a=b'], [])).toHaveLength(2);
  });

  it('matchingNodes needs every key', () => {
    const n = (labels: Record<string, string>): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: JSON.stringify(labels), labels } });
    const nodes = [n({ a: '1' }), n({ a: '1', b: '2' }), n({ b: '2' })];
    expect(matchingNodes(nodes, { a: '1', b: '2' }).map((x) => x.metadata.name)).toEqual(['{"a":"1","b":"2"}']);
    expect(matchingNodes(nodes, {})).toHaveLength(3);
  });
});
