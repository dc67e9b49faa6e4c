import { describe, expect, it } from '@jest/globals';
import check, { mergedSnippet } from '../../../checks/values/chart-keys.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;

testCheck(check, {
  valid: [
    { name: 'values_sample.yaml sets every key the templates dereference', values: [V('values_sample')] },
    { name: 'aws-good.yaml', values: [V('aws-good')] },
  ],
  invalid: [
    // facts §1.1: the chart's values.yaml has no triton/imageCache/config…, which its templates read.
    { name: 'aws-good.yaml without virtualservice, destinationrule, hostDomain, triton', values: [V('aws-good'), V('chart-keys-missing')], errors: [{ messageId: 'missing', object: { kind: 'HelmValues', name: 'virtualservice' } }] },
  ],
});

describe('values/chart-keys', () => {
  it('lists every missing key, with one merged snippet', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('chart-keys-missing')] });
    expect(r!.message).toBe(
      'helm install stops before creating anything: the chart\'s templates read virtualservice, hostDomain, destinationrule, triton.image without a default, and these values do not set them (templates/service_template_config_map.yaml: "nil pointer evaluating …")',
    );
    expect(r!.remediation?.values).toContain('triton:\n  image:');
  });

  it('one autoscaling block in the snippet, not three', () => {
    const s = mergedSnippet(['autoscaling:\n  horizontal:\n    enabled: false', 'autoscaling:\n  vertical:\n    enabled: false']);
    expect(s).toBe('autoscaling:\n  horizontal:\n    enabled: false\n  vertical:\n    enabled: false\n');
  });

  it('with a chart rendered in the run, helm answers instead (chart/renders)', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('chart-keys-missing')], ports: { chart: { path: 'x', render: async () => ({ ok: false, kind: 'helm-error', error: 'e', command: 'c', chartPath: 'x' }) } } });
    expect(r).toMatchObject({ status: 'skip', messageId: 'judgedByRender' });
  });
});
