import { expect, it } from '@jest/globals';
import check from '../../../checks/chart/hook-jobs.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';
import { itSkipsWithoutChart } from '../../support/chart-cases.js';

const GOOD = 'fixtures/values/chart-good.yaml';
const NS = 'model-engine';

describeWithHelm('chart/hook-jobs on the shared chart 0.2.7', ({ helm, chart }) => {
  const c = (name: string, files: string[]) => ({ name, values: files, namespace: NS, ports: { chart: fixtureChartPort(helm, chart, files) } });
  testCheck(check, {
    valid: [
      // values_sample.yaml makes the service account a pre-install hook at weight -2, before the Job at -1.
      c('migrations on, the service account a hook (as values_sample.yaml writes it)', [GOOD]),
    ],
    invalid: [
      {
        ...c('a hook, but at weight 0: created after the Job (-1)', [GOOD, 'fixtures/values/hook-jobs-sa-weight-0.yaml']),
        errors: [{ messageId: 'createdAfter', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-migration-1' } }],
      },
      {
        ...c('the service account is a plain object: created after the pre-install migration Job', ['fixtures/values/hook-jobs-sa-not-hook.yaml']),
        errors: [{ messageId: 'createdAfter', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-migration-1' } }],
      },
      {
        // The same values on a cluster where the ServiceAccount exists from an earlier revision: helm upgrade works.
        ...c('the service account is a plain object, but it exists in the cluster: upgrades work, a fresh install would not', ['fixtures/values/hook-jobs-sa-not-hook.yaml']),
        snapshot: 'fixtures/clusters/healthy-aws',
        errors: [{ messageId: 'createdAfterInstalled', status: 'warn', severity: 'medium', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-migration-1' } }],
      },
    ],
  });

  it('names the dependency, when helm creates it, and what the pods do meanwhile', async () => {
    const [r] = await runCase(check, c('x', ['fixtures/values/hook-jobs-sa-not-hook.yaml']));
    expect(r!.message).toBe(
      'helm install hangs and fails: the pre-install hook Job model-engine-database-migration-1 (weight -1) needs ServiceAccount model-engine, which helm creates only with the release\'s objects, after every pre-install hook, so its pods are refused (FailedCreate: error looking up service account model-engine/model-engine: serviceaccount "model-engine" not found) and helm waits for the hook until --timeout ("resource Job/model-engine/model-engine-database-migration-1 not ready … context deadline exceeded"). helm upgrade is not affected: the ServiceAccount exists from the installed revision',
    );
    expect(r!.evidence).toContainEqual({ type: 'field', object: { kind: 'Job', name: 'model-engine-database-migration-1', namespace: NS }, path: 'spec.template.spec.serviceAccountName', value: 'model-engine' });
    expect(r!.evidence).toContainEqual({ type: 'object', object: { kind: 'ServiceAccount', name: 'model-engine', namespace: NS }, detail: 'rendered by templates/service_account.yaml' });
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'serviceAccount.annotations', source: expect.objectContaining({ line: 46 }) }));
  });
});

itSkipsWithoutChart(check);
