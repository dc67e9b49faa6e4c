import { defineCheck, fail, pass, skip, warn, type CheckContext, type Deployment, type Finding, type Pod, type Remediation } from '../../src/engine/index.js';
import { CloudApiError, type CloudPort } from '../../src/engine/ports/cloud.js';
import {
  BUILDER,
  BUILDER_QUEUE,
  brokerRedisPlan,
  builderBrokers,
  containerEnv,
  GATEWAY,
  inferenceBroker,
  mainContainer,
  podsOf,
  VISIBILITY_DB,
  type BrokerKind,
} from '../redis/lib/model-engine-redis.js';
import { readSecretKey, runningConfig, type RunningConfig } from '../redis/lib/running-config.js';

const DOCS = 'docs/checks/broker/queues.md';
export const QUEUE_ANNOTATION = 'celery.scaleml.autoscaler/queue';
/** More waiting builder tasks than this, with a ready builder, is a backlog (the builder runs 2 at a time). */
export const BACKLOG_THRESHOLD = 2;
/** Per-endpoint queues looked up per run, at most. */
export const MAX_ENDPOINT_QUEUES = 25;
/** The message size model-engine asks for on the queues it creates (#773, `aa8bf14e`): 20 MB, Premium tier only. */
export const SERVICEBUS_MAX_MESSAGE_KB = 20480;
/** The most a Basic or Standard Service Bus message may be. */
export const SERVICEBUS_STANDARD_MAX_KB = 256;

/** A depth that could not be read, and how to make it readable when there is a way. */
type Unknown = { unknown: string; fix?: Remediation };

/**
 * Why Service Bus refused to describe a queue, when it is a permission: reading runtime properties needs Manage
 * rights — the "Azure Service Bus Data Owner" role, or a SAS policy with Manage — which Data Sender / Data Receiver
 * (all model-engine itself needs) do not give.
 */
export function serviceBusDenied(ns: string, queue: string, e: CloudApiError): Unknown | undefined {
  if (e.status !== 401 && e.status !== 403 && !/Unauthorized/i.test(e.code)) return undefined;
  return {
    unknown: `Service Bus answered ${e.status ?? e.code} for ${queue} (${e.message}): reading queue runtime properties needs Manage rights — the Azure Service Bus Data Owner role for your identity on namespace ${ns}, or a SAS policy with Manage; Data Sender/Receiver are not enough`,
    fix: {
      summary: 'Give your identity the Azure Service Bus Data Owner role on the namespace (read-only use here), then rerun with --cloud-api.',
      commands: [
        `az role assignment create --assignee "$(az ad signed-in-user show --query id -o tsv)" --role "Azure Service Bus Data Owner" --scope "$(az servicebus namespace list --query "[?name=='${ns.split('.')[0]}'].id" -o tsv)"`,
      ],
      docs: DOCS,
    },
  };
}

export interface QueueDepth {
  /** Messages waiting (SQS visible, Service Bus active, Redis LLEN). */
  waiting: number;
  inFlight?: number;
  deadLetter?: number;
  exists: boolean;
  /** What the broker can tell, one line. */
  detail: string;
}

/** How to make the gateway and the builder use one broker (facts §4.3). */
export function mismatchFix(cloud: string, b: { gatewaySends: BrokerKind; builderConsumes: BrokerKind }): { summary: string; values: string } {
  if (b.gatewaySends === 'redis') {
    return { summary: 'Make the builder consume from Redis too: set celery_broker_type_redis: true (top level), helm upgrade.', values: 'celery_broker_type_redis: true\n' };
  }
  return {
    summary: `On ${cloud} the gateway sends builder tasks to ${b.gatewaySends}; remove celery_broker_type_redis so the builder consumes from ${b.gatewaySends} as well.`,
    values: 'celery_broker_type_redis: null\n',
  };
}

/** The broker type an async forwarder was started with (`--broker-type X`). */
export function forwarderBrokerType(d: Deployment): string | undefined {
  const c = d.spec.template.spec.containers.find((x) => x.name === 'celery-forwarder');
  const argv = [...(c?.command ?? []), ...(c?.args ?? [])].join(' ');
  return /--broker-type[= ]+(\S+)/.exec(argv)?.[1];
}

