import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { FatalError } from '../../src/engine/errors.js';
import type { KubeObject } from '../../src/engine/types.js';
import { CHART_DEFAULTS_YAML } from '../../src/sources/values/chart-defaults.js';
import {
  decodeRelease,
  encodeRelease,
  pickReleaseRevision,
  readInstalledRelease,
  redactRelease,
  releaseValuesPort,
  type HelmReleaseJson,
} from '../../src/sources/values/release.js';

const PG_PASSWORD = 'Pg-Pa55word-4c1d';
const REDIS_PASSWORD = 'r3dis-auth-9f8e7d';

/** A release as helm 3 stores it (`helm get all` shape), trimmed to what matters. */
function release(version: number, status: string): HelmReleaseJson {
  return {
    name: 'model-engine',
    namespace: 'llm-engine',
    version,
    info: {
      first_deployed: '2026-05-04T10:11:12.123456789Z',
      last_deployed: `2026-06-0${version}T08:00:00.000000000Z`,
      deleted: '',
      description: status === 'failed' ? 'Upgrade "model-engine" failed: timed out waiting for the condition' : 'Upgrade complete',
      status,
    },
    chart: {
      metadata: {
        name: 'model-engine',
        version: '0.2.7',
        appVersion: '1.0.0',
        apiVersion: 'v2',
        description: 'A Helm chart for Kubernetes',
        type: 'application',
      },
      lock: null,
      templates: [{ name: 'templates/service_config_map.yaml', data: Buffer.from('{{- if .Values.config }}').toString('base64') }],
      values: parse(CHART_DEFAULTS_YAML) as Record<string, unknown>,
      schema: null,
      files: [],
    },
    config: {
      tag: `e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f${version}`,
      context: 'production',
      nodeSelector: null,
      redis: { auth: REDIS_PASSWORD, enableAuth: true },
      extraEnvVars: [{ name: 'ML_INFRA_DATABASE_URL', value: `postgresql://llm_engine:${PG_PASSWORD}@llm-engine-db.example.internal:5432/llm_engine` }],
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::000000000000:role/k8s-main-llm-engine' } },
      config: {
        values: {
          infra: { cloud_provider: 'aws', k8s_cluster_name: 'main_cluster', default_region: 'us-east-1' },
          launch: { endpoint_namespace: 'llm-engine' },
        },
      },
    },
    manifest:
      '---\n# Source: model-engine/templates/redis_secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: model-engine-redis\n' +
      `data:\n  auth: ${Buffer.from(REDIS_PASSWORD).toString('base64')}\n`,
    hooks: [
      {
        name: 'model-engine-database-migration-' + version,
        kind: 'Job',
        path: 'model-engine/templates/database_migration_job.yaml',
        manifest: `apiVersion: batch/v1\nkind: Job\n# DATABASE_URL=postgresql://llm_engine:${PG_PASSWORD}@db:5432/x\n`,
        events: ['pre-install', 'pre-upgrade'],
        last_run: { started_at: '', completed_at: '', phase: '' },
        weight: -1,
        delete_policies: ['before-hook-creation'],
      },
    ],
  };
}

/** Encode exactly as helm's Secret driver does, independently of the code under test. */
function helmSecretData(rel: unknown, gzip = true): string {
  const json = Buffer.from(JSON.stringify(rel));
  const helmString = (gzip ? gzipSync(json) : json).toString('base64');
  return Buffer.from(helmString).toString('base64');
}

function secret(rel: HelmReleaseJson, data = helmSecretData(rel)): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `sh.helm.release.v1.${rel.name}.v${rel.version}`,
      namespace: rel.namespace,
      uid: `0b6f0c1e-6a7c-4d8e-9f00-00000000000${rel.version}`,
      resourceVersion: String(1000 + rel.version),
      creationTimestamp: `2026-06-0${rel.version}T08:00:00Z`,
      labels: { modifiedAt: '1780000000', name: rel.name, owner: 'helm', status: rel.info!.status!, version: String(rel.version) },
    },
    type: 'helm.sh/release.v1',
    data: { release: data },
  };
}

