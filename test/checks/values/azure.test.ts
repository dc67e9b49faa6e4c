import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import check, {
  containerProblem,
  guidProblem,
  identityProblem,
  keyvaultProblem,
  servicebusProblem,
  servicebusShortName,
  storageAccountProblem,
} from '../../../checks/values/azure.js';
import { keepAliveProblem } from '../../../src/model-engine/servicebus.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { loadValuesFiles } from '../../../src/sources/values/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';

const GOOD = 'fixtures/values/azure-good.yaml';
const v = (name: string) => `fixtures/values/${name}.yaml`;
const SA_ANNOTATION = 'serviceAccount.annotations["azure.workload.identity/client-id"]';
const ST_ANNOTATION = 'serviceTemplate.serviceAccountAnnotations["azure.workload.identity/client-id"]';

testCheck(check, {
  valid: [
    { name: 'azure-good.yaml', values: [GOOD] },
    { name: 'azure-good.yaml with an explicit 60 s keepalive', values: [GOOD, v('azure-keepalive-ok')] },
    { name: 'azure-good.yaml with the keepalive from a ConfigMap (valueFrom)', values: [GOOD, v('azure-keepalive-from-ref')] },
    { name: 'cloud given by flag', values: [GOOD], cloud: 'azure' },
  ],
  invalid: [
    {
      name: "the docs' zero GUID, a braced object id, a capitalised account, an underscore container",
      values: [GOOD, v('azure-bad-ids')],
      errors: [
        { messageId: 'malformed', status: 'fail', object: { kind: 'HelmValues', name: 'azure.client_id' } },
        { messageId: 'malformed', status: 'fail', object: { kind: 'HelmValues', name: 'azure.object_id' } },
        { messageId: 'malformed', status: 'fail', object: { kind: 'HelmValues', name: 'azure.abs_account_name' } },
        { messageId: 'malformed', status: 'fail', object: { kind: 'HelmValues', name: 'azure.abs_container_name' } },
      ],
    },
    {
      name: 'a Service Bus namespace too short to exist',
      values: [GOOD],
      set: ['azure.servicebus_namespace=llm'],
      errors: [{ messageId: 'malformed', status: 'fail', object: { kind: 'HelmValues', name: 'azure.servicebus_namespace' } }],
    },
    {
      name: 'no Kubernetes DB Secret, no azure.keyvault_name, only the unused top-level keyvaultName',
      values: [GOOD, v('azure-no-keyvault')],
      errors: [
        { messageId: 'keyvaultRequired', status: 'fail', object: { kind: 'HelmValues', name: 'azure.keyvault_name' } },
        { messageId: 'keyvaultNameUnused', status: 'warn', object: { kind: 'HelmValues', name: 'keyvaultName' } },
      ],
    },
    {
      name: 'manual Workload Identity annotations (one conflicting, one repeating azure.client_id)',
      values: [GOOD, v('azure-manual-annotation')],
      errors: [
        { messageId: 'clientIdAnnotationConflict', status: 'fail', object: { kind: 'HelmValues', name: SA_ANNOTATION } },
        { messageId: 'clientIdAnnotationDuplicate', status: 'warn', object: { kind: 'HelmValues', name: ST_ANNOTATION } },
      ],
    },
    {
      name: 'keepalive of 300 s (the idle limit itself)',
      values: [GOOD, v('azure-keepalive-bad')],
      errors: [{ messageId: 'keepAliveOutOfRange', status: 'fail', object: { kind: 'HelmValues', name: 'extraEnvVars[0].value' } }],
    },
    {
      name: 'keepalive as a YAML number',
      values: [GOOD, v('azure-keepalive-number')],
      errors: [{ messageId: 'keepAliveOutOfRange', status: 'fail', object: { kind: 'HelmValues', name: 'extraEnvVars[0].value' } }],
    },
    {
      // Moved from values/redis, which now only mentions the key: one finding for it, here.
      name: 'no object id (the cache Redis username)',
      values: [GOOD, v('redis-azure-no-object-id')],
      errors: [{ messageId: 'missing', status: 'fail', object: { kind: 'HelmValues', name: 'azure.object_id' } }],
    },
    {
      name: 'no azure block at all',
      values: [GOOD, v('azure-no-block')],
      errors: [{ messageId: 'blockMissing', status: 'fail', object: { kind: 'HelmValues', name: 'azure' } }],
    },
    {
      name: 'values_sample.yaml installed on Azure',
      values: [v('values_sample')],
      cloud: 'azure',
      errors: [
        { messageId: 'blockMissing', status: 'fail', object: { kind: 'HelmValues', name: 'azure' } },
        { messageId: 'keyvaultNameUnused', status: 'warn', object: { kind: 'HelmValues', name: 'keyvaultName' } },
      ],
    },
  ],
});

