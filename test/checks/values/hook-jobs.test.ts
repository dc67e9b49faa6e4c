import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import check from '../../../checks/values/hook-jobs.js';
import { creationSequence } from '../../../checks/chart/support/install-order.js';
import { predictObjects } from '../../../checks/chart/support/model.js';
import { loadValuesFiles } from '../../../src/sources/values/index.js';
import { REPO, runCase, testCheck } from '../../support/check-tester.js';
import { RENDERED_CHART_PORT as RENDERED } from '../../support/helm.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const NS = 'model-engine';

testCheck(check, {
  valid: [
    // aws-good.yaml makes the service account a pre-install hook at weight -2, before the migration Job at -1.
    { name: 'aws-good.yaml: migrations on, the service account a hook before them', values: [V('aws-good')], namespace: NS },
    { name: 'chart-good.yaml (as values_sample.yaml writes the hook)', values: [V('chart-good')], namespace: NS },
    { name: 'values_sample.yaml: no hook Job at all (both scripts off)', values: [V('values_sample')], namespace: NS },
  ],
  invalid: [
    // real-findings 3: the Job controller's FailedCreate, helm install times out.
    {
      name: 'migrations on, the service account a plain object',
      values: [V('hook-jobs-sa-not-hook')],
      namespace: NS,
      errors: [{ messageId: 'createdAfter', status: 'fail', object: { kind: 'HelmValues', name: 'serviceAccount.annotations' } }],
    },
    {
      name: 'the init script too: both hook Jobs wait for it',
      values: [V('hook-jobs-sa-not-hook')],
      set: ['db.runDbInitScript=true'],
      namespace: NS,
      errors: [
        { messageId: 'createdAfter', status: 'fail', object: { kind: 'HelmValues', name: 'serviceAccount.annotations' } },
        { messageId: 'createdAfter', status: 'fail', object: { kind: 'HelmValues', name: 'serviceAccount.annotations' } },
      ],
    },
    {
      name: 'a hook, but weight 0: after the migration Job (-1)',
      values: [V('aws-good'), V('hook-jobs-sa-weight-0')],
      namespace: NS,
      errors: [{ messageId: 'createdAfter', status: 'fail', object: { kind: 'HelmValues', name: 'serviceAccount.annotations' } }],
    },
    {
      name: 'on a cluster where the account exists already: upgrades work, a fresh install would not',
      snapshot: 'fixtures/clusters/healthy-aws',
      values: [V('hook-jobs-sa-not-hook')],
      namespace: NS,
      errors: [{ messageId: 'createdAfterInstalled', status: 'warn', object: { kind: 'HelmValues', name: 'serviceAccount.annotations' } }],
    },
  ],
});

describe('values/hook-jobs', () => {
  it('says when helm creates the account, what the Job\'s pods meet, and the fix; the Job is the root cause key', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('hook-jobs-sa-not-hook')], namespace: NS });
    expect(r!.message).toBe(
      'helm install hangs and fails: the pre-install hook Job model-engine-database-migration-1 (weight -1) needs ServiceAccount model-engine, which helm creates only with the release\'s objects, after every pre-install hook, so its pods are refused (FailedCreate: error looking up service account model-engine/model-engine: serviceaccount "model-engine" not found) and helm waits for the hook until --timeout ("resource Job/model-engine/model-engine-database-migration-1 not ready … context deadline exceeded"). helm upgrade is not affected: the ServiceAccount exists from the installed revision',
    );
    expect(r!.root).toEqual(['workload:model-engine/model-engine-database-migration-1']);
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'db.runDbMigrationScript', value: true, source: expect.objectContaining({ line: 42 }) }));
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'serviceAccount.annotations', source: expect.objectContaining({ line: 46 }) }));
    expect(r!.remediation?.values).toBe('serviceAccount:\n  annotations:\n    "helm.sh/hook": pre-install,pre-upgrade\n    "helm.sh/hook-weight": "-2"\n');
  });

  it('a weight of 0 is said as such', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('hook-jobs-sa-weight-0')], namespace: NS });
    expect(r!.message).toContain('needs ServiceAccount model-engine, which helm creates only as a pre-install hook (weight 0)');
  });

  it('with a chart rendered in the run, chart/hook-jobs judges what helm renders', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('hook-jobs-sa-not-hook')], ports: { chart: RENDERED } });
    expect(r).toMatchObject({ status: 'skip', messageId: 'judgedByRender' });
  });
});

describe("helm's creation order (install-order.ts)", () => {
  it('pre-install hooks by weight then name, then the plain objects by kind, then post-install hooks', async () => {
    const values = await loadValuesFiles([resolve(REPO, V('aws-good'))], ['db.runDbInitScript=true', 'restartKedaOperator=true']);
    const seq = creationSequence(predictObjects(values, NS), 'install').map((s) => `${s.stage} ${s.object.kind} ${s.object.namespace ?? ''}/${s.object.name}`);
    // Weight -3, then by name: default-config (aws_config_map.yaml, one per namespace, in manifest order) first.
    expect(seq.slice(0, 5)).toEqual([
      'pre ConfigMap model-engine/default-config',
      'pre ConfigMap llm-engine/default-config',
      'pre ConfigMap default/default-config',
      'pre ConfigMap model-engine/model-engine-inference-framework-latest-config',
      'pre ConfigMap model-engine/model-engine-service-config',
    ]);
    const at = (x: string) => seq.findIndex((s) => s.endsWith(x));
    expect(at('model-engine/model-engine-database-setup-1')).toBeLessThan(at('model-engine/model-engine-database-migration-1'));
    expect(at(' ServiceAccount model-engine/model-engine')).toBeLessThan(at('model-engine/model-engine-database-setup-1'));
    expect(seq[at('model-engine/model-engine-database-migration-1') + 1]).toMatch(/^resources PriorityClass/);
    expect(seq.at(-1)).toBe('post Job model-engine/model-engine-restart-keda-operator-1');
  });

  it('an upgrade runs the pre-upgrade hooks; an install-only hook is not created', async () => {
    const values = await loadValuesFiles([resolve(REPO, V('aws-good'))], []);
    const seq = creationSequence(predictObjects(values, NS), 'upgrade').map((s) => `${s.object.kind} ${s.object.name}`);
    expect(seq).not.toContain('ConfigMap model-engine-inference-framework-latest-config');
    expect(seq).toContain('Job model-engine-database-migration-1');
  });
});
