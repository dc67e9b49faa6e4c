import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/cluster/node-labels.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;
const c = (name: string) => `fixtures/clusters/preflight-${name}`;
const NS = 'model-engine';

// GPU types and their accelerator labels: test/checks/gpu/accelerator-labels.test.ts (gpu/accelerator-labels owns them).
testCheck(check, {
  valid: [
    { name: 'EKS: node groups labelled node-lifecycle=normal', snapshot: c('aws-ready'), values: [v('aws-good')], namespace: NS },
    { name: 'AKS: node pools labelled', snapshot: c('azure-ready'), values: [v('azure-good')], namespace: NS },
    { name: 'GKE: selector cleared with null', snapshot: c('gcp'), values: [v('gcp-good')], namespace: NS },
  ],
  invalid: [
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
