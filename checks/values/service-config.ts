import { renderedChart } from '../chart/support/rendered.js';
import { defineCheck, fail, pass, rec, warn, type Finding } from '../../src/engine/index.js';
import { REQUIRED_INFRA_FIELDS, REQUIRED_LAUNCH_FIELDS, RENAMED_FIELDS, type RequiredConfigField } from '../../src/model-engine/model-engine-config.js';
import { keyRef, str, valuesSnippet, type SnippetValue } from './support/snippet.js';

const LAUNCH = 'config.values.launch';
const INFRA = 'config.values.infra';

/** The required fields a user sets under config.values.<section>, each with a snippet example. */
function userSet(fields: readonly RequiredConfigField[]): Readonly<Record<string, SnippetValue>> {
  return Object.fromEntries(fields.filter((f) => !f.renderedFrom && !f.ownCheck).map((f) => [f.name, f.example ?? '<value>']));
}

/**
 * `HostedModelInferenceServiceConfig` fields without a default (facts §2.1), minus what the chart injects into
 * the rendered config itself (`gateway_namespace` = release namespace, `dd_trace_enabled` = top-level value).
 * The list is model-engine's (src/model-engine/model-engine-config.ts), shared with control-plane/config-maps.
 */
export const REQUIRED_LAUNCH = userSet(REQUIRED_LAUNCH_FIELDS);

/**
 * `InfraConfig` fields without a default (facts §2.2), minus `env` (the chart writes `context` there) and the two
 * that have their own checks (`cloud_provider`: values/cloud-provider, `docker_repo_prefix`: values/registry-prefix).
 */
export const REQUIRED_INFRA = userSet(REQUIRED_INFRA_FIELDS);

/** Launch keys holding object-storage URLs, whose scheme must be the cloud's (matrix `storageScheme`). */
export const STORAGE_URL_KEYS = ['cloud_file_llm_fine_tune_repository', 'hf_user_fine_tuned_weights_prefix'] as const;

/** Boolean fields: the chart renders a quoted string ("false"), which Python treats as true. */
export const BOOLEAN_LAUNCH = ['istio_enabled', 'sensitive_log_mode'] as const;

const NEW_FINE_TUNE = `${LAUNCH}.cloud_file_llm_fine_tune_repository`;
const OLD_FINE_TUNE = `${LAUNCH}.${RENAMED_FIELDS.cloud_file_llm_fine_tune_repository}`;

/** The required keys missing from a launch/infra map (absent or null; `false` and "" are present). */
export function missingFields(block: unknown, required: Readonly<Record<string, SnippetValue>>): string[] {
  const map = rec(block) ?? {};
  return Object.keys(required).filter((k) => map[k] === undefined || map[k] === null);
}

/** The scheme of a storage URL (`s3://`), or undefined when it has none. */
export function storageSchemeOf(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim())?.[0].toLowerCase();
}

/** Findings chart/service-config makes on the rendered ConfigMap instead, when a chart is rendered. */
const RENDERED_JUDGES = new Set(['blockMissing', 'fieldMissing', 'fineTuneKeyRenamed', 'fineTuneKeyStale', 'quotedBoolean']);