async function depthOf(
  ctx: CheckContext<never, 'redis'>,
  cfg: RunningConfig,
  broker: BrokerKind,
  queues: string[],
  cloudPort: CloudPort | undefined,
  region: string | undefined,
  db: number,
): Promise<Map<string, QueueDepth | Unknown>> {
  const out = new Map<string, QueueDepth | Unknown>();
  const all = (why: string) => queues.forEach((q) => out.set(q, { unknown: why }));
  switch (broker) {
    case 'sqs':
      if (!cloudPort) return all('rerun with --cloud-api to read SQS queue attributes'), out;
      for (const q of queues) {
        try {
          const i = await cloudPort.sqsQueue(q, { signal: ctx.signal, ...(region ? { region } : {}) });
          out.set(q, {
            exists: i.exists,
            waiting: i.visible ?? 0,
            inFlight: i.notVisible ?? 0,
            detail: i.exists
              ? `SQS ${region ?? ''} ${q}: ${i.visible ?? 0} visible, ${i.notVisible ?? 0} in flight, ${i.delayed ?? 0} delayed (message age needs CloudWatch ApproximateAgeOfOldestMessage)`
              : `SQS ${region ?? ''} ${q}: does not exist`,
          });
        } catch (e) {
          if (!(e instanceof CloudApiError)) throw e;
          out.set(q, { unknown: `${e.code}: ${e.message}` });
        }
      }
      return out;
    case 'servicebus': {
      const ns = cfg.env.values.SERVICEBUS_NAMESPACE;
      if (!ns) return all('SERVICEBUS_NAMESPACE is not set on the gateway'), out;
      if (!cloudPort) return all('rerun with --cloud-api to read Service Bus queue runtime properties'), out;
      for (const q of queues) {
        try {
          const i = await cloudPort.serviceBusQueue(ns, q, { signal: ctx.signal });
          out.set(q, {
            exists: i.exists,
            waiting: i.activeMessageCount ?? 0,
            deadLetter: i.deadLetterMessageCount ?? 0,
            detail: i.exists
              ? `Service Bus ${ns}/${q}: ${i.activeMessageCount ?? 0} active, ${i.deadLetterMessageCount ?? 0} dead-lettered, ${i.scheduledMessageCount ?? 0} scheduled${i.accessedAt ? `, last accessed ${i.accessedAt}` : ''}`
              : `Service Bus ${ns}/${q}: does not exist`,
          });
        } catch (e) {
          if (!(e instanceof CloudApiError)) throw e;
          out.set(q, serviceBusDenied(ns, q, e) ?? { unknown: `${e.code}: ${e.message}` });
        }
      }
      return out;
    }
    case 'redis': {
      const redis = ctx.ports.redis;
      if (!redis) return all('no Redis probe in this run'), out;
      const ref = cfg.env.fromSecret.REDIS_AUTH_TOKEN;
      const token = ref ? await readSecretKey(ctx, ctx.namespaces.controlPlane, ref.name, ref.key) : undefined;
      const plan = brokerRedisPlan(ctx.cloud!, cfg.infra, cfg.env, db, token);
      if (plan.kind !== 'url') return all(plan.kind === 'missing' ? plan.why : `the broker URL is in AWS secret ${plan.secretName}`), out;
      const refused = redis.refusal?.(plan.target.host);
      if (refused) return all(`Redis ${plan.target.display} was not probed: ${refused}`), out;
      const r = await redis.probe(plan.target, { signal: ctx.signal, listLengths: queues, pings: 1 });
      if (r.failedStep) return all(`Redis ${plan.target.display} failed at ${r.failedStep} (${r.errorCode}) from ${r.from}; see redis/connectivity`), out;
      for (const q of queues) {
        const n = r.lists?.[q];
        out.set(q, n === null || n === undefined ? { unknown: `LLEN ${q} was refused or the key is not a list` } : { exists: true, waiting: n, detail: `Redis ${plan.target.display}: LLEN ${q} = ${n} (lists carry no message age)` });
      }
      return out;
    }
  }
}

