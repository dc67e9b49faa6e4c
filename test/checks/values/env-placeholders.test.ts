import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/values/env-placeholders.js';
import registryPrefix from '../../../checks/values/registry-prefix.js';
import awsIdentity from '../../../checks/values/aws-identity.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;

testCheck(check, {
  valid: [{ name: "lower-case ${queue_name} fields are model-engine's own (values_sample)", values: [v('values_sample')] }],
  invalid: [
    {
      name: 'an envsubst template',
      values: [v('env-placeholders')],
      errors: [{ messageId: 'unexpanded', object: { kind: 'HelmValues', name: 'serviceAccount.annotations["eks.amazonaws.com/role-arn"]' } }],
    },
  ],
});

describe('values/env-placeholders: one finding, and the shape checks step aside', () => {
  it('lists every key and every name, with file:line', async () => {
    const [r] = await runCase(check, { name: 't', values: [v('env-placeholders')] });
    expect(r!.message).toBe(
      '2 values still hold environment placeholders ($AWS_ACCOUNT_ID), e.g. serviceAccount.annotations["eks.amazonaws.com/role-arn"]: helm does not expand them, so model-engine would use the literal text',
    );
    expect(r!.evidence.map((e) => (e.type === 'values' ? `${e.path}:${e.source?.line}` : ''))).toEqual([
      'serviceAccount.annotations["eks.amazonaws.com/role-arn"]:6',
      'config.values.infra.docker_repo_prefix:11',
    ]);
    expect(r!.remediation?.commands).toContain('export AWS_ACCOUNT_ID=<value>');
  });

  it('registry-prefix and aws-identity do not give a wrong "fix" for a placeholder', async () => {
    const prefix = await runCase(registryPrefix, { name: 't', values: [v('env-placeholders')] });
    expect(prefix.map((r) => r.messageId)).not.toContain('prefixMalformed');
    const ids = await runCase(awsIdentity, { name: 't', values: [v('env-placeholders')] });
    expect(ids.map((r) => r.messageId)).not.toContain('roleArnMalformed');
  });
});
