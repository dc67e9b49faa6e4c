import { describe, expect, it } from '@jest/globals';
import check, { secretKeys } from '../../../checks/cluster/database-secret.js';
import { runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;
const c = (name: string) => `fixtures/clusters/preflight-${name}`;
const NS = 'model-engine';

testCheck(check, {
  valid: [
    { name: 'EKS: Secret with database_url in both namespaces', snapshot: c('aws-ready'), values: [v('aws-good')], namespace: NS },
    { name: 'AKS', snapshot: c('azure-ready'), values: [v('azure-good')], namespace: NS },
    { name: 'GKE', snapshot: c('gcp'), values: [v('gcp-good')], namespace: NS },
  ],
  invalid: [
    {
      name: 'Secret holds the parts of the URL, not database_url; none in the endpoint namespace',
      snapshot: c('aws-broken'),
      values: [v('aws-good')],
      namespace: NS,
      errors: [
        { messageId: 'noKey', status: 'fail', object: { kind: 'Secret', namespace: 'model-engine', name: 'llm-engine-postgres-credentials' } },
        { messageId: 'missing', status: 'fail', object: { kind: 'Secret', namespace: 'llm-engine', name: 'llm-engine-postgres-credentials' } },
      ],
    },
    {
      name: 'values name a Secret nobody created',
      snapshot: c('aws-ready'),
      values: [v('aws-good')],
      set: ['secrets.kubernetesDatabaseSecretName=model-engine-db'],
      namespace: NS,
      errors: [
        { messageId: 'missing', status: 'fail', object: { kind: 'Secret', namespace: 'model-engine', name: 'model-engine-db' } },
        { messageId: 'missing', status: 'fail', object: { kind: 'Secret', namespace: 'llm-engine', name: 'model-engine-db' } },
      ],
    },
    {
      // Before the install, no -n: the release namespace is helm's default, a guess (facts: helm installs into the
      // context's namespace); the endpoint namespace comes from the values (llm-engine), not assumed.
      name: 'no -n before the install: the Secret is missing in the assumed namespace (warn, not fail)',
      snapshot: c('aws-ready'),
      values: [v('aws-good')],
      errors: [{ messageId: 'missingAssumed', status: 'warn', severity: 'medium', object: { kind: 'Secret', namespace: 'default', name: 'llm-engine-postgres-credentials' } }],
    },
  ],
});

describe('cluster/database-secret findings', () => {
  it('lists key names only, never values', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good')], namespace: NS });
    const r = rs.find((x) => x.messageId === 'noKey')!;
    expect(r.message).toBe(
      'Secret model-engine/llm-engine-postgres-credentials has no key database_url (it has: dbname, host, password, port, username): the database-migration hook (pre-install, so helm install itself fails), the gateway, builder and cacher fail with CreateContainerConfigError',
    );
    expect(r.severity).toBe('critical');
    expect(JSON.stringify(r)).not.toContain('UkVEQUNURUQ');
    expect(rs.find((x) => x.messageId === 'missing')!.severity).toBe('high');
  });

  it('skips when the database comes from a cloud secret', async () => {
    const [r] = await runCase(check, { name: '', snapshot: c('aws-ready'), values: [v('aws-good'), v('database-cloud-secret')], namespace: NS });
    expect(r).toMatchObject({ status: 'skip', messageId: 'notConfigured' });
  });

  it('RBAC without get on secrets is a skip naming it', async () => {
    const [r] = await runCase(check, { name: '', snapshot: c('aws-ready'), values: [v('aws-good')], namespace: NS, denials: [{ verb: 'get', resource: 'secrets' }] });
    expect(r).toMatchObject({ status: 'skip', messageId: 'forbidden' });
    expect(r!.message).toContain('cannot get secrets in namespace');
  });

  it.each<[Record<string, string> | undefined, string[]]>([
    [{ username: 'x', database_url: 'y' }, ['database_url', 'username']],
    [{}, []],
    [undefined, []],
  ])('secretKeys(%p)', (data, want) => expect(secretKeys(data ? { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data } : undefined)).toEqual(want));
});
