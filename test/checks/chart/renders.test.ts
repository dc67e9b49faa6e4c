import { describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import check from '../../../checks/chart/renders.js';
import { createChartPort } from '../../../src/sources/helm/render.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';

const SAMPLE = 'fixtures/values/values_sample.yaml';
const GOOD = 'fixtures/values/aws-good.yaml';
const MISSING = 'fixtures/values/chart-keys-missing.yaml';

describeWithHelm('chart/renders against the shared chart 0.2.7 and the real helm', ({ helm, chart }) => {
  const port = (files: string[]) => fixtureChartPort(helm, chart, files);
  testCheck(check, {
    valid: [{ name: 'values_sample.yaml renders (-n model-engine)', values: [SAMPLE], namespace: 'model-engine', ports: { chart: port([SAMPLE]) } }],
    invalid: [
      // facts §1.1: the chart's values.yaml has no config/triton/…; its templates dereference them.
      { name: "aws-good.yaml without triton (and more): helm's nil pointer", values: [GOOD, MISSING], namespace: 'model-engine', ports: { chart: port([GOOD, MISSING]) }, errors: [{ messageId: 'failed' }] },
      { name: 'no -n: the namespace is assumed, and says so', values: [SAMPLE], ports: { chart: fixtureChartPort(helm, chart, [SAMPLE], 'default') }, errors: [{ messageId: 'namespaceAssumed', status: 'warn' }] },
    ],
  });

  it("helm's multi-line error is one line naming the template and the value", async () => {
    const [r] = await runCase(check, { name: 'x', values: [GOOD, MISSING], namespace: 'model-engine', ports: { chart: port([GOOD, MISSING]) } });
    expect(r!.message).toMatch(/^helm template fails with these values: model-engine\/templates\/service_template_config_map\.yaml:\d+:\d+ executing .* at <\.Values\.triton\.image\.repository>: nil pointer evaluating interface \{\}\.image; helm install and helm upgrade would fail the same way$/);
  });
});

describe('chart/renders without a chart or without helm', () => {
  it('no --chart: a skip that says how to render one', async () => {
    const [r] = await runCase(check, { name: 'x', values: [SAMPLE] });
    expect(r).toMatchObject({ status: 'skip', messageId: 'noChart' });
  });

  it('a folder that is not a chart: one line saying so', async () => {
    const port = createChartPort({ chartPath: 'fixtures', release: 'r', namespace: 'n', flags: {}, helm: '/nonexistent/helm' });
    const [r] = await runCase(check, { name: 'x', values: [SAMPLE], ports: { chart: port } });
    expect(r).toMatchObject({ status: 'fail', messageId: 'failed' });
    expect(r!.message).toContain('fixtures is not a helm chart (no readable Chart.yaml with a name)');
  });

  it('helm missing (the chart came from --llm-engine-repo): a skip naming why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'med-chart-'));
    await writeFile(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: model-engine\nversion: 0.2.7\n');
    try {
      const port = createChartPort({ chartPath: dir, release: 'r', namespace: 'n', flags: {}, helm: '/nonexistent/helm' });
      const [r] = await runCase(check, { name: 'x', values: [SAMPLE], ports: { chart: port } });
      expect(r).toMatchObject({ status: 'skip', messageId: 'noHelm' });
      expect(r!.message).toContain('/nonexistent/helm could not be run (not found)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
