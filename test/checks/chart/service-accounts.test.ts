import { expect, it } from '@jest/globals';
import check from '../../../checks/chart/service-accounts.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';
import { itSkipsWithoutChart } from '../../support/chart-cases.js';

const SAMPLE = 'fixtures/values/values_sample.yaml';
const GOOD = 'fixtures/values/chart-good.yaml';
const NS = 'model-engine';

describeWithHelm('chart/service-accounts on the shared chart 0.2.7', ({ helm, chart }) => {
  const c = (name: string, files: string[]) => ({ name, values: files, namespace: NS, ports: { chart: fixtureChartPort(helm, chart, files) } });
  testCheck(check, {
    valid: [c('values_sample.yaml with default in serviceAccount.namespaces', [GOOD])],
    invalid: [
      // facts §1.5: kaniko builds run in namespace default; values_sample.yaml has serviceAccount.namespaces: [].
      { ...c('values_sample.yaml as shipped: kaniko is not rendered in default', [SAMPLE]), errors: [{ messageId: 'kanikoNamespace', status: 'warn', object: { kind: 'ServiceAccount', namespace: 'default', name: 'kaniko' } }] },
      // facts §1.3: the endpoint SA is rendered only with createServiceAccount AND non-empty annotations.
      {
        ...c('endpoint service account without annotations: not rendered, still used', [GOOD, 'fixtures/values/chart-no-inference-sa.yaml']),
        errors: [{ messageId: 'missing', status: 'warn', object: { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' } }],
      },
      // facts §9 #9: the chart adds azure.workload.identity/client-id from azure.client_id; the values repeat it.
      {
        ...c('Azure client id annotation written by the values and by the chart', [GOOD, 'fixtures/values/chart-azure-duplicate-annotation.yaml']),
        // The chart writes the service account in the release namespace and in the endpoint namespace (default here).
        errors: [NS, 'default'].map((namespace) => ({ messageId: 'duplicateAnnotation', object: { kind: 'ServiceAccount', namespace, name: 'model-engine' } })),
      },
    ],
  });

  it('the pass lists each account with its annotation keys and whether it is a hook', async () => {
    const [r] = await runCase(check, c('x', [GOOD]));
    expect(r!.message).toContain('model-engine/model-engine [eks.amazonaws.com/role-arn] (hook)');
    expect(r!.message).toContain('default/kaniko [eks.amazonaws.com/role-arn]');
    expect(r!.message).toContain('llm-engine/model-engine [eks.amazonaws.com/role-arn] (hook)');
  });
});

itSkipsWithoutChart(check);
