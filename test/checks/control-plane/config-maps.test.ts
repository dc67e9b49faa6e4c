import { describe, expect, it } from '@jest/globals';
import check, {
  EXPECTED_CONFIG_MAPS,
  fieldsSnippet,
  parseConfigYaml,
  serviceConfigProblems,
} from '../../../checks/control-plane/config-maps.js';
import type { ConfigMap, KubeObject, ListOptions } from '../../../src/engine/index.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../../src/sources/snapshot/load.js';
import { fixture, runCase, testCheck } from '../../support/check-tester.js';
import { byName, runMutated } from './mutated-snapshot.js';

testCheck(check, {
  valid: [
    { name: 'healthy install', snapshot: 'fixtures/clusters/healthy-aws' },
    // The demo's problems are elsewhere (cacher, images, GPUs): its ConfigMaps are fine.
    { name: 'demo install', snapshot: 'fixtures/clusters/demo-aws' },
  ],
  invalid: [
    {
      name: 'service config deleted from the endpoint namespace, framework config gone',
      snapshot: 'fixtures/clusters/cp-missing-configmap',
      errors: [
        { messageId: 'missing', status: 'fail', object: { kind: 'ConfigMap', namespace: 'llm-engine', name: 'model-engine-service-config' } },
        { messageId: 'missing', status: 'fail', object: { namespace: 'model-engine', name: 'model-engine-inference-framework-latest-config' } },
      ],
    },
    {
      name: "values_sample.yaml's old fine-tune repository key",
      snapshot: 'fixtures/clusters/cp-renamed-config-key',
      errors: [
        { messageId: 'renamedKey', status: 'fail', object: { kind: 'ConfigMap', namespace: 'model-engine', name: 'model-engine-service-config' } },
        { messageId: 'renamedKey', status: 'fail', object: { namespace: 'llm-engine', name: 'model-engine-service-config' } },
      ],
    },
    {
      name: 'endpoint namespace without the chart-rendered copy',
      snapshot: 'fixtures/clusters/healthy-aws',
      endpointNamespace: 'default',
      errors: [{ messageId: 'missing', object: { namespace: 'default', name: 'model-engine-service-config' } }],
    },
    {
      name: 'no RBAC to list ConfigMaps in the endpoint namespace',
      snapshot: 'fixtures/clusters/healthy-aws',
      denials: [{ verb: 'list', resource: 'configmaps', namespace: 'llm-engine' }],
      errors: [{ messageId: 'forbidden', status: 'skip', object: { kind: 'Namespace', name: 'llm-engine' } }],
    },
  ],
});

