import { expect, it } from '@jest/globals';
import check from '../../../checks/chart/duplicate-objects.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';
import { itSkipsWithoutChart } from '../../support/chart-cases.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const NS = 'model-engine';
const SA = { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' };

describeWithHelm('chart/duplicate-objects on the shared chart 0.2.7', ({ helm, chart }) => {
  const c = (name: string, files: string[]) => ({ name, values: files, namespace: NS, ports: { chart: fixtureChartPort(helm, chart, files) } });
  testCheck(check, {
    valid: [c('aws-good.yaml', [V('aws-good')]), c('onprem-good.yaml: the endpoint namespace listed, no inference account', [V('onprem-good')]), c('chart-good.yaml', [V('chart-good')])],
    invalid: [
      // real-findings 4: helm applies both copies; the last one wins.
      { ...c('the endpoint namespace also in serviceAccount.namespaces', [V('aws-good'), V('duplicate-objects-sa-twice')]), errors: [{ messageId: 'differing', status: 'warn', object: SA }] },
    ],
  });

  it('cites both rendered objects, the differing fields, the values keys, and which copy the cluster keeps', async () => {
    const [r] = await runCase(check, c('x', [V('aws-good'), V('duplicate-objects-sa-twice')]));
    expect(r!.severity).toBe('high');
    expect(r!.message).toContain('ServiceAccount llm-engine/model-engine is rendered twice, by templates/service_account_inference.yaml and by templates/service_account.yaml (a pre-install,pre-upgrade hook, weight -2)');
    expect(r!.message).toContain('metadata.annotations["eks.amazonaws.com/role-arn"] ("arn:aws:iam::482093716652:role/llm-engine-endpoints" vs "arn:aws:iam::482093716652:role/k8s-prod-use1-llm-engine")');
    expect(r!.message).toMatch(/the cluster keeps the copy of templates\/service_account_inference\.yaml \(helm applies it last\)$/);
    expect(r!.evidence).toContainEqual({ type: 'object', object: SA, detail: 'rendered by templates/service_account.yaml (pre-install,pre-upgrade hook, weight -2)' });
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'serviceAccount.namespaces', source: expect.objectContaining({ line: 6 }) }));
    expect(r!.remediation?.values).toContain('    - default   # llm-engine left out');
  });
});

itSkipsWithoutChart(check);
