import { describe, expect, it } from '@jest/globals';
import check, { formatProblem, isGcpProjectId, isPlaceholder, judgeBrokerType } from '../../../checks/values/broker.js';
import { MATRIX } from '../../../src/matrix/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const key = (name: string) => ({ kind: 'HelmValues', name });

testCheck(check, {
  valid: [
    { name: 'aws-good (sqs)', values: [V('aws-good')] },
    { name: 'azure-good (servicebus)', values: [V('azure-good')] },
    { name: 'gcp-good (redis + Pub/Sub project)', values: [V('gcp-good')] },
    { name: 'onprem-good (redis + celery_broker_type_redis)', values: [V('onprem-good')] },
    { name: 'GCP project only in infra.gcp_project_id', values: [V('gcp-good'), V('broker-gcp-infra-project')] },
    { name: 'on-prem flag set in the infra block instead', values: [V('onprem-good'), V('broker-onprem-no-redis-flag')], set: ['config.values.infra.celery_broker_type_redis=true'] },
    { name: 'values_sample.yaml on AWS', values: [V('values_sample')] },
    // facts §10.1, §3: context circleci → CIRCLECI=true → Redis everywhere, on AWS too.
    { name: 'context circleci on AWS with celeryBrokerType redis', values: [V('aws-good'), V('broker-circleci')] },
  ],
  invalid: [
    { name: 'elasticache', values: [V('onprem-good'), V('broker-elasticache')], errors: [{ messageId: 'invalid', status: 'fail', object: key('celeryBrokerType') }] },
    { name: 'missing', values: [V('aws-good'), V('broker-missing')], errors: [{ messageId: 'missing', status: 'fail', object: key('celeryBrokerType') }] },
    { name: 'sqs on Azure', values: [V('azure-good'), V('broker-azure-sqs')], errors: [{ messageId: 'cloudMismatch', status: 'fail', object: key('celeryBrokerType') }] },
    { name: 'on-prem without celery_broker_type_redis', values: [V('onprem-good'), V('broker-onprem-no-redis-flag')], errors: [{ messageId: 'redisFlagMissing', status: 'fail', object: key('celery_broker_type_redis') }] },
    { name: 'context circleci with celeryBrokerType sqs', values: [V('aws-good'), V('broker-circleci')], set: ['celeryBrokerType=sqs'], errors: [{ messageId: 'cloudMismatch', status: 'fail', object: key('celeryBrokerType') }] },
    { name: 'celery_broker_type_redis on AWS', values: [V('aws-good'), V('broker-aws-redis-flag')], errors: [{ messageId: 'redisFlagConflict', status: 'fail', object: key('celery_broker_type_redis') }] },
    { name: 'celery_broker_type_redis on Azure', values: [V('azure-good'), V('broker-aws-redis-flag')], errors: [{ messageId: 'redisFlagConflict', status: 'fail' }] },
    { name: 'Azure without a Service Bus namespace', values: [V('azure-good'), V('broker-azure-no-namespace')], errors: [{ messageId: 'valueMissing', status: 'fail', object: key('azure.servicebus_namespace') }] },
    { name: 'Azure namespace as a host name', values: [V('azure-good'), V('broker-azure-namespace-fqdn')], errors: [{ messageId: 'valueFormat', status: 'fail', object: key('azure.servicebus_namespace') }] },
    { name: 'GCP placeholder project', values: [V('gcp-good'), V('broker-gcp-placeholder')], errors: [{ messageId: 'valuePlaceholder', status: 'fail', object: key('gcp.project_id') }] },
    { name: 'GCP without a project', values: [V('gcp-good'), V('broker-gcp-no-project')], errors: [{ messageId: 'valueMissing', status: 'fail', object: key('gcp.project_id') }] },
    { name: 'on-prem without a broker Redis host', values: [V('onprem-good'), V('broker-onprem-no-redis-host')], errors: [{ messageId: 'redisHostMissing', status: 'fail', object: key('redisHost') }] },
    {
      name: 'values_sample.yaml switched to GCP',
      values: [V('values_sample'), V('broker-cloud-gcp')],
      errors: [
        { messageId: 'cloudMismatch', status: 'fail', object: key('celeryBrokerType') },
        { messageId: 'valuePlaceholder', status: 'fail', object: key('gcp.project_id') },
      ],
    },
  ],
});