export default defineCheck({
  meta: {
    id: 'values/service-config',
    title: 'Service config complete for model-engine',
    description:
      "config.values.launch and config.values.infra have every field model-engine's config classes require, under today's names, with storage URLs in the cloud's scheme.",
    clouds: 'all',
    severity: 'critical',
    needs: ['values'],
    uses: ['chart'],
    scopes: ['preflight', 'triage'],
    messages: {
      complete:
        'config.values has every field model-engine requires ({{launch}} launch, {{infra}} infra){{storage}}',
      blockMissing:
        '{{key}} is not set: the chart renders an empty {{which}} config and every control-plane pod crashes at start with TypeError (missing {{count}} required fields)',
      fieldMissing:
        '{{key}} is not set: {{klass}} requires it, so every control-plane pod crashes at start with "TypeError: __init__() missing 1 required positional argument: \'{{field}}\'"',
      fineTuneKeyRenamed:
        'config.values.launch.s3_file_llm_fine_tuning_job_repository was renamed to cloud_file_llm_fine_tune_repository in #551: model-engine drops the old key and crashes at start with TypeError for the missing field (values_sample.yaml and the matrix still use the old name)',
      fineTuneKeyStale:
        'config.values.launch.s3_file_llm_fine_tuning_job_repository is set beside cloud_file_llm_fine_tune_repository and is ignored (renamed in #551)',
      storageScheme: '{{key}} is "{{value}}", but {{cloud}} object storage needs {{scheme}} URLs ({{client}})',
      bucketHasScheme:
        'config.values.infra.s3_bucket is "{{value}}": it is a bucket name, not a URL; model-engine builds {{scheme}}<bucket>/… from it',
      quotedBoolean:
        '{{key}} is the string "{{value}}": the chart renders it quoted and Python reads any non-empty string as true',
      judgedRendered: 'config.values is judged on the ConfigMap helm renders from it (chart/service-config)',
      contextMissing:
        'context is not set: the chart writes it as the infra config env (and the env label of every object), which stays empty',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const findings: Finding[] = [];
    const hasOld = values.get(OLD_FINE_TUNE) !== undefined && values.get(OLD_FINE_TUNE) !== null;
    // A null renders as an empty key (None): no value, so not set.
    const hasNew = values.get(NEW_FINE_TUNE) !== undefined && values.get(NEW_FINE_TUNE) !== null;
    const scheme = ctx.matrix?.storageScheme;

    for (const [block, required, klass, which] of [
      [LAUNCH, REQUIRED_LAUNCH, 'HostedModelInferenceServiceConfig', 'launch'],
      [INFRA, REQUIRED_INFRA, 'InfraConfig', 'infra'],
    ] as const) {
      const map = values.get(block);
      let missing = missingFields(map, required);
      if (hasOld) missing = missing.filter((k) => `${block}.${k}` !== NEW_FINE_TUNE);
      const example = (k: string) => {
        const v = required[k]!;
        return typeof v === 'string' && scheme ? v.replace('<scheme>://', scheme) : v;
      };
      if (map === undefined || map === null) {
        findings.push(
          fail('blockMissing', {
            object: keyRef(block),
            evidence: [values.evidence(block)],
            data: { key: block, which, count: Object.keys(required).length },
            remediation: {
              summary: `Add ${block} with every required field (see docs/checks/values/service-config.md).`,
              values: valuesSnippet(Object.keys(required).map((k) => ({ path: `${block}.${k}`, value: example(k) }))),
            },
          }),
        );
        continue;
      }
      for (const field of missing) {
        const key = `${block}.${field}`;
        findings.push(
          fail('fieldMissing', {
            object: keyRef(key),
            evidence: [values.evidence(key)],
            data: { key, field, klass },
            remediation: { summary: `Set ${key}.`, values: valuesSnippet([{ path: key, value: example(field) }]) },
          }),
        );
      }
    }

    if (hasOld) {
      const old = str(values, OLD_FINE_TUNE);
      if (!hasNew) {
        findings.push(
          fail('fineTuneKeyRenamed', {
            object: keyRef(OLD_FINE_TUNE),
            evidence: [values.evidence(OLD_FINE_TUNE), values.evidence(NEW_FINE_TUNE)],
            remediation: {
              summary: 'Rename the key to cloud_file_llm_fine_tune_repository (same value).',
              values: valuesSnippet([
                { path: OLD_FINE_TUNE, value: null, comment: 'renamed in #551' },
                { path: NEW_FINE_TUNE, value: old ?? `${scheme ?? 's3://'}<bucket>/llm-ft-job-repository` },
              ]),
            },
          }),
        );
      } else {
        findings.push(
          warn('fineTuneKeyStale', {
            object: keyRef(OLD_FINE_TUNE),
            evidence: [values.evidence(OLD_FINE_TUNE), values.evidence(NEW_FINE_TUNE)],
            severity: 'low',
            remediation: { summary: 'Delete the old key.', values: valuesSnippet([{ path: OLD_FINE_TUNE, value: null, comment: 'renamed in #551' }]) },
          }),
        );
      }
    }

    if (ctx.matrix && scheme) {
      const client =
        scheme === 's3://' ? (ctx.cloud === 'onprem' ? 'S3FilesystemGateway via MinIO (s3EndpointUrl)' : 'S3FilesystemGateway') : scheme === 'az://' ? 'ABSFilesystemGateway' : 'GCSFilesystemGateway';
      for (const field of STORAGE_URL_KEYS) {
        const key = `${LAUNCH}.${field}`;
        const value = str(values, key);
        if (!value) continue;
        const actual = storageSchemeOf(value);
        if (actual === scheme) continue;
        const rest = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
        findings.push(
          fail('storageScheme', {
            object: keyRef(key),
            evidence: [values.evidence(key), values.evidence('config.values.infra.cloud_provider')],
            data: { key, value, cloud: ctx.matrix.displayName, scheme, client },
            remediation: { summary: `Use a ${scheme} URL in ${ctx.matrix.displayName} storage.`, values: valuesSnippet([{ path: key, value: `${scheme}${rest}` }]) },
          }),
        );
      }
      const bucket = str(values, `${INFRA}.s3_bucket`);
      if (bucket && (bucket.includes('://') || bucket.includes('/'))) {
        const name = bucket.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? bucket;
        findings.push(
          warn('bucketHasScheme', {
            object: keyRef(`${INFRA}.s3_bucket`),
            evidence: [values.evidence(`${INFRA}.s3_bucket`)],
            data: { value: bucket, scheme },
            remediation: { summary: 'Give the bare bucket (or container) name.', values: valuesSnippet([{ path: `${INFRA}.s3_bucket`, value: name }]) },
          }),
        );
      }
    }

    for (const field of BOOLEAN_LAUNCH) {
      const key = `${LAUNCH}.${field}`;
      const v = values.get(key);
      if (typeof v !== 'string') continue;
      const meant = /^(false|no|off|0)$/i.test(v.trim()) ? false : true;
      findings.push(
        (meant ? warn : fail)('quotedBoolean', {
          object: keyRef(key),
          evidence: [values.evidence(key)],
          severity: meant ? 'low' : 'high',
          data: { key, value: v },
          remediation: { summary: `Write ${field} as a bare YAML boolean.`, values: valuesSnippet([{ path: key, value: meant }]) },
        }),
      );
    }

    if (str(values, 'context') === undefined) {
      findings.push(
        warn('contextMissing', {
          object: keyRef('context'),
          evidence: [values.evidence('context')],
          severity: 'medium',
          remediation: { summary: 'Set context to the environment name (it also names the AWS/Azure database secret when no Kubernetes secret is given).', values: valuesSnippet([{ path: 'context', value: 'production' }]) },
        }),
      );
    }

    // With a rendered chart, chart/service-config judges the ConfigMap helm renders (the same fields, plus the
    // rendered object as evidence): one finding per cause.
    if (await renderedChart(ctx)) {
      const kept = findings.filter((f) => !RENDERED_JUDGES.has(f.messageId));
      return kept.length > 0 ? kept : pass('judgedRendered', { object: keyRef('config.values') });
    }
    if (findings.length > 0) return findings;
    return pass('complete', {
      object: keyRef('config.values'),
      evidence: [values.evidence(NEW_FINE_TUNE)],
      data: {
        launch: REQUIRED_LAUNCH_FIELDS.length,
        infra: REQUIRED_INFRA_FIELDS.length,
        storage: scheme ? `; storage URLs use ${scheme}` : '',
      },
    });
  },
});
