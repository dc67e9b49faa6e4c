import { describe, expect, it } from '@jest/globals';
import check, { neededPriorityClasses } from '../../../checks/chart/scheduling.js';
import valuesCheck from '../../../checks/values/scheduling.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';

const SAMPLE = 'fixtures/values/values_sample.yaml';
const NS = 'model-engine';

describeWithHelm('chart/scheduling on the shared chart 0.2.7', ({ helm, chart }) => {
  const c = (name: string, files: string[]) => ({ name, values: files, namespace: NS, ports: { chart: fixtureChartPort(helm, chart, files) } });
  testCheck(check, {
    valid: [c('values_sample.yaml: every PriorityClass used is rendered', [SAMPLE])],
    invalid: [
      // facts §6.4: endpoint pods use model-engine-default/high-priority, hard-coded; fullnameOverride renames the chart's.
      { ...c('fullnameOverride renames the PriorityClasses', [SAMPLE, 'fixtures/values/scheduling-fullname.yaml']), errors: ['default', 'low', 'high'].map((p) => ({ messageId: 'priorityClassMissing', object: { kind: 'PriorityClass', name: `model-engine-${p}-priority` } })) },
      // facts §1.3: serviceIdentifier skips the PriorityClasses.
      { ...c('serviceIdentifier skips them', [SAMPLE, 'fixtures/values/scheduling-service-identifier.yaml']), errors: ['high', 'default'].map((p) => ({ messageId: 'priorityClassMissing', object: { kind: 'PriorityClass', name: `model-engine-${p}-priority` } })) },
    ],
  });

  it('shows the node selector after helm\'s merge: nodeSelector: {} keeps node-lifecycle=normal (facts §1.1)', async () => {
    const rs = await runCase(check, c('x', [SAMPLE]));
    const cp = rs.find((r) => r.messageId === 'placement' && / Deployment model-engine(,|$)/.test(r.message))!;
    expect(cp.message).toMatch(/need nodes with node-lifecycle=normal/);
    expect(cp.evidence).toContainEqual(expect.objectContaining({ type: 'values', source: { file: 'chart defaults (model-engine 0.2.7 values.yaml)' } }));
  });

  it('with a rendered chart, values/scheduling leaves the PriorityClass names to it', async () => {
    const files = [SAMPLE, 'fixtures/values/scheduling-fullname.yaml'];
    const rs = await runCase(valuesCheck, c('x', files));
    expect(rs.map((r) => r.messageId)).not.toContain('fullnameOverride');
  });
});

describe('priority classes a pod template needs', () => {
  it('${PRIORITY} means the two names model-engine fills in', () => {
    const pod = (name: string) => ({ spec: { priorityClassName: name, containers: [] } }) as never;
    expect(neededPriorityClasses(pod('${PRIORITY}'))).toEqual(['model-engine-default-priority', 'model-engine-high-priority']);
    expect(neededPriorityClasses(pod('model-engine-low-priority'))).toEqual(['model-engine-low-priority']);
  });
});
