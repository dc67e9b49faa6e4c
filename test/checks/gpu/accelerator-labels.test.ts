import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/gpu/accelerator-labels.js';
import scheduling from '../../../checks/values/scheduling.js';
import type { Pod } from '../../../src/engine/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot } from '../../support/derived-snapshot.js';

/**
 * gpu-onprem-broken where dgx-h100-05 was relabelled for 1g.20gb endpoints but the MIG manager still applies the
 * node's old nvidia.com/mig.config all-3g.40gb (successfully): no 1g.20gb partition exists there.
 */
const MIG_CONFIG_STALE = derivedSnapshot('fixtures/clusters/gpu-onprem-broken', {
  'nodes.yaml': (t) => t.replace('nvidia.com/mig.config: all-1g.20gb', 'nvidia.com/mig.config: all-3g.40gb').replace('nvidia.com/mig.config.state: failed', 'nvidia.com/mig.config.state: success'),
});
import { byName, runMutated } from '../control-plane/mutated-snapshot.js';

const aws = { namespace: 'model-engine', endpointNamespace: 'llm-engine', cloud: 'aws' as const };
// Preflight snapshots and values (moved here from cluster/node-labels, which no longer judges GPU types).
const v = (name: string) => `fixtures/values/${name}.yaml`;
const pre = (name: string) => `fixtures/clusters/preflight-${name}`;
const NS = 'model-engine';
const A10 = { kind: 'HelmValues', name: 'balloons[0].acceleratorName' };

