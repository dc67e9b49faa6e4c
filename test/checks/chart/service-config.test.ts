import { describe, expect, it } from '@jest/globals';
import check, { quotedBooleans } from '../../../checks/chart/service-config.js';
import valuesCheck from '../../../checks/values/service-config.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';

const SAMPLE = 'fixtures/values/values_sample.yaml';
const GOOD = 'fixtures/values/chart-good.yaml';
const NS = 'model-engine';

describeWithHelm('chart/service-config on the shared chart 0.2.7', ({ helm, chart }) => {
  const c = (name: string, files: string[]) => ({ name, values: files, namespace: NS, ports: { chart: fixtureChartPort(helm, chart, files) } });
  testCheck(check, {
    valid: [c('values_sample.yaml with the fine-tune key renamed', [GOOD])],
    invalid: [
      // facts §2.1: s3_file_llm_fine_tuning_job_repository is not a field (renamed in #551).
      { ...c('values_sample.yaml as shipped: the pre-#551 fine-tune key', [SAMPLE]), errors: [{ messageId: 'renamedKey', object: { kind: 'ConfigMap', namespace: NS, name: 'model-engine-service-config' } }] },
      { ...c('a quoted "false": rendered as a string, true to Python', [GOOD, 'fixtures/values/service-config-quoted-bool.yaml']), errors: [{ messageId: 'quotedBoolean', status: 'fail' }] },
      { ...c('required launch fields left out (facts §2.1)', ['fixtures/values/chart-missing-fields.yaml']), errors: [{ messageId: 'missingFields' }] },
      // A values null is kept by helm where the chart has no default: the key renders empty (None), not missing.
      { ...c('required fields set to null: rendered empty', [GOOD, 'fixtures/values/service-config-missing-fields.yaml']), errors: [{ messageId: 'emptyFields', status: 'warn' }, { messageId: 'emptyFields', status: 'warn', object: { kind: 'ConfigMap', name: 'model-engine-service-config' } }] },
    ],
  });

  it('evidence points at the rendered field and the values line', async () => {
    const rs = await runCase(check, c('x', [SAMPLE]));
    const r = rs.find((x) => x.messageId === 'renamedKey')!;
    expect(r.evidence).toContainEqual(expect.objectContaining({ type: 'object', detail: 'rendered by templates/service_config_map.yaml (pre-install,pre-upgrade hook, weight -3)' }));
    expect(r.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'config.values.launch.s3_file_llm_fine_tuning_job_repository', source: expect.objectContaining({ line: expect.any(Number) }) }));
  });

  it('with a rendered chart, values/service-config leaves the rename to it (one finding per cause)', async () => {
    const rs = await runCase(valuesCheck, c('x', [SAMPLE]));
    expect(rs.map((r) => r.messageId)).not.toContain('fineTuneKeyRenamed');
    const offline = await runCase(valuesCheck, { name: 'offline', values: [SAMPLE], namespace: NS });
    expect(offline.map((r) => r.messageId)).toContain('fineTuneKeyRenamed');
  });
});

describe('quoted booleans in a rendered config', () => {
  it('finds booleans the chart rendered as strings', () => {
    expect(quotedBooleans({ launch_service_config: 'istio_enabled: "false"\nsensitive_log_mode: false\n', infra_service_config: 'debug_mode: "true"\n' })).toEqual([
      { section: 'launch', field: 'istio_enabled', value: 'false' },
      { section: 'infra', field: 'debug_mode', value: 'true' },
    ]);
  });
});