describe('values/azure findings', () => {
  it('points at the file and line of the bad key and gives a pasteable snippet', async () => {
    const results = await runCase(check, { values: [GOOD, v('azure-bad-ids')], name: '' });
    const r = results.find((x) => x.object?.name === 'azure.client_id')!;
    expect(r.status).toBe('fail');
    expect(r.message).toContain('all-zero placeholder');
    expect(r.evidence[0]).toMatchObject({ type: 'values', path: 'azure.client_id', source: { file: fixture(v('azure-bad-ids')), line: 3 } });
    expect(r.status === 'fail' && parse(r.remediation.values!)).toEqual({ azure: { client_id: '<managed identity client ID>' } });
    expect(results.some((x) => x.messageId === 'complete')).toBe(false);
  });

  it('says a key is missing and where the keyvaultName the user wrote sits', async () => {
    const results = await runCase(check, { values: [GOOD, v('azure-no-keyvault')], name: '' });
    const r = results.find((x) => x.messageId === 'keyvaultRequired')!;
    expect(r.evidence).toContainEqual(expect.objectContaining({ path: 'azure.keyvault_name', missing: true }));
    expect(r.evidence).toContainEqual(expect.objectContaining({ path: 'keyvaultName', value: 'acme-llm-engine-kv', source: expect.objectContaining({ line: 3 }) }));
    // The snippet moves the top-level name to the key the chart reads.
    expect(r.status === 'fail' && parse(r.remediation.values!.split('# or:')[0]!)).toEqual({ azure: { keyvault_name: 'acme-llm-engine-kv' } });
  });

  it('leaves a missing or full-hostname Service Bus namespace to values/broker (matrix brokerValues), without claiming completeness', async () => {
    const results = await runCase(check, { values: [GOOD, v('azure-servicebus-hostname')], name: '' });
    expect(results.filter((r) => r.object?.name === 'azure.servicebus_namespace')).toEqual([]);
    expect(results.some((r) => r.messageId === 'complete')).toBe(false);
  });

  it('reports the full hostname itself when the matrix declares no broker keys', async () => {
    const values = await loadValuesFiles([fixture(GOOD), fixture(v('azure-servicebus-hostname'))], []);
    const { context } = await resolveContext({ values });
    const results = await runCheck(check, { ...context, matrix: { ...context.matrix!, brokerValues: [] } }, { timeoutMs: 5000 });
    const r = results.find((x) => x.messageId === 'servicebusHostname')!;
    expect(r.message).toContain('set it to "acme-llm-engine-prod"');
    expect(r.status === 'fail' && parse(r.remediation.values!)).toEqual({ azure: { servicebus_namespace: 'acme-llm-engine-prod' } });
  });

  it('a missing object id says what breaks on the cache Redis and how to fix it (moved from values/redis)', async () => {
    const r = (await runCase(check, { values: [GOOD, v('redis-azure-no-object-id')], name: '' })).find((x) => x.object?.name === 'azure.object_id')!;
    expect(r.message).toBe(
      'azure.object_id is not set; it is injected as AZURE_OBJECT_ID, the username model-engine uses for Entra-token Redis auth (without it every login to the cache Redis fails with WRONGPASS)',
    );
    if (r.status !== 'fail') throw new Error('expected fail');
    expect(r.remediation.summary).toContain('data access policy on the Azure Cache for Redis');
    expect(r.remediation.commands).toEqual(['az identity show --resource-group <rg> --name <identity> --query "{client_id: clientId, object_id: principalId}" -o yaml']);
    expect(parse(r.remediation.values!)).toEqual({ azure: { object_id: '<managed identity principal (object) ID>' } });
  });

  it('every snippet it offers is valid YAML', async () => {
    for (const extra of ['azure-bad-ids', 'azure-no-keyvault', 'azure-manual-annotation', 'azure-keepalive-bad', 'azure-no-block']) {
      for (const r of await runCase(check, { values: [GOOD, v(extra)], name: extra })) {
        if ((r.status === 'fail' || r.status === 'warn') && r.remediation.values) expect(() => parse(r.remediation.values!)).not.toThrow();
      }
    }
  });
});

