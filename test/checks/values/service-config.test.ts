import { describe, expect, it } from '@jest/globals';
import check, { missingFields, REQUIRED_INFRA, REQUIRED_LAUNCH, storageSchemeOf } from '../../../checks/values/service-config.js';
import { valuesSnippet } from '../../../checks/values/support/snippet.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const key = (name: string) => ({ kind: 'HelmValues', name });

testCheck(check, {
  valid: [
    { name: 'aws-good', values: [V('aws-good')] },
    { name: 'azure-good', values: [V('azure-good')] },
    { name: 'gcp-good', values: [V('gcp-good')] },
    { name: 'onprem-good', values: [V('onprem-good')] },
  ],
  invalid: [
    {
      name: 'values_sample.yaml: the renamed fine-tune key',
      values: [V('values_sample')],
      errors: [{ messageId: 'fineTuneKeyRenamed', status: 'fail', object: key('config.values.launch.s3_file_llm_fine_tuning_job_repository') }],
    },
    { name: 'renamed key only', values: [V('gcp-good'), V('service-config-renamed-fine-tune')], errors: [{ messageId: 'fineTuneKeyRenamed', status: 'fail' }] },
    { name: 'old key beside the new one', values: [V('aws-good'), V('service-config-both-fine-tune')], errors: [{ messageId: 'fineTuneKeyStale', status: 'warn' }] },
    {
      name: 'AWS-looking fields dropped',
      values: [V('onprem-good'), V('service-config-missing-fields')],
      errors: [
        { messageId: 'fieldMissing', status: 'fail', object: key('config.values.infra.ml_account_id') },
        { messageId: 'fieldMissing', status: 'fail', object: key('config.values.launch.billing_queue_arn') },
        { messageId: 'fieldMissing', status: 'fail', object: key('config.values.launch.sqs_queue_policy_template') },
        { messageId: 'fieldMissing', status: 'fail', object: key('config.values.launch.sensitive_log_mode') },
      ],
    },
    { name: 'no launch block', values: [V('aws-good'), V('service-config-no-launch')], errors: [{ messageId: 'blockMissing', status: 'fail', object: key('config.values.launch') }] },
    {
      name: 's3:// URLs on Azure',
      values: [V('azure-good'), V('service-config-wrong-scheme')],
      errors: [
        { messageId: 'storageScheme', status: 'fail', object: key('config.values.launch.cloud_file_llm_fine_tune_repository') },
        { messageId: 'storageScheme', status: 'fail', object: key('config.values.launch.hf_user_fine_tuned_weights_prefix') },
      ],
    },
    { name: 'quoted "false"', values: [V('aws-good'), V('service-config-quoted-bool')], errors: [{ messageId: 'quotedBoolean', status: 'fail', object: key('config.values.launch.istio_enabled') }] },
    { name: 'no context', values: [V('gcp-good'), V('service-config-no-context')], errors: [{ messageId: 'contextMissing', status: 'warn', object: key('context') }] },
    { name: 'bucket as URL', values: [V('aws-good'), V('service-config-bucket-url')], errors: [{ messageId: 'bucketHasScheme', status: 'warn', object: key('config.values.infra.s3_bucket') }] },
  ],
});

