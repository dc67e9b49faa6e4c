import { describe, expect, it } from '@jest/globals';
import check, { judgeCloudProvider } from '../../../checks/values/cloud-provider.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const key = (name: string) => ({ kind: 'HelmValues', name });

testCheck(check, {
  valid: [
    { name: 'aws-good', values: [V('aws-good')] },
    { name: 'azure-good', values: [V('azure-good')] },
    { name: 'gcp-good', values: [V('gcp-good')] },
    { name: 'onprem-good', values: [V('onprem-good')] },
    { name: '--cloud agrees with the values', values: [V('azure-good')], cloud: 'azure' },
    { name: 'values_sample.yaml (aws)', values: [V('values_sample')] },
  ],
  invalid: [
    { name: 'missing', values: [V('aws-good'), V('cloud-provider-missing')], errors: [{ messageId: 'missing', object: key('config.values.infra.cloud_provider') }] },
    { name: 'capitalised', values: [V('aws-good'), V('cloud-provider-invalid')], errors: [{ messageId: 'invalid', object: key('config.values.infra.cloud_provider') }] },
    { name: '--cloud disagrees', values: [V('aws-good')], cloud: 'azure', errors: [{ messageId: 'mismatch', object: key('config.values.infra.cloud_provider') }] },
    { name: 'invalid even with --cloud', values: [V('aws-good'), V('cloud-provider-invalid')], cloud: 'azure', errors: [{ messageId: 'invalid' }] },
  ],
});

describe('judgeCloudProvider', () => {
  it.each<[unknown, Parameters<typeof judgeCloudProvider>[1], ReturnType<typeof judgeCloudProvider>]>([
    ['aws', undefined, { kind: 'ok', cloud: 'aws' }],
    ['onprem', 'onprem', { kind: 'ok', cloud: 'onprem' }],
    [undefined, undefined, { kind: 'missing' }],
    ['', 'aws', { kind: 'missing' }],
    ['Azure', undefined, { kind: 'invalid', value: 'Azure', suggestion: 'azure' }],
    ['eks', undefined, { kind: 'invalid', value: 'eks', suggestion: 'aws' }],
    ['on-prem', undefined, { kind: 'invalid', value: 'on-prem', suggestion: 'onprem' }],
    ['openstack', undefined, { kind: 'invalid', value: 'openstack' }],
    [true, undefined, { kind: 'invalid', value: 'true' }],
    ['gcp', 'aws', { kind: 'mismatch', cloud: 'gcp', flag: 'aws' }],
  ])('%p with --cloud %p', (value, flag, expected) => {
    expect(judgeCloudProvider(value, flag)).toEqual(expected);
  });
});

describe('findings name the key and its line', () => {
  it('points at the line of cloud_provider and suggests the lowercase value', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('cloud-provider-invalid')] });
    expect(r?.status).toBe('fail');
    expect(r?.evidence[0]).toMatchObject({ type: 'values', path: 'config.values.infra.cloud_provider', value: 'Azure', source: { line: 5, column: 7 } });
    expect(r?.evidence[0]?.type === 'values' && r.evidence[0].source?.file).toMatch(/cloud-provider-invalid\.yaml$/);
    expect(r?.status === 'fail' && r.remediation.values).toBe('config:\n  values:\n    infra:\n      cloud_provider: azure\n');
  });

  it('says missing when a null removed it', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('cloud-provider-missing')] });
    expect(r?.evidence[0]).toMatchObject({ missing: true, source: { line: 5 } });
  });
});