describe('control-plane/config-maps results', () => {
  it('passes each expected ConfigMap of a healthy install once, with one list call per namespace', async () => {
    const results = await runCase(check, { name: 'healthy', snapshot: 'fixtures/clusters/healthy-aws' });
    expect(results.map((r) => `${r.status} ${r.messageId} ${r.object?.namespace}/${r.object?.name}`)).toEqual([
      'pass valid model-engine/model-engine-service-config',
      'pass valid llm-engine/model-engine-service-config',
      'pass present model-engine/model-engine-service-template-config',
      'pass present model-engine/model-engine-inference-framework-latest-config',
      'pass present model-engine/model-engine-recommended-hardware-config',
    ]);
  });

  it('explains the renamed key with the old value and a values snippet to paste', async () => {
    const results = await runCase(check, { name: 'renamed', snapshot: 'fixtures/clusters/cp-renamed-config-key' });
    const r = results.find((x) => x.messageId === 'renamedKey' && x.object?.namespace === 'model-engine')!;
    expect(r.status).toBe('fail');
    expect(r.message).toContain('sets s3_file_llm_fine_tuning_job_repository but not cloud_file_llm_fine_tune_repository in launch_service_config');
    expect(r.message).toContain('the gateway, builder and cacher crash at start with TypeError');
    expect(r.evidence).toContainEqual({
      type: 'field',
      object: { kind: 'ConfigMap', namespace: 'model-engine', name: 'model-engine-service-config' },
      path: 'data.launch_service_config.s3_file_llm_fine_tuning_job_repository',
      value: 's3://ml-prod-model-engine/llm-ft-job-repository',
    });
    expect(r.remediation?.values).toBe(
      'config:\n  values:\n    launch:\n      cloud_file_llm_fine_tune_repository: s3://ml-prod-model-engine/llm-ft-job-repository',
    );
    // Only the renamed field is reported; the rest of the config is complete.
    expect(results.filter((x) => x.messageId === 'missingFields')).toEqual([]);
  });

  it('tells how to recreate the pre-install-only framework ConfigMap by hand', async () => {
    const results = await runCase(check, { name: 'missing', snapshot: 'fixtures/clusters/cp-missing-configmap' });
    const r = results.find((x) => x.object?.name === 'model-engine-inference-framework-latest-config')!;
    expect(r).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r.remediation?.commands?.[0]).toMatch(/^kubectl -n model-engine create configmap model-engine-inference-framework-latest-config --from-literal=vllm=latest /);
    const ep = results.find((x) => x.object?.namespace === 'llm-engine')!;
    expect(ep).toMatchObject({ status: 'fail', severity: 'critical', messageId: 'missing' });
  });

  it('only warns when the recommended-hardware ConfigMap is absent (the chart renders it only on request)', async () => {
    const results = await runMutated(check, 'fixtures/clusters/healthy-aws', (objects) =>
      objects.filter((o) => o.metadata.name !== 'model-engine-recommended-hardware-config'),
    );
    expect(results.find((r) => r.object?.name === 'model-engine-recommended-hardware-config')).toMatchObject({
      status: 'warn',
      messageId: 'missing',
      severity: 'medium',
    });
  });

  it('warns when the two copies of the service config differ', async () => {
    const results = await runMutated(check, 'fixtures/clusters/healthy-aws', (objects) => {
      const cm = byName(objects, 'ConfigMap', 'llm-engine', 'model-engine-service-config') as ConfigMap;
      cm.data = { ...cm.data!, infra_service_config: cm.data!.infra_service_config!.replace('"ml-prod"', '"ml-staging"') };
    });
    expect(results.filter((r) => r.status !== 'pass').map((r) => [r.status, r.messageId, r.object?.namespace])).toEqual([['warn', 'outOfSync', 'llm-engine']]);
  });

  it('fails a hand-edited config that is not YAML, naming the key', async () => {
    const results = await runMutated(check, 'fixtures/clusters/healthy-aws', (objects) => {
      const cm = byName(objects, 'ConfigMap', 'model-engine', 'model-engine-service-config') as ConfigMap;
      cm.data = { ...cm.data!, infra_service_config: 'cloud_provider: "aws\nenv: production' };
    });
    const r = results.find((x) => x.messageId === 'unparseable')!;
    expect(r.object).toEqual({ kind: 'ConfigMap', namespace: 'model-engine', name: 'model-engine-service-config' });
    expect(r.message).toMatch(/^ConfigMap model-engine\/model-engine-service-config key infra_service_config is not valid YAML \(/);
  });

  it('lists ConfigMaps once per namespace, not once per name', async () => {
    class CountingKube extends SnapshotKube {
      calls: string[] = [];
      override async list<T extends KubeObject = KubeObject>(resource: string, opts?: ListOptions): Promise<T[]> {
        this.calls.push(`list ${resource} ${opts?.namespace ?? ''}`);
        return super.list<T>(resource, opts);
      }
      override async get<T extends KubeObject = KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> {
        this.calls.push(`get ${resource} ${name}`);
        return super.get<T>(resource, name, namespace);
      }
    }
    const kube = new CountingKube(await loadSnapshot(fixture('fixtures/clusters/healthy-aws')));
    const { context } = await resolveContext({ kube });
    kube.calls = [];
    await runCheck(check, context, { timeoutMs: 10_000 });
    expect(kube.calls.sort()).toEqual(['list configmaps llm-engine', 'list configmaps model-engine']);
  });
});

// The demo's rendered service config: the base for the table below.
let demo: ReturnType<typeof loadSnapshot> | undefined;
async function demoData(): Promise<Record<string, string>> {
  const s = await (demo ??= loadSnapshot(fixture('fixtures/clusters/demo-aws')));
  return (s.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'model-engine' && o.metadata.name === 'model-engine-service-config') as ConfigMap)
    .data!;
}
const dropLine = (text: string, key: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith(`${key}:`))
    .join('\n');

