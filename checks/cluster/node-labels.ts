import {
  defineCheck,
  fail,
  formatPath,
  isNodeReady,
  pass,
  warn,
  type CloudProfile,
  type Evidence,
  type Finding,
  type Node,
  type ValuesPort,
} from '../../src/engine/index.js';

/** The label model-engine selects GPU nodes by, on every cloud (facts §6.4, §7). */
export const ACCELERATOR_LABEL = 'k8s.amazonaws.com/accelerator';

/** A GPU type the values ask for, and every values key that asks for it. */
export interface GpuDemand {
  type: string;
  paths: string[];
  /** Balloon replicas of this type (> 0: pods are Pending until such a node exists). */
  balloonReplicas: number;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** GPU types used by `balloons[].acceleratorName` and `imageCache.devices[].nodeSelector`. */
export function gpuDemands(values: ValuesPort): GpuDemand[] {
  const byType = new Map<string, GpuDemand>();
  const add = (type: unknown, path: string, replicas = 0) => {
    if (typeof type !== 'string' || type === '' || type === 'cpu') return;
    const d = byType.get(type) ?? { type, paths: [], balloonReplicas: 0 };
    d.paths.push(path);
    d.balloonReplicas += replicas;
    byType.set(type, d);
  };
  const balloons = values.get('balloons');
  if (Array.isArray(balloons)) {
    balloons.forEach((b, i) => {
      if (isMap(b)) add(b.acceleratorName, `balloons[${i}].acceleratorName`, typeof b.replicaCount === 'number' ? b.replicaCount : 0);
    });
  }
  const devices = values.get('imageCache.devices');
  if (Array.isArray(devices)) {
    devices.forEach((d, i) => {
      if (isMap(d) && isMap(d.nodeSelector)) add(d.nodeSelector[ACCELERATOR_LABEL], formatPath(['imageCache', 'devices', String(i), 'nodeSelector', ACCELERATOR_LABEL]));
    });
  }
  return [...byType.values()];
}

/** Nodes whose labels include every `key=value` of a selector. */
export function matchingNodes(nodes: readonly Node[], selector: Record<string, string>): Node[] {
  return nodes.filter((n) => Object.entries(selector).every(([k, v]) => n.metadata.labels?.[k] === v));
}

const usable = (n: Node) => isNodeReady(n) && !n.spec?.unschedulable;

/** How many NVIDIA GPUs a node offers (0 when none). */
export function gpuCount(n: Node): number {
  const v = n.status?.allocatable?.['nvidia.com/gpu'] ?? n.status?.capacity?.['nvidia.com/gpu'];
  const c = v === undefined ? 0 : Number(v);
  return Number.isFinite(c) ? c : 0;
}

/**
 * The model-engine GPU type a node most likely is, from the labels clouds and the GPU operator set (GKE
 * `cloud.google.com/gke-accelerator`, NVIDIA GFD `nvidia.com/gpu.product`, the instance type), or undefined.
 */
export function guessGpuType(labels: Readonly<Record<string, string>> = {}): string | undefined {
  const text = [labels['cloud.google.com/gke-accelerator'], labels['nvidia.com/gpu.product'], labels['nvidia.com/mig.config']]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  const instance = (labels['node.kubernetes.io/instance-type'] ?? labels['beta.kubernetes.io/instance-type'] ?? '').toLowerCase();
  if (/h100/.test(text) || /^p5\./.test(instance) || /nd96isr_h100/.test(instance)) return 'nvidia-hopper-h100';
  if (/a100.*80|a100e/.test(text) || /^p4de\./.test(instance) || /nd96amsr_a100_v4/.test(instance)) return 'nvidia-ampere-a100e';
  if (/a100/.test(text) || /^p4d\./.test(instance) || /nd96asr_v4|nc\d+ads_a100/.test(instance)) return 'nvidia-ampere-a100';
  if (/a10g?\b|a10-/.test(text) || /^g5\./.test(instance) || /nv\d+ads_a10/.test(instance)) return 'nvidia-ampere-a10';
  if (/t4/.test(text) || /^g4dn\./.test(instance) || /nc\d+as_t4/.test(instance)) return 'nvidia-tesla-t4';
  return undefined;
}

/**
 * Commands that put labels on nodes: per node with kubectl, and per node pool the cloud's way (matrix
 * `nodePool`), so nodes the autoscaler adds carry them too.
 */
export function labelCommands(profile: CloudProfile | undefined, labels: readonly string[], nodes: readonly Node[] = []): string[] {
  const pairs = labels.join(' ');
  const perNode = nodes.length > 0 ? nodes.slice(0, 5).map((n) => `kubectl label nodes ${n.metadata.name} ${pairs}`) : [`kubectl label nodes <node> ${pairs}`];
  const np = profile?.nodePool;
  if (!np) return [...perNode, '# and make your node provisioning keep them (kubelet --node-labels or your cluster tooling)'];
  const pools = [...new Set(nodes.map((n) => n.metadata.labels?.[np.label]).filter((p): p is string => !!p))];
  const poolCmds = (pools.length > 0 ? pools : ['<pool>']).map(
    (pool) => `${np.labelCommand.replace('{pool}', pool).replace('{labels}', labels.join(np.labelSeparator))}${np.note ? `   # ${np.note}` : ''}`,
  );
  return [...perNode, ...poolCmds];
}

const ref = (path: string) => ({ kind: 'HelmValues', name: path });
const nodeRef = (n: Node) => ({ kind: 'Node', name: n.metadata.name });
const DOCS = 'docs/checks/cluster/node-labels.md';
const fmt = (sel: Record<string, string>) => Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',');

