import {
  defineCheck,
  eventTime,
  fail,
  pass,
  refOf,
  type Evidence,
  type Finding,
  type KubeEvent,
  type KubePort,
  type ObjectRef,
  type Pod,
} from '../../src/engine/index.js';
import { classifyPullError, imageInPullMessage, PULL_ERROR_MEANING, type PullErrorKind } from '../../src/model-engine/image-pull.js';
import { podKind } from '../../src/model-engine/images.js';

const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
/** Events older than this (relative to the run's now) are history, not the current state. */
export const EVENT_WINDOW_MS = 60 * 60_000;

export interface PullFailure {
  image: string;
  kind: PullErrorKind;
  detail: string;
  /** The message the classification came from. */
  message: string;
  pods: ObjectRef[];
  evidence: Evidence[];
  controlPlane: boolean;
}

function podImages(p: Pod): { name: string; image: string }[] {
  return [...(p.spec.initContainers ?? []), ...p.spec.containers].filter((c) => c.image).map((c) => ({ name: c.name, image: c.image! }));
}

/** Events in the API server's list order (by name within a namespace). */
const byName = (a: KubeEvent, b: KubeEvent) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

/**
 * The events a pull failure shows in: every Warning (the kubelet's `Failed` and `ErrImageNeverPull`, a crash loop's
 * `BackOff`) and every `BackOff` (the kubelet records "Back-off pulling image" as Normal). Two selected lists, not
 * every event of the namespace: a busy endpoint namespace holds tens of thousands of Normal events (Scheduled,
 * Pulled, Created, Started) that no check reads. The same Warning list serves the endpoint checks.
 */
async function pullEvents(kube: KubePort, ns: string): Promise<KubeEvent[]> {
  const [warnings, backOffs] = await Promise.all([
    kube.list<KubeEvent>('events', { namespace: ns, fieldSelector: 'type=Warning' }),
    kube.list<KubeEvent>('events', { namespace: ns, fieldSelector: 'reason=BackOff' }),
  ]);
  const seen = new Set(warnings.map((e) => e.metadata.name));
  return [...warnings, ...backOffs.filter((e) => !seen.has(e.metadata.name))].sort(byName);
}

/**
 * Image-pull failures in pods, from container waiting states and from `Failed`/`BackOff` events (a container
 * that has since started is not a failure). Grouped per image; the most specific kubelet message classifies it.
 */
export function pullFailures(pods: readonly Pod[], events: readonly KubeEvent[], now: Date): PullFailure[] {
  const byImage = new Map<string, PullFailure>();
  const podByKey = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  const running = (p: Pod, image: string) =>
    [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].some(
      (cs) => podImages(p).some((c) => c.name === cs.name && c.image === image) && (cs.state?.running || cs.state?.terminated || cs.imageID),
    );
  const note = (image: string, pod: Pod, message: string, ev: Evidence) => {
    const cls = classifyPullError(message);
    let f = byImage.get(image);
    if (!f) {
      f = { image, kind: cls.kind, detail: cls.detail, message, pods: [], evidence: [], controlPlane: false };
      byImage.set(image, f);
    } else if (f.kind === 'unknown' && cls.kind !== 'unknown') {
      Object.assign(f, { kind: cls.kind, detail: cls.detail, message });
    }
    const ref = refOf(pod, 'Pod');
    if (!f.pods.some((r) => r.name === ref.name && r.namespace === ref.namespace)) f.pods.push(ref);
    if (f.evidence.length < 6) f.evidence.push(ev);
    f.controlPlane ||= podKind(pod) === 'control-plane';
  };
  for (const p of pods) {
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      const w = cs.state?.waiting;
      if (!w?.reason || !PULL_REASONS.has(w.reason)) continue;
      const image = podImages(p).find((c) => c.name === cs.name)?.image ?? cs.image ?? '?';
      const message = `${w.reason}${w.message ? `: ${w.message}` : ''}`;
      note(image, p, message, { type: 'field', object: refOf(p, 'Pod'), path: `status.containerStatuses[${cs.name}].state.waiting`, value: message });
    }
  }
  for (const e of events) {
    if (e.involvedObject.kind !== 'Pod' || !e.message) continue;
    if (!['Failed', 'BackOff', 'ErrImagePull', 'ImagePullBackOff'].includes(e.reason ?? '')) continue;
    const image = imageInPullMessage(e.message);
    if (!image || !/pull/i.test(e.message)) continue;
    const t = eventTime(e);
    if (t && now.getTime() - Date.parse(t) > EVENT_WINDOW_MS) continue;
    const pod = podByKey.get(`${e.involvedObject.namespace ?? e.metadata.namespace}/${e.involvedObject.name}`);
    if (!pod || running(pod, image)) continue;
    note(image, pod, e.message, {
      type: 'event',
      object: refOf(pod, 'Pod'),
      reason: e.reason ?? '',
      message: e.message,
      ...(e.type ? { eventType: e.type } : {}),
      ...(e.count ? { count: e.count } : {}),
      ...(t ? { lastSeen: t } : {}),
    });
  }
  return [...byImage.values()].sort((a, b) => Number(b.controlPlane) - Number(a.controlPlane) || b.pods.length - a.pods.length);
}

