import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/cluster/node-labels.js';
import { parse, stringify } from 'yaml';
import { runCase, testCheck } from '../../support/check-tester.js';
import { derivedSnapshot } from '../../support/derived-snapshot.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;
const c = (name: string) => `fixtures/clusters/preflight-${name}`;
const NS = 'model-engine';

/**
 * preflight-aws-ready mid node-group upgrade: the old nodes drained (cordoned, spec.unschedulable) before the new
 * group joined, and one of them already NotReady (its kubelet stopped).
 */
const DRAINED = derivedSnapshot(c('aws-ready'), {
  'nodes.yaml': (text) => {
    const list = parse(text) as { items: { metadata: { name: string }; spec: Record<string, unknown>; status: { conditions: { type: string; status: string; reason?: string; message?: string }[] } }[] };
    for (const n of list.items) {
      n.spec.unschedulable = true;
      if (n.metadata.name === 'ip-10-0-3-201.ec2.internal') {
        n.status.conditions = n.status.conditions.map((x) => (x.type === 'Ready' ? { ...x, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : x));
      }
    }
    return stringify(list);
  },
});

// GPU types and their accelerator labels: test/checks/gpu/accelerator-labels.test.ts (gpu/accelerator-labels owns them).
testCheck(check, {
  valid: [
    { name: 'EKS: node groups labelled node-lifecycle=normal', snapshot: c('aws-ready'), values: [v('aws-good')], namespace: NS },
    { name: 'AKS: node pools labelled', snapshot: c('azure-ready'), values: [v('azure-good')], namespace: NS },
    { name: 'GKE: selector cleared with null', snapshot: c('gcp'), values: [v('gcp-good')], namespace: NS },
  ],
  invalid: [
    { name: 'EKS mid upgrade: every labelled node cordoned, one NotReady', snapshot: DRAINED, values: [v('aws-good')], namespace: NS, errors: [{ messageId: 'selectorNotReady', status: 'fail', severity: 'critical', object: { kind: 'HelmValues', name: 'nodeSelector' } }] },
    {
      name: 'fresh EKS: no node-lifecycle label',
      snapshot: c('aws-broken'),
      values: [v('aws-good')],
      namespace: NS,
      errors: [{ messageId: 'selectorNoNodes', status: 'fail', object: { kind: 'HelmValues', name: 'nodeSelector' } }],
    },
    {
      name: 'AKS without node-lifecycle on any pool',
      snapshot: c('azure-broken'),
      values: [v('azure-good')],
      namespace: NS,
      errors: [{ messageId: 'selectorNoNodes', status: 'fail', object: { kind: 'HelmValues', name: 'nodeSelector' } }],
    },
    {
      name: 'GKE with nodeSelector: {} (the default node-lifecycle=normal stays)',
      snapshot: c('gcp'),
      values: [v('gcp-good'), v('scheduling-empty-map')],
      namespace: NS,
      errors: [{ messageId: 'selectorNoNodes', status: 'fail', object: { kind: 'HelmValues', name: 'nodeSelector' } }],
    },
  ],
});

describe('cluster/node-labels findings', () => {
  it('EKS: labels the CPU nodes by hand and via their node group', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good')], namespace: NS });
    const sel = rs.find((r) => r.messageId === 'selectorNoNodes')!;
    expect(sel.message).toContain('No node is labelled node-lifecycle=normal');
    expect(sel.severity).toBe('critical');
    if (sel.status !== 'fail') throw new Error('expected fail');
    // Only the CPU nodes are offered for the control-plane label, and their node group.
    expect(sel.remediation.commands).toEqual([
      'kubectl label node ip-10-1-1-31.ec2.internal node-lifecycle=normal --overwrite',
      'kubectl label node ip-10-1-2-88.ec2.internal node-lifecycle=normal --overwrite',
      expect.stringContaining("--nodegroup-name cpu-general --labels 'addOrUpdateLabels={node-lifecycle=normal}'"),
    ]);
  });

  it('reports nothing about GPU types (gpu/accelerator-labels owns them)', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good')], namespace: NS });
    expect(rs.map((r) => r.messageId)).toEqual(['selectorNoNodes']);
    const gke = await runCase(check, { name: '', snapshot: c('gcp'), values: [v('gcp-good')], namespace: NS });
    expect(gke.map((r) => [r.status, r.messageId])).toEqual([['pass', 'noSelector']]);
  });
});

it('labelled nodes that are cordoned or NotReady: uncordon or describe them, not a label elsewhere', async () => {
  const [r] = await runCase(check, { name: 'x', snapshot: DRAINED, values: [v('aws-good')], namespace: NS });
  expect(r!.message).toBe('The 4 node(s) labelled node-lifecycle=normal are all NotReady or cordoned: pods that select them stay Pending');
  expect(r!.evidence).toContainEqual({ type: 'object', object: { kind: 'Node', name: 'ip-10-0-3-201.ec2.internal' }, detail: 'NotReady' });
  expect([...(r!.remediation?.commands ?? [])].sort()).toEqual(['kubectl describe node ip-10-0-3-201.ec2.internal', 'kubectl uncordon ip-10-0-1-140.ec2.internal', 'kubectl uncordon ip-10-0-1-23.ec2.internal', 'kubectl uncordon ip-10-0-2-57.ec2.internal']);
});