testCheck(check, {
  valid: [
    { name: 'EKS: a10 endpoint on labelled g5 nodes (GFD agrees), t4 balloon on g4dn', snapshot: 'fixtures/clusters/gpu-aws-healthy', ...aws },
    {
      name: 'EKS: values balloons and image cache for the types the cluster has',
      snapshot: 'fixtures/clusters/gpu-aws-healthy',
      ...aws,
      set: [
        'balloons[0].acceleratorName=nvidia-ampere-a10', 'balloons[0].replicaCount=0',
        'balloons[1].acceleratorName=nvidia-tesla-t4', 'balloons[1].replicaCount=1',
        'balloons[2].acceleratorName=cpu', 'balloons[2].replicaCount=0',
        'imageCache.devices[0].name=a10', 'imageCache.devices[0].nodeSelector.k8s\\.amazonaws\\.com/accelerator=nvidia-ampere-a10',
      ],
    },
    { name: 'AKS: operator-added labels on the T4 pool', snapshot: 'fixtures/clusters/gpu-azure-healthy', namespace: 'model-engine', endpointNamespace: 'model-engine', cloud: 'azure' },
    { name: 'GKE: labels added next to gke-accelerator', snapshot: 'fixtures/clusters/gpu-gcp-healthy', namespace: 'model-engine', endpointNamespace: 'llm-engine', cloud: 'gcp' },
    { name: 'on-prem: H100 MIG 1g.20gb with single strategy', snapshot: 'fixtures/clusters/gpu-onprem-healthy', namespace: 'model-engine', endpointNamespace: 'model-engine', cloud: 'onprem' },
    { name: 'EKS preflight: node groups labelled per GPU type and node-lifecycle=normal', snapshot: pre('aws-ready'), values: [v('aws-good')], namespace: NS },
    { name: 'AKS preflight: node pools labelled', snapshot: pre('azure-ready'), values: [v('azure-good')], namespace: NS },
  ],
  invalid: [
    {
      name: 'EKS: a10 nodes lost node-lifecycle, no a100 nodes, a g4dn labelled a10',
      snapshot: 'fixtures/clusters/gpu-aws-broken',
      ...aws,
      errors: [
        { messageId: 'selectorUnmatched', status: 'fail' },
        { messageId: 'noNodes', status: 'fail' },
        { messageId: 'productMismatch', object: { kind: 'Node', name: 'ip-10-0-3-90.us-west-2.compute.internal' } },
      ],
    },
    {
      // The typo itself is values/scheduling's finding (unknownGpuType, with file:line); see the test below.
      name: 'values name a type nobody has, with the docs typo (warnings: nothing uses them yet)',
      snapshot: 'fixtures/clusters/gpu-aws-healthy',
      ...aws,
      set: ['balloons[0].acceleratorName=nvidia-tesla-a10', 'balloons[0].replicaCount=0', 'imageCache.devices[0].nodeSelector.k8s\\.amazonaws\\.com/accelerator=nvidia-hopper-h100'],
      errors: [
        { messageId: 'noNodes', status: 'warn', object: { kind: 'HelmValues', name: 'balloons[0].acceleratorName' } },
        { messageId: 'noNodes', status: 'warn', object: { kind: 'HelmValues', name: 'imageCache.devices[0].nodeSelector["k8s.amazonaws.com/accelerator"]' } },
      ],
    },
    {
      name: 'AKS: A100 pool without model-engine labels',
      snapshot: 'fixtures/clusters/gpu-azure-broken',
      namespace: 'model-engine',
      endpointNamespace: 'model-engine',
      cloud: 'azure',
      errors: [
        { messageId: 'noNodes', status: 'fail' },
        { messageId: 'unlabelled', status: 'warn', object: { kind: 'Node', name: 'aks-gpua100-16180339-vmss000000' } },
      ],
    },
    {
      name: 'GKE: T4 pool unlabelled, L4 pool labelled a10',
      snapshot: 'fixtures/clusters/gpu-gcp-broken',
      namespace: 'model-engine',
      endpointNamespace: 'llm-engine',
      cloud: 'gcp',
      errors: [
        { messageId: 'noNodes', status: 'fail' },
        { messageId: 'productMismatch', object: { name: 'gke-ml-serving-gpu-l4-5c1d7e3f-w4n6' } },
        { messageId: 'unlabelled', status: 'warn' },
      ],
    },
    {
      name: 'fresh EKS preflight: GPU nodes without the accelerator label (values types)',
      snapshot: pre('aws-broken'),
      values: [v('aws-good')],
      namespace: NS,
      errors: [
        { messageId: 'noNodes', status: 'warn', object: A10 },
        { messageId: 'noNodes', status: 'warn', object: { kind: 'HelmValues', name: 'balloons[1].acceleratorName' } },
        { messageId: 'unlabelled', status: 'warn', object: { kind: 'Node', name: 'ip-10-1-1-145.ec2.internal' } },
      ],
    },
    {
      name: "AKS preflight: GPU pool with only AKS's own accelerator=nvidia label",
      snapshot: pre('azure-broken'),
      values: [v('azure-good')],
      namespace: NS,
      errors: [
        { messageId: 'noNodes', status: 'warn', object: A10 },
        { messageId: 'unlabelled', status: 'warn', severity: 'medium', object: { kind: 'Node', name: 'aks-gpua100-31415926-vmss000000' } },
      ],
    },
    {
      name: 'GKE preflight: selector cleared with null, GPU pool labelled only cloud.google.com/gke-accelerator',
      snapshot: pre('gcp'),
      values: [v('gcp-good')],
      namespace: NS,
      errors: [
        { messageId: 'noNodes', status: 'warn', object: A10 },
        { messageId: 'unlabelled', status: 'warn', severity: 'medium', object: { kind: 'Node', name: 'gke-gke-prod-usc1-gpu-a100-3f2a1b4c-x7kq' } },
      ],
    },
    {
      name: 'EKS preflight: control plane pinned to the CPU node group, GPU endpoint pods inherit the pin',
      snapshot: pre('aws-ready'),
      values: [v('aws-good'), v('node-labels-pinned-nodegroup')],
      namespace: NS,
      // One per GPU type the pin excludes (A10 and H100 pools).
      errors: [
        { messageId: 'selectorUnmatched', status: 'warn', object: { kind: 'HelmValues', name: 'nodeSelector' } },
        { messageId: 'selectorUnmatched', status: 'warn', object: { kind: 'HelmValues', name: 'nodeSelector' } },
      ],
    },
    {
      name: 'on-prem: mixed MIG strategy, failed MIG config',
      snapshot: 'fixtures/clusters/gpu-onprem-broken',
      namespace: 'model-engine',
      endpointNamespace: 'model-engine',
      cloud: 'onprem',
      errors: [
        { messageId: 'migStrategy', object: { name: 'dgx-h100-04' } },
        { messageId: 'migFailed', object: { name: 'dgx-h100-05' } },
      ],
    },
    {
      name: 'on-prem: a node labelled for 1g.20gb whose MIG config makes 3g.40gb partitions',
      snapshot: MIG_CONFIG_STALE,
      namespace: 'model-engine',
      endpointNamespace: 'model-engine',
      cloud: 'onprem',
      errors: [
        { messageId: 'migStrategy', object: { name: 'dgx-h100-04' } },
        { messageId: 'migConfig', object: { kind: 'Node', name: 'dgx-h100-05' } },
      ],
    },
  ],
});