function selectorOf(values: ValuesPort): Record<string, string> {
  const v = values.get('nodeSelector');
  if (!isMap(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

export default defineCheck({
  meta: {
    id: 'cluster/node-labels',
    title: 'Nodes carry the labels the values select on',
    description: 'Some Ready node matches nodeSelector, and every GPU type the values use has nodes labelled k8s.amazonaws.com/accelerator=<type>.',
    clouds: 'all',
    severity: 'high',
    needs: ['kube', 'values'],
    scopes: ['preflight', 'triage'],
    messages: {
      selectorOk: '{{count}} Ready node(s) match nodeSelector {{selector}} (control-plane and endpoint pods)',
      noSelector: 'nodeSelector is empty: control-plane and CPU endpoint pods may run on any node',
      selectorNoNodes:
        'No node is labelled {{selector}} (nodeSelector): every control-plane pod and every endpoint pod will stay Pending ({{total}} nodes, none matching)',
      selectorNotReady: 'The {{count}} node(s) labelled {{selector}} are all NotReady or cordoned: pods that select them stay Pending',
      gpuOk: '{{count}} Ready node(s) are labelled {{label}}={{type}}{{andSelector}}',
      gpuNoNodes:
        'No node is labelled {{label}}={{type}} (used by {{paths}}): endpoints, balloons and image caches of this GPU type stay Pending unless the autoscaler adds such nodes{{unlabelled}}',
      gpuMissSelector:
        '{{count}} node(s) are labelled {{label}}={{type}} but none also carries {{selector}}: GPU endpoint pods select both, so they stay Pending',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const nodes = await ctx.kube!.list<Node>('nodes');
    const out: Finding[] = [];
    const selector = selectorOf(values);
    const sel = fmt(selector);
    const selEvidence = Object.keys(selector).map((k) => values.evidence(['nodeSelector', k]));

    if (Object.keys(selector).length === 0) {
      out.push(pass('noSelector', { object: ref('nodeSelector'), evidence: [values.evidence('nodeSelector')] }));
    } else {
      const matching = matchingNodes(nodes, selector);
      const ready = matching.filter(usable);
      if (ready.length > 0) {
        out.push(pass('selectorOk', { data: { count: ready.length, selector: sel }, object: ref('nodeSelector'), evidence: selEvidence }));
      } else {
        const cmds = labelCommands(ctx.matrix, Object.entries(selector).map(([k, v]) => `${k}=${v}`), nodes.filter(usable).filter((n) => gpuCount(n) === 0));
        out.push(
          fail(matching.length === 0 ? 'selectorNoNodes' : 'selectorNotReady', {
            severity: 'critical',
            data: { selector: sel, total: nodes.length, count: matching.length },
            object: ref('nodeSelector'),
            evidence: [...selEvidence, ...matching.slice(0, 5).map((n): Evidence => ({ type: 'object', object: nodeRef(n), detail: isNodeReady(n) ? 'cordoned' : 'NotReady' }))],
            remediation: {
              summary: `Label the nodes the control plane and endpoints should run on with ${sel}, or set nodeSelector: null in the values to drop the selector.`,
              values: 'nodeSelector: null   # only if any node will do; {} does not remove the chart default\n',
              commands: cmds,
              docs: DOCS,
            },
          }),
        );
      }
    }

    const unlabelledGpu = nodes.filter((n) => gpuCount(n) > 0 && !n.metadata.labels?.[ACCELERATOR_LABEL]);
    for (const d of gpuDemands(values)) {
      const label = `${ACCELERATOR_LABEL}=${d.type}`;
      const typed = matchingNodes(nodes, { [ACCELERATOR_LABEL]: d.type }).filter(usable);
      const evidence: Evidence[] = d.paths.map((p) => values.evidence(p));
      const object = ref(d.paths[0]!);
      if (typed.length === 0) {
        const guessed = unlabelledGpu.filter((n) => guessGpuType(n.metadata.labels) === d.type);
        const hints = (guessed.length > 0 ? guessed : unlabelledGpu).slice(0, 5);
        out.push(
          warn('gpuNoNodes', {
            severity: d.balloonReplicas > 0 ? 'high' : 'medium',
            data: {
              label: ACCELERATOR_LABEL,
              type: d.type,
              paths: d.paths,
              unlabelled:
                unlabelledGpu.length > 0
                  ? `; ${unlabelledGpu.length} GPU node(s) have no ${ACCELERATOR_LABEL} label at all${guessed.length > 0 ? ` (${guessed.length} look like ${d.type})` : ''}`
                  : '',
            },
            object,
            evidence: [
              ...evidence,
              ...hints.map(
                (n): Evidence => ({
                  type: 'object',
                  object: nodeRef(n),
                  detail: `nvidia.com/gpu: ${gpuCount(n)}; ${['cloud.google.com/gke-accelerator', 'nvidia.com/gpu.product', 'node.kubernetes.io/instance-type']
                    .filter((k) => n.metadata.labels?.[k])
                    .map((k) => `${k}=${n.metadata.labels![k]}`)
                    .join(', ')}`,
                }),
              ),
            ],
            remediation: {
              summary: `Label the ${d.type} GPU nodes (or their node pool, so new nodes get it too) with ${label}; model-engine selects on this label on every cloud.`,
              commands: labelCommands(ctx.matrix, [label], guessed),
              docs: DOCS,
            },
          }),
        );
        continue;
      }
      const both = Object.keys(selector).length > 0 ? matchingNodes(typed, selector) : typed;
      if (both.length === 0) {
        out.push(
          warn('gpuMissSelector', {
            severity: 'high',
            data: { count: typed.length, label: ACCELERATOR_LABEL, type: d.type, selector: sel },
            object,
            evidence: [...evidence, ...selEvidence, ...typed.slice(0, 5).map((n): Evidence => ({ type: 'object', object: nodeRef(n), detail: `labels lack ${sel}` }))],
            remediation: {
              summary: `Add ${sel} to the ${d.type} nodes (or their node pool), or set nodeSelector: null.`,
              commands: labelCommands(ctx.matrix, Object.entries(selector).map(([k, v]) => `${k}=${v}`), typed),
              docs: DOCS,
            },
          }),
        );
        continue;
      }
      out.push(
        pass('gpuOk', {
          data: { count: both.length, label: ACCELERATOR_LABEL, type: d.type, andSelector: Object.keys(selector).length > 0 ? ` and ${sel}` : '' },
          object,
          evidence,
        }),
      );
    }
    return out;
  },
});