describe('decode / encode', () => {
  it.each([
    ['gzip, as helm writes it', true],
    ['no gzip magic (helm accepts plain JSON)', false],
  ])('decodes a Secret payload: %s', (_name, gzip) => {
    const rel = release(2, 'deployed');
    expect(decodeRelease(helmSecretData(rel, gzip))).toEqual(rel);
  });

  it('round-trips through encodeRelease, in both layers', () => {
    const rel = release(2, 'deployed');
    const data = encodeRelease(rel);
    expect(decodeRelease(data)).toEqual(rel);
    // the inner string is helm's own: base64 of gzip (H4sI is base64 of the gzip magic)
    expect(Buffer.from(data, 'base64').toString('utf8').startsWith('H4sI')).toBe(true);
    expect(encodeRelease(rel, 'helm').startsWith('H4sI')).toBe(true);
    expect(decodeRelease(encodeRelease(rel, 'helm'), 'helm')).toEqual(rel);
  });

  it('rejects garbage', () => {
    expect(() => decodeRelease(Buffer.from('not a release!').toString('base64'))).toThrow(/neither gzip nor JSON/);
  });
});

describe('readInstalledRelease', () => {
  const v1 = secret(release(1, 'superseded'));
  const v2 = secret(release(2, 'deployed'));
  const v3 = secret(release(3, 'failed'));

  it('picks the deployed revision, not the newer failed one', () => {
    expect(pickReleaseRevision([v3, v1, v2])).toBe(v2);
    const r = readInstalledRelease([v1, v3, v2]);
    expect(r).toMatchObject({
      name: 'model-engine',
      namespace: 'llm-engine',
      revision: 2,
      status: 'deployed',
      chartName: 'model-engine',
      chartVersion: '0.2.7',
      appVersion: '1.0.0',
      secretName: 'sh.helm.release.v1.model-engine.v2',
    });
    expect(r!.config).toMatchObject({ tag: 'e360bfb1d21d9d4e7b7fcb6b29ca752095b4d0f2' });
    expect((r!.chartValues as { keda: unknown }).keda).toEqual({ cooldownPeriod: 300 });
  });

  it('falls back to the highest revision when none is deployed', () => {
    const pending = secret(release(4, 'pending-upgrade'));
    expect(readInstalledRelease([v1, pending, v3])!.revision).toBe(4);
  });

  it('ignores non-helm secrets and other releases', () => {
    const other = secret({ ...release(7, 'deployed'), name: 'keda', chart: { metadata: { name: 'keda', version: '2.14.0' } } });
    const tls: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'model-engine-tls', namespace: 'llm-engine', labels: { name: 'model-engine' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'LS0t', 'tls.key': 'LS0t' },
    };
    expect(readInstalledRelease([tls, other, v2])!.chartName).toBe('model-engine');
    expect(readInstalledRelease([tls, other, v2], { name: 'keda' })!.chartVersion).toBe('2.14.0');
    expect(readInstalledRelease([tls])).toBeUndefined();
    expect(readInstalledRelease([])).toBeUndefined();
  });

  it('asks for a name when several model-engine releases exist', () => {
    const second = secret({ ...release(1, 'deployed'), name: 'model-engine-canary' });
    expect(() => readInstalledRelease([v2, second])).toThrow(FatalError);
    expect(() => readInstalledRelease([v2, second])).toThrow('several helm releases found (model-engine, model-engine-canary)');
    expect(readInstalledRelease([v2, second], { name: 'model-engine-canary' })!.name).toBe('model-engine-canary');
  });

  it('a corrupt release is a one-line FatalError naming the secret', () => {
    const bad = secret(release(2, 'deployed'), Buffer.from('H4sIAAAA-broken').toString('base64'));
    expect(() => readInstalledRelease([bad])).toThrow(/^cannot decode helm release llm-engine\/sh\.helm\.release\.v1\.model-engine\.v2: /);
  });

  it('reads the ConfigMap storage driver too', () => {
    const rel = release(2, 'deployed');
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'sh.helm.release.v1.model-engine.v2', namespace: 'llm-engine', labels: { name: 'model-engine', owner: 'helm', status: 'deployed', version: '2' } },
      data: { release: encodeRelease(rel, 'helm') },
    };
    expect(readInstalledRelease([cm])!.revision).toBe(2);
  });
});