describe('pure helpers', () => {
  it('missingFields: absent and null are missing, false and "" are present', () => {
    const launch = Object.fromEntries(Object.keys(REQUIRED_LAUNCH).map((k) => [k, 'x']));
    expect(missingFields(launch, REQUIRED_LAUNCH)).toEqual([]);
    expect(missingFields({ ...launch, istio_enabled: false, sqs_profile: '', vllm_repository: null, tgi_repository: undefined }, REQUIRED_LAUNCH)).toEqual([
      'tgi_repository',
      'vllm_repository',
    ]);
    expect(missingFields(undefined, REQUIRED_INFRA)).toEqual(Object.keys(REQUIRED_INFRA));
    expect(missingFields('a string', REQUIRED_INFRA)).toEqual(Object.keys(REQUIRED_INFRA));
  });

  it('the required lists match the config classes (facts §2.1/§2.2) minus chart-injected and separately-checked fields', () => {
    expect(Object.keys(REQUIRED_LAUNCH)).toHaveLength(19);
    expect(REQUIRED_LAUNCH).not.toHaveProperty('gateway_namespace');
    expect(REQUIRED_LAUNCH).not.toHaveProperty('dd_trace_enabled');
    expect(Object.keys(REQUIRED_INFRA).sort()).toEqual(['default_region', 'dns_host_domain', 'k8s_cluster_name', 'ml_account_id', 's3_bucket']);
  });

  it.each<[string, string | undefined]>([
    ['s3://b/p', 's3://'],
    ['AZ://c/p', 'az://'],
    ['gs://b', 'gs://'],
    ['llm-engine/p', undefined],
    ['https://acct.blob.core.windows.net/c', 'https://'],
  ])('storageSchemeOf(%p)', (url, scheme) => {
    expect(storageSchemeOf(url)).toBe(scheme);
  });

  it('valuesSnippet nests paths once, quotes what YAML would misread, and bracket keys', () => {
    expect(
      valuesSnippet([
        { path: 'config.values.launch.cloud_file_llm_fine_tune_repository', value: 's3://b/ft' },
        { path: 'config.values.launch.istio_enabled', value: true },
        { path: 'config.values.infra.ml_account_id', value: '000000000001' },
        { path: ['serviceAccount', 'annotations', 'eks.amazonaws.com/role-arn'], value: 'arn:aws:iam::1:role/x' },
        { path: 'tag', value: 'latest', comment: 'no' },
        { path: 'config.values.launch.sqs_queue_tag_template', value: '{}' },
        { path: 'serviceAccount.namespaces', value: ['llm-engine', 'default'] },
        { path: 'redisPort', value: '6379' },
        { path: 'x', value: null },
      ]),
    ).toBe(
      [
        'config:',
        '  values:',
        '    launch:',
        '      cloud_file_llm_fine_tune_repository: s3://b/ft',
        '      istio_enabled: true',
        '      sqs_queue_tag_template: "{}"',
        '    infra:',
        '      ml_account_id: "000000000001"',
        'serviceAccount:',
        '  annotations:',
        '    "eks.amazonaws.com/role-arn": arn:aws:iam::1:role/x',
        '  namespaces:',
        '    - llm-engine',
        '    - default',
        'tag: latest  # no',
        'redisPort: "6379"',
        'x: null',
        '',
      ].join('\n'),
    );
  });
});

describe('remediation', () => {
  it('the rename keeps the value and removes the old key', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('values_sample')] });
    const r = rs.find((x) => x.messageId === 'fineTuneKeyRenamed');
    if (r?.status !== 'fail') throw new Error('expected a failure');
    expect(r.remediation.values).toBe(
      'config:\n  values:\n    launch:\n      s3_file_llm_fine_tuning_job_repository: null  # renamed in #551\n      cloud_file_llm_fine_tune_repository: s3://llm-engine/llm-ft-job-repository\n',
    );
    expect(r.evidence.map((e) => e.type === 'values' && [e.path, e.missing, e.source?.line])).toEqual([
      ['config.values.launch.s3_file_llm_fine_tuning_job_repository', false, 220],
      ['config.values.launch.cloud_file_llm_fine_tune_repository', true, undefined],
    ]);
    // no separate "missing field" finding for the renamed key
    expect(rs.filter((x) => x.messageId === 'fieldMissing')).toEqual([]);
  });

  it('wrong scheme: same path, the cloud scheme', async () => {
    const rs = await runCase(check, { name: 'x', values: [V('azure-good'), V('service-config-wrong-scheme')] });
    const r = rs.find((x) => x.object?.name.endsWith('hf_user_fine_tuned_weights_prefix'));
    if (r?.status !== 'fail') throw new Error('expected a failure');
    expect(r.message).toBe(
      'config.values.launch.hf_user_fine_tuned_weights_prefix is "s3://llm-engine/fine_tuned_weights", but Azure object storage needs az:// URLs (ABSFilesystemGateway)',
    );
    expect(r.remediation.values).toContain('hf_user_fine_tuned_weights_prefix: az://llm-engine/fine_tuned_weights');
  });
});
