import { describe, expect, it } from '@jest/globals';
import check, { quotedBooleans } from '../../../checks/chart/service-config.js';
import valuesCheck from '../../../checks/values/service-config.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';
import { editedChart, itSkipsWithoutChart } from '../../support/chart-cases.js';
import type { RenderedObject } from '../../../src/engine/ports/chart.js';

const SAMPLE = 'fixtures/values/values_sample.yaml';
const GOOD = 'fixtures/values/chart-good.yaml';
const NS = 'model-engine';

/** The rendered service ConfigMaps' data, edited in place. */
const editConfig = (edit: (data: Record<string, string>) => void) => (objects: RenderedObject[]) => {
  for (const o of objects) if (o.object.kind === 'ConfigMap' && o.object.metadata.name === 'model-engine-service-config') edit((o.object as unknown as { data: Record<string, string> }).data);
  return objects;
};
const CM = { kind: 'ConfigMap', namespace: NS, name: 'model-engine-service-config' };

describeWithHelm('chart/service-config on the shared chart 0.2.7', ({ helm, chart }) => {
  const c = (name: string, files: string[]) => ({ name, values: files, namespace: NS, ports: { chart: fixtureChartPort(helm, chart, files) } });
  /** chart-good.yaml rendered by the real chart, then edited as a forked chart would render it (simulated). */
  const fork = (name: string, edit: (objects: RenderedObject[]) => RenderedObject[]) => ({ name, values: [GOOD], namespace: NS, ports: { chart: editedChart(fixtureChartPort(helm, chart, [GOOD]), edit) } });
  testCheck(check, {
    valid: [c('values_sample.yaml with the fine-tune key renamed', [GOOD])],
    invalid: [
      // facts §2.1: s3_file_llm_fine_tuning_job_repository is not a field (renamed in #551).
      { ...c('values_sample.yaml as shipped: the pre-#551 fine-tune key', [SAMPLE]), errors: [{ messageId: 'renamedKey', object: { kind: 'ConfigMap', namespace: NS, name: 'model-engine-service-config' } }] },
      { ...c('a quoted "false": rendered as a string, true to Python', [GOOD, 'fixtures/values/service-config-quoted-bool.yaml']), errors: [{ messageId: 'quotedBoolean', status: 'fail' }] },
      { ...c('required launch fields left out (facts §2.1)', ['fixtures/values/chart-missing-fields.yaml']), errors: [{ messageId: 'missingFields' }] },
      // A values null is kept by helm where the chart has no default: the key renders empty (None), not missing.
      // facts §2.1: the old key beside the new one is harmless but dead (model-engine reads only the new name).
      { ...c('the pre-#551 fine-tune key kept beside its new name', [GOOD, 'fixtures/values/service-config-stale-key.yaml']), errors: [{ messageId: 'staleKey', status: 'warn', severity: 'low', object: CM }] },
      // Chart 0.2.7 renders the ConfigMap whenever config.values is set (and fails to render without it): only a forked chart gets here.
      { ...fork('a forked chart that renders no service ConfigMap (simulated: real render, ConfigMaps removed)', (os) => os.filter((o) => !o.object.metadata.name.endsWith('-service-config'))), errors: [{ messageId: 'notRenderedConfig', status: 'fail' }] },
      { ...fork('a forked chart without infra_service_config in the ConfigMap (simulated: real render, key removed)', editConfig((d) => delete d.infra_service_config)), errors: [{ messageId: 'missingKey', status: 'fail', object: CM }] },
      {
        // Chart 0.2.7 quotes every value (sprig quote); a fork that writes `{{ $key }}: {{ $value }}` breaks on a value with ": ".
        ...fork('a forked chart that renders a value unquoted: "audit: on" breaks the YAML (simulated: real render, line added)', editConfig((d) => (d.launch_service_config += '\nsensitive_log_mode_reason: audit: on'))),
        errors: [{ messageId: 'unparseable', status: 'fail', object: CM }],
      },
      { ...c('required fields set to null: rendered empty', [GOOD, 'fixtures/values/service-config-missing-fields.yaml']), errors: [{ messageId: 'emptyFields', status: 'warn' }, { messageId: 'emptyFields', status: 'warn', object: { kind: 'ConfigMap', name: 'model-engine-service-config' } }] },
    ],
  });

  it('a stale key names both keys, the rendered field and the values line to delete', async () => {
    const [r] = await runCase(check, c('x', [GOOD, 'fixtures/values/service-config-stale-key.yaml']));
    expect(r!.message).toBe('The rendered model-engine-service-config has both s3_file_llm_fine_tuning_job_repository and cloud_file_llm_fine_tune_repository; model-engine ignores s3_file_llm_fine_tuning_job_repository');
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'field', path: 'data.launch_service_config.s3_file_llm_fine_tuning_job_repository' }));
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'config.values.launch.s3_file_llm_fine_tuning_job_repository', source: expect.objectContaining({ line: 6 }) }));
    expect(r!.remediation?.summary).toBe('Delete config.values.launch.s3_file_llm_fine_tuning_job_repository.');
  });

  it("an unparseable config quotes the YAML parser's error and points at the rendered key", async () => {
    const [r] = await runCase(check, fork('x', editConfig((d) => (d.launch_service_config += '\nsensitive_log_mode_reason: audit: on'))));
    expect(r!.message).toMatch(/^The rendered model-engine-service-config \(model-engine and llm-engine\): launch_service_config is not YAML model-engine can load \(.*[Nn]ested mappings/);
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'field', path: 'data.launch_service_config' }));
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

itSkipsWithoutChart(check);
