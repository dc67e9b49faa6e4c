/**
 * Async endpoints (facts §4.4, §6.3, §8, §10.4): a Deployment annotated `celery.scaleml.autoscaler/*` whose
 * `celery-forwarder` container consumes the endpoint's queue, scaled by the celery autoscaler StatefulSet
 * (`celery-autoscaler-<broker>`) — which only scales Deployments whose `celery.scaleml.autoscaler/broker` annotation
 * equals its own `BROKER_NAME`. Pure reading of the collected objects and the forwarder's log.
 */
import type { Deployment } from '../engine/kube-types.js';
import { num as numAt, records, str } from '../engine/safe.js';
import type { KubeObject } from '../engine/types.js';

export const CELERY_FORWARDER = 'celery-forwarder';
const A = 'celery.scaleml.autoscaler/';

export interface AsyncSpec {
  queue?: string;
  /** The broker name the endpoint is annotated with (what the autoscaler must match). */
  brokerName?: string;
  minWorkers?: number;
  maxWorkers?: number;
  /** The forwarder's `--broker-type` (`sqs`, `servicebus`, `redis`). */
  brokerType?: string;
  /** The forwarder's `--task-visibility` (`VISIBILITY_24H` → Redis db 3). */
  taskVisibility?: string;
  sqsUrl?: string;
  /** Env names the forwarder container sets (REDIS_HOST, REDIS_AUTH_TOKEN, SERVICEBUS_NAMESPACE, …). */
  env: Record<string, string | undefined>;
}

/** The async side of a Deployment, when it is an async endpoint. */
export function asyncSpec(d: Deployment | undefined): AsyncSpec | undefined {
  if (!d) return undefined;
  const ann = d.metadata.annotations ?? {};
  const fwd = d.spec?.template?.spec?.containers.find((c) => c.name === CELERY_FORWARDER);
  if (!ann[`${A}queue`] && !fwd) return undefined;
  const args = [...(fwd?.command ?? []), ...(fwd?.args ?? [])];
  const arg = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : args.map((a) => (a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined)).find(Boolean);
  };
  const num = (k: string) => (ann[`${A}${k}`] !== undefined ? Number(ann[`${A}${k}`]) : undefined);
  const q = ann[`${A}queue`] ?? arg('--queue');
  const brokerName = ann[`${A}broker`];
  const brokerType = arg('--broker-type');
  const taskVisibility = arg('--task-visibility') ?? ann[`${A}taskVisibility`];
  const sqsUrl = arg('--sqs-url');
  const minWorkers = num('minWorkers');
  const maxWorkers = num('maxWorkers');
  return {
    ...(q ? { queue: q } : {}),
    ...(brokerName ? { brokerName } : {}),
    ...(minWorkers !== undefined ? { minWorkers } : {}),
    ...(maxWorkers !== undefined ? { maxWorkers } : {}),
    ...(brokerType ? { brokerType } : {}),
    ...(taskVisibility ? { taskVisibility } : {}),
    ...(sqsUrl ? { sqsUrl } : {}),
    env: Object.fromEntries((fwd?.env ?? []).map((e) => [e.name, e.value])),
  };
}

export interface Autoscaler {
  name: string;
  /** Its `BROKER_NAME` (or `REDIS_BROKER_NAME`). */
  brokerName?: string;
  ready: number;
  desired: number;
}

/** The celery autoscaler StatefulSets of the control plane (`celery-autoscaler-<broker>`). */
export function autoscalers(statefulSets: readonly KubeObject[]): Autoscaler[] {
  return statefulSets
    .filter((s) => s.metadata.name.startsWith('celery-autoscaler'))
    .map((s) => {
      const env = records(s, 'spec', 'template', 'spec', 'containers', 0, 'env');
      const value = (name: string) => str(env.find((e) => e.name === name), 'value');
      const broker = value('BROKER_NAME') ?? value('REDIS_BROKER_NAME');
      return { name: s.metadata.name, ...(broker ? { brokerName: broker } : {}), ready: numAt(s, 'status', 'readyReplicas') ?? 0, desired: numAt(s, 'spec', 'replicas') ?? 1 };
    });
}

export type ForwarderProblem = 'broker-unreachable' | 'broker-auth' | 'queue-missing' | 'broker-access-denied';

/** What the celery forwarder's log says keeps it from consuming: the last such line. */
export function forwarderProblem(log: string): { kind: ForwarderProblem; line: string; lineNumber: number } | undefined {
  const rules: [ForwarderProblem, RegExp][] = [
    ['broker-auth', /NOAUTH Authentication required|WRONGPASS|invalid username-password pair|AuthenticationError/i],
    ['broker-unreachable', /consumer: Cannot connect to|Error -?\d+ connecting to|Connection refused[^\n]*(?:6379|6380)|Name or service not known/i],
    ['queue-missing', /NonExistentQueue|The specified queue does not exist|MessagingEntityNotFound/i],
    ['broker-access-denied', /AccessDenied[^\n]*(?:ReceiveMessage|GetQueueUrl)|not authorized to perform: sqs:|Unauthorized access\. 'Listen' claim/i],
  ];
  const lines = log.split(/\r?\n/);
  for (const [kind, re] of rules) {
    for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i]!)) return { kind, line: lines[i]!.trim(), lineNumber: i + 1 };
  }
  return undefined;
}
