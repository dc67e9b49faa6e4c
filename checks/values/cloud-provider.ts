import { CLOUDS, defineCheck, fail, pass, type Cloud } from '../../src/engine/index.js';
import { profileFor } from '../../src/matrix/index.js';
import { keyRef, valuesSnippet } from './support/snippet.js';

export const CLOUD_PROVIDER = 'config.values.infra.cloud_provider';

export type CloudProviderVerdict =
  | { kind: 'ok'; cloud: Cloud }
  | { kind: 'missing' }
  | { kind: 'invalid'; value: string; suggestion?: Cloud }
  | { kind: 'mismatch'; cloud: Cloud; flag: Cloud };

/** Words people write for a cloud that model-engine does not know (it branches on the four exact strings). */
const ALIASES: Readonly<Record<string, Cloud>> = {
  eks: 'aws', amazon: 'aws', aks: 'azure', microsoft: 'azure', gke: 'gcp', google: 'gcp', 'on-prem': 'onprem',
  on_prem: 'onprem', 'on-premise': 'onprem', baremetal: 'onprem', 'bare-metal': 'onprem', local: 'onprem',
};

/**
 * Judge `cloud_provider` against the four values model-engine branches on (facts §2.2) and the cloud the run
 * targets (`--cloud`). `flag` is the run's cloud when it did not come from these values.
 */
export function judgeCloudProvider(value: unknown, flag: Cloud | undefined): CloudProviderVerdict {
  if (value === undefined || value === null || value === '') return { kind: 'missing' };
  const s = String(value);
  if (!(CLOUDS as readonly string[]).includes(s)) {
    const lower = s.trim().toLowerCase();
    const suggestion = (CLOUDS as readonly string[]).includes(lower) ? (lower as Cloud) : ALIASES[lower];
    return { kind: 'invalid', value: s, ...(suggestion ? { suggestion } : {}) };
  }
  const cloud = s as Cloud;
  if (flag && flag !== cloud) return { kind: 'mismatch', cloud, flag };
  return { kind: 'ok', cloud };
}

const fix = (cloud: string) => valuesSnippet([{ path: CLOUD_PROVIDER, value: cloud }]);

export default defineCheck({
  meta: {
    id: 'values/cloud-provider',
    title: 'cloud_provider set and matching the target cloud',
    description: 'config.values.infra.cloud_provider is one of aws, azure, gcp, onprem and agrees with --cloud.',
    clouds: 'all',
    cloudAgnostic: true,
    severity: 'critical',
    needs: ['values'],
    scopes: ['preflight', 'triage'],
    messages: {
      ok: 'config.values.infra.cloud_provider is {{cloud}} ({{displayName}}: {{tested}} per the cloud support matrix)',
      missing:
        'config.values.infra.cloud_provider is not set: InfraConfig requires it, so every control-plane pod crashes at start with a TypeError',
      invalid:
        'config.values.infra.cloud_provider is "{{value}}", not one of aws, azure, gcp, onprem: model-engine compares the exact lowercase string and wires AWS clients (S3, SQS) for anything it does not recognise',
      mismatch:
        '--cloud {{flag}} disagrees with config.values.infra.cloud_provider {{cloud}}: model-engine follows the values and will wire {{cloudName}} storage, broker and registry clients on {{flagName}}',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const raw = values.get(CLOUD_PROVIDER);
    const fromValues = typeof raw === 'string' && raw === ctx.cloud;
    const verdict = judgeCloudProvider(raw, fromValues ? undefined : ctx.cloud);
    const object = keyRef(CLOUD_PROVIDER);
    const evidence = [values.evidence(CLOUD_PROVIDER)];
    switch (verdict.kind) {
      case 'ok': {
        const p = profileFor(verdict.cloud)!;
        const tested = p.tested === 'production' ? 'tested in production' : p.tested === 'partial' ? 'partially tested' : 'implemented, not tested end-to-end';
        return pass('ok', { object, evidence, data: { cloud: verdict.cloud, displayName: p.displayName, tested } });
      }
      case 'missing':
        return fail('missing', {
          object,
          evidence,
          remediation: {
            summary: `Set ${CLOUD_PROVIDER} to the cloud you install on (aws, azure, gcp or onprem).`,
            values: fix(ctx.cloud ?? 'aws'),
          },
        });
      case 'invalid': {
        const to = verdict.suggestion ?? ctx.cloud;
        return fail('invalid', {
          object,
          evidence,
          data: { value: verdict.value },
          remediation: {
            summary: to
              ? `Set ${CLOUD_PROVIDER} to "${to}" (exactly, lowercase).`
              : `Set ${CLOUD_PROVIDER} to one of aws, azure, gcp, onprem (exactly, lowercase).`,
            values: fix(to ?? 'aws'),
          },
        });
      }
      case 'mismatch':
        return fail('mismatch', {
          object,
          evidence,
          data: {
            flag: verdict.flag,
            cloud: verdict.cloud,
            flagName: profileFor(verdict.flag)!.displayName,
            cloudName: profileFor(verdict.cloud)!.displayName,
          },
          remediation: {
            summary: `Either set ${CLOUD_PROVIDER} to ${verdict.flag} (and the ${profileFor(verdict.flag)!.displayName} keys the other values checks list), or rerun with --cloud ${verdict.cloud}.`,
            values: fix(verdict.flag),
          },
        });
    }
  },
});
