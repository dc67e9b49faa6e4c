import { expect, it } from '@jest/globals';
import check from '../../../checks/chart/hook-jobs.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';

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
        ...c('the service account is a plain object: created after the pre-install migration Job', ['fixtures/values/hook-jobs-sa-not-hook.yaml']),
        errors: [{ messageId: 'createdAfter', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-migration-1' } }],
      },
    ],
  });

  it('names the dependency, when helm creates it, and what the pods do meanwhile', async () => {
    const [r] = await runCase(check, c('x', ['fixtures/values/hook-jobs-sa-not-hook.yaml']));
    expect(r!.message).toBe(
      "Hook Job model-engine-database-migration-1 (pre-install,pre-upgrade, weight -1) needs ServiceAccount model-engine, which helm creates only after every pre-install hook (it is not a hook): on a fresh install the Job's pods cannot start (FailedCreate: serviceaccount not found) and helm install fails when the hook times out",
    );
  });
});
