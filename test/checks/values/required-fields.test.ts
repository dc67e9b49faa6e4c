import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/values/required-fields.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { RENDERED_CHART_PORT as RENDERED } from '../../support/helm.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const key = (name: string) => ({ kind: 'HelmValues', name });


testCheck(check, {
  valid: [
    { name: 'aws-good.yaml sets aws.configMap.mountPath and name', values: [V('aws-good')] },
    { name: 'chart-good.yaml (values_sample.yaml with the mount path added)', values: [V('chart-good')] },
    // No `aws` block: modelEngine.volumes / volumeMounts render no AWS config volume at all.
    { name: 'gcp-good.yaml: no aws, nothing to leave empty', values: [V('gcp-good')] },
  ],
  invalid: [
    // real-findings 2: values_sample.yaml renders, and helm install is refused by the API server.
    { name: 'values_sample.yaml: aws without configMap.mountPath', values: [V('values_sample')], errors: [{ messageId: 'emptyField', status: 'fail', object: key('aws.configMap.mountPath') }] },
    {
      name: 'aws-good.yaml with mountPath: null, migrations on: the pre-install Job is refused first',
      values: [V('aws-good'), V('required-fields-no-mount-path')],
      errors: [{ messageId: 'emptyField', status: 'fail', object: key('aws.configMap.mountPath') }],
    },
    {
      name: 'aws-good.yaml with configMap.name unset: the volume and the ConfigMaps have no name',
      values: [V('aws-good')],
      set: ['aws.configMap.name=null'],
      errors: [{ messageId: 'emptyField', status: 'fail', object: key('aws.configMap.name') }],
    },
  ],
});

describe('values/required-fields', () => {
  it('names the key, the rendered field, every object, and the API server\'s refusal of the first one helm sends', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('aws-good'), V('required-fields-no-mount-path')], namespace: 'model-engine' });
    expect(r!.message).toBe(
      'aws.configMap.mountPath is not set, and with `aws` set every control-plane pod mounts the AWS config there (AWS_CONFIG_FILE=/opt/.aws/config): the chart renders spec.template.spec.containers[0].volumeMounts[2].mountPath empty in Job model-engine-database-migration-1, Deployment model-engine-cacher, Deployment model-engine-endpoint-builder, Deployment model-engine. helm template does not notice, but helm install and helm upgrade fail when helm sends Job model-engine-database-migration-1 (a pre-install,pre-upgrade hook): Job.batch "model-engine-database-migration-1" is invalid: spec.template.spec.containers[0].volumeMounts[2].mountPath: Required value',
    );
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'aws.configMap.mountPath', source: expect.objectContaining({ file: expect.stringContaining('required-fields-no-mount-path.yaml'), line: 6 }) }));
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'aws', source: expect.objectContaining({ line: 4 }) }));
    expect(r!.remediation).toMatchObject({ summary: 'Set aws.configMap.mountPath.', values: expect.stringContaining('mountPath: /opt/.aws/config'), docs: 'docs/checks/values/required-fields.md' });
  });

  it('without aws it says nothing can render empty', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('gcp-good')] });
    expect(r).toMatchObject({ status: 'pass', messageId: 'notRendered' });
  });

  it('with a chart rendered in the run, chart/required-fields judges what helm renders', async () => {
    const [r] = await runCase(check, { name: 'x', values: [V('values_sample')], ports: { chart: RENDERED } });
    expect(r).toMatchObject({ status: 'skip', messageId: 'judgedByRender' });
  });
});