export default defineCheck({
  meta: {
    id: 'broker/queues',
    title: 'Builder and endpoint queues are consumed',
    description:
      'The gateway and the builder use the same broker; the builder queue (model-engine-service-builder) and each async endpoint queue exist and are not backing up (SQS attributes, Service Bus runtime properties, Redis LLEN).',
    clouds: 'all',
    severity: 'high',
    needs: ['kube'],
    uses: ['redis', 'cloud'],
    scopes: ['triage', 'endpoint'],
    timeoutMs: 60_000,
    messages: {
      brokerMismatch:
        'The gateway sends builder tasks to {{gatewaySends}} but the builder consumes from {{builderConsumes}} ({{why}}): new and updated endpoints stay UPDATE_PENDING forever',
      forwarderMismatch: 'Async endpoint {{name}} forwards with --broker-type {{actual}}, but the gateway sends its tasks to {{expected}}: its tasks are never picked up',
      builderQueue: 'Builder queue {{queue}}: {{detail}}',
      builderBacklog: '{{waiting}} builder task(s) wait in {{queue}} while the builder has {{ready}} ready replica(s){{hint}}: {{detail}}',
      builderBacklogNoBuilder: '{{waiting}} builder task(s) wait in {{queue}} and the builder has no ready replica: {{detail}}',
      builderQueueMissing: 'Builder queue {{queue}} does not exist on {{broker}}: the builder has never connected to it ({{detail}})',
      depthUnknown: 'Depth of {{queue}} on {{broker}} unknown: {{why}}',
      premium: 'Service Bus namespace {{namespace}} is Premium: the 20 MB messages model-engine sets up its queues for (max_message_size_in_kilobytes 20480, #773) are allowed',
      notPremium:
        'Service Bus namespace {{namespace}} is {{sku}}, which limits messages to 256 KB; model-engine creates endpoint queues for 20 MB messages (max_message_size_in_kilobytes 20480, #773), which only the Premium tier allows, so requests or results over 256 KB fail',
      tierUnknown: 'The tier of Service Bus namespace {{namespace}} is unknown: {{why}}',
      endpointQueue: 'Endpoint queue {{queue}} ({{name}}): {{detail}}',
      endpointQueueMissing: 'Async endpoint {{name}} has no queue {{queue}} on {{broker}}: its tasks cannot be sent ({{detail}})',
      endpointBacklog: '{{waiting}} task(s) wait for async endpoint {{name}}, which has {{ready}} ready worker(s): {{detail}}',
      deadLetters: '{{count}} dead-lettered message(s) in {{queue}} ({{name}}): tasks that exhausted their deliveries',
      noConfig: 'Neither the service ConfigMap nor helm values are available',
    },
  },
  async run(ctx) {
    const cfg = await runningConfig(ctx);
    if (!cfg || !ctx.cloud) return skip('noConfig');
    const kube = ctx.kube!;
    const cloud = ctx.cloud;
    const cp = ctx.namespaces.controlPlane;
    const findings: Finding[] = [];
    const cloudPort = ctx.options.cloudApi ? ctx.ports.cloud : undefined;
    const [deployments, pods] = await Promise.all([kube.list<Deployment>('deployments.apps', { namespace: cp }), kube.list<Pod>('pods', { namespace: cp })]);
    const builder = deployments.find((d) => d.metadata.name === BUILDER);
    const builderObj = { kind: 'Deployment', namespace: cp, name: BUILDER };
    const ready = builder?.status?.availableReplicas ?? 0;

    // 1. One broker for builder tasks.
    const b = builderBrokers(cloud, cfg.infra, cfg.env);
    const mismatch = b.gatewaySends !== b.builderConsumes;
    if (mismatch) {
      const why = b.gatewaySends === 'redis' ? `cloud_provider ${cloud} without celery_broker_type_redis` : `celery_broker_type_redis is set on ${cloud}`;
      findings.push(
        fail('brokerMismatch', {
          object: builderObj,
          severity: 'critical',
          evidence: [...cfg.evidence, { type: 'note', text: `gateway: ${b.gatewaySends} (api/dependencies.py); builder: ${b.builderConsumes} (service_builder/celery.py)` }],
          data: { ...b, why },
          remediation: { ...mismatchFix(cloud, b), docs: DOCS },
        }),
      );
    }

    // 2. Builder queue depth, on the broker the gateway sends to.
    const gwPod = podsOf(deployments.find((d) => d.metadata.name === GATEWAY), pods, GATEWAY)[0];
    const region = containerEnv(gwPod?.spec.containers.find((c) => c.name === GATEWAY) ?? mainContainer(deployments.find((d) => d.metadata.name === GATEWAY))).values.AWS_REGION ?? (typeof cfg.infra.default_region === 'string' ? cfg.infra.default_region : undefined);
    ctx.progress(`reading ${BUILDER_QUEUE} on ${b.gatewaySends}`);
    const builderDepth = (await depthOf(ctx, cfg, b.gatewaySends, [BUILDER_QUEUE], cloudPort, region, VISIBILITY_DB.VISIBILITY_1H)).get(BUILDER_QUEUE)!;
    const qdata = { queue: BUILDER_QUEUE, broker: b.gatewaySends };
    if ('unknown' in builderDepth) findings.push(unknownDepth(builderObj, qdata, builderDepth));
    else {
      const ev = [{ type: 'probe' as const, target: `${b.gatewaySends} ${BUILDER_QUEUE}`, detail: builderDepth.detail }];
      if (!builderDepth.exists) {
        findings.push(
          (mismatch ? fail : warn)('builderQueueMissing', {
            object: builderObj,
            evidence: ev,
            data: { ...qdata, detail: builderDepth.detail },
            remediation: { summary: 'Check the builder pods are running and connected to this broker (their logs show "Connected to …" at start).', commands: [`kubectl -n ${cp} logs deploy/${BUILDER} --tail=100`], docs: DOCS },
          }),
        );
      } else if (builderDepth.waiting > BACKLOG_THRESHOLD && ready > 0) {
        findings.push(
          warn('builderBacklog', {
            object: builderObj,
            severity: mismatch ? 'critical' : 'high',
            evidence: ev,
            data: { ...qdata, waiting: builderDepth.waiting, ready, detail: builderDepth.detail, hint: mismatch ? ', because it listens on another broker' : ' (a healthy builder drains it in seconds: check it listens on this broker and queue)' },
            remediation: mismatch
              ? { ...mismatchFix(cloud, b), docs: DOCS }
              : { summary: 'Compare the queue the builder consumes (its --queues and broker) with where the gateway sends.', commands: [`kubectl -n ${cp} get deploy ${BUILDER} -o jsonpath='{.spec.template.spec.containers[0].command}'`, `kubectl -n ${cp} logs deploy/${BUILDER} --tail=100`], docs: DOCS },
          }),
        );
      } else if (builderDepth.waiting > BACKLOG_THRESHOLD) {
        findings.push(
          warn('builderBacklogNoBuilder', {
            object: builderObj,
            evidence: ev,
            data: { ...qdata, waiting: builderDepth.waiting, detail: builderDepth.detail },
            remediation: { summary: 'Bring the builder back (see control-plane/deployments-available); the waiting tasks are processed once it runs.', commands: [`kubectl -n ${cp} get pods -l app=${BUILDER}`, `kubectl -n ${cp} describe deploy ${BUILDER}`], docs: DOCS },
          }),
        );
      } else findings.push(pass('builderQueue', { object: builderObj, evidence: ev, data: { ...qdata, detail: builderDepth.detail } }));
    }

    // 2b. Service Bus tier: model-engine asks its queues for 20 MB messages, which only Premium allows.
    const sbNamespace = cfg.env.values.SERVICEBUS_NAMESPACE;
    if (cloudPort && sbNamespace && (b.gatewaySends === 'servicebus' || inferenceBroker(cloud, cfg.infra, cfg.env).broker === 'servicebus')) findings.push(await tierFinding(ctx, cloudPort, sbNamespace));

    // 3. Async endpoint queues.
    const inf = inferenceBroker(cloud, cfg.infra, cfg.env);
    const endpoints = (await kube.list<Deployment>('deployments.apps', { namespace: ctx.namespaces.endpoint }))
      .filter((d) => d.metadata.annotations?.[QUEUE_ANNOTATION])
      .sort((x, y) => x.metadata.name.localeCompare(y.metadata.name))
      .slice(0, MAX_ENDPOINT_QUEUES);
    for (const d of endpoints) {
      const fb = forwarderBrokerType(d);
      if (fb && fb !== inf.broker) {
        findings.push(
          fail('forwarderMismatch', {
            object: { kind: 'Deployment', namespace: d.metadata.namespace ?? ctx.namespaces.endpoint, name: d.metadata.name },
            data: { name: d.metadata.labels?.endpoint_name ?? d.metadata.name, actual: fb, expected: inf.broker },
            remediation: { summary: `Set celeryBrokerType: ${inf.broker} in the values and helm upgrade; then update the endpoint so its Deployment is re-rendered.`, values: `celeryBrokerType: ${inf.broker}\n`, docs: DOCS },
          }),
        );
      }
    }
    if (endpoints.length > 0) {
      const queues = endpoints.map((d) => d.metadata.annotations![QUEUE_ANNOTATION]!);
      const depths = await depthOf(ctx, cfg, inf.broker, queues, cloudPort, region, inf.db ?? VISIBILITY_DB.VISIBILITY_24H);
      for (const d of endpoints) {
        const queue = d.metadata.annotations![QUEUE_ANNOTATION]!;
        const depth = depths.get(queue)!;
        const object = { kind: 'Deployment', namespace: d.metadata.namespace ?? ctx.namespaces.endpoint, name: d.metadata.name };
        const data = { queue, name: d.metadata.labels?.endpoint_name ?? d.metadata.name, broker: inf.broker };
        if ('unknown' in depth) {
          findings.push(unknownDepth(object, data, depth));
          continue;
        }
        const ev = [{ type: 'probe' as const, target: `${inf.broker} ${queue}`, detail: depth.detail }];
        const workers = d.status?.availableReplicas ?? 0;
        if (!depth.exists) {
          findings.push(
            fail('endpointQueueMissing', {
              object,
              evidence: ev,
              data: { ...data, detail: depth.detail },
              remediation: { summary: 'The builder creates the queue when it deploys the endpoint: update (or recreate) the endpoint, and check the builder logs for queue-creation errors.', commands: [`kubectl -n ${cp} logs deploy/${BUILDER} --tail=300 | grep -i queue`], docs: DOCS },
            }),
          );
          continue;
        }
        if ((depth.deadLetter ?? 0) > 0) {
          findings.push(
            warn('deadLetters', {
              object,
              severity: 'medium',
              evidence: ev,
              data: { ...data, count: depth.deadLetter },
              remediation: { summary: 'Look at the dead-lettered messages (reason, delivery count) in the portal or with Service Bus Explorer; they were never processed.', docs: DOCS },
            }),
          );
        }
        if (depth.waiting > 0 && workers === 0) {
          findings.push(
            warn('endpointBacklog', {
              object,
              evidence: ev,
              data: { ...data, waiting: depth.waiting, ready: workers, detail: depth.detail },
              remediation: { summary: 'The endpoint has no ready worker to consume its queue: see `model-engine-doctor endpoint` for why its pods are not ready (and the celery autoscaler for min_workers=0).', docs: DOCS },
            }),
          );
        } else findings.push(pass('endpointQueue', { object, evidence: ev, data: { ...data, detail: depth.detail } }));
      }
    }
    return findings;
  },
});

