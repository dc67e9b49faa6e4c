import { isNodeReady, type Evidence, type Node, type Remediation } from '../src/engine/index.js';
import { defineEndpointCause, type EndpointView } from '../src/model-engine/endpoint-view.js';
import { ACCELERATOR_LABEL, GPU_TYPE_TYPOS, gpuTypeInfo, nodeProduct, NODE_LIFECYCLE_LABEL } from '../src/model-engine/gpu.js';
import type { SchedulingVerdict } from '../src/model-engine/scheduling.js';
import { apiUpdate } from './lib/commands.js';
import { clusterNameOf, poolCommand } from './lib/nodes.js';
import { unscheduledAs, unscheduledContext } from './lib/unscheduled.js';
import { forFirstPod, note, verdict } from './lib/verdict.js';

type NoMatch = Extract<SchedulingVerdict, { cause: 'NO_MATCHING_NODES' }>;
type Fix = Omit<Remediation, 'docs'>;

/** AWS instance families per model-engine GPU type (docs/guides/self_hosting.md, with the a10 typo fixed). */
const AWS_INSTANCE: Readonly<Record<string, string>> = {
  'nvidia-tesla-t4': 'g4dn.xlarge',
  'nvidia-ampere-a10': 'g5.2xlarge',
  'nvidia-ampere-a100': 'p4d.24xlarge',
  'nvidia-ampere-a100e': 'p4de.24xlarge',
  'nvidia-hopper-h100': 'p5.48xlarge',
  'nvidia-hopper-h100-1g20gb': 'p5.48xlarge',
  'nvidia-hopper-h100-3g40gb': 'p5.48xlarge',
};

const pairs = (sel: Record<string, string>, sep: string) => Object.entries(sel).map(([k, val]) => `${k}=${val}`).join(sep);

/** No node has the GPU type's label: label the nodes that have the GPU, or add nodes of the type. */
function missingGpuType(v: EndpointView, sel: Record<string, string>, accel: string): Fix {
  const nodes = v.facts.nodes;
  const info = gpuTypeInfo(accel);
  // Nodes that have that GPU but not the label (or a misspelt one): label them, do not buy new ones.
  const unlabelled = nodes.filter((n) => {
    const np = nodeProduct(n);
    const current = n.metadata.labels?.[ACCELERATOR_LABEL];
    const base = np?.product.split('-MIG-')[0] ?? '';
    return !!info && !!np && info.product.test(base) && (current === undefined || GPU_TYPE_TYPOS[current] === accel);
  });
  if (unlabelled.length > 0) {
    return {
      summary: `Label the ${unlabelled.length} node(s) that have ${info?.gpu ?? accel} GPUs with ${ACCELERATOR_LABEL}=${accel} (model-engine selects GPU nodes only by that label).`,
      commands: [`kubectl label node ${unlabelled.map((n) => n.metadata.name).join(' ')} ${ACCELERATOR_LABEL}=${accel} --overwrite`, ...poolCommand(v, unlabelled, { [ACCELERATOR_LABEL]: accel })],
    };
  }
  const typesPresent = [...new Set(nodes.map((n) => n.metadata.labels?.[ACCELERATOR_LABEL]).filter((t): t is string => !!t && t !== 'cpu'))].sort();
  const instance = v.facts.hints?.cloud === 'aws' ? AWS_INSTANCE[accel] : undefined;
  const short = accel.replace(/^nvidia-[a-z]+-/, '');
  const commands: string[] = [];
  if (instance) {
    commands.push(
      `aws eks create-nodegroup --cluster-name ${clusterNameOf(v) ?? '<cluster>'} --nodegroup-name gpu-${short} --instance-types ${instance} --ami-type AL2_x86_64_GPU --scaling-config minSize=0,maxSize=2,desiredSize=1 --subnets <subnet-ids> --node-role <node-role-arn> --labels ${pairs(sel, ',')} --taints key=nvidia.com/gpu,value=true,effect=NO_SCHEDULE`,
    );
  }
  if (typesPresent.length > 0) commands.push(apiUpdate(v.subject, { gpu_type: typesPresent[0] }));
  return {
    summary: `Add ${info?.gpu ?? accel} nodes labelled ${pairs(sel, ', ')} and tainted nvidia.com/gpu=true:NoSchedule${typesPresent.length ? `, or recreate the endpoint with a gpu_type the cluster has (${typesPresent.join(', ')})` : ''}.`,
    commands,
    // Once nodes of the type exist, cache the image there so the next cold start does not pull 20 GB.
    values: [
      '# once the node group exists: cache endpoint images on it (cacher DaemonSet launch-image-cache-<name>)',
      'imageCache:',
      '  devices:',
      `    - name: ${short}`,
      '      nodeSelector:',
      `        ${ACCELERATOR_LABEL}: ${accel}`,
      '      tolerations:',
      '        - key: nvidia.com/gpu',
      '          operator: Exists',
      '          effect: NoSchedule',
      '',
    ].join('\n'),
  };
}

