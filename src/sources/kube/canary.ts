/**
 * The canary port over @kubernetes/client-node: create one pod, watch it, delete it. Nothing else is written.
 * The pod runs the image with its command replaced by `true`, `restartPolicy: Never`, no service-account token,
 * no Istio sidecar and `activeDeadlineSeconds`, so even a canary whose deletion never ran stops by itself; a
 * later run deletes leftovers by label.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import {
  CANARY_LABELS,
  CANARY_SELECTOR,
  canaryPodName,
  type CanaryOutcome,
  type CanaryPort,
  type CanaryRequest,
} from '../../engine/ports/canary.js';

const PULL_FAILED = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
/** Waiting reasons that come after a successful pull (the image is there; starting it is another matter). */
const PAST_PULL = new Set(['CreateContainerError', 'CreateContainerConfigError', 'RunContainerError', 'StartError', 'CrashLoopBackOff', 'ContainerCannotRun']);

/** What a canary pod's state says about the pull (undefined: not decided yet). */
export function canaryState(pod: V1Pod | Record<string, unknown>): { state: 'pulled' | 'pull-failed' | 'unschedulable'; reason: string; message: string } | undefined {
  const status = (pod as V1Pod).status;
  const cs = status?.containerStatuses?.[0];
  const waiting = cs?.state?.waiting;
  if (waiting?.reason && PULL_FAILED.has(waiting.reason)) return { state: 'pull-failed', reason: waiting.reason, message: waiting.message ?? waiting.reason };
  if (cs?.state?.running || cs?.state?.terminated || (cs?.imageID ?? '') !== '' || (waiting?.reason && PAST_PULL.has(waiting.reason))) {
    return { state: 'pulled', reason: cs?.state?.terminated?.reason ?? waiting?.reason ?? 'Running', message: `image ${cs?.imageID || cs?.image || ''} pulled`.trim() };
  }
  const sched = status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (sched?.reason === 'Unschedulable') return { state: 'unschedulable', reason: 'Unschedulable', message: sched.message ?? 'no node fits' };
  return undefined;
}

/** The canary pod object. */
export function canaryPod(req: CanaryRequest, name: string, now: Date): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: req.namespace,
      labels: { ...CANARY_LABELS },
      annotations: {
        'model-engine-doctor/image': req.image,
        'model-engine-doctor/created': now.toISOString(),
        'sidecar.istio.io/inject': 'false',
        'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
      },
    },
    spec: {
      restartPolicy: 'Never',
      serviceAccountName: req.serviceAccountName,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      activeDeadlineSeconds: Math.max(60, Math.ceil(req.timeoutMs / 1000) + 60),
      ...(req.nodeSelector && Object.keys(req.nodeSelector).length ? { nodeSelector: req.nodeSelector } : {}),
      ...(req.tolerations?.length ? { tolerations: req.tolerations } : {}),
      containers: [
        {
          name: 'pull',
          image: req.image,
          imagePullPolicy: 'Always',
          command: ['true'],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
        },
      ],
    },
  };
}

function statusCode(e: unknown): number | undefined {
  const err = e as { code?: unknown; statusCode?: unknown; response?: { statusCode?: number } };
  return typeof err.code === 'number' ? err.code : typeof err.statusCode === 'number' ? err.statusCode : err.response?.statusCode;
}

export class KubeCanary implements CanaryPort {
  private readonly core: CoreV1Api;
  constructor(
    private readonly kc: KubeConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async run(req: CanaryRequest, signal: AbortSignal): Promise<CanaryOutcome> {
    const name = canaryPodName(req.image, randomBytes(6).toString('hex'), (s) => createHash('sha256').update(s).digest('hex'));
    const ns = req.namespace;
    try {
      await this.core.createNamespacedPod({ namespace: ns, body: canaryPod(req, name, this.now()) });
    } catch (e) {
      if (statusCode(e) === 403) return { state: 'forbidden', detail: `cannot create pods in namespace ${ns}` };
      throw e;
    }
    let watchAbort: AbortController | undefined;
    try {
      return await new Promise<CanaryOutcome>((resolve, reject) => {
        let unschedulable: string | undefined;
        let settled = false;
        const finish = (o: CanaryOutcome | Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          if (o instanceof Error) reject(o);
          else resolve(o);
        };
        const timer = setTimeout(
          () =>
            finish(
              unschedulable
                ? { state: 'unschedulable', pod: name, message: unschedulable }
                : { state: 'timeout', pod: name, detail: `no pull result within ${Math.round(req.timeoutMs / 1000)} s (a large image may still be downloading)` },
            ),
          req.timeoutMs,
        );
        const onAbort = () => finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        new Watch(this.kc)
          .watch(
            `/api/v1/namespaces/${ns}/pods`,
            { fieldSelector: `metadata.name=${name}` },
            (type, obj: V1Pod) => {
              if (type === 'DELETED') return finish({ state: 'timeout', pod: name, detail: 'the pod was deleted before the pull finished' });
              const s = canaryState(obj);
              if (!s) return;
              if (s.state === 'unschedulable') unschedulable = s.message;
              else if (s.state === 'pulled') finish({ state: 'pulled', pod: name, detail: s.message });
              else finish({ state: 'pull-failed', pod: name, reason: s.reason, message: s.message });
            },
            (err: unknown) => {
              if (err && !settled) finish(err instanceof Error ? err : new Error(String(err)));
            },
          )
          .then((c) => {
            watchAbort = c;
            if (settled) c.abort();
          })
          .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
      });
    } finally {
      watchAbort?.abort();
      // Always delete, also on Ctrl-C and errors; a failure here leaves a labelled pod a later run removes.
      await this.core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0 }).catch(() => undefined);
    }
  }

  async cleanupLeftovers(namespace: string, olderThanMs: number, now: Date): Promise<string[]> {
    const list = await this.core.listNamespacedPod({ namespace, labelSelector: CANARY_SELECTOR });
    const old = (list.items ?? []).filter((p) => {
      const created = p.metadata?.creationTimestamp ? new Date(p.metadata.creationTimestamp).getTime() : NaN;
      return Number.isFinite(created) && now.getTime() - created > olderThanMs;
    });
    const deleted: string[] = [];
    for (const p of old) {
      const name = p.metadata!.name!;
      try {
        await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
        deleted.push(name);
      } catch (e) {
        if (statusCode(e) !== 404) throw e;
      }
    }
    return deleted;
  }
}

/** The kubeconfig a canary port writes through (re-exported so callers outside src/sources need no SDK import). */
export type CanaryKubeConfig = KubeConfig;

export function createCanaryPort(kc: KubeConfig, now?: () => Date): CanaryPort {
  return new KubeCanary(kc, now);
}
