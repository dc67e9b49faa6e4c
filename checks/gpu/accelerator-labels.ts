import { defineCheck, fail, pass, refOf, skip, warn, type Deployment, type Evidence, type Finding, type KubeObject, type Node, type ObjectRef, type Pod } from '../../src/engine/index.js';
import {
  ACCELERATOR_LABEL,
  GFD,
  closestGpuType,
  GPU_TYPES,
  gpuTypeForProduct,
  noGpuTypeReason,
  gpuTypeInfo,
  isGpuNode,
  isSchedulable,
  isTerminated,
  labelCommands,
  nodeGpuCapacity,
  liveGpuDemands,
  matchesSelector,
  missingLabels,
  nodeAccelerator,
  nodeProduct,
  productMismatch,
  valuesGpuDemands,
  type GpuDemand,
} from '../../src/model-engine/gpu.js';

interface PodTemplateOwner extends KubeObject {
  spec?: { replicas?: number; template?: { spec?: { nodeSelector?: Record<string, string> } } };
}

export interface TypeVerdict {
  type: string;
  state: 'ok' | 'no-nodes' | 'selector-unmatched';
  /** True when something running (or scaled up) needs the type now. */
  urgent: boolean;
  /**
   * critical: live pods wait now. high: a values balloon with replicas waits from the install on, or nodes of the
   * type exist but lack what every GPU endpoint selects (values nodeSelector), so no endpoint of it ever schedules.
   * medium: nothing uses it yet (a pool that scales from zero has no nodes until asked).
   */
  severity: 'high' | 'medium';
  readyNodes: Node[];
  /** For selector-unmatched: the labels the type's nodes lack, with the selector's source and object. */
  missing?: { labels: string[]; source: string; object?: ObjectRef };
  sources: string[];
}

const urgentDemand = (d: GpuDemand) => d.live && !d.idle;
/** A values balloon with replicas: helm install starts pods that wait for the type. */
const installDemand = (d: GpuDemand) => !d.live && !d.idle;
/** `.Values.nodeSelector`, which every GPU endpoint pod selects besides the accelerator. */
const endpointSelectorDemand = (d: GpuDemand) => !d.live && d.valuesPath === 'nodeSelector';

/** For one GPU type: is there a schedulable node with the accelerator label and every other label its pods select? */
export function judgeType(type: string, demands: readonly GpuDemand[], nodes: readonly Node[]): TypeVerdict {
  const mine = demands.filter((d) => d.type === type);
  const sources = [...new Set(mine.map((d) => d.source))];
  const urgent = mine.some(urgentDemand);
  const ready = nodes.filter((n) => nodeAccelerator(n) === type && isSchedulable(n));
  if (ready.length === 0) {
    return { type, state: 'no-nodes', urgent, // Pods waiting now block their endpoints: high, like one endpoint down (docs/triage.md); only the control
    // plane down ranks critical.
    severity: urgent || mine.some(installDemand) ? 'high' : 'medium', readyNodes: [], sources };
  }
  // Urgent selectors first, so the reported one is the one blocking pods now.
  const unmatched = mine.filter((d) => !ready.some((n) => matchesSelector(n, d.selector))).sort((a, b) => Number(urgentDemand(b)) - Number(urgentDemand(a)));
  const d = unmatched[0];
  if (d) {
    const labels = [...new Set(ready.flatMap((n) => missingLabels(n, d.selector)))];
    const severity = urgentDemand(d) || unmatched.some((u) => installDemand(u) || endpointSelectorDemand(u)) ? 'high' : 'medium';
    return {
      type,
      state: 'selector-unmatched',
      urgent: urgentDemand(d),
      severity,
      readyNodes: ready,
      missing: { labels, source: d.source, ...(d.object ? { object: d.object } : {}) },
      sources,
    };
  }
  return { type, state: 'ok', urgent, severity: urgent ? 'high' : 'medium', readyNodes: ready, sources };
}

export type MigProblem = { what: 'strategy'; value: string } | { what: 'state'; value: string } | { what: 'config'; value: string; want: string };

/** MIG types need single strategy (pods request nvidia.com/gpu), a MIG config that succeeded, with the type's profile. */
export function migProblem(type: string, node: Node): MigProblem | undefined {
  const info = gpuTypeInfo(type);
  if (!info?.mig) return undefined;
  const l = node.metadata.labels ?? {};
  const strategy = l[GFD.migStrategy];
  if (strategy && strategy !== 'single') return { what: 'strategy', value: strategy };
  const st = l[GFD.migConfigState];
  if (st === 'failed') return { what: 'state', value: st };
  const cfg = l[GFD.migConfig];
  if (cfg && !cfg.includes(info.mig)) return { what: 'config', value: cfg, want: info.mig };
  return undefined;
}