/**
 * Each pair exists somewhere, never together: the GPU type (or, for CPU endpoints, the untainted nodes) says which
 * nodes the endpoint belongs on; label those with what they lack.
 */
function pairsApart(v: EndpointView, sel: Record<string, string>, accel: string | undefined): Fix {
  const nodes = v.facts.nodes;
  const anchor = accel ? nodes.filter((n) => n.metadata.labels?.[ACCELERATOR_LABEL] === accel) : nodes.filter((n) => !n.spec?.taints?.some((t) => t.key === 'nvidia.com/gpu'));
  const groups = new Map<string, Node[]>();
  for (const n of anchor.filter(isNodeReady)) {
    const lacks = Object.entries(sel)
      .filter(([k, val]) => n.metadata.labels?.[k] !== val)
      .map(([k, val]) => `${k}=${val}`)
      .join(' ');
    if (lacks) groups.set(lacks, [...(groups.get(lacks) ?? []), n]);
  }
  const all = [...groups.values()].flat();
  const lacking = [...new Set([...groups.keys()].flatMap((k) => k.split(' ')))];
  const lifecycle = lacking.some((p) => p.startsWith(`${NODE_LIFECYCLE_LABEL}=`));
  const commands: string[] = [];
  for (const [lacks, group] of groups) {
    commands.push(`kubectl label node ${group.map((n) => n.metadata.name).join(' ')} ${lacks}`, ...poolCommand(v, group, Object.fromEntries(lacks.split(' ').map((p) => p.split('=') as [string, string]))));
  }
  return {
    summary: all.length
      ? `Label the ${all.length} ${accel ? `${accel} ` : ''}node(s) with ${lacking.join(' ')}${lifecycle ? " (the chart's default nodeSelector puts node-lifecycle=normal on every endpoint pod)" : ''}.`
      : `Add nodes labelled ${pairs(sel, ', ')}.`,
    commands,
    ...(lifecycle
      ? {
          values: [
            '# alternative: stop requiring node-lifecycle=normal (helm deep-merges maps: {} keeps the default, only null removes it).',
            '# Control-plane pods use it too; existing endpoints keep their selector until they are updated.',
            'nodeSelector: null',
            'balloonNodeSelector: null',
            '',
          ].join('\n'),
        }
      : {}),
  };
}

function fixFor(v: EndpointView, nm: NoMatch): { fix: Fix; evidence: Evidence[] } {
  if (nm.notReady) {
    return { fix: { summary: 'Bring the matching nodes back (uncordon them, or fix why they are NotReady).', commands: nm.notReady.map((n) => `kubectl describe node ${n}`).concat(nm.notReady.map((n) => `kubectl uncordon ${n}`)) }, evidence: [] };
  }
  const accel = nm.selector[ACCELERATOR_LABEL];
  const absent = new Set(nm.labelCounts.filter((c) => c.nodes === 0).map((c) => c.pair));
  const fix = accel && absent.has(`${ACCELERATOR_LABEL}=${accel}`) ? missingGpuType(v, nm.selector, accel) : pairsApart(v, nm.selector, accel);
  return { fix, evidence: nm.labelCounts.map((c) => note(`${c.nodes} node(s) have ${c.pair}`)) };
}

export default defineEndpointCause({
  meta: {
    code: 'NO_MATCHING_NODES',
    title: 'No Ready node has the labels the pod selects',
    rank: 60,
    docs: 'docs/endpoint.md#no-matching-nodes',
    reads: ['pods', 'events', 'nodes'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => unscheduledAs(v, p, 'NO_MATCHING_NODES'),
      (p) => {
        const u = unscheduledContext(v, p, 'NO_MATCHING_NODES');
        const { fix, evidence } = fixFor(v, u.verdict);
        return verdict('NO_MATCHING_NODES', 'pod', `${u.pending}: ${u.verdict.detail}.`, [...u.evidence, u.cross, ...evidence], fix, u.next);
      },
    );
  },
});
