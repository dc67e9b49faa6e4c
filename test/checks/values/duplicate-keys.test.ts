import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/values/duplicate-keys.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;

testCheck(check, {
  valid: [{ name: 'a file without repeated keys (aws-good)', values: [v('aws-good')] }],
  invalid: [
    {
      // facts §10.1: values_sample.yaml writes config.values.launch.sensitive_log_mode twice (both false).
      name: "model-engine's values_sample.yaml (sensitive_log_mode twice)",
      values: [v('values_sample')],
      errors: [{ messageId: 'duplicate', object: { kind: 'HelmValues', name: 'config.values.launch.sensitive_log_mode' } }],
    },
    {
      name: 'the launch and infra blocks pasted twice: 20 listed one by one, the other 15 in one finding',
      values: [v('aws-good'), v('duplicate-keys-pasted-twice')],
      errors: [...Array.from({ length: 20 }, () => ({ messageId: 'duplicate', status: 'warn' as const, severity: 'low' as const })), { messageId: 'more', status: 'warn', severity: 'low' }],
    },
    {
      name: 'a key repeated with another value',
      values: [v('duplicate-keys-differ')],
      errors: [{ messageId: 'duplicate', object: { kind: 'HelmValues', name: 'celeryBrokerType' } }],
    },
  ],
});

describe('values/duplicate-keys details', () => {
  it('names both lines, the kept value, and grades a same-value repeat low', async () => {
    const [r] = await runCase(check, { name: 'sample', values: [v('values_sample')] });
    expect(r).toMatchObject({ status: 'warn', severity: 'low' });
    expect(r!.message).toMatch(/config\.values\.launch\.sensitive_log_mode is written twice \(.*values_sample\.yaml:\d+ and line \d+\): helm keeps the second, false, and ignores the first \(both say the same today/);
  });

  it('a repeat with another value is medium and says which value helm uses', async () => {
    const [r] = await runCase(check, { name: 'differ', values: [v('duplicate-keys-differ')] });
    expect(r).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(r!.message).toContain('helm keeps the second, "servicebus", and ignores the first');
    expect(r!.evidence.filter((e) => e.type === 'values').map((e) => (e.type === 'values' ? e.source?.line : undefined))).toEqual([3, 9]);
  });

  it('skips values that do not come from files', async () => {
    const [r] = await runCase(check, { name: 'set only', set: ['tag=abc'] });
    expect(r).toMatchObject({ status: 'pass', messageId: 'none' });
  });
});

it('past the 20 listed, one finding counts the rest and names the linter that lists them all', async () => {
  const rs = await runCase(check, { name: 'x', values: [v('aws-good'), v('duplicate-keys-pasted-twice')] });
  const more = rs.find((r) => r.messageId === 'more')!;
  expect(more.message).toBe('15 more keys are written twice (the first 20 are listed above); helm keeps the last of each');
  expect(more.remediation?.summary).toContain('yamllint -d "{rules: {key-duplicates: enable}}"');
});