describe('gpu/accelerator-labels: MIG config', () => {
  it('names the config the node has and the partitions its label needs', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: MIG_CONFIG_STALE, namespace: 'model-engine', endpointNamespace: 'model-engine', cloud: 'onprem' });
    const r = rs.find((x) => x.messageId === 'migConfig')!;
    expect(r.message).toBe('node dgx-h100-05 (nvidia-hopper-h100-1g20gb) has nvidia.com/mig.config=all-3g.40gb, which does not create 1g.20gb partitions');
    expect(r.remediation?.summary.length).toBeGreaterThan(0);
  });
});

describe('gpu/accelerator-labels: GPU tables', () => {
  it('AKS: an NC A100 v4 node carries the A100 80 GB, so its label is nvidia-ampere-a100e', async () => {
    const rs = await runCase(check, { name: '', snapshot: 'fixtures/clusters/gpu-azure-broken', namespace: 'model-engine', endpointNamespace: 'model-engine', cloud: 'azure' });
    const u = rs.find((r) => r.messageId === 'unlabelled')!;
    expect(u.message).toContain('(NVIDIA-A100-80GB-PCIe)');
    expect(u.remediation?.commands?.[0]).toContain('k8s.amazonaws.com/accelerator=nvidia-ampere-a100e');
  });

  it('GKE: an L4 node has no model-engine GpuType; the fix removes the wrong label instead of naming another GPU', async () => {
    const rs = await runCase(check, { name: '', snapshot: 'fixtures/clusters/gpu-gcp-broken', namespace: 'model-engine', endpointNamespace: 'llm-engine', cloud: 'gcp' });
    const m = rs.find((r) => r.messageId === 'productMismatch')!;
    expect(m.remediation?.summary).toMatch(/^NVIDIA-L4 has no model-engine GpuType/);
    expect(m.remediation?.commands).toEqual(['kubectl label node gke-ml-serving-gpu-l4-5c1d7e3f-w4n6 k8s.amazonaws.com/accelerator-']);
  });
});