export default defineCheck({
  meta: {
    id: 'gpu/accelerator-labels',
    title: 'GPU nodes carry the accelerator label model-engine selects',
    description:
      'Every GPU type the install uses (balloons, image cache, live endpoint pods) has a Ready node labelled k8s.amazonaws.com/accelerator=<type> plus the values nodeSelector (node-lifecycle=normal by default), and each labelled node\'s GPU (feature-discovery, GKE or instance-type labels) is the GPU its label names.',
    clouds: 'all',
    severity: 'high',
    needs: ['kube'],
    messages: {
      ok: 'GPU type {{type}} has {{count}} Ready node(s) with every label its pods select',
      noGpuTypes: 'the install uses no GPU types (no GPU balloons, image-cache devices or GPU endpoint pods)',
      noNodes: 'no Ready node is labelled {{label}}={{type}}, so pods asking for {{type}} ({{sources}}) stay Pending{{hint}}',
      selectorUnmatched: 'nodes labelled {{label}}={{type}} lack {{missing}}, which {{source}} also selects, so those pods stay Pending',
      unknownType: 'GPU type "{{type}}" ({{sources}}) is not a type model-engine knows{{hint}}',
      productMismatch: 'node {{node}} is labelled {{label}}={{type}} but {{reason}}',
      migStrategy: 'node {{node}} ({{type}}) uses MIG strategy "{{value}}": resources appear as nvidia.com/mig-*, but endpoints request nvidia.com/gpu (needs "single")',
      migFailed: 'node {{node}} ({{type}}) has nvidia.com/mig.config.state=failed: the MIG partitioning did not apply',
      migConfig: 'node {{node}} ({{type}}) has nvidia.com/mig.config={{value}}, which does not create {{want}} partitions',
      unlabelled: 'GPU node(s) {{node}} ({{gpu}}) have no {{label}} label, so model-engine never schedules onto them{{typeNote}}',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const [nodes, endpointPods, deployments, daemonsets] = await Promise.all([
      kube.list<Node>('nodes'),
      kube.list<Pod>('pods', { namespace: ctx.namespaces.endpoint }),
      kube.list<PodTemplateOwner & Deployment>('deployments.apps', { namespace: ctx.namespaces.controlPlane }),
      kube.list<PodTemplateOwner>('daemonsets.apps', { namespace: ctx.namespaces.endpoint }),
    ]);
    const v = ctx.values;
    const demands: GpuDemand[] = [
      ...(v ? valuesGpuDemands({ balloons: v.get('balloons'), imageCacheDevices: v.get('imageCache.devices'), nodeSelector: v.get('nodeSelector'), balloonNodeSelector: v.get('balloonNodeSelector') }) : []),
      ...liveGpuDemands(endpointPods.filter((p) => !isTerminated(p)).map((p) => ({ ref: refOf(p, 'Pod'), ...(p.spec.nodeSelector ? { nodeSelector: p.spec.nodeSelector } : {}) }))),
    ];
    // Balloons (facts §7) and image-cache DaemonSets: live, but idle unless a balloon is scaled up.
    for (const d of deployments.filter((x) => x.metadata.name.startsWith('model-engine-balloon-'))) {
      const sel = d.spec?.template?.spec?.nodeSelector;
      for (const dem of liveGpuDemands([{ ref: refOf(d, 'Deployment'), ...(sel ? { nodeSelector: sel } : {}) }])) demands.push({ ...dem, ...((d.spec?.replicas ?? 1) > 0 ? {} : { idle: true }) });
    }
    for (const ds of daemonsets.filter((x) => x.metadata.name.startsWith('launch-image-cache-'))) {
      const sel = ds.spec?.template?.spec?.nodeSelector;
      for (const dem of liveGpuDemands([{ ref: refOf(ds, 'DaemonSet'), ...(sel ? { nodeSelector: sel } : {}) }])) demands.push({ ...dem, idle: true });
    }

    const out: Finding[] = [];
    const types = [...new Set(demands.map((d) => d.type))].sort();
    const unlabelled = nodes.filter((n) => isGpuNode(n) && !nodeAccelerator(n));
    for (const type of types) {
      const info = gpuTypeInfo(type);
      const verdict = judgeType(type, demands, nodes);
      const sources = verdict.sources.slice(0, 3).join(', ') + (verdict.sources.length > 3 ? ` (+${verdict.sources.length - 3} more)` : '');
      const mine = demands.filter((d) => d.type === type);
      // A bad type name in the values is values/scheduling's (offline, with file:line); here only what no values key names.
      if (!info && !mine.some((d) => d.valuesPath)) {
        const meant = closestGpuType(type);
        out.push(
          warn('unknownType', {
            data: { type, sources, hint: meant ? `; did you mean ${meant}?` : '' },
            severity: 'medium',
            ...(mine[0]?.object ? { object: mine[0].object } : {}),
            remediation: { summary: `Use one of model-engine's GPU types (${GPU_TYPES.map((t) => t.type).join(', ')}) in the values and node labels.` },
          }),
        );
      }
      const data = { type, label: ACCELERATOR_LABEL, sources };
      const severity = verdict.severity;
      // The values keys asking for the type, with their file:line.
      const valuesEvidence = (v ? [...new Set(mine.flatMap((d) => (d.valuesPath ? [d.valuesPath] : [])))] : []).map((p) => v!.evidence(p));
      switch (verdict.state) {
        case 'ok':
          out.push(pass('ok', { data: { ...data, count: verdict.readyNodes.length } }));
          break;
        case 'no-nodes': {
          // Unlabelled GPU nodes of the right kind are the likely fix: name their pools.
          const candidates = unlabelled.filter((n) => {
            const np = nodeProduct(n);
            return np !== undefined && productMismatch(type, np) === undefined;
          });
          const first = mine.find(urgentDemand) ?? mine.find(installDemand) ?? mine[0]!;
          const labels = Object.entries(first.selector).map(([k, val]) => `${k}=${val}`);
          const mk = verdict.urgent ? fail : warn;
          out.push(
            mk('noNodes', {
              data: { ...data, hint: candidates.length ? `; unlabelled GPU nodes that fit: ${candidates.map((n) => n.metadata.name).slice(0, 3).join(', ')}` : verdict.urgent ? '' : ' (nothing uses it yet)' },
              severity,
              ...(first.object ? { object: first.object } : {}),
              evidence: [
                ...mine.slice(0, 5).map((d): Evidence => ({ type: 'note', text: `${d.source} selects ${Object.entries(d.selector).map(([k, val]) => `${k}=${val}`).join(',')}` })),
                ...valuesEvidence,
                ...candidates.slice(0, 5).map((n): Evidence => {
                  const np = nodeProduct(n)!;
                  return { type: 'object', object: refOf(n, 'Node'), detail: `${np.source}=${np.value}; nvidia.com/gpu: ${nodeGpuCapacity(n)}; no ${ACCELERATOR_LABEL} label` };
                }),
              ],
              remediation: {
                summary: `Label the ${info?.gpu ?? type} node pool with ${labels.join(' ')} (model-engine uses this label on every cloud), or remove ${type} from the values if you do not offer it.`,
                commands: labelCommands(ctx.matrix?.nodePool, candidates, labels, ctx.cluster?.name),
              },
            }),
          );
          break;
        }
        case 'selector-unmatched': {
          const m = verdict.missing!;
          const mk = verdict.urgent ? fail : warn;
          out.push(
            mk('selectorUnmatched', {
              data: { ...data, missing: m.labels.join(', '), source: m.source },
              severity,
              ...(m.object ? { object: m.object } : {}),
              evidence: [
                ...verdict.readyNodes.slice(0, 5).map((n): Evidence => ({ type: 'field', object: refOf(n, 'Node'), path: 'metadata.labels', value: missingLabels(n, Object.fromEntries(m.labels.map((l) => l.split('=') as [string, string]))).map((l) => `missing ${l}`).join(', ') })),
                ...valuesEvidence,
              ],
              remediation: {
                summary: `Add ${m.labels.join(' ')} to the ${type} node pool, or clear the selector in the values (nodeSelector: null removes the chart default node-lifecycle: normal; {} does not).`,
                commands: labelCommands(ctx.matrix?.nodePool, verdict.readyNodes, m.labels, ctx.cluster?.name),
                values: 'nodeSelector: null\nballoonNodeSelector: null',
              },
            }),
          );
          break;
        }
      }
    }

    // A pool mixing GPU models cannot carry one accelerator label: relabelling it would move the problem.
    const poolKey = ctx.matrix?.nodePool?.label;
    const mismatchFix = (n: Node, np: NonNullable<ReturnType<typeof nodeProduct>>) => {
      const noType = noGpuTypeReason(np);
      if (noType) {
        return {
          summary: `${noType}: remove the accelerator label from this node (or its pool) rather than name a GPU it does not have.`,
          commands: [`kubectl label node ${n.metadata.name} ${ACCELERATOR_LABEL}-`],
        };
      }
      const right = `${ACCELERATOR_LABEL}=${gpuTypeForProduct(np)}`;
      const pool = poolKey ? n.metadata.labels?.[poolKey] : undefined;
      const peers = pool ? nodes.filter((x) => x.metadata.labels?.[poolKey!] === pool) : [n];
      const models = [...new Set(peers.map((x) => nodeProduct(x)?.product).filter((p): p is string => !!p))];
      if (models.length > 1) {
        return {
          summary: `Node pool ${pool} mixes GPU models (${models.join(', ')}) under one accelerator label: give each GPU type its own pool; until then label this node by hand (lost when it is replaced).`,
          commands: [`kubectl label node ${n.metadata.name} ${right} --overwrite`],
        };
      }
      return {
        summary: 'Fix the accelerator label of this node pool to the GPU it has; endpoints asking for one GPU type would otherwise land on another (wrong memory, wrong MIG profile).',
        commands: labelCommands(ctx.matrix?.nodePool, [n], [right], ctx.cluster?.name),
      };
    };

    // Each labelled node's GPU must be the one its label names, whoever uses it.
    for (const n of nodes) {
      const type = nodeAccelerator(n);
      if (!type || !gpuTypeInfo(type)) continue;
      const object = refOf(n, 'Node');
      const mig = migProblem(type, n);
      const found = nodeProduct(n);
      // A broken MIG setup explains a missing MIG suffix by itself: then judge the GPU model only.
      const np = found && mig ? { ...found, showsMig: false } : found;
      const reason = np ? productMismatch(type, np) : undefined;
      if (reason) {
        out.push(
          fail('productMismatch', {
            data: { node: n.metadata.name, label: ACCELERATOR_LABEL, type, reason },
            object,
            severity: 'high',
            evidence: [
              { type: 'field', object, path: `metadata.labels["${ACCELERATOR_LABEL}"]`, value: type },
              { type: 'field', object, path: `metadata.labels["${np!.source}"]`, value: np!.value },
            ],
            remediation: mismatchFix(n, np!),
          }),
        );
      }
      if (mig) {
        const data = { node: n.metadata.name, type, value: mig.value, want: mig.what === 'config' ? mig.want : '' };
        const remediation = {
          summary:
            mig.what === 'strategy'
              ? 'Set the GPU operator MIG strategy to single so MIG slices are advertised as nvidia.com/gpu.'
              : `Apply a MIG config that creates ${gpuTypeInfo(type)!.mig} slices on this node and check the mig-manager logs.`,
          commands:
            mig.what === 'strategy'
              ? ['kubectl patch clusterpolicies.nvidia.com/cluster-policy --type merge -p \'{"spec":{"mig":{"strategy":"single"}}}\'']
              : [`kubectl label node ${n.metadata.name} ${GFD.migConfig}=all-${gpuTypeInfo(type)!.mig} --overwrite`, 'kubectl -n gpu-operator logs -l app=nvidia-mig-manager --tail=50'],
        };
        out.push(fail(mig.what === 'strategy' ? 'migStrategy' : mig.what === 'state' ? 'migFailed' : 'migConfig', { data, object, severity: 'high', evidence: [{ type: 'field', object, path: 'metadata.labels', value: Object.fromEntries(Object.entries(n.metadata.labels ?? {}).filter(([k]) => k.startsWith('nvidia.com/mig'))) }], remediation }));
      }
    }

    // One warning per pool (per node where nodes are not pooled): the fix is per pool.
    const poolLabel = ctx.matrix?.nodePool?.label;
    const groups = new Map<string, Node[]>();
    for (const n of unlabelled) {
      const key = (poolLabel && n.metadata.labels?.[poolLabel]) || n.metadata.name;
      groups.set(key, [...(groups.get(key) ?? []), n]);
    }
    for (const group of groups.values()) {
      const n = group[0]!;
      const np = nodeProduct(n);
      const type = np ? gpuTypeForProduct(np) : undefined;
      const noType = np ? noGpuTypeReason(np) : undefined;
      out.push(
        warn('unlabelled', {
          data: { node: group.map((x) => x.metadata.name).join(', '), gpu: np?.product ?? 'unknown GPU', label: ACCELERATOR_LABEL, typeNote: noType ? `; and ${noType}` : '' },
          object: refOf(n, 'Node'),
          severity: 'medium',
          remediation: noType
            ? {
                summary: `${noType}. Labelling these nodes with another GPU type would mislead the scheduler (wrong memory and request caps); use them for other workloads, or a model-engine build that adds the type.`,
                commands: [`kubectl get nodes -l ${np!.source}=${np!.value} -o wide`],
              }
            : {
                summary: 'If endpoints should use these nodes, label their pool with the model-engine GPU type of their GPU (plus the values nodeSelector labels).',
                commands: labelCommands(ctx.matrix?.nodePool, group, [`${ACCELERATOR_LABEL}=${type ?? '<gpu type>'}`], ctx.cluster?.name),
              },
        }),
      );
    }
    if (out.length === 0) return skip('noGpuTypes');
    return out;
  },
});