const REMEDY: Record<PullErrorKind, string> = {
  'not-found': 'Mirror the image at this exact tag into the registry the pod pulls from (see images/control-plane-pullable and images/framework-pullable, or run mirror-plan), or fix the tag in the values.',
  unauthorized: "Give the pod's service account an imagePullSecret for the registry, or give the nodes registry credentials (ECR: node role AmazonEC2ContainerRegistryReadOnly; AKS: --attach-acr; GKE: roles/artifactregistry.reader).",
  platform: "Mirror every platform (skopeo copy --all / crane copy) or use a tag built for the nodes' architecture.",
  timeout: 'Open egress from the nodes to the registry (security groups, firewall, proxy, VPC endpoints for ECR), or mirror into a registry the nodes can reach.',
  tls: "Make the nodes trust the registry's CA (containerd /etc/containerd/certs.d/<host>/ca.crt) or give the registry a publicly trusted certificate.",
  'rate-limited': 'Mirror the image into your own registry (Docker Hub limits anonymous pulls), or add Docker Hub credentials as an imagePullSecret.',
  dns: "Fix name resolution of the registry host from the nodes (CoreDNS upstream, private DNS zone for a private endpoint).",
  unknown: 'Read the kubelet message in the evidence; "kubectl describe pod" shows the full event history.',
};

const MESSAGE_ID: Record<PullErrorKind, string> = {
  'not-found': 'notFound',
  unauthorized: 'unauthorized',
  platform: 'platform',
  timeout: 'timeout',
  tls: 'tls',
  'rate-limited': 'rateLimited',
  dns: 'dns',
  unknown: 'unknown',
};

export default defineCheck({
  meta: {
    id: 'images/cluster-pull-errors',
    title: 'No image-pull errors in the cluster',
    description:
      'No model-engine pod (control plane, endpoints, image cache) is stuck in ErrImagePull / ImagePullBackOff; each failure is classified from the kubelet message.',
    clouds: 'all',
    severity: 'critical',
    needs: ['kube'],
    scopes: ['triage', 'endpoint'],
    messages: {
      none: 'No pod in {{namespaces}} is failing to pull an image',
      notFound: '{{image}} cannot be pulled: not found ({{count}} pod(s), e.g. {{pod}}): {{detail}}',
      unauthorized: '{{image}} cannot be pulled: the registry refused the credentials ({{count}} pod(s), e.g. {{pod}}): {{detail}}',
      platform: '{{image}} cannot be pulled: no variant for the node platform ({{count}} pod(s), e.g. {{pod}}): {{detail}}',
      timeout: '{{image}} cannot be pulled: the registry did not answer in time ({{count}} pod(s), e.g. {{pod}}): {{detail}}',
      tls: '{{image}} cannot be pulled: the registry certificate is not trusted ({{count}} pod(s), e.g. {{pod}}): {{detail}}',
      rateLimited: '{{image}} cannot be pulled: the registry is rate-limiting ({{count}} pod(s), e.g. {{pod}}): {{detail}}',
      dns: '{{image}} cannot be pulled: the registry host does not resolve ({{count}} pod(s), e.g. {{pod}}): {{detail}}',
      unknown: '{{image}} cannot be pulled ({{count}} pod(s), e.g. {{pod}}): {{detail}}',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const namespaces = [...new Set([ctx.namespaces.controlPlane, ctx.namespaces.endpoint])];
    const lists = await Promise.all(namespaces.map(async (ns) => [await kube.list<Pod>('pods', { namespace: ns }), await pullEvents(kube, ns)] as const));
    const pods = lists.flatMap(([p]) => p);
    const events = lists.flatMap(([, e]) => e);
    const failures = pullFailures(pods, events, ctx.now);
    if (failures.length === 0) return pass('none', { data: { namespaces: namespaces.join(', ') } });
    return failures.map(
      (f): Finding =>
        fail(MESSAGE_ID[f.kind], {
          object: f.pods[0]!,
          severity: f.controlPlane ? 'critical' : 'high',
          data: { image: f.image, count: f.pods.length, pod: f.pods[0]!.name, detail: f.detail },
          evidence: [{ type: 'note', text: PULL_ERROR_MEANING[f.kind] }, ...f.evidence],
          remediation: {
            summary: REMEDY[f.kind],
            commands: [
              `kubectl -n ${f.pods[0]!.namespace} describe pod ${f.pods[0]!.name}`,
              `kubectl -n ${f.pods[0]!.namespace} get events --field-selector involvedObject.name=${f.pods[0]!.name}`,
              ...(f.kind === 'not-found' || f.kind === 'unauthorized' || f.kind === 'platform' ? ['model-engine-doctor preflight --only images'] : []),
            ],
          },
        }),
    );
  },
});
