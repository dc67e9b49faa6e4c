import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import check, { parseRoleArn, roleArnProblem } from '../../../checks/values/aws-identity.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const GOOD = 'fixtures/values/aws-good.yaml';
const v = (name: string) => `fixtures/values/${name}.yaml`;
const SA = 'serviceAccount.annotations["eks.amazonaws.com/role-arn"]';
const BUILDER = 'imageBuilderServiceAccount.annotations["eks.amazonaws.com/role-arn"]';
const ENDPOINT = 'serviceTemplate.serviceAccountAnnotations["eks.amazonaws.com/role-arn"]';
// aws-good.yaml installs into namespace model-engine (its aws.configMap.namespaces say so): preflight -n model-engine.
const NS = 'model-engine';

testCheck(check, {
  valid: [
    { name: 'aws-good.yaml, helm install -n model-engine', values: [GOOD], namespace: NS },
    { name: 'aws-good.yaml, cloud given by flag', values: [GOOD], namespace: NS, cloud: 'aws' },
  ],
  invalid: [
    {
      name: "the docs' placeholder account 000000000000",
      values: [GOOD, v('aws-identity-placeholder')],
      namespace: NS,
      errors: [{ messageId: 'placeholderAccount', status: 'fail', object: { kind: 'HelmValues', name: SA } }],
    },
    {
      name: 'an ARN with a region, an 11-digit account, no endpoint role',
      values: [GOOD, v('aws-identity-malformed')],
      namespace: NS,
      errors: [
        { messageId: 'roleArnMalformed', status: 'fail', object: { kind: 'HelmValues', name: SA } },
        { messageId: 'roleArnMalformed', status: 'fail', object: { kind: 'HelmValues', name: BUILDER } },
        { messageId: 'roleArnMissing', status: 'warn', object: { kind: 'HelmValues', name: ENDPOINT } },
      ],
    },
    {
      name: 'aws.configMap without namespaces creates no ConfigMap',
      values: [GOOD, v('aws-identity-no-configmap-namespaces')],
      namespace: NS,
      errors: [{ messageId: 'configMapNoNamespaces', status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.namespaces' } }],
    },
    {
      name: 'the AWS ConfigMap only in the release namespace',
      values: [GOOD, v('aws-identity-configmap-partial')],
      namespace: NS,
      errors: [{ messageId: 'configMapNamespacesIncomplete', status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.namespaces' } }],
    },
    {
      // Issue 12 §5: offline without -n the release namespace is assumed ("default"); the list names model-engine.
      name: 'no -n and no cluster: the assumed release namespace is not a failure, but a warning saying so',
      values: [GOOD, v('aws-identity-configmap-release-ns')],
      errors: [{ messageId: 'configMapNamespaceAssumed', status: 'warn', object: { kind: 'HelmValues', name: 'aws.configMap.namespaces' } }],
    },
    {
      name: 'installing into another namespace than the ConfigMap list names',
      values: [GOOD],
      namespace: 'llm-control',
      errors: [{ messageId: 'configMapNamespacesIncomplete', status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.namespaces' } }],
    },
    {
      name: 'values_sample.yaml as shipped',
      values: [v('values_sample')],
      namespace: NS,
      errors: [
        { messageId: 'placeholderAccount', status: 'fail', object: { kind: 'HelmValues', name: SA } },
        { messageId: 'placeholderAccount', status: 'fail', object: { kind: 'HelmValues', name: BUILDER } },
        { messageId: 'placeholderAccount', status: 'fail', object: { kind: 'HelmValues', name: ENDPOINT } },
        { messageId: 'configMapNoNamespaces', status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.namespaces' } },
      ],
    },
  ],
});

describe('values/aws-identity findings', () => {
  it('names the key, its file:line and gives a snippet listing both namespaces', async () => {
    const results = await runCase(check, { name: '', values: [GOOD, v('aws-identity-no-configmap-namespaces')], namespace: NS });
    const r = results.find((x) => x.messageId === 'configMapNoNamespaces')!;
    expect(r.message).toContain('ConfigMap default-config');
    expect(r.evidence[0]).toMatchObject({ path: 'aws.configMap.namespaces', missing: true, source: { file: expect.stringContaining('aws-identity-no-configmap-namespaces.yaml'), line: 4 } });
    expect(r.status === 'fail' && parse(r.remediation.values!)).toEqual({
      aws: { configMap: { name: 'default-config', create: true, namespaces: ['model-engine', 'llm-engine'] }, profileName: 'default' },
    });
  });

  it('points the placeholder at the line the user wrote', async () => {
    const results = await runCase(check, { name: '', values: [GOOD, v('aws-identity-placeholder')], namespace: NS });
    const r = results.find((x) => x.messageId === 'placeholderAccount')!;
    expect(r.evidence[0]).toMatchObject({ path: SA, source: { file: expect.stringContaining('aws-identity-placeholder.yaml'), line: 4 } });
    expect(r.status === 'fail' && parse(r.remediation.values!)).toEqual({ serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::<account id>:role/<role name>' } } });
  });
});

describe('role ARN parsing', () => {
  it.each<[string, { partition: string; account: string; path: string; name: string }]>([
    ['arn:aws:iam::482093716652:role/k8s-prod-use1-llm-engine', { partition: 'aws', account: '482093716652', path: '/', name: 'k8s-prod-use1-llm-engine' }],
    ['arn:aws-cn:iam::482093716652:role/service-role/llm', { partition: 'aws-cn', account: '482093716652', path: '/service-role/', name: 'llm' }],
    ['arn:aws-us-gov:iam::482093716652:role/a/b/c+=,.@_-', { partition: 'aws-us-gov', account: '482093716652', path: '/a/b/', name: 'c+=,.@_-' }],
  ])('parses %s', (arn, want) => expect(parseRoleArn(arn)).toEqual({ arn: want }));

  it.each<[unknown, string]>([
    ['', 'is empty'],
    ['k8s-main-llm-engine', 'is not an ARN'],
    ['arn:aws:iam::482093716652:user/ci', 'names a "user", not a role'],
    ['arn:aws:iam:us-east-1:482093716652:role/x', 'has a region'],
    ['arn:aws:iam::48209371665:role/x', 'AWS account ids are 12 digits'],
    ['arn:aws:sts::482093716652:assumed-role/x/y', 'is an sts ARN'],
    ['arn:azure:iam::482093716652:role/x', 'has partition "azure"'],
    ['arn:aws:iam::482093716652:role/' + 'x'.repeat(65), 'invalid role name'],
    ['arn:aws:iam::482093716652:role/has space', 'invalid role name'],
    [' arn:aws:iam::482093716652:role/x', 'whitespace'],
  ])('rejects %p', (arn, why) => {
    const r = parseRoleArn(arn);
    expect('problem' in r && r.problem).toEqual(expect.stringContaining(why));
  });

  it.each<[string, boolean]>([
    ['arn:aws:iam::000000000000:role/k8s-main-llm-engine', true],
    ['arn:aws:iam::482093716652:role/k8s-main-llm-engine', false],
  ])('placeholder account in %s: %p', (arn, placeholder) => expect(roleArnProblem(arn)?.placeholder ?? false).toBe(placeholder));
});

describe('values/aws-identity and the assumed namespace', () => {
  it('names the namespace it assumed and how to state it', async () => {
    const rs = await runCase(check, { name: 'no -n', values: [GOOD, v('aws-identity-configmap-release-ns')] });
    const r = rs.find((x) => x.messageId === 'configMapNamespaceAssumed')!;
    expect(r.status).toBe('warn');
    expect(r.message).toContain('default, which the doctor assumed as the release namespace (no -n given)');
    expect(r.remediation?.commands?.[0]).toContain('-n <release namespace>');
    expect(rs.some((x) => x.status === 'fail' && x.messageId.startsWith('configMap'))).toBe(false);
    // Stated with -n, the same values pass.
    const stated = await runCase(check, { name: '-n model-engine', values: [GOOD, v('aws-identity-configmap-release-ns')], namespace: NS });
    expect(stated.find((x) => x.messageId.startsWith('configMap'))?.messageId).toBe('configMapOk');
  });
});
