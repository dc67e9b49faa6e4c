import { defineCheck, fail, skip, type Finding, type ObjectRef, type Pod } from '../../src/engine/index.js';
import { CloudApiError } from '../../src/engine/ports/cloud.js';
import type { PodRef } from '../../src/engine/ports/exec.js';
import type { RedisProbeResult, RedisTarget } from '../../src/engine/ports/redis.js';
import { revealSecret } from '../../src/engine/ports/secret.js';
import { diagnoseProbe, PROBE_MESSAGES } from './lib/diagnose.js';
import {
  BROKER_COMMANDS,
  BUILDER_QUEUE,
  brokerRedisPlan,
  builderBrokers,
  CACHE_COMMANDS,
  cacheRedisPlan,
  GATEWAY,
  inferenceBroker,
  pickGatewayPod,
  SECRET_URL_KEY,
  targetFromSecretUrl,
  VISIBILITY_DB,
} from './lib/model-engine-redis.js';
import { readSecretKey, runningConfig } from './lib/running-config.js';

const DOCS = 'docs/checks/redis/connectivity.md';

export default defineCheck({
  meta: {
    id: 'redis/connectivity',
    title: 'Cache and broker Redis answer as model-engine connects',
    description:
      'Probes the cache Redis (and the Celery Redis broker, where one is used) step by step — DNS, TCP, TLS, AUTH, PING, SELECT, ACL permissions, latency — from this machine, or from the gateway pod with --exec.',
    clouds: 'all',
    severity: 'critical',
    needs: ['redis'],
    uses: ['cloud', 'exec'],
    // Preflight too: before the install is when an operator wants to know the password works (issue 12).
    scopes: ['preflight', 'triage', 'endpoint'],
    timeoutMs: 60_000,
    messages: {
      ...PROBE_MESSAGES,
      notProbed: 'The {{role}} Redis {{target}} was not probed: {{reason}}',
      notResolved: 'The {{role}} Redis could not be resolved ({{why}}); see redis/cache-url',
      secretNeeded: 'The cache Redis URL is in Secrets Manager secret {{secretName}}; rerun with --cloud-api (or --exec) to probe it',
      noGatewayPod: 'No ready gateway pod in {{namespace}} to exec into; probed from {{from}} instead',
      execFailed: 'Could not run the probe in pod {{pod}} ({{detail}}); probed from {{from}} instead',
      noConfig: 'Neither the service ConfigMap nor helm values are available, so there is no Redis to probe',
    },
  },
  async run(ctx) {
    const cfg = await runningConfig(ctx);
    if (!cfg || !ctx.cloud) return skip('noConfig');
    const cloud = ctx.cloud;
    const ns = ctx.namespaces.controlPlane;
    const local = ctx.ports.redis;
    const cloudPort = ctx.options.cloudApi ? ctx.ports.cloud : undefined;
    const findings: Finding[] = [];
    const object: ObjectRef = cfg.from === 'configmap' ? { kind: 'Deployment', namespace: ns, name: GATEWAY } : cfg.object;

    // Where to probe from: the gateway pod with --exec (model-engine's own config and redis-py), else here.
    let pod: PodRef | undefined;
    const exec = ctx.options.exec ? ctx.ports.exec : undefined;
    if (exec && ctx.kube) {
      pod = pickGatewayPod(await ctx.kube.list<Pod>('pods', { namespace: ns, labelSelector: `app=${GATEWAY}` }), ns);
      if (!pod) findings.push(skip('noGatewayPod', { data: { namespace: ns, from: local.from }, object }));
    }

    const probe = async (role: 'cache' | 'broker', target: RedisTarget | undefined, opts: { aclCommands: readonly (readonly string[])[]; listLengths?: string[] }) => {
      let result: RedisProbeResult | undefined;
      if (exec && pod) {
        ctx.progress(`probing the ${role} Redis from pod ${pod.pod}`);
        try {
          result = await exec.redisProbe(pod, role, { signal: ctx.signal, aclCommands: opts.aclCommands, ...(opts.listLengths ? { listLengths: opts.listLengths } : {}), ...(target ? { db: target.db } : {}) });
        } catch (e) {
          findings.push(skip('execFailed', { object, data: { pod: `${pod.namespace}/${pod.pod}`, detail: (e as Error).message, from: local.from } }));
        }
      }
      if (!result) {
        if (!target) return;
        const refused = local.refusal?.(target.host);
        if (refused) {
          findings.push(skip('notProbed', { object, data: { role, target: target.display, reason: refused } }));
          return;
        }
        ctx.progress(`probing the ${role} Redis ${target.host}:${target.port}`);
        result = await local.probe(target, { signal: ctx.signal, aclCommands: opts.aclCommands, ...(opts.listLengths ? { listLengths: opts.listLengths } : {}) });
      }
      const t = target ?? { host: result.target, port: 0, tls: false, verifyCertificate: true, db: 0, credential: { kind: 'none' as const }, display: result.target };
      findings.push(diagnoseProbe(result, { role, target: t, local: result.from === local.from, namespace: ns, object, fromValues: cfg.from === 'values' }));
    };

    // The cache Redis.
    const plan = cacheRedisPlan(cloud, cfg.launch, cfg.env.values);
    let cacheTarget: RedisTarget | undefined;
    switch (plan.kind) {
      case 'url':
        if (!plan.target) findings.push(fail('notResolved', { object, data: { role: 'cache', why: `${plan.key} is not a Redis URL` }, remediation: { summary: 'Fix the cache URL (see redis/cache-url).', docs: DOCS } }));
        cacheTarget = plan.target;
        break;
      case 'fallback':
      case 'azure':
        cacheTarget = plan.target;
        break;
      case 'crash':
        findings.push(fail('notResolved', { object, data: { role: 'cache', why: plan.error }, remediation: { summary: 'Fix the cache Redis keys (see redis/cache-url).', docs: DOCS } }));
        break;
      case 'secret':
        if (cloudPort) {
          try {
            const answer = await cloudPort.secretJsonKey(plan.secretName, SECRET_URL_KEY, { signal: ctx.signal });
            if (answer.state === 'found') cacheTarget = targetFromSecretUrl(revealSecret(answer.value));
          } catch (e) {
            if (!(e instanceof CloudApiError)) throw e;
          }
        }
        if (!cacheTarget && !(exec && pod)) findings.push(skip('secretNeeded', { object, data: { secretName: plan.secretName } }));
        break;
    }
    if (cacheTarget || (exec && pod && plan.kind !== 'crash')) await probe('cache', cacheTarget, { aclCommands: CACHE_COMMANDS });

    // The Celery broker, when it is Redis for builder or inference tasks.
    const b = builderBrokers(cloud, cfg.infra, cfg.env);
    const inf = inferenceBroker(cloud, cfg.infra, cfg.env);
    if (b.gatewaySends === 'redis' || b.builderConsumes === 'redis' || inf.broker === 'redis') {
      const authRef = cfg.env.fromSecret.REDIS_AUTH_TOKEN;
      const token = authRef ? await readSecretKey(ctx, ns, authRef.name, authRef.key) : undefined;
      const bp = brokerRedisPlan(cloud, cfg.infra, cfg.env, VISIBILITY_DB.VISIBILITY_1H, token);
      if (bp.kind === 'missing') {
        findings.push(
          fail('notResolved', {
            object,
            data: { role: 'broker', why: bp.why },
            remediation: { summary: 'Set redisHost (and redisPort) in the values, or infra.redis_host.', values: 'redisHost: <redis host>\nredisPort: "6379"\n', docs: DOCS },
          }),
        );
      } else if (bp.kind === 'url') {
        const sameAsCache = cacheTarget && cacheTarget.host === bp.target.host && cacheTarget.port === bp.target.port && cacheTarget.db === bp.target.db;
        if (!sameAsCache) await probe('broker', bp.target, { aclCommands: BROKER_COMMANDS, listLengths: [BUILDER_QUEUE] });
      } else if (exec && pod) await probe('broker', undefined, { aclCommands: BROKER_COMMANDS, listLengths: [BUILDER_QUEUE] });
    }
    return findings.length ? findings : skip('noConfig');
  },
});
