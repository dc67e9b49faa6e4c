import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import check, { requiredNamespaces } from '../../../checks/cluster/namespaces.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';

const v = (name: string) => `fixtures/values/${name}.yaml`;
const c = (name: string) => `fixtures/clusters/preflight-${name}`;
const NS = 'model-engine';

testCheck(check, {
  valid: [
    { name: 'EKS, both namespaces created', snapshot: c('aws-ready'), values: [v('aws-good')], namespace: NS },
    { name: 'AKS', snapshot: c('azure-ready'), values: [v('azure-good')], namespace: NS },
    { name: 'GKE', snapshot: c('gcp'), values: [v('gcp-good')], namespace: NS },
    {
      name: 'RBAC allows get but not list on namespaces',
      snapshot: c('aws-ready'),
      values: [v('aws-good')],
      namespace: NS,
      denials: [{ verb: 'list', resource: 'namespaces' }],
    },
  ],
  invalid: [
    {
      name: 'endpoint namespace llm-engine never created',
      snapshot: c('aws-broken'),
      values: [v('aws-good')],
      namespace: NS,
      errors: [{ messageId: 'missing', status: 'fail', object: { kind: 'Namespace', name: 'llm-engine' } }],
    },
    {
      name: 'endpoint namespace still terminating',
      snapshot: c('azure-broken'),
      values: [v('azure-good')],
      namespace: NS,
      errors: [{ messageId: 'terminating', status: 'fail', object: { kind: 'Namespace', name: 'llm-engine' } }],
    },
    {
      name: 'installing into a release namespace that does not exist',
      snapshot: c('aws-ready'),
      values: [v('aws-good')],
      namespace: 'llm-serving',
      errors: [{ messageId: 'missing', status: 'fail', object: { kind: 'Namespace', name: 'llm-serving' } }],
    },
  ],
});

describe('cluster/namespaces findings', () => {
  it('ties the endpoint namespace to the values key and says the chart will not create it', async () => {
    const rs = await runCase(check, { name: '', snapshot: c('aws-broken'), values: [v('aws-good')], namespace: NS });
    const r = rs.find((x) => x.messageId === 'missing')!;
    expect(r.message).toContain('the chart does not create it');
    const line = readFileSync(fixture(v('aws-good')), 'utf8').split('\n').findIndex((l) => l.trim() === 'endpoint_namespace: llm-engine') + 1;
    expect(r.evidence[0]).toMatchObject({ type: 'values', path: 'config.values.launch.endpoint_namespace', value: 'llm-engine', source: { file: fixture(v('aws-good')), line } });
    expect(r.status === 'fail' && r.remediation.commands).toEqual(['kubectl create namespace llm-engine']);
    expect(rs.find((x) => x.object?.name === NS)?.status).toBe('pass');
  });

  it('without list or get on namespaces, the engine skips it naming the permission', async () => {
    const [r] = await runCase(check, {
      name: '',
      snapshot: c('aws-ready'),
      values: [v('aws-good')],
      namespace: NS,
      denials: [{ verb: '*', resource: 'namespaces' }],
    });
    expect(r).toMatchObject({ status: 'skip', messageId: 'forbidden' });
    expect(r!.message).toContain('namespaces');
  });

  it('one namespace when endpoints share the release namespace', () => {
    expect(requiredNamespaces({ controlPlane: 'x', endpoint: 'x' }).map((n) => n.name)).toEqual(['x']);
  });
});
