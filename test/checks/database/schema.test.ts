import { describe, expect, it } from '@jest/globals';
import check, { errorLine, hookJobKind, SCHEMA_ERROR } from '../../../checks/database/schema.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const FAILED = 'fixtures/clusters/db-migration-failed';
const STUCK = 'fixtures/clusters/db-setup-stuck';
const REFUSED = 'fixtures/clusters/db-migration-refused';
/** Mid-upgrade: the setup hook succeeded (helm deletes it only after the whole phase), the migration hook runs. */
const IN_PROGRESS = 'fixtures/clusters/db-hooks-in-progress';
const NS = 'model-engine';
const key = (name: string) => ({ kind: 'HelmValues', name });

testCheck(check, {
  valid: [
    // The chart default (facts §10.3): db.runDbMigrationScript true.
    { name: 'aws-good.yaml: migrations on (chart default)', values: [V('aws-good')] },
    { name: 'a healthy cluster: no hook Job left, no schema errors', snapshot: 'fixtures/clusters/healthy-aws' },
    { name: 'mid-upgrade: the setup hook Job succeeded and is not deleted yet, the migration hook Job runs', snapshot: IN_PROGRESS, namespace: NS },
  ],
  invalid: [
    // facts §10.3: values_sample.yaml sets runDbMigrationScript and runDbInitScript false.
    { name: 'values_sample.yaml offline: both off, fresh install vs upgrade explained', values: [V('values_sample')], errors: [{ messageId: 'migrationsOff', status: 'warn', object: key('db.runDbMigrationScript') }] },
    { name: 'init only: tables on a fresh install, no columns on upgrade', values: [V('aws-good'), V('database-init-only')], errors: [{ messageId: 'initOnly', status: 'warn' }] },
    {
      name: 'an upgrade with migrations off, a failed migration Job and UndefinedColumn in the gateway log',
      snapshot: FAILED,
      namespace: NS,
      values: [V('values_sample')],
      errors: [
        { messageId: 'upgradeWithoutMigrations', status: 'warn' },
        { messageId: 'jobFailed', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-migration-4' } },
        { messageId: 'schemaBehind', object: { kind: 'Deployment', namespace: NS, name: 'model-engine' } },
      ],
    },
    {
      name: 'a fresh install (no gateway yet) with both off, and the setup Job stuck in ContainerCreating',
      snapshot: STUCK,
      namespace: NS,
      values: [V('values_sample')],
      errors: [
        { messageId: 'freshWithoutSchema' },
        { messageId: 'jobStuck', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-setup-1' } },
      ],
    },
    {
      // A read-only on-call Role that grants pods and deployments but not jobs.batch: the values verdict stays.
      name: 'RBAC refuses listing Jobs: the live part is a skip naming the read, the values verdict stays',
      snapshot: 'fixtures/clusters/healthy-aws',
      values: [V('aws-good')],
      namespace: NS,
      denials: [{ verb: 'list', resource: 'jobs.batch', namespace: NS }],
      errors: [{ messageId: 'liveForbidden', status: 'skip' }],
    },
    {
      // real-findings 3: the service account is no pre-install hook; the Job controller cannot create the pods.
      name: 'a fresh install whose migration Job\'s pods are refused: serviceaccount not found',
      snapshot: REFUSED,
      namespace: NS,
      values: [V('hook-jobs-sa-not-hook')],
      errors: [{ messageId: 'jobPodsRefused', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-migration-1' } }],
    },
  ],
});

describe('database/schema evidence', () => {
  it('a Job whose pods are refused: the FailedCreate event, the values cause, and the way out of a failed install', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: REFUSED, namespace: NS, values: [V('hook-jobs-sa-not-hook')] });
    const r = rs.find((x) => x.messageId === 'jobPodsRefused')!;
    expect(r.message).toBe(
      'The database migration hook Job model-engine-database-migration-1 cannot create its pods (error looking up service account model-engine/model-engine: serviceaccount "model-engine" not found): ServiceAccount model-engine is not a pre-install hook in the release\'s values (serviceAccount.annotations has no helm.sh/hook), so helm creates it only after the hooks, and this Job, a pre-install hook, waits for it forever: helm install/upgrade waits on it until --timeout, then fails',
    );
    expect(r.evidence).toContainEqual(expect.objectContaining({ type: 'event', reason: 'FailedCreate', count: 6, message: expect.stringContaining('serviceaccount "model-engine" not found') }));
    expect(r.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'serviceAccount.annotations', source: expect.objectContaining({ line: 46 }) }));
    expect(r.remediation?.values).toContain('"helm.sh/hook": pre-install,pre-upgrade');
    expect(r.remediation?.commands).toContain('helm -n model-engine uninstall model-engine');
  });

  it('without values it says the account is missing, not why', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: REFUSED, namespace: NS });
    expect(rs.find((x) => x.messageId === 'jobPodsRefused')!.message).toContain(': ServiceAccount model-engine does not exist in model-engine:');
  });

  it('a failed migration shows its last error line and the gateway\'s missing column', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: FAILED, namespace: NS });
    const job = rs.find((r) => r.messageId === 'jobFailed')!;
    expect(job.message).toBe(
      'The database migration hook Job model-engine-database-migration-4 failed (Job has reached the specified backoff limit): sqlalchemy.exc.ProgrammingError: (psycopg2.errors.InsufficientPrivilege) permission denied for table endpoints: helm install/upgrade stopped there',
    );
    const schema = rs.find((r) => r.messageId === 'schemaBehind')!;
    expect(schema.message).toContain('about "status_reason" that does not exist');
    expect(schema.evidence).toContainEqual(expect.objectContaining({ type: 'log', pod: 'model-engine-6d8f9c7b5d-h4q2m', lineNumber: 3 }));
  });

  it('a stuck Job shows the FailedMount event', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: STUCK, namespace: NS });
    const r = rs.find((x) => x.messageId === 'jobStuck')!;
    expect(r.message).toContain('has not started since 2026-12-01T09:41:01Z (ContainerCreating)');
    expect(r.evidence).toContainEqual(expect.objectContaining({ type: 'event', reason: 'FailedMount' }));
  });

  it('a succeeded and a running hook Job are reported as such, and neither is an error', async () => {
    const rs = await runCase(check, { name: 'x', snapshot: IN_PROGRESS, namespace: NS });
    expect(rs.map((r) => [r.status, r.messageId, r.object?.name]).sort()).toEqual([
      ['pass', 'jobRunning', 'model-engine-database-migration-5'],
      ['pass', 'jobSucceeded', 'model-engine-database-setup-5'],
      ['pass', 'noLiveErrors', undefined],
    ]);
    expect(rs.find((r) => r.messageId === 'jobSucceeded')!.message).toBe('The database setup (init script) hook Job model-engine-database-setup-5 succeeded');
    expect(rs.find((r) => r.messageId === 'jobRunning')!.message).toBe('The database migration hook Job model-engine-database-migration-5 is running');
  });

  it('says the database Secret no longer turns migrations on (#780)', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('values_sample')] });
    expect(r!.message).toContain('since #780 a database Secret no longer turns migrations on by itself');
  });

  it.each<[string, 'migration' | 'setup' | undefined]>([
    ['model-engine-database-migration-12', 'migration'],
    ['llm-engine-database-setup-1', 'setup'],
    ['model-engine-spellbook-setup-1', undefined],
  ])('hook job %s', (name, kind) => expect(hookJobKind(name)).toBe(kind));

  it.each([
    ['(psycopg2.errors.UndefinedColumn) column endpoints.status_reason does not exist', true],
    ['psycopg.errors.UndefinedTable: relation "hosted_model_inference.endpoints" does not exist', true],
    ['column "status_reason" of relation "endpoints" does not exist', true],
    ['INFO Application startup complete.', false],
  ])('schema error %s', (line, hit) => expect(SCHEMA_ERROR.test(line)).toBe(hit));

  it('picks the last error line of a log', () => {
    expect(errorLine('a\nTraceback (most recent call last):\nValueError: boom\n')).toEqual({ line: 'ValueError: boom', lineNumber: 3 });
  });
});

it('liveForbidden names the refused verb, resource and namespace', async () => {
  const rs = await runCase(check, { name: 'x', snapshot: 'fixtures/clusters/healthy-aws', values: [V('aws-good')], namespace: NS, denials: [{ verb: 'list', resource: 'jobs.batch', namespace: NS }] });
  expect(rs.map((r) => `${r.status} ${r.messageId}`)).toEqual(['pass migrationsOn', 'skip liveForbidden']);
  expect(rs[1]!.message).toMatch(/^The hook Jobs and gateway logs could not be read \(.*list.*jobs.*model-engine/);
});