/** A depth that could not be read: a skip, with the way to make it readable when there is one. */
function unknownDepth(object: { kind: string; namespace: string; name: string }, data: Record<string, unknown>, u: Unknown): Finding {
  return { status: 'skip', messageId: 'depthUnknown', object, data: { ...data, why: u.unknown }, ...(u.fix ? { remediation: u.fix } : {}) };
}

async function tierFinding(ctx: CheckContext, cloudPort: CloudPort, namespace: string): Promise<Finding> {
  const object = { kind: 'ServiceBusNamespace', name: namespace };
  try {
    const info = await cloudPort.serviceBusNamespace(namespace, { signal: ctx.signal });
    const evidence = [{ type: 'probe' as const, target: `Service Bus ${namespace} $namespaceinfo`, detail: `MessagingSKU ${info.sku}${info.messagingUnits ? `, ${info.messagingUnits} messaging unit(s)` : ''}` }];
    if (info.sku === 'Premium') return pass('premium', { object, evidence, data: { namespace } });
    return warn('notPremium', {
      object,
      evidence,
      severity: 'medium',
      data: { namespace, sku: info.sku },
      remediation: {
        summary: `Move to a Premium namespace for messages over ${SERVICEBUS_STANDARD_MAX_KB} KB (model-engine's queues ask for ${SERVICEBUS_MAX_MESSAGE_KB} KB); on ${info.sku} keep payloads under ${SERVICEBUS_STANDARD_MAX_KB} KB (pass large inputs by URL).`,
        commands: [
          `az servicebus namespace list --query "[?name=='${namespace.split('.')[0]}'].{name:name, sku:sku.tier, group:resourceGroup}" -o table`,
          `az servicebus migration start --resource-group <resource-group> --name ${namespace.split('.')[0]} --target-namespace <premium namespace resource id> --post-migration-name ${namespace.split('.')[0]}-standard`,
        ],
        docs: DOCS,
      },
    });
  } catch (e) {
    if (!(e instanceof CloudApiError)) throw e;
    const denied = e.status === 401 || e.status === 403;
    return skip('tierUnknown', {
      object,
      data: { namespace, why: denied ? `Service Bus answered ${e.status} for $namespaceinfo: reading it needs Manage rights (Azure Service Bus Data Owner)` : `${e.code}: ${e.message}` },
    });
  }
}