describe('azure value formats', () => {
  it.each<[unknown, string | undefined]>([
    ['3f2b8c1e-5d4a-4e7b-9c0f-1a2b3c4d5e6f', undefined],
    ['3F2B8C1E-5D4A-4E7B-9C0F-1A2B3C4D5E6F', undefined],
    ['00000000-0000-0000-0000-000000000000', 'is the all-zero placeholder GUID from the docs'],
    ['{3f2b8c1e-5d4a-4e7b-9c0f-1a2b3c4d5e6f}', 'is not a GUID (8-4-4-4-12 hex digits)'],
    ['3f2b8c1e5d4a4e7b9c0f1a2b3c4d5e6f', 'is not a GUID (8-4-4-4-12 hex digits)'],
    ['my-identity', 'is not a GUID (8-4-4-4-12 hex digits)'],
    [12345, 'is not a string (quote it)'],
  ])('guid %p', (v, want) => expect(guidProblem(v)).toBe(want));

  it.each<[unknown, boolean]>([
    ['acmellmengineprod', true],
    ['abc', true],
    ['ab', false],
    ['a'.repeat(25), false],
    ['AcmeLLM', false],
    ['acme-llm', false],
    ['acme.blob.core.windows.net', false],
  ])('storage account %p ok=%p', (v, ok) => expect(storageAccountProblem(v) === undefined).toBe(ok));

  it.each<[unknown, boolean]>([
    ['llm-engine', true],
    ['abc', true],
    ['llm_engine', false],
    ['llm--engine', false],
    ['-llm', false],
    ['Llm', false],
    ['llm-engine/fine_tuned', false],
  ])('container %p ok=%p', (v, ok) => expect(containerProblem(v) === undefined).toBe(ok));

  it.each<[string, string | undefined, boolean]>([
    ['acme-llm-engine-prod', undefined, true],
    ['acme-llm-engine-prod.servicebus.windows.net', 'acme-llm-engine-prod', false],
    ['sb://acme-llm-engine-prod.servicebus.windows.net/', 'acme-llm-engine-prod', false],
    ['llm', undefined, false],
    ['1acme-bus', undefined, false],
    ['acme-bus-sb', undefined, false],
    ['acme-bus-', undefined, false],
  ])('service bus namespace %p', (v, short, ok) => {
    expect(servicebusShortName(v)).toBe(short);
    expect(servicebusProblem(v) === undefined).toBe(ok);
  });

  it.each<[unknown, boolean]>([
    ['acme-llm-engine-kv', true],
    ['kv1', true],
    ['1kv', false],
    ['kv--name', false],
    ['kv-', false],
    ['a'.repeat(25), false],
    ['acme.vault.azure.net', false],
  ])('key vault %p ok=%p', (v, ok) => expect(keyvaultProblem(v) === undefined).toBe(ok));

  it.each<[unknown, boolean]>([
    ['llm-engine-prod-identity', true],
    ['id_1', true],
    ['ab', false],
    ['-identity', false],
  ])('identity name %p ok=%p', (v, ok) => expect(identityProblem(v) === undefined).toBe(ok));

  it.each<[unknown, string | undefined]>([
    ['30', undefined],
    ['1', undefined],
    ['299', undefined],
    [' 60 ', undefined],
    ['0', 'is 0; it must be between 1 and 299 seconds, because Service Bus drops AMQP connections idle for 300 s'],
    ['300', 'is 300; it must be between 1 and 299 seconds, because Service Bus drops AMQP connections idle for 300 s'],
    ['30s', 'is not a whole number of seconds (model-engine does int() on it and the broker fails to start)'],
    ['-5', 'is not a whole number of seconds (model-engine does int() on it and the broker fails to start)'],
    [30, 'is a YAML number; Kubernetes env values must be strings, so quote it (value: "30")'],
    [undefined, 'is not set to a value'],
  ])('keepalive %p', (v, want) => expect(keepAliveProblem(v)).toBe(want));
});

it('a keepalive from valueFrom passes, saying it cannot be checked offline and the range it must be in', async () => {
  const r = (await runCase(check, { name: 'x', values: [GOOD, v('azure-keepalive-from-ref')] })).find((x) => x.messageId === 'keepAliveFromRef');
  expect(r).toMatchObject({ status: 'pass', object: { kind: 'HelmValues', name: 'extraEnvVars[0]' } });
  expect(r!.message).toBe('SERVICEBUS_KEEP_ALIVE_INTERVAL comes from extraEnvVars[0].valueFrom; its value cannot be checked offline (it must be 1-299 seconds)');
});
