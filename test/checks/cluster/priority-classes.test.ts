import { describe, expect, it } from '@jest/globals';
import check, { expectedPriorityClasses, helmOwnership, priorityClassDiff } from '../../../checks/cluster/priority-classes.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;
const c = (name: string) => `fixtures/clusters/preflight-${name}`;
const NS = 'model-engine';
const pc = (name: string) => ({ kind: 'PriorityClass', name });

testCheck(check, {
  valid: [
    { name: 'fresh cluster: the chart creates all three', snapshot: c('aws-ready'), values: [v('aws-good')], namespace: NS },
    { name: 'upgrade: all three owned by this release', snapshot: c('azure-ready'), values: [v('azure-good')], namespace: NS },
    {
      name: 'a serviceIdentifier release reusing the classes of the main release',
      snapshot: c('azure-ready'),
      values: [v('azure-good'), v('scheduling-service-identifier')],
      namespace: 'team-a',
    },
  ],
  invalid: [
    {
      name: 'hand-made and foreign-release PriorityClasses',
      snapshot: c('aws-broken'),
      values: [v('aws-good')],
      namespace: NS,
      errors: [
        { messageId: 'unowned', status: 'fail', object: pc('model-engine-default-priority') },
        { messageId: 'conflicting', status: 'fail', object: pc('model-engine-high-priority') },
        { messageId: 'unowned', status: 'fail', object: pc('model-engine-low-priority') },
      ],
    },
    {
      name: 'serviceIdentifier on a cluster with no main release',
      snapshot: c('aws-ready'),
      values: [v('aws-good'), v('scheduling-service-identifier')],
      namespace: NS,
      errors: [
        { messageId: 'missingWithServiceIdentifier', status: 'fail', object: pc('model-engine-default-priority') },
        { messageId: 'missingWithServiceIdentifier', status: 'fail', object: pc('model-engine-high-priority') },
        { messageId: 'missingWithServiceIdentifier', status: 'fail', object: pc('model-engine-low-priority') },
      ],
    },
    {
      name: 'reserveHighPriority off: the existing default class has the wrong preemption policy',
      snapshot: c('azure-ready'),
      values: [v('azure-good')],
      set: ['balloonConfig.reserveHighPriority=false'],
      namespace: NS,
      errors: [{ messageId: 'conflicting', status: 'fail', object: pc('model-engine-default-priority') }],
    },
  ],
});

describe('cluster/priority-classes findings', () => {
  it('says how to adopt an unowned class and who owns a foreign one', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good')], namespace: NS });
    const low = rs.find((r) => r.object?.name === 'model-engine-low-priority')!;
    expect(low.status === 'fail' && low.remediation.commands).toEqual([
      'kubectl annotate priorityclass model-engine-low-priority meta.helm.sh/release-name=<release> meta.helm.sh/release-namespace=model-engine --overwrite',
      'kubectl label priorityclass model-engine-low-priority app.kubernetes.io/managed-by=Helm --overwrite',
      '# or: kubectl delete priorityclass model-engine-low-priority',
    ]);
    const def = rs.find((r) => r.object?.name === 'model-engine-default-priority')!;
    expect(def.message).toContain('(it belongs to release model-engine in llm-engine-old)');
    expect(def.status === 'fail' && def.remediation.summary).toContain('serviceIdentifier');
    const high = rs.find((r) => r.object?.name === 'model-engine-high-priority')!;
    expect(high.message).toContain('value 1000000 (chart: 100000)');
  });

  it.each<[boolean, string]>([
    [true, 'Never'],
    [false, 'PreemptLowerPriority'],
  ])('reserveHighPriority=%p → default class preemptionPolicy %s', (reserve, policy) => {
    expect(expectedPriorityClasses(reserve)[0]).toEqual({ name: 'model-engine-default-priority', value: 1, preemptionPolicy: policy });
  });

  it.each<[Record<string, unknown>, string[]]>([
    [{ value: 100000 }, []],
    [{ value: 100000, preemptionPolicy: 'PreemptLowerPriority' }, []],
    [{ value: 1000000 }, ['value 1000000 (chart: 100000)']],
    [{ value: 100000, preemptionPolicy: 'Never' }, ['preemptionPolicy Never (chart: PreemptLowerPriority)']],
  ])('priorityClassDiff(%p)', (fields, want) => {
    expect(priorityClassDiff({ metadata: { name: 'model-engine-high-priority' }, ...fields }, { value: 100000, preemptionPolicy: 'PreemptLowerPriority' })).toEqual(want);
  });

  it('helmOwnership needs the label and both annotations', () => {
    const md = (labels: Record<string, string>, annotations: Record<string, string>) => ({ metadata: { name: 'x', labels, annotations } });
    const a = { 'meta.helm.sh/release-name': 'model-engine', 'meta.helm.sh/release-namespace': 'model-engine' };
    expect(helmOwnership(md({ 'app.kubernetes.io/managed-by': 'Helm' }, a))).toEqual({ state: 'owned', release: 'model-engine', namespace: 'model-engine' });
    expect(helmOwnership(md({}, a))).toEqual({ state: 'unowned' });
    expect(helmOwnership(md({ 'app.kubernetes.io/managed-by': 'Helm' }, {}))).toEqual({ state: 'unowned' });
  });
});
