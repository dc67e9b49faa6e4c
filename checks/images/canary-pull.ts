import { defineCheck, fail, pass, rec, skip, str, warn, type Finding, type Node, type Pod } from '../../src/engine/index.js';
import { classifyPullError, PULL_ERROR_MEANING } from '../../src/model-engine/image-pull.js';
import { podKind, type ImageEntry, type ValuesLike } from '../../src/model-engine/images.js';
import { CANARY_LEFTOVER_MS, type CanaryOutcome } from '../../src/engine/ports/canary.js';
import { gatherImageInputs, isGpuNode } from './support/pullable.js';

const ACCELERATOR_LABEL = 'k8s.amazonaws.com/accelerator';
/** Tolerations the API server adds to every pod; not worth copying onto the canary. */
const DEFAULT_TOLERATION_KEYS = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
export const DEFAULT_CANARY_TIMEOUT_MS = 120_000;

type Toleration = { key?: string; operator?: string; value?: string; effect?: string };

export interface Placement {
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /** Where it came from, for the evidence. */
  from: string;
}

/**
 * Where an endpoint pod would land: a running GPU endpoint pod's own selector and tolerations if there is one,
 * else what the service template renders (values `nodeSelector` — default `node-lifecycle: normal` — plus the
 * accelerator label of the cluster's GPU nodes and the `nvidia.com/gpu` and `gpuTolerations` tolerations).
 */