describe('releaseValuesPort', () => {
  const r = readInstalledRelease([secret(release(1, 'superseded')), secret(release(2, 'deployed'))])!;
  const v = releaseValuesPort(r);

  it('layers user-supplied values over the stored chart values', () => {
    expect(v.origin).toBe('release');
    expect(v.get('config.values.infra.cloud_provider')).toBe('aws');
    expect(v.source('config.values.infra.cloud_provider')).toEqual({ file: 'release model-engine revision 2 (user-supplied values)' });
    expect(v.isUserSet('config.values.infra.cloud_provider')).toBe(true);
    expect(v.get('keda.cooldownPeriod')).toBe(300);
    expect(v.isUserSet('keda.cooldownPeriod')).toBe(false);
    expect(v.source('keda.cooldownPeriod')).toEqual({ file: 'chart defaults (model-engine 0.2.7 values.yaml)' });
    expect(v.get('redis')).toMatchObject({ enableAuth: true, enableTLS: false });
  });

  it('a stored null still deletes the chart default', () => {
    expect(v.get('nodeSelector')).toBeUndefined();
    expect(v.get('balloonNodeSelector')).toEqual({ 'node-lifecycle': 'normal' });
    expect(v.evidence('nodeSelector.node-lifecycle')).toEqual({
      type: 'values',
      path: 'nodeSelector.node-lifecycle',
      value: undefined,
      source: { file: 'release model-engine revision 2 (user-supplied values)' },
      missing: true,
    });
  });

  it('redacts credentials in evidence', () => {
    expect(JSON.stringify(v.evidence('redis'))).not.toContain(REDIS_PASSWORD);
    expect(JSON.stringify(v.evidence('extraEnvVars'))).not.toContain(PG_PASSWORD);
  });
});

describe('redactRelease', () => {
  const rel = release(2, 'deployed');
  rel.chart!.values = { ...rel.chart!.values, redis: { auth: 'chart-default-pass' } };
  const red = redactRelease(rel);
  const text = JSON.stringify(red);

  it('removes the redis password and the database URL password everywhere', () => {
    expect(text).not.toContain(REDIS_PASSWORD);
    expect(text).not.toContain(Buffer.from(REDIS_PASSWORD).toString('base64'));
    expect(text).not.toContain(PG_PASSWORD);
    expect(text).not.toContain('chart-default-pass');
    expect((red.config as { redis: { auth: string } }).redis.auth).toBe('REDACTED');
    // A URL under a URL-valued name (ML_INFRA_DATABASE_URL) loses its password; user, host and database stay evidence.
    expect((red.config as { extraEnvVars: { value: string }[] }).extraEnvVars[0]!.value).toBe('postgresql://llm_engine:REDACTED@llm-engine-db.example.internal:5432/llm_engine');
  });

  it('empties rendered manifests and keeps the rest', () => {
    expect(red.manifest).toBe('');
    expect(red.hooks![0]!.manifest).toBe('');
    expect(red.hooks![0]!.name).toBe('model-engine-database-migration-2');
    expect((red.config as { config: unknown }).config).toEqual(rel.config!.config);
    expect(red.chart!.metadata).toEqual(rel.chart!.metadata);
    expect(red.info).toEqual(rel.info);
  });

  it('does not touch its input, and survives encoding for a snapshot', () => {
    expect(rel.manifest).toContain('kind: Secret');
    expect((rel.config as { redis: { auth: string } }).redis.auth).toBe(REDIS_PASSWORD);
    expect(decodeRelease(encodeRelease(red))).toEqual(red);
  });
});
