#!/usr/bin/env node
/**
 * Writes the helm release Secret of the demo snapshots from fixtures/values/demo-aws.yaml, so the values a
 * user keeps in a file and the values stored in the cluster cannot drift apart.
 *
 *   node scripts/make-demo-release.mjs        # rewrite the Secrets
 *   node scripts/make-demo-release.mjs --check # exit 1 if a committed Secret differs from what would be written
 *
 * Helm v3 stores each revision as Secret `sh.helm.release.v1.<name>.v<revision>` (type helm.sh/release.v1):
 * `data.release` = base64 (the Secret's own encoding) of base64 of gzip of the release JSON
 * (helm pkg/storage/driver/util.go). The chart defaults come from src/sources/values/chart-defaults.ts
 * (Node >= 22.18 strips its types on import). Rendered manifests are emptied, as `collect` does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { CHART_DEFAULTS_YAML, CHART_NAME, CHART_VERSION } from '../src/sources/values/chart-defaults.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const VALUES_FILE = 'fixtures/values/demo-aws.yaml';
const NAMESPACE = 'model-engine';
const RELEASE = 'model-engine';
const REVISION = 3;
const FIRST_DEPLOYED = '2026-09-08T17:42:19.118734402Z';
const LAST_DEPLOYED = '2026-11-18T14:05:08.527711342Z';

/** Snapshots of the same install (ml-prod) that carry this release revision. */
const TARGETS = ['fixtures/clusters/demo-aws', 'fixtures/clusters/healthy-aws'];

/** The hooks helm records for this chart with these values (manifests emptied). One entry per rendered object. */
function hooks(values) {
  const at = (base, offset) => new Date(Date.parse(base) + offset * 1000).toISOString().replace('Z', '000Z');
  const h = (name, kind, path, weight, events, base, offset) => ({
    name,
    kind,
    path: `${CHART_NAME}/templates/${path}`,
    manifest: '',
    events,
    last_run: { started_at: at(base, offset), completed_at: at(base, offset + 1), phase: 'Succeeded' },
    weight,
    delete_policies: null,
  });
  const both = ['pre-install', 'pre-upgrade'];
  // The service config is rendered in the release and the endpoint namespace; the service account (a hook only
  // because values put helm.sh/hook in its annotations) in the release namespace and serviceAccount.namespaces.
  const saNamespaces = [NAMESPACE, ...(values.serviceAccount?.namespaces ?? [])];
  return [
    ...[0, 1].map(() => h('model-engine-service-config', 'ConfigMap', 'service_config_map.yaml', -3, both, LAST_DEPLOYED, 0)),
    ...saNamespaces.map(() => h('model-engine', 'ServiceAccount', 'service_account.yaml', -2, both, LAST_DEPLOYED, 1)),
    ...(values.aws?.configMap?.create
      ? (values.aws.configMap.namespaces ?? []).map(() => h('default-config', 'ConfigMap', 'aws_config_map.yaml', -2, both, LAST_DEPLOYED, 1))
      : []),
    h('model-engine-service-template-config', 'ConfigMap', 'service_template_config_map.yaml', -2, both, LAST_DEPLOYED, 1),
    // pre-install only: last run at the first install, never updated by upgrades.
    h('model-engine-inference-framework-latest-config', 'ConfigMap', 'inference_framework_config.yaml', -2, ['pre-install'], FIRST_DEPLOYED, 0),
    h(`model-engine-database-migration-${REVISION}`, 'Job', 'database_migration_job.yaml', -1, both, LAST_DEPLOYED, 2),
  ];
}

export function releaseJson(values) {
  return {
    name: RELEASE,
    info: {
      first_deployed: FIRST_DEPLOYED,
      last_deployed: LAST_DEPLOYED,
      deleted: '',
      description: 'Upgrade complete',
      status: 'deployed',
    },
    chart: {
      metadata: {
        name: CHART_NAME,
        version: CHART_VERSION,
        description: 'A Helm chart for Kubernetes',
        apiVersion: 'v2',
        appVersion: '1.0.0',
        type: 'application',
      },
      lock: null,
      templates: [],
      values: parse(CHART_DEFAULTS_YAML),
      schema: null,
      files: [],
    },
    config: values,
    manifest: '',
    hooks: hooks(values),
    version: REVISION,
    namespace: NAMESPACE,
  };
}

/** Helm's encoding: JSON → gzip → base64; the Secret's `data` adds its own base64. */
export function encodeForSecret(release) {
  const gz = gzipSync(Buffer.from(JSON.stringify(release), 'utf8'), { level: constants.Z_BEST_COMPRESSION });
  return Buffer.from(gz.toString('base64'), 'utf8').toString('base64');
}

function secretYaml(release) {
  const created = LAST_DEPLOYED.replace(/\.\d+Z$/, 'Z');
  const secret = {
    apiVersion: 'v1',
    data: { release: encodeForSecret(release) },
    kind: 'Secret',
    metadata: {
      // `collect` marks every Secret it redacted; a release keeps its values with credentials masked.
      annotations: { 'model-engine-doctor/redacted': 'true' },
      creationTimestamp: created,
      labels: {
        modifiedAt: String(Math.floor(Date.parse(LAST_DEPLOYED) / 1000)),
        name: RELEASE,
        owner: 'helm',
        status: 'deployed',
        version: String(REVISION),
      },
      name: `sh.helm.release.v1.${RELEASE}.v${REVISION}`,
      namespace: NAMESPACE,
      resourceVersion: '46202392',
      uid: '0d5c7e1a-94b2-4f3e-8a61-2c9f0b7d3e48',
    },
    type: 'helm.sh/release.v1',
  };
  const body = stringify(secret, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(
    /^(\s*creationTimestamp: )(.+)$/m,
    '$1"$2"',
  );
  return `# Generated by scripts/make-demo-release.mjs from ${VALUES_FILE}; do not edit by hand.\n${body}`;
}

function main() {
  const check = process.argv.includes('--check');
  const values = parse(readFileSync(join(REPO, VALUES_FILE), 'utf8'));
  const text = secretYaml(releaseJson(values));
  let stale = 0;
  for (const target of TARGETS) {
    const file = join(REPO, target, NAMESPACE, 'helm-release.yaml');
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        stale++;
        process.stderr.write(`stale: ${file}\n`);
      }
    } else {
      writeFileSync(file, text);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  if (stale > 0) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
