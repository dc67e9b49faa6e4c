import { describe, expect, it } from '@jest/globals';
import check, { neededPriorityClasses } from '../../../checks/chart/scheduling.js';
import valuesCheck from '../../../checks/values/scheduling.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';
import { itSkipsWithoutChart } from '../../support/chart-cases.js';

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

  // Against a cluster (the demo's nodes: node-lifecycle=normal CPU nodes, A10 nodes tainted nvidia.com/gpu=true:NoSchedule).
  const live = (name: string, files: string[]) => ({ ...c(name, files), snapshot: 'fixtures/clusters/demo-aws' });
  const CP = { kind: 'Deployment', namespace: NS };
  testCheck(check, {
    valid: [live('values_sample.yaml on the demo cluster: the control plane has node-lifecycle=normal nodes', [SAMPLE])],
    invalid: [
      { ...live('a node selector no node has', [SAMPLE, 'fixtures/values/scheduling-selector-no-node.yaml']), errors: [{ messageId: 'noNodeFits', severity: 'high', object: CP }] },
      { ...live('nodes that match but are tainted', [SAMPLE, 'fixtures/values/scheduling-selector-tainted.yaml']), errors: [{ messageId: 'noNodeFits', severity: 'high', object: CP }] },
    ],
  });

  it('names the nodes lacking the labels and the taint not tolerated, with the values lines to change', async () => {
    const none = (await runCase(check, live('x', [SAMPLE, 'fixtures/values/scheduling-selector-no-node.yaml']))).find((r) => r.messageId === 'noNodeFits')!;
    expect(none.message).toMatch(/need nodes with node-lifecycle=normal, pool=model-engine-control-plane tolerating none or CriticalAddonsOnly=true:NoSchedule, and none of the cluster's \d+ nodes is one \((\d+) lack the labels, 0 more carry a taint/);
    expect(none.evidence).toContainEqual(expect.objectContaining({ type: 'object', object: expect.objectContaining({ kind: 'Node' }), detail: expect.stringMatching(/^lacks pool=model-engine-control-plane/) }));
    const tainted = (await runCase(check, live('x', [SAMPLE, 'fixtures/values/scheduling-selector-tainted.yaml']))).find((r) => r.messageId === 'noNodeFits')!;
    expect(tainted.message).toMatch(/\(\d+ lack the labels, [1-9]\d* more carry a taint they do not tolerate\)/);
    expect(tainted.evidence).toContainEqual(expect.objectContaining({ detail: 'matches the selector but has taint(s) nvidia.com/gpu=true:NoSchedule' }));
    expect(tainted.remediation?.summary).toMatch(/^Tolerate the taint/);
  });

  it('shows the node selector after helm\'s merge: nodeSelector: {} keeps node-lifecycle=normal (facts §1.1)', async () => {
    const rs = await runCase(check, c('x', [SAMPLE]));
    const cp = rs.find((r) => r.messageId === 'placement' && / Deployment model-engine(,|$)/.test(r.message))!;
    expect(cp.message).toMatch(/need nodes with node-lifecycle=normal/);
    expect(cp.evidence).toContainEqual(expect.objectContaining({ type: 'values', source: { file: 'chart defaults (model-engine 0.2.7 values.yaml)' } }));
  });

  it("shows the tolerations after helm's merge: tolerations on the control plane, gpuTolerations beside nvidia.com/gpu on GPU endpoint templates, a later -f list replacing an earlier one", async () => {
    const TOL = 'fixtures/values/scheduling-tolerations.yaml';
    const placement = (rs: Awaited<ReturnType<typeof runCase>>, pod: RegExp) => rs.find((r) => r.messageId === 'placement' && pod.test(r.message))?.message;
    const controlPlane = /: Deployment model-engine-cacher, Deployment model-engine-endpoint-builder, Deployment model-engine$/;
    const gpuEndpoints = /: endpoint template deployment-triton-enhanced-runnable-image-async-gpu\.yaml, /;

    // values_sample.yaml: tolerations: [ ] and no gpuTolerations.
    const sample = await runCase(check, c('x', [SAMPLE]));
    expect(placement(sample, /Deployment model-engine-cacher, Deployment model-engine-endpoint-builder, Deployment model-engine(,|$)/)).toMatch(/ and tolerate none: /);
    expect(placement(sample, gpuEndpoints)).toMatch(/ and tolerate nvidia\.com\/gpu:NoSchedule: /);

    const tol = await runCase(check, c('x', [SAMPLE, TOL]));
    expect(placement(tol, controlPlane)).toBe('3 pod templates need nodes with node-lifecycle=normal and tolerate dedicated=ml-control-plane:NoSchedule: Deployment model-engine-cacher, Deployment model-engine-endpoint-builder, Deployment model-engine');
    expect(placement(tol, gpuEndpoints)).toMatch(/^7 pod templates need nodes with node-lifecycle=normal, k8s\.amazonaws\.com\/accelerator=\$\{GPU_TYPE\} and tolerate nvidia\.com\/gpu:NoSchedule, nvidia\.com\/gpu\.product:NoSchedule: /);
    // The chart hard-codes the celery autoscaler's toleration: the values' list does not reach it.
    expect(placement(tol, /: StatefulSet celery-autoscaler-sqs$/)).toMatch(/ and tolerate CriticalAddonsOnly=true:NoSchedule: /);

    // Helm replaces lists: the later file's toleration (Exists, any effect) is the whole list.
    const over = await runCase(check, c('x', [SAMPLE, TOL, 'fixtures/values/scheduling-tolerations-override.yaml']));
    expect(placement(over, controlPlane)).toMatch(/ and tolerate CriticalAddonsOnly:\*: /);
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

itSkipsWithoutChart(check);
