import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/values/duplicate-objects.js';
import { differences } from '../../../checks/chart/support/duplicates.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { RENDERED_CHART_PORT } from '../../support/helm.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const NS = 'model-engine';
const SA = { kind: 'ServiceAccount', namespace: 'llm-engine', name: 'model-engine' };

testCheck(check, {
  valid: [
    { name: 'aws-good.yaml: the endpoint namespace is not in serviceAccount.namespaces', values: [V('aws-good')], namespace: NS },
    { name: 'azure-good.yaml', values: [V('azure-good')], namespace: NS },
    { name: 'gcp-good.yaml', values: [V('gcp-good')], namespace: NS },
    // serviceTemplate creates no account of its own there: one copy, the control plane's.
    { name: 'onprem-good.yaml: the endpoint namespace listed, but no inference account rendered', values: [V('onprem-good')], namespace: NS },
    { name: 'values_sample.yaml', values: [V('values_sample')], namespace: NS },
  ],
  invalid: [
    // real-findings 4: rendered twice with two role ARNs; the cluster keeps the inference copy.
    { name: 'the endpoint namespace also in serviceAccount.namespaces', values: [V('aws-good'), V('duplicate-objects-sa-twice')], namespace: NS, errors: [{ messageId: 'differing', status: 'warn', object: SA }] },
  ],
});

describe('values/duplicate-objects', () => {
  it('names both templates, what differs, which copy the cluster keeps, and the values fix', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('duplicate-objects-sa-twice')], namespace: NS });
    expect(r!.severity).toBe('high');
    expect(r!.message).toBe(
      'ServiceAccount llm-engine/model-engine is rendered twice, by templates/service_account.yaml (for serviceAccount.namespaces, annotations from serviceAccount.annotations) and by templates/service_account_inference.yaml (for serviceTemplate.createServiceAccount, annotations from serviceTemplate.serviceAccountAnnotations), with different automountServiceAccountToken (true vs (not set)), metadata.annotations["eks.amazonaws.com/role-arn"] ("arn:aws:iam::482093716652:role/k8s-prod-use1-llm-engine" vs "arn:aws:iam::482093716652:role/llm-engine-endpoints"), metadata.annotations["helm.sh/hook"] ("pre-install,pre-upgrade" vs (not set)), metadata.annotations["helm.sh/hook-weight"] ("-2" vs (not set)): helm applies every copy and the cluster keeps the copy of templates/service_account_inference.yaml (helm applies it last)',
    );
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'serviceAccount.namespaces', source: expect.objectContaining({ file: expect.stringContaining('duplicate-objects-sa-twice.yaml'), line: 6 }) }));
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'serviceAccount.annotations["eks.amazonaws.com/role-arn"]', source: expect.objectContaining({ line: 24 }) }));
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'serviceTemplate.serviceAccountAnnotations["eks.amazonaws.com/role-arn"]', source: expect.objectContaining({ line: 49 }) }));
    expect(r!.remediation?.values).toBe('serviceAccount:\n  namespaces:\n    - default   # llm-engine left out\n# or:\nserviceTemplate:\n  serviceAccountName: model-engine-inference\n');
  });

  it('compares leaf by leaf, a key set on one side only included', () => {
    expect(differences([{ a: { b: 1, c: 2 } }, { a: { b: 1, d: 3 } }])).toEqual([
      { path: 'a.c', values: [2, undefined] },
      { path: 'a.d', values: [undefined, 3] },
    ]);
    expect(differences([{ metadata: { annotations: { 'x/y': '1' } } }, { metadata: { annotations: { 'x/y': '1' } } }])).toEqual([]);
  });

  it('with a chart rendered in the run, chart/duplicate-objects compares what helm renders', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('duplicate-objects-sa-twice')], ports: { chart: RENDERED_CHART_PORT } });
    expect(r).toMatchObject({ status: 'skip', messageId: 'judgedByRender' });
  });
});
