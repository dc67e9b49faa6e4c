import { defineCheck, fail, pass, type BrokerValue, type CloudProfile, type Finding } from '../../src/engine/index.js';
import { keyRef, str, truthy, valuesSnippet } from './support/snippet.js';

/** `celery_app(broker_type=…)` accepts exactly these (facts §4.1); the async forwarder gets `--broker-type <celeryBrokerType>`. */
export const BROKER_TYPES = ['sqs', 'servicebus', 'redis'] as const;

export type BrokerTypeVerdict =
  | { kind: 'ok'; type: string }
  | { kind: 'missing' }
  | { kind: 'invalid'; type: string }
  | { kind: 'cloudMismatch'; type: string; expected: readonly string[] };

export function judgeBrokerType(raw: unknown, profile: Pick<CloudProfile, 'brokerTypes'>): BrokerTypeVerdict {
  if (raw === undefined || raw === null || raw === '') return { kind: 'missing' };
  const type = String(raw);
  if (!(BROKER_TYPES as readonly string[]).includes(type)) return { kind: 'invalid', type };
  if (!profile.brokerTypes.includes(type)) return { kind: 'cloudMismatch', type, expected: profile.brokerTypes };
  return { kind: 'ok', type };
}

/** GCP project ids: 6-30 characters, lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
export function isGcpProjectId(s: string): boolean {
  return /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(s);
}

/** Values that are the samples' placeholders rather than a real setting (`your-gcp-project`, `<…>`). */
export function isPlaceholder(s: string): boolean {
  return /^(your[-_]|<|changeme|todo$|xxx|example[-_])/i.test(s.trim()) || /^0{12}$/.test(s.trim());
}