describe('serviceConfigProblems', () => {
  it.each<[string, (d: Record<string, string>) => Record<string, string>, unknown[]]>([
    ['the chart-rendered config', (d) => d, []],
    ['no launch key', ({ launch_service_config: _l, ...rest }) => rest, [{ kind: 'missingKey', section: 'launch', key: 'launch_service_config' }]],
    [
      'launch is not YAML',
      (d) => ({ ...d, launch_service_config: 'vllm_repository: [vllm' }),
      [{ kind: 'unparseable', section: 'launch', key: 'launch_service_config', error: expect.any(String) }],
    ],
    ['infra is a list', (d) => ({ ...d, infra_service_config: '- aws' }), [{ kind: 'unparseable', section: 'infra', key: 'infra_service_config', error: 'not a YAML mapping' }]],
    [
      'the old fine-tune key only',
      (d) => ({
        ...d,
        launch_service_config: d.launch_service_config!.replace('cloud_file_llm_fine_tune_repository:', 's3_file_llm_fine_tuning_job_repository:'),
      }),
      [
        {
          kind: 'renamedKey',
          section: 'launch',
          key: 'launch_service_config',
          field: 'cloud_file_llm_fine_tune_repository',
          oldKey: 's3_file_llm_fine_tuning_job_repository',
          value: 's3://ml-prod-model-engine/llm-ft-job-repository',
        },
      ],
    ],
    [
      'both the old and the new key (the new one counts)',
      (d) => ({ ...d, launch_service_config: `${d.launch_service_config}\ns3_file_llm_fine_tuning_job_repository: "s3://x/y"` }),
      [],
    ],
    [
      'the fine-tune key missing with no old key',
      (d) => ({ ...d, launch_service_config: dropLine(d.launch_service_config!, 'cloud_file_llm_fine_tune_repository') }),
      [{ kind: 'missingFields', section: 'launch', key: 'launch_service_config', fields: ['cloud_file_llm_fine_tune_repository'] }],
    ],
    [
      'infra fields missing',
      (d) => ({ ...d, infra_service_config: dropLine(dropLine(d.infra_service_config!, 'k8s_cluster_name'), 's3_bucket') }),
      [{ kind: 'missingFields', section: 'infra', key: 'infra_service_config', fields: ['k8s_cluster_name', 's3_bucket'] }],
    ],
    [
      'a repeated key, as when values also set launch.dd_trace_enabled (PyYAML keeps the last)',
      (d) => ({ ...d, launch_service_config: `${d.launch_service_config}\ndd_trace_enabled: false` }),
      [],
    ],
    [
      'an empty config',
      (d) => ({ ...d, infra_service_config: '' }),
      [{ kind: 'missingFields', section: 'infra', key: 'infra_service_config', fields: ['cloud_provider', 'env', 'k8s_cluster_name', 'dns_host_domain', 'default_region', 'ml_account_id', 'docker_repo_prefix', 's3_bucket'] }],
    ],
  ])('%s', async (_name, change, expected) => {
    expect(serviceConfigProblems(change({ ...(await demoData()) }))).toEqual(expected);
  });

  it('counts a field set to null or false as present, as the dataclass does', () => {
    const data = {
      launch_service_config: ['gateway_namespace: "model-engine"', 'istio_enabled: false', 'sqs_profile:'].join('\n'),
      infra_service_config: 'env: "x"',
    };
    const launch = serviceConfigProblems(data).find((p) => p.kind === 'missingFields' && p.section === 'launch');
    expect(launch && launch.kind === 'missingFields' ? launch.fields : []).not.toEqual(expect.arrayContaining(['istio_enabled']));
    expect(launch && launch.kind === 'missingFields' ? launch.fields : []).not.toContain('sqs_profile');
    expect(launch && launch.kind === 'missingFields' ? launch.fields : []).toContain('vllm_repository');
  });
});

describe('helpers', () => {
  // valuesPathOf moved with the field list: test/engine/model-engine-config.test.ts.
  it('builds a values snippet with top-level and nested keys', () => {
    expect(fieldsSnippet('infra', ['env', 's3_bucket', 'k8s_cluster_name'])).toBe(
      'context: <value>\nconfig:\n  values:\n    infra:\n      s3_bucket: <value>\n      k8s_cluster_name: <value>',
    );
    expect(fieldsSnippet('launch', ['gateway_namespace'])).toBe('');
  });

  it('parses YAML 1.1 like PyYAML', () => {
    expect(parseConfigYaml('a: yes\na: no')).toEqual({ ok: true, value: { a: false } });
    expect(parseConfigYaml('')).toEqual({ ok: true, value: {} });
  });

  it('expects every ConfigMap in the namespace the code reads it from', () => {
    expect(EXPECTED_CONFIG_MAPS.map((e) => `${e.where}:${e.name}`)).toEqual([
      'controlPlane:model-engine-service-config',
      'endpoint:model-engine-service-config',
      'controlPlane:model-engine-service-template-config',
      'controlPlane:model-engine-inference-framework-latest-config',
      'controlPlane:model-engine-recommended-hardware-config',
    ]);
  });
});
