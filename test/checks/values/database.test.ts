import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import check, { DATABASE_SOURCES, dbEnvVars } from '../../../checks/values/database.js';
import { MATRIX } from '../../../src/matrix/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;

testCheck(check, {
  valid: [
    { name: 'aws-good.yaml', values: [v('aws-good')] },
    { name: 'azure-good.yaml', values: [v('azure-good')] },
    { name: 'gcp-good.yaml', values: [v('gcp-good')] },
    { name: 'onprem-good.yaml', values: [v('onprem-good')] },
    { name: 'AWS: Secrets Manager secret', values: [v('aws-good'), v('database-cloud-secret')] },
    { name: 'AWS: both secret names set (the Kubernetes Secret wins)', values: [v('aws-good'), v('database-both-secrets')] },
    { name: 'Azure: Key Vault secret', values: [v('azure-good'), v('database-cloud-secret')] },
    { name: 'GCP: Secret Manager secret', values: [v('gcp-good'), v('database-cloud-secret')] },
    { name: 'on-prem: DB_* env vars', values: [v('onprem-good'), v('database-env-vars')] },
  ],
  invalid: [
    {
      name: 'AWS without either secret: falls back to Secrets Manager {env}/ml_infra_pg',
      values: [v('aws-good'), v('database-none')],
      errors: [{ messageId: 'fallback', status: 'warn', object: { kind: 'HelmValues', name: 'secrets.kubernetesDatabaseSecretName' } }],
    },
    {
      name: 'Azure without either secret: falls back to Key Vault {env}-ml-infra-pg',
      values: [v('azure-good'), v('database-none')],
      errors: [{ messageId: 'fallback', status: 'warn', object: { kind: 'HelmValues', name: 'secrets.kubernetesDatabaseSecretName' } }],
    },
    {
      name: 'GCP without either secret or DB_* vars: localhost',
      values: [v('gcp-good'), v('database-none')],
      errors: [{ messageId: 'noDatabase', status: 'fail', object: { kind: 'HelmValues', name: 'secrets.kubernetesDatabaseSecretName' } }],
    },
    {
      name: 'on-prem without either secret or DB_* vars: localhost',
      values: [v('onprem-good'), v('database-none')],
      errors: [{ messageId: 'noDatabase', status: 'fail', object: { kind: 'HelmValues', name: 'secrets.kubernetesDatabaseSecretName' } }],
    },
    {
      name: 'on-prem with a cloud secret name, which it ignores',
      values: [v('onprem-good'), v('database-cloud-secret')],
      errors: [{ messageId: 'cloudSecretIgnored', status: 'fail', object: { kind: 'HelmValues', name: 'secrets.cloudDatabaseSecretName' } }],
    },
    {
      name: 'unknown cloud without either secret',
      values: [v('database-none')],
      errors: [{ messageId: 'unknownCloud', status: 'warn', object: { kind: 'HelmValues', name: 'secrets.kubernetesDatabaseSecretName' } }],
    },
  ],
});

describe('values/database findings', () => {
  it('names the secret AWS falls back to from context, with a command to look for it', async () => {
    const rs = await runCase(check, { name: '', values: [v('aws-good'), v('database-none')] });
    const r = rs.find((x) => x.messageId === 'fallback')!;
    expect(r.message).toContain('AWS Secrets Manager secret "production/ml_infra_pg"');
    expect(r.evidence).toContainEqual(expect.objectContaining({ path: 'secrets.kubernetesDatabaseSecretName', missing: true, source: expect.objectContaining({ line: 3 }) }));
    expect(r.status === 'warn' && r.remediation.commands).toEqual(["aws secretsmanager describe-secret --secret-id 'production/ml_infra_pg' --query ARN"]);
  });

  it('on Azure without a vault the fallback is critical and names the vault key', async () => {
    const rs = await runCase(check, { name: '', values: [v('azure-good'), v('database-none'), v('azure-no-keyvault')] });
    const r = rs.find((x) => x.messageId === 'fallback')!;
    expect(r.severity).toBe('critical');
    expect(r.evidence).toContainEqual(expect.objectContaining({ path: 'azure.keyvault_name', missing: true }));
  });

  it('says what each cloud does with a cloud secret name', async () => {
    const aws = (await runCase(check, { name: '', values: [v('aws-good'), v('database-cloud-secret')] })).find((x) => x.messageId === 'cloudSecret')!;
    expect(aws.message).toContain('AWS Secrets Manager secret with JSON keys username, password, clusterHost');
    const az = (await runCase(check, { name: '', values: [v('azure-good'), v('database-cloud-secret')] })).find((x) => x.messageId === 'cloudSecret')!;
    expect(az.message).toContain('Key Vault secret');
  });

  it('the remediation for no database is pasteable YAML and never carries a password', async () => {
    const rs = await runCase(check, { name: '', values: [v('onprem-good'), v('database-none')], namespace: 'model-engine' });
    const r = rs.find((x) => x.messageId === 'noDatabase')!;
    if (r.status !== 'fail') throw new Error('expected fail');
    for (const part of r.remediation.values!.split('# or:')) expect(() => parse(part)).not.toThrow();
    expect(r.remediation.commands).toEqual([
      'kubectl -n model-engine create secret generic llm-engine-postgres-credentials --from-file=database_url=./database_url   # a file holding the full postgresql:// URL',
      'kubectl -n llm-engine create secret generic llm-engine-postgres-credentials --from-file=database_url=./database_url   # a file holding the full postgresql:// URL',
    ]);
  });
});

describe('database sources', () => {
  it('covers every secret store the matrix names', () => {
    for (const p of Object.values(MATRIX)) expect(DATABASE_SOURCES[p.secretStore]).toBeDefined();
  });

  it.each<[unknown, string[]]>([
    [[{ name: 'DB_HOST', value: 'pg' }, { name: 'DB_PASSWORD', valueFrom: {} }, { name: 'LOG_LEVEL', value: 'x' }], ['DB_HOST', 'DB_PASSWORD']],
    [[{ name: 'DB_HOST_RO', value: 'pg' }], ['DB_HOST_RO']],
    [[{ name: 'DB_SECRET_NAME', value: 's' }], []],
    [undefined, []],
    ['nope', []],
  ])('dbEnvVars(%p)', (env, want) => expect(dbEnvVars(env)).toEqual(want));
});

it('both secret names: the Kubernetes Secret is used and the cloud secret is said to be ignored', async () => {
  const rs = await runCase(check, { name: 'x', values: [v('aws-good'), v('database-both-secrets')] });
  expect(rs.map((r) => `${r.status} ${r.messageId}`)).toEqual(['pass kubernetesSecret', 'pass bothSet']);
  expect(rs[1]!.message).toBe('secrets.kubernetesDatabaseSecretName is set, so secrets.cloudDatabaseSecretName is ignored (the chart injects only ML_INFRA_DATABASE_URL)');
  expect(rs[1]!.object).toEqual({ kind: 'HelmValues', name: 'secrets.cloudDatabaseSecretName' });
});