export function canaryPlacement(values: ValuesLike | undefined, pods: readonly Pod[], nodes: readonly Node[]): Placement {
  const endpointPods = pods.filter((p) => podKind(p) === 'endpoint');
  const gpuPod = endpointPods.find((p) => p.spec.nodeSelector?.[ACCELERATOR_LABEL]) ?? endpointPods[0];
  if (gpuPod) {
    return {
      nodeSelector: { ...(gpuPod.spec.nodeSelector ?? {}) },
      tolerations: (gpuPod.spec.tolerations ?? []).filter((t) => !DEFAULT_TOLERATION_KEYS.has(t.key ?? '')),
      from: `endpoint pod ${gpuPod.metadata.namespace}/${gpuPod.metadata.name}`,
    };
  }
  const sel = values?.get('nodeSelector');
  const nodeSelector: Record<string, string> = rec(sel) ? Object.fromEntries(Object.entries(rec(sel)!).filter((e): e is [string, string] => typeof e[1] === 'string')) : values ? {} : { 'node-lifecycle': 'normal' };
  const accelerator = nodes.filter(isGpuNode).map((n) => n.metadata.labels?.[ACCELERATOR_LABEL]).find(Boolean);
  const tolerations: Toleration[] = [];
  if (accelerator) {
    nodeSelector[ACCELERATOR_LABEL] = accelerator;
    tolerations.push({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    const extra = values?.get('gpuTolerations');
    for (const t of Array.isArray(extra) ? extra : []) {
      const key = typeof t === 'string' ? t : str(t, 'key');
      if (typeof key === 'string') tolerations.push({ key, operator: 'Exists', effect: 'NoSchedule' });
    }
  }
  return { nodeSelector, tolerations, from: accelerator ? `service template (values nodeSelector + ${ACCELERATOR_LABEL}=${accelerator})` : 'service template (values nodeSelector, CPU endpoint)' };
}

/** The images every LLM endpoint pod pulls: the forwarder and the vLLM image. */
export function canaryImages(images: readonly ImageEntry[]): ImageEntry[] {
  const forwarder = images.find((e) => e.group === 'control-plane' && e.roles.some((r) => /forwarder/.test(r)));
  const vllm = images.find((e) => e.group === 'framework' && e.key === 'vllm' && e.from.some((f) => f !== 'cluster'));
  return [forwarder, vllm].filter((e): e is ImageEntry => !!e);
}

export default defineCheck({
  meta: {
    id: 'images/canary-pull',
    title: 'The cluster itself can pull the endpoint images',
    description:
      'With --canary: a short-lived pod in the endpoint namespace, with the inference service account and an endpoint\'s node selector and tolerations, pulls the forwarder and vLLM images; it is deleted afterwards.',
    clouds: 'all',
    severity: 'critical',
    needs: ['kube'],
    uses: ['canary'],
    scopes: ['preflight', 'triage', 'endpoint'],
    timeoutMs: 300_000,
    messages: {
      pulled: 'A canary pod pulled {{image}} on a node like an endpoint\'s, with service account {{serviceAccount}}',
      pullFailed: 'A canary pod could not pull {{image}} ({{reason}}): {{detail}}',
      unschedulable: 'The canary pod for {{image}} could not be scheduled ({{message}}): endpoint pods with the same placement would not schedule either',
      timeout: 'The canary pod for {{image}} had no pull result in time: {{detail}}',
      forbidden: 'The canary could not run: {{detail}}',
      needsCanary: 'Not run: a canary pod is opt-in; rerun with --canary to pull the endpoint images from the cluster itself',
      unavailable: 'Not run: canary pods need a live cluster (not a snapshot)',
      noImages: 'Not run: the forwarder and vLLM images are not known (pass -f values.yaml, or install the release)',
    },
  },
  async run(ctx) {
    if (!ctx.options.canary) return skip('needsCanary');
    const canary = ctx.ports.canary;
    if (!canary) return skip('unavailable');
    const ns = ctx.namespaces.endpoint;
    const inputs = await gatherImageInputs(ctx);
    const images = canaryImages(inputs.set.images);
    if (images.length === 0) return skip('noImages');
    const leftovers = await canary.cleanupLeftovers(ns, CANARY_LEFTOVER_MS, ctx.now);
    const placement = canaryPlacement(ctx.values, inputs.pods, inputs.nodes);
    const timeoutMs = Number(ctx.options.extra.canaryTimeoutMs) || DEFAULT_CANARY_TIMEOUT_MS;
    const serviceAccount = inputs.serviceAccounts.endpoint.name;
    ctx.progress(`canary pods pulling ${images.map((e) => e.ref).join(', ')} in ${ns}`);
    const outcomes: CanaryOutcome[] = await Promise.all(
      images.map((e) =>
        canary.run({ namespace: ns, image: e.ref, serviceAccountName: serviceAccount, nodeSelector: placement.nodeSelector, tolerations: placement.tolerations, timeoutMs }, ctx.signal),
      ),
    );
    const notes = [
      { type: 'note' as const, text: `placement from ${placement.from}: nodeSelector ${JSON.stringify(placement.nodeSelector)}` },
      ...(leftovers.length ? [{ type: 'note' as const, text: `deleted leftover canary pods older than 10 min: ${leftovers.join(', ')}` }] : []),
    ];
    return images.map((e, i): Finding => {
      const o = outcomes[i]!;
      const data = { image: e.ref, serviceAccount: `${ns}/${serviceAccount}` };
      const object = { kind: 'Image', name: e.ref };
      switch (o.state) {
        case 'pulled':
          return pass('pulled', { object, data, evidence: [{ type: 'probe', target: `pod ${ns}/${o.pod}`, detail: o.detail }, ...notes] });
        case 'pull-failed': {
          const cls = classifyPullError(o.message);
          return fail('pullFailed', {
            object,
            data: { ...data, reason: o.reason, detail: `${cls.kind}: ${cls.detail}` },
            evidence: [{ type: 'probe', target: `pod ${ns}/${o.pod}`, detail: `${o.reason}: ${o.message}` }, { type: 'note', text: PULL_ERROR_MEANING[cls.kind] }, ...notes],
            remediation: {
              summary: `Endpoint pods will fail the same way. ${PULL_ERROR_MEANING[cls.kind]}; see images/control-plane-pullable and images/framework-pullable for the registry's side.`,
              commands: [`kubectl -n ${ns} get serviceaccount ${serviceAccount} -o yaml`, 'model-engine-doctor preflight --only images'],
            },
          });
        }
        case 'unschedulable':
          return warn('unschedulable', {
            object,
            data: { ...data, message: o.message },
            evidence: notes,
            remediation: {
              summary: 'No node matches an endpoint pod\'s node selector and tolerations; label a node pool (node-lifecycle=normal, the accelerator label) or fix nodeSelector in the values.',
              commands: [`kubectl get nodes -L ${ACCELERATOR_LABEL},node-lifecycle,kubernetes.io/arch`],
            },
          });
        case 'timeout':
          return warn('timeout', {
            object,
            data: { ...data, detail: o.detail },
            evidence: notes,
            remediation: {
              summary: 'Rerun with a longer --timeout for large framework images, or watch an endpoint pod pull it.',
              commands: [`kubectl -n ${ns} get events --field-selector reason=Pulling`],
            },
          });
        case 'forbidden':
          return skip('forbidden', { object, data: { ...data, detail: o.detail }, evidence: notes });
      }
    });
  },
});