describe('gpu/accelerator-labels over values GPU types (preflight)', () => {
  it('EKS: names the unlabelled GPU node, labels it by hand and via its node group', async () => {
    const rs = await runCase(check, { name: '', snapshot: pre('aws-broken'), values: [v('aws-good')], namespace: NS });
    const a10 = rs.find((r) => r.messageId === 'noNodes' && r.object?.name === 'balloons[0].acceleratorName')!;
    expect(a10.message).toContain('no Ready node is labelled k8s.amazonaws.com/accelerator=nvidia-ampere-a10');
    expect(a10.message).toContain('unlabelled GPU nodes that fit: ip-10-1-1-145.ec2.internal');
    // Nothing runs yet and the balloon is at 0 replicas: a warning (a pool that scales from zero has no nodes).
    expect([a10.status, a10.severity]).toEqual(['warn', 'medium']);
    const shown = a10.evidence.flatMap((e) => (e.type === 'values' ? [e.path] : e.type === 'object' ? [e.object.name] : []));
    expect(shown).toEqual(expect.arrayContaining(['balloons[0].acceleratorName', 'imageCache.devices[1].nodeSelector["k8s.amazonaws.com/accelerator"]', 'ip-10-1-1-145.ec2.internal']));
    const values = a10.evidence.find((e) => e.type === 'values' && e.path === 'balloons[0].acceleratorName');
    expect(values?.type === 'values' && values.source?.file).toMatch(/aws-good\.yaml$/);
    if (a10.status !== 'warn') throw new Error('expected warn');
    expect(a10.remediation.commands![0]).toBe('kubectl label node ip-10-1-1-145.ec2.internal node-lifecycle=normal k8s.amazonaws.com/accelerator=nvidia-ampere-a10 --overwrite');
    expect(a10.remediation.commands![1]).toContain(
      "aws eks update-nodegroup-config --cluster-name <cluster> --nodegroup-name gpu-a10 --labels 'addOrUpdateLabels={node-lifecycle=normal,k8s.amazonaws.com/accelerator=nvidia-ampere-a10}'",
    );
    // The CPU node group is never offered a GPU label.
    expect(a10.remediation.commands!.join('\n')).not.toContain('cpu-general');
  });

  it('GKE: the a100 node is recognised from cloud.google.com/gke-accelerator and its pool updated with gcloud', async () => {
    const rs = await runCase(check, { name: '', snapshot: pre('gcp'), values: [v('gcp-good')], namespace: NS });
    const w = rs.find((r) => r.messageId === 'noNodes')!;
    if (w.status !== 'warn') throw new Error('expected warn');
    expect(w.remediation.commands).toEqual([
      'kubectl label node gke-gke-prod-usc1-gpu-a100-3f2a1b4c-x7kq k8s.amazonaws.com/accelerator=nvidia-ampere-a100 --overwrite',
      expect.stringMatching(/^gcloud container node-pools update gpu-a100 --cluster <cluster> --node-labels=k8s.amazonaws.com\/accelerator=nvidia-ampere-a100 +# --node-labels replaces/),
    ]);
  });

  it('AKS: the pool command uses az aks nodepool update', async () => {
    const rs = await runCase(check, { name: '', snapshot: pre('azure-broken'), values: [v('azure-good')], namespace: NS });
    const w = rs.find((r) => r.messageId === 'noNodes')!;
    expect(w.status === 'warn' && w.remediation.commands![1]).toMatch(/^az aks nodepool update .* --name gpua100 --labels node-lifecycle=normal k8s.amazonaws.com\/accelerator=nvidia-ampere-a100 /);
  });

  it('a balloon that should be running makes a missing GPU type more severe', async () => {
    // scheduling-gpu-typo runs one nvidia-tesla-a10 balloon (a name no node will ever carry).
    const rs = await runCase(check, { name: '', snapshot: pre('aws-broken'), values: [v('aws-good'), v('scheduling-gpu-typo')], namespace: NS });
    expect(rs.find((r) => r.messageId === 'noNodes' && r.object?.name === 'balloons[0].acceleratorName')).toMatchObject({ status: 'warn', severity: 'high' });
  });

  it('GPU nodes lacking the values nodeSelector: every GPU endpoint would stay Pending (high), for each type', async () => {
    const rs = await runCase(check, { name: '', snapshot: pre('aws-ready'), values: [v('aws-good'), v('node-labels-pinned-nodegroup')], namespace: NS });
    const unmatched = rs.filter((r) => r.messageId === 'selectorUnmatched');
    expect(unmatched.map((r) => [r.status, r.severity, r.message.match(/accelerator=(\S+)/)?.[1]])).toEqual([
      ['warn', 'high', 'nvidia-ampere-a10'],
      ['warn', 'high', 'nvidia-hopper-h100'],
    ]);
    expect(unmatched[0]!.message).toContain('lack eks.amazonaws.com/nodegroup=cpu-general');
  });
});

describe('a GPU type model-engine does not know: one owner', () => {
  const typo = { name: '', snapshot: 'fixtures/clusters/gpu-aws-healthy', ...aws, set: ['balloons[0].acceleratorName=nvidia-tesla-a10', 'balloons[0].replicaCount=0'] };

  it('named in the values: values/scheduling reports it (with file:line), this check does not', async () => {
    const mine = await runCase(check, typo);
    expect(mine.some((r) => r.messageId === 'unknownType')).toBe(false);
    const theirs = await runCase(scheduling, typo);
    expect(theirs.filter((r) => r.messageId === 'unknownGpuType').map((r) => [r.status, r.object?.name, r.message.includes('did you mean nvidia-ampere-a10?')])).toEqual([
      ['warn', 'balloons[0].acceleratorName', true],
    ]);
  });

  it('named only by a live pod: reported here, with the type it probably meant', async () => {
    const pod = 'launch-endpoint-id-end-cq7c1mkdg5gg00b8p0g0-bhmeccgdac-jffem';
    const rs = await runMutated(check, 'fixtures/clusters/gpu-aws-healthy', (objects) => {
      (byName(objects, 'Pod', 'llm-engine', pod) as Pod).spec.nodeSelector!['k8s.amazonaws.com/accelerator'] = 'nvidia-tesla-a10';
    });
    const r = rs.find((x) => x.messageId === 'unknownType')!;
    expect([r.status, r.object]).toEqual(['warn', { kind: 'Pod', namespace: 'llm-engine', name: pod }]);
    expect(r.message).toContain('GPU type "nvidia-tesla-a10" (Pod llm-engine/' + pod + ') is not a type model-engine knows; did you mean nvidia-ampere-a10?');
    expect(r.status === 'warn' && r.remediation.summary).toContain('nvidia-hopper-h100-3g40gb');
  });
});