describe('pure helpers', () => {
  it.each<[unknown, keyof typeof MATRIX, ReturnType<typeof judgeBrokerType>]>([
    ['sqs', 'aws', { kind: 'ok', type: 'sqs' }],
    ['servicebus', 'azure', { kind: 'ok', type: 'servicebus' }],
    ['redis', 'gcp', { kind: 'ok', type: 'redis' }],
    ['redis', 'onprem', { kind: 'ok', type: 'redis' }],
    ['elasticache', 'onprem', { kind: 'invalid', type: 'elasticache' }],
    ['SQS', 'aws', { kind: 'invalid', type: 'SQS' }],
    ['redis', 'aws', { kind: 'cloudMismatch', type: 'redis', expected: ['sqs'] }],
    ['sqs', 'onprem', { kind: 'cloudMismatch', type: 'sqs', expected: ['redis'] }],
    [null, 'aws', { kind: 'missing' }],
  ])('judgeBrokerType(%p) on %s', (raw, cloud, expected) => {
    expect(judgeBrokerType(raw, MATRIX[cloud])).toEqual(expected);
  });

  it.each<[string, boolean]>([
    ['acme-ml-prod', true],
    ['your-gcp-project', true],
    ['my-project', true],
    ['Acme-ML', false],
    ['418273645091', false],
    ['proj', false],
    ['acme-ml-prod-', false],
  ])('isGcpProjectId(%p) = %p', (id, ok) => {
    expect(isGcpProjectId(id)).toBe(ok);
  });

  it.each<[string, boolean]>([
    ['your-gcp-project', true],
    ['<gcp-project-id>', true],
    ['000000000000', true],
    ['acme-ml-prod', false],
    ['my-llm-prod', false],
  ])('isPlaceholder(%p) = %p', (v, expected) => {
    expect(isPlaceholder(v)).toBe(expected);
  });

  it('formatProblem strips the Service Bus domain', () => {
    expect(formatProblem('servicebus-namespace', 'acme.servicebus.windows.net')?.suggestion).toBe('acme');
    expect(formatProblem('servicebus-namespace', 'sb://acme.servicebus.windows.net/')?.suggestion).toBe('acme');
    expect(formatProblem('servicebus-namespace', 'acme')).toBeUndefined();
    expect(formatProblem('gcp-project-id', 'Acme Prod')?.why).toMatch(/not a GCP project id/);
  });
});

describe('messages', () => {
  it('elasticache names the ValueError and the source of the bad advice', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('onprem-good'), V('broker-elasticache')] });
    if (r?.status !== 'fail') throw new Error('expected a failure');
    expect(r.message).toContain('ValueError("Only \'redis\', \'sqs\', and \'servicebus\' are supported values for broker_type, got value elasticache")');
    expect(r.message).toContain('values_sample.yaml and the cloud support matrix suggest "elasticache"');
    expect(r.remediation.values).toBe('celeryBrokerType: redis\n');
    expect(r.evidence[0]).toMatchObject({ path: 'celeryBrokerType', value: 'elasticache', source: { line: 2, column: 1 } });
  });
});

describe('values/broker follows context circleci', () => {
  it('passes with the reason (CIRCLECI=true → Redis everywhere)', async () => {
    const [r] = await runCase(check, { name: 'ci', values: [V('aws-good'), V('broker-circleci')] });
    expect(r).toMatchObject({ status: 'pass', messageId: 'ciRedis' });
    expect(r!.message).toContain('CIRCLECI=true');
  });
});
