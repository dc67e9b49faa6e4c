import { describe, expect, it } from '@jest/globals';
import check from '../../../checks/chart/required-fields.js';
import { metadataProblems, podSpecProblems, refusal } from '../../../checks/chart/support/required-fields.js';
import type { PodSpec } from '../../../src/engine/index.js';
import { runCase, testCheck } from '../../support/check-tester.js';
import { describeWithHelm, fixtureChartPort } from '../../support/helm.js';
import { itSkipsWithoutChart } from '../../support/chart-cases.js';

const V = (f: string) => `fixtures/values/${f}.yaml`;
const NS = 'model-engine';

describeWithHelm('chart/required-fields on the shared chart 0.2.7', ({ helm, chart }) => {
  const c = (name: string, files: string[]) => ({ name, values: files, namespace: NS, ports: { chart: fixtureChartPort(helm, chart, files) } });
  testCheck(check, {
    valid: [c('chart-good.yaml: aws.configMap.mountPath set', [V('chart-good')]), c('aws-good.yaml', [V('aws-good')]), c('gcp-good.yaml: no aws volume at all', [V('gcp-good')])],
    invalid: [
      // real-findings 2: helm template succeeds, the API server refuses the pods.
      { ...c('values_sample.yaml: aws without configMap.mountPath', [V('values_sample')]), errors: [{ messageId: 'emptyField', status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.mountPath' } }] },
      {
        ...c('aws-good.yaml with mountPath: null: the migration Job is sent first', [V('aws-good'), V('required-fields-no-mount-path')]),
        errors: [{ messageId: 'emptyField', status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.mountPath' } }],
      },
      {
        ...c('chart-good.yaml without aws.configMap.name: the control plane and every endpoint template mount a nameless ConfigMap', [V('chart-good'), V('required-fields-no-config-map-name')]),
        // One finding per refused field path: the Deployments' and Job's volumes[2], the StatefulSet's volumes[0]; the
        // Deployment templates' volumes[0], the LeaderWorkerSet's workerTemplate.
        errors: [
          { messageId: 'emptyField', status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.name' } },
          { messageId: 'emptyField', status: 'fail', object: { kind: 'HelmValues', name: 'aws.configMap.name' } },
          { messageId: 'endpointTemplateField', status: 'fail', severity: 'high', object: { kind: 'ConfigMap', namespace: NS, name: 'model-engine-service-template-config' } },
          { messageId: 'endpointTemplateField', status: 'fail', severity: 'high', object: { kind: 'ConfigMap', namespace: NS, name: 'model-engine-service-template-config' } },
        ],
      },
    ],
  });

  it('an endpoint template field left empty names the templates, the field and the refusal the builder would meet', async () => {
    const rs = await runCase(check, c('x', [V('chart-good'), V('required-fields-no-config-map-name')]));
    const r = rs.find((x) => x.messageId === 'endpointTemplateField' && x.message.includes('deployment-runnable-image-async-gpu.yaml'))!;
    expect(r.message).toMatch(/ have spec\.template\.spec\.volumes\[0\]\.configMap\.name empty: the builder's create of every such endpoint would be refused \(spec\.template\.spec\.volumes\[0\]\.configMap\.name: Required value\)$/);
    expect(r.evidence).toEqual([{ type: 'object', object: { kind: 'ConfigMap', namespace: NS, name: 'model-engine-service-template-config' }, detail: 'rendered by templates/service_template_config_map.yaml (pre-install,pre-upgrade hook, weight -3)' }]);
    expect(r.remediation?.summary).toBe('Set the value templates/service_template_config_map.yaml writes into spec.template.spec.volumes[0].configMap.name.');
  });

  it('names every rendered object, the first one helm sends, the API server\'s words, and the values key', async () => {
    const [r] = await runCase(check, c('x', [V('aws-good'), V('required-fields-no-mount-path')]));
    expect(r!.message).toBe(
      'Job model-engine-database-migration-1, Deployment model-engine-cacher, Deployment model-engine-endpoint-builder, Deployment model-engine have spec.template.spec.containers[0].volumeMounts[2].mountPath empty (aws.configMap.mountPath is not set, and with `aws` set every control-plane pod mounts the AWS config there (AWS_CONFIG_FILE=/opt/.aws/config)): helm template does not notice, but helm install and helm upgrade fail when helm sends Job model-engine-database-migration-1 (a pre-install,pre-upgrade hook): Job.batch "model-engine-database-migration-1" is invalid: spec.template.spec.containers[0].volumeMounts[2].mountPath: Required value',
    );
    expect(r!.root).toEqual(['values:aws.configMap.mountPath']);
    expect(r!.evidence).toContainEqual({ type: 'field', object: { kind: 'Job', namespace: NS, name: 'model-engine-database-migration-1' }, path: 'spec.template.spec.containers[0].volumeMounts[2].mountPath', value: null });
    expect(r!.evidence).toContainEqual(expect.objectContaining({ type: 'values', path: 'aws.configMap.mountPath', source: expect.objectContaining({ line: 6 }) }));
    expect(r!.remediation).toMatchObject({ summary: 'Set aws.configMap.mountPath in the values.', values: expect.stringContaining('mountPath: /opt/.aws/config') });
    expect(r!.remediation?.commands?.[0]).toMatch(/^helm template .* --show-only templates\/database_migration_job\.yaml$/);
  });
});

describe('the API server\'s required fields (pkg/apis/core/validation)', () => {
  const spec = (s: unknown) => s as PodSpec;
  it('an empty mount path, a mount of a volume the pod lacks, a repeated mount path, an unnamed ConfigMap volume', () => {
    const problems = podSpecProblems(
      spec({
        volumes: [{ name: 'a', configMap: { name: '' } }],
        containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'a', mountPath: '/x' }, { name: 'b', mountPath: '/x' }, { name: 'a', mountPath: null }] }],
      }),
      'spec',
    );
    expect(problems).toEqual([
      { path: 'spec.volumes[0].configMap.name', detail: 'Required value' },
      { path: 'spec.containers[0].volumeMounts[1].name', detail: 'Not found: "b"' },
      { path: 'spec.containers[0].volumeMounts[1].mountPath', detail: 'Invalid value: "/x": must be unique' },
      { path: 'spec.containers[0].volumeMounts[2].mountPath', detail: 'Required value' },
    ]);
  });

  it('says the refusal as helm shows it: one problem inline, several in brackets, a nameless object refused by the client', () => {
    expect(refusal('Deployment', 'apps/v1', 'd', [{ path: 'a', detail: 'Required value' }])).toBe('Deployment.apps "d" is invalid: a: Required value');
    expect(refusal('Pod', 'v1', 'p', [{ path: 'a', detail: 'Required value' }, { path: 'b', detail: 'Required value' }])).toBe('Pod "p" is invalid: [a: Required value, b: Required value]');
    expect(metadataProblems({ metadata: { name: null } })).toEqual([{ path: 'metadata.name', detail: 'Required value' }]);
    expect(refusal('ConfigMap', 'v1', '', metadataProblems({ metadata: { name: '' } }))).toBe('resource name may not be empty');
  });
});

itSkipsWithoutChart(check);