/** Why a broker value has the wrong shape for its format, with a corrected suggestion where one can be derived. */
export function formatProblem(format: BrokerValue['format'], value: string): { why: string; fix: string; suggestion?: string } | undefined {
  switch (format) {
    case 'servicebus-namespace': {
      if (!value.includes('.') && !value.includes('/')) return undefined;
      const bare = value.replace(/^[a-z]+:\/\//i, '').split(/[./]/)[0] ?? value;
      return {
        why: 'must be the bare namespace name: model-engine builds <namespace>.servicebus.windows.net itself',
        fix: 'Keep only the part before .servicebus.windows.net.',
        suggestion: bare,
      };
    }
    case 'gcp-project-id':
      return isGcpProjectId(value)
        ? undefined
        : { why: 'is not a GCP project id (6-30 lower-case letters, digits and hyphens: the id, not the name or number)', fix: 'Use the project id.' };
  }
}

const REDIS_FLAG = 'celery_broker_type_redis';
const INFRA_REDIS_FLAG = 'config.values.infra.celery_broker_type_redis';

export default defineCheck({
  meta: {
    id: 'values/broker',
    title: 'Celery broker matches the cloud',
    description:
      'celeryBrokerType is sqs, servicebus or redis and matches the cloud; celery_broker_type_redis routes the gateway and builder to the same broker; the broker namespace or project is set.',
    clouds: ['aws', 'azure', 'gcp', 'onprem'],
    severity: 'critical',
    needs: ['values'],
    scopes: ['preflight', 'triage'],
    messages: {
      ok: 'celeryBrokerType {{type}} matches {{cloud}} ({{detail}})',
      ciRedis:
        'context is circleci, so every model-engine container gets CIRCLECI=true and uses Redis for the builder and inference queues on any cloud: celeryBrokerType {{type}} matches',
      missing:
        'celeryBrokerType is not set: async endpoint forwarders start with an empty --broker-type and exit with ValueError, and with celery_autoscaler enabled the chart renders a StatefulSet named "celery-autoscaler-%!s(<nil>)", which the API server rejects',
      invalid:
        'celeryBrokerType is "{{type}}": every async endpoint forwarder exits at start with ValueError("Only \'redis\', \'sqs\', and \'servicebus\' are supported values for broker_type, got value {{type}}"){{hint}}',
      cloudMismatch:
        'celeryBrokerType is {{type}} but {{cloud}} uses {{expected}}: the gateway sends async tasks to {{expected}} while the forwarders listen on {{type}}, so async requests never complete',
      redisFlagMissing:
        'celery_broker_type_redis is not true on {{cloud}}: the gateway sends endpoint-build tasks to Redis but the endpoint builder listens on SQS, so every endpoint stays UPDATE_PENDING',
      redisFlagConflict:
        'celery_broker_type_redis is true on {{cloud}}: {{consequence}}',
      valueMissing: '{{key}} is not set: {{consequence}}',
      valuePlaceholder:
        '{{key}} is "{{value}}", a placeholder from the samples: model-engine uses it as is, so creating the queues of async endpoints fails (NotFound or PermissionDenied)',
      valueFormat: '{{key}} "{{value}}" {{problem}}',
      redisHostMissing:
        'Neither redisHost nor config.values.infra.redis_host is set: the Celery broker Redis on {{cloud}} resolves to host None and no task is ever delivered',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    // `context: circleci` makes the chart set CIRCLECI=true in every model-engine container (_helpers.tpl
    // serviceEnvBase), and the code then uses Redis for every queue on every cloud (api/dependencies.py; facts
    // §3, §10.1): judge the broker as a Redis one, whatever the cloud.
    const ci = values.get('context') === 'circleci';
    const profile: CloudProfile = ci ? { ...ctx.matrix!, displayName: `${ctx.matrix!.displayName} with context circleci`, brokerTypes: ['redis'], broker: 'redis', celeryBrokerTypeRedis: 'optional', brokerValues: [] } : ctx.matrix!;
    const findings: Finding[] = [];
    const raw = values.get('celeryBrokerType');
    const verdict = judgeBrokerType(raw, profile);
    const expected = profile.brokerTypes[0] ?? 'sqs';
    const object = keyRef('celeryBrokerType');
    const evidence = [values.evidence('celeryBrokerType'), values.evidence('config.values.infra.cloud_provider')];
    const fix = valuesSnippet([{ path: 'celeryBrokerType', value: expected }]);

    switch (verdict.kind) {
      case 'missing':
        findings.push(fail('missing', { object, evidence, remediation: { summary: `Set celeryBrokerType: ${expected} for ${profile.displayName}.`, values: fix } }));
        break;
      case 'invalid':
        findings.push(
          fail('invalid', {
            object,
            evidence,
            data: {
              type: verdict.type,
              hint:
                verdict.type === 'elasticache'
                  ? ' (values_sample.yaml and the cloud support matrix suggest "elasticache"; the code only knows "redis")'
                  : '',
            },
            remediation: { summary: `Set celeryBrokerType: ${expected} (${profile.displayName}).`, values: fix },
          }),
        );
        break;
      case 'cloudMismatch':
        findings.push(
          fail('cloudMismatch', {
            object,
            evidence,
            data: { type: verdict.type, cloud: profile.displayName, expected: verdict.expected.join(' or ') },
            remediation: { summary: `Set celeryBrokerType: ${expected} for ${profile.displayName}.`, values: fix },
          }),
        );
        break;
      case 'ok':
        break;
    }

    // celery_broker_type_redis: top-level (the chart copies it into the infra config when truthy) or set in infra directly.
    const flagKey = truthy(values.get(REDIS_FLAG)) ? REDIS_FLAG : truthy(values.get(INFRA_REDIS_FLAG)) ? INFRA_REDIS_FLAG : undefined;
    const flagRule = profile.celeryBrokerTypeRedis ?? 'optional';
    if (flagRule === 'required' && !flagKey) {
      findings.push(
        fail('redisFlagMissing', {
          object: keyRef(REDIS_FLAG),
          evidence: [values.evidence(REDIS_FLAG), values.evidence(INFRA_REDIS_FLAG)],
          data: { cloud: profile.displayName },
          remediation: { summary: 'Set celery_broker_type_redis: true.', values: valuesSnippet([{ path: REDIS_FLAG, value: true }]) },
        }),
      );
    } else if (flagRule === 'forbidden' && flagKey) {
      const consequence =
        profile.broker === 'servicebus'
          ? 'the endpoint builder listens on Redis while the gateway sends build tasks to Service Bus, so every endpoint stays UPDATE_PENDING'
          : `the gateway sends async inference tasks to Redis while the forwarders (celeryBrokerType ${String(raw ?? '')}) read ${profile.broker.toUpperCase()}, so async requests never complete`;
      findings.push(
        fail('redisFlagConflict', {
          object: keyRef(flagKey),
          evidence: [values.evidence(flagKey)],
          data: { cloud: profile.displayName, consequence },
          remediation: { summary: `Remove ${flagKey} on ${profile.displayName}.`, values: valuesSnippet([{ path: flagKey, value: null }]) },
        }),
      );
    }

    // Values the queue delegate / broker URL needs on this cloud (matrix `brokerValues`; keys are alternatives).
    for (const need of profile.brokerValues ?? []) {
      const primary = need.keys[0]!;
      const key = need.keys.find((k) => str(values, k) !== undefined);
      const commands = need.lookup ? [need.lookup] : [];
      if (!key) {
        findings.push(
          fail('valueMissing', {
            object: keyRef(primary),
            evidence: need.keys.map((k) => values.evidence(k)),
            data: { key: primary, consequence: need.consequence },
            remediation: { summary: `Set ${primary}.`, commands, values: valuesSnippet([{ path: primary, value: need.example }]) },
          }),
        );
        continue;
      }
      const value = str(values, key)!;
      const problem = isPlaceholder(value) ? 'placeholder' : formatProblem(need.format, value);
      if (problem === 'placeholder') {
        findings.push(
          fail('valuePlaceholder', {
            object: keyRef(key),
            evidence: [values.evidence(key)],
            data: { key, value },
            remediation: { summary: `Replace the sample value of ${key} with yours.`, commands, values: valuesSnippet([{ path: key, value: need.example }]) },
          }),
        );
      } else if (problem) {
        findings.push(
          fail('valueFormat', {
            object: keyRef(key),
            evidence: [values.evidence(key)],
            data: { key, value, problem: problem.why },
            remediation: { summary: problem.fix, commands, values: valuesSnippet([{ path: key, value: problem.suggestion ?? need.example }]) },
          }),
        );
      }
    }

    // A Redis Celery broker (GCP, on-prem) needs a host: REDIS_HOST/REDIS_PORT (from redisHost) or infra.redis_host.
    if (profile.brokerTypes.includes('redis') && !str(values, 'redisHost') && !str(values, 'config.values.infra.redis_host')) {
      findings.push(
        fail('redisHostMissing', {
          object: keyRef('redisHost'),
          evidence: [values.evidence('redisHost'), values.evidence('config.values.infra.redis_host')],
          data: { cloud: profile.displayName },
          remediation: {
            summary: 'Set both redisHost (gateway and builder) and config.values.infra.redis_host (async forwarders, port 6379) to the broker Redis.',
            values: valuesSnippet([
              { path: 'redisHost', value: '<redis host>' },
              { path: 'config.values.infra.redis_host', value: '<redis host>' },
            ]),
          },
        }),
      );
    }

    if (findings.length > 0) return findings;
    if (ci) return pass('ciRedis', { object, evidence: [values.evidence('context'), ...evidence], data: { type: String(raw) } });
    const detail =
      profile.broker === 'sqs'
        ? 'SQS queue per endpoint, created by the gateway'
        : profile.broker === 'servicebus'
          ? `Service Bus namespace ${str(values, 'azure.servicebus_namespace') ?? ''}, a queue per endpoint`
          : profile.broker === 'pubsub-redis'
            ? `Pub/Sub queues in project ${str(values, 'gcp.project_id') ?? str(values, 'config.values.infra.gcp_project_id') ?? ''}, Redis as the Celery broker`
            : `Redis broker for gateway, builder and forwarders${flagKey ? `, ${flagKey}: true` : ''}`;
    return pass('ok', { object, evidence, data: { type: String(raw), cloud: profile.displayName, detail } });
  },
});
