import { defineCheck, fail, pass, skip, warn, type Evidence, type Finding } from '../../src/engine/index.js';
import { CloudApiError } from '../../src/engine/ports/cloud.js';
import { revealSecret } from '../../src/engine/ports/secret.js';
import { AZURE_REDIS_SCOPE, cacheRedisPlan, SECRET_URL_KEY, targetFromSecretUrl } from './lib/model-engine-redis.js';
import { runningConfig } from './lib/running-config.js';

const DOCS = 'docs/checks/redis/cache-url.md';
/** Minutes until a token expires (negative: already expired). */
export function minutesLeft(expiresOn: Date, now: Date): number {
  return Math.floor((expiresOn.getTime() - now.getTime()) / 60_000);
}

export default defineCheck({
  meta: {
    id: 'redis/cache-url',
    title: 'Cache Redis URL resolves as model-engine resolves it',
    description:
      "Resolves hmi_config.cache_redis_url from the running service ConfigMap (or the values) in model-engine's precedence, and — with --cloud-api — reads the Secrets Manager secret or gets the Entra token it needs.",
    clouds: 'all',
    severity: 'critical',
    needs: [],
    uses: ['cloud'],
    scopes: ['preflight', 'triage', 'endpoint'],
    messages: {
      resolved: 'The cache Redis is {{target}} (from {{key}} in the {{from}})',
      fallback: 'No cache Redis key is set: on-prem model-engine uses {{target}} (REDIS_HOST {{redisHost}}, port always 6379)',
      crashes: 'cache_redis_url raises {{error}} with this config: the gateway, builder and cacher fail on their first Redis use',
      urlInvalid: '{{key}} is not a redis:// or rediss:// URL, so redis-py cannot connect',
      secretNotRead: 'The cache Redis URL comes from AWS Secrets Manager secret {{secretName}} (key "cache-url"); rerun with --cloud-api to read it',
      secretResolved: 'Secrets Manager secret {{secretName}} holds a cache-url: {{target}}',
      secretMissing: 'Secrets Manager secret {{secretName}} does not exist ({{code}}): cache_redis_url fails on every pod start',
      secretNoKey: 'Secrets Manager secret {{secretName}} has no "cache-url" key (keys: {{keys}}): model-engine raises KeyError on its first Redis use',
      secretBadUrl: 'The "cache-url" in secret {{secretName}} is not a redis:// or rediss:// URL',
      secretUnreadable: 'Could not read Secrets Manager secret {{secretName}} with your credentials ({{code}}: {{detail}}); the pods use their own role, so this is not proof they cannot',
      azureNoObjectId: 'AZURE_OBJECT_ID is not set on the gateway: the Entra-token login to {{host}} has no username, so Redis answers WRONGPASS',
      azureHostPort: 'cache_redis_azure_host "{{host}}" {{problem}}',
      azureTokenNotTried: 'The cache Redis is {{target}}, authenticated with an Entra token; rerun with --cloud-api to check a token can be had',
      azureToken: 'The cache Redis is {{target}}; an Entra token for {{scope}} was issued to you, expiring {{expiresOn}} ({{minutes}} min)',
      azureTokenFailed: 'Could not get an Entra token for {{scope}} ({{code}}: {{detail}}); this is your identity, not the pods\' — rerun with --exec to ask from the gateway pod',
      noConfig: 'Neither the service ConfigMap nor helm values are available, so the cache Redis cannot be resolved',
    },
  },
  async run(ctx) {
    const cfg = await runningConfig(ctx);
    if (!cfg || !ctx.cloud) return skip('noConfig');
    const cloud = ctx.cloud;
    const plan = cacheRedisPlan(cloud, cfg.launch, cfg.env.values);
    const evidence: Evidence[] = [...cfg.evidence];
    const from = cfg.from === 'configmap' ? `service ConfigMap ${ctx.namespaces.controlPlane}/model-engine-service-config` : 'helm values';
    const object = cfg.object;
    const cloudPort = ctx.options.cloudApi ? ctx.ports.cloud : undefined;

    switch (plan.kind) {
      case 'crash':
        return fail('crashes', {
          object,
          evidence: [...evidence, { type: 'note', text: `cloud_provider ${cloud}${plan.blame ? `; ${plan.blame} is set` : ''}` }],
          data: { error: plan.error },
          remediation: {
            summary: `Set the cache Redis key for ${cloud} (see values/redis for the key), helm upgrade, and restart the control plane.`,
            commands: [`kubectl -n ${ctx.namespaces.controlPlane} get configmap model-engine-service-config -o jsonpath='{.data.launch_service_config}' | grep cache_redis`],
            docs: DOCS,
          },
        });
      case 'url':
        if (!plan.target) {
          return fail('urlInvalid', {
            object,
            evidence,
            data: { key: plan.key },
            remediation: { summary: `Write ${plan.key} as redis://host:port/db (rediss:// for TLS).`, docs: DOCS },
          });
        }
        return pass('resolved', { object, evidence, data: { target: plan.target.display, key: plan.key, from } });
      case 'fallback':
        return pass('fallback', { object, evidence, data: { target: plan.target.display, redisHost: cfg.env.values.REDIS_HOST ?? '(unset: "redis")' } });
      case 'secret': {
        const data = { secretName: plan.secretName };
        if (!cloudPort) return pass('secretNotRead', { object, evidence, data });
        ctx.progress(`reading Secrets Manager secret ${plan.secretName}`);
        const region = typeof cfg.infra.default_region === 'string' ? cfg.infra.default_region : undefined;
        try {
          const answer = await cloudPort.secretJsonKey(plan.secretName, SECRET_URL_KEY, { signal: ctx.signal, ...(region ? { region } : {}) });
          const ev: Evidence = { type: 'probe', target: `AWS Secrets Manager ${plan.secretName}`, detail: answer.state === 'found' ? 'key cache-url present' : `keys: ${answer.keys.join(', ') || '(none)'}` };
          if (answer.state === 'no-key') {
            return fail('secretNoKey', {
              object,
              evidence: [...evidence, ev],
              data: { ...data, keys: answer.json ? answer.keys.join(', ') || '(none)' : '(not JSON)' },
              remediation: {
                summary: 'Store the full Redis URL (with db) under the JSON key "cache-url" in the secret.',
                commands: [`aws secretsmanager put-secret-value --secret-id ${plan.secretName} --secret-string '{"cache-url":"rediss://:<auth token>@<primary endpoint>:6379/15"}'`],
                docs: DOCS,
              },
            });
          }
          const target = targetFromSecretUrl(revealSecret(answer.value));
          if (!target) {
            return fail('secretBadUrl', {
              object,
              evidence: [...evidence, ev],
              data,
              remediation: { summary: 'Make "cache-url" a redis:// or rediss:// URL with host, port and db.', docs: DOCS },
            });
          }
          return pass('secretResolved', { object, evidence: [...evidence, ev], data: { ...data, target: target.display } });
        } catch (e) {
          if (!(e instanceof CloudApiError)) throw e;
          if (e.code === 'ResourceNotFoundException') {
            return fail('secretMissing', {
              object,
              evidence,
              data: { ...data, code: e.code },
              remediation: {
                summary: 'Create the secret (JSON with a "cache-url" key) in the control plane\'s account and region, or fix cache_redis_aws_secret_name.',
                commands: [`aws secretsmanager describe-secret --secret-id ${plan.secretName}${region ? ` --region ${region}` : ''}`],
                docs: DOCS,
              },
            });
          }
          return warn('secretUnreadable', {
            object,
            severity: 'low',
            evidence,
            data: { ...data, code: e.code, detail: e.message },
            remediation: {
              summary: 'Read it with credentials that may (or from the gateway pod with --exec), and check the pods\' role has secretsmanager:GetSecretValue on it.',
              commands: [`aws secretsmanager get-secret-value --secret-id ${plan.secretName} --query SecretString --output text | jq 'keys'`],
              docs: DOCS,
            },
          });
        }
      }
      case 'azure': {
        const findings: Finding[] = [];
        const target = plan.target;
        if (!plan.objectId) {
          findings.push(
            fail('azureNoObjectId', {
              object: cfg.gateway ? { kind: 'Deployment', namespace: ctx.namespaces.controlPlane, name: 'model-engine' } : { kind: 'HelmValues', name: 'azure.object_id' },
              evidence,
              data: { host: plan.host },
              remediation: {
                summary: 'Set azure.object_id to the managed identity\'s principal (object) id; the chart injects it as AZURE_OBJECT_ID.',
                commands: ['az identity show -g <resource-group> -n <identity-name> --query principalId -o tsv'],
                values: 'azure:\n  object_id: "<managed identity principal id>"\n',
                docs: DOCS,
              },
            }),
          );
        }
        if (plan.hostProblem) {
          findings.push(
            fail('azureHostPort', {
              object,
              evidence,
              data: { host: plan.host, problem: plan.hostProblem },
              remediation: {
                summary: 'Use the TLS port: cache_redis_azure_host: <name>.redis.cache.windows.net:6380 (Azure Managed Redis: :10000).',
                values: `config:\n  values:\n    launch:\n      cache_redis_azure_host: ${target.host}:6380\n`,
                docs: DOCS,
              },
            }),
          );
        }
        if (!cloudPort) {
          findings.push(pass('azureTokenNotTried', { object, evidence, data: { target: target.display } }));
          return findings;
        }
        ctx.progress(`getting an Entra token for ${AZURE_REDIS_SCOPE}`);
        try {
          const { expiresOn } = await cloudPort.entraToken(AZURE_REDIS_SCOPE, { signal: ctx.signal });
          findings.push(
            pass('azureToken', {
              object,
              evidence: [...evidence, { type: 'probe', target: 'Entra ID', detail: `token for ${AZURE_REDIS_SCOPE} expires ${expiresOn.toISOString()}` }],
              data: { target: target.display, scope: AZURE_REDIS_SCOPE, expiresOn: expiresOn.toISOString(), minutes: minutesLeft(expiresOn, new Date()) },
            }),
          );
        } catch (e) {
          if (!(e instanceof CloudApiError)) throw e;
          findings.push(
            warn('azureTokenFailed', {
              object,
              severity: 'low',
              evidence,
              data: { scope: AZURE_REDIS_SCOPE, code: e.code, detail: e.message },
              remediation: {
                summary: 'Log in (az login) or run from a workload-identity pod; the pods\' own token is what matters, which --exec checks.',
                commands: [`az account get-access-token --scope ${AZURE_REDIS_SCOPE} --query expiresOn -o tsv`],
                docs: DOCS,
              },
            }),
          );
        }
        return findings;
      }
    }
  },
});
