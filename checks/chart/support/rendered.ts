/**
 * Helpers of the `chart` checks: reach the rendered chart through the chart port, walk pod templates of every
 * workload kind (and of the endpoint templates the builder fills), and point evidence at both the rendered object
 * (with its template, from helm's `# Source:` comment) and the values key it came from.
 */
import { parse } from 'yaml';
import { conformPodSpec, get, ifUnreadable, rec, skip, type CheckContext, type Evidence, type Finding, type ObjectRef, type PodSpec } from '../../../src/engine/index.js';
import { isChartPort, type RenderedChart, type RenderedObject } from '../../../src/engine/ports/chart.js';
import type { ComparableManifest } from './duplicates.js';
import { podDependencies } from './hook-order.js';

export const TEMPLATE_CONFIG_MAP = 'model-engine-service-template-config';
export const SERVICE_CONFIG_MAP = 'model-engine-service-config';

/** The meta every check of the rendered chart shares: any cloud, the chart port when the run has one, helm's time. */
export const RENDERED_CHECK_META = {
  clouds: 'all',
  cloudAgnostic: true,
  needs: [],
  uses: ['chart'],
  scopes: ['preflight', 'triage'],
  timeoutMs: 90_000,
} as const;

/** The messages every chart check declares for "no render to judge". */
export const RENDER_MESSAGES = {
  noChart: 'No chart was rendered: pass --chart PATH (or --llm-engine-repo with charts/model-engine) to check what helm renders',
  notRendered: 'The chart did not render ({{error}}); see chart/renders',
} as const;

/** The render, or the skip finding that says why there is none. */
export async function renderedOrSkip(ctx: CheckContext<never, 'chart'>): Promise<RenderedChart | Finding> {
  const port = ctx.ports.chart;
  if (!isChartPort(port)) return skip('noChart');
  ctx.progress(`rendering ${port.path} with helm template`);
  const r = await port.render(ctx.signal);
  if (!r.ok) return skip('notRendered', { data: { error: r.error } });
  return r;
}

/**
 * The render when one succeeded (values checks that helm's output settles step aside for the chart checks). A chart
 * that could not be rendered because the run could not determine the release namespace is no render: the values
 * checks judge the values themselves, and the chart checks skip naming why.
 */
export async function renderedChart(ctx: Pick<CheckContext<never, 'chart'>, 'ports' | 'signal'>): Promise<RenderedChart | undefined> {
  const port = ctx.ports.chart;
  if (!isChartPort(port)) return undefined;
  const r = await ifUnreadable(() => port.render(ctx.signal), () => undefined);
  return r?.ok ? r : undefined;
}

export const isFinding = (x: unknown): x is Finding => typeof x === 'object' && x !== null && 'messageId' in x && 'status' in x;

/** The namespace an object lands in: its own, else the release's (helm template leaves it unset). */
export function namespaceOf(o: RenderedObject, render: RenderedChart): string | undefined {
  const clusterScoped = ['PriorityClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Namespace'];
  if (clusterScoped.includes(o.object.kind ?? '')) return undefined;
  return o.object.metadata.namespace ?? render.release.namespace;
}

export function refOf(o: RenderedObject, render: RenderedChart): ObjectRef {
  const ns = namespaceOf(o, render);
  return { kind: o.object.kind ?? 'Object', name: o.object.metadata.name, ...(ns ? { namespace: ns } : {}) };
}

/** `rendered by templates/x.yaml (pre-install,pre-upgrade hook, weight -1)`. */
export function renderedBy(o: RenderedObject): string {
  return `rendered by ${o.template}${o.hooks.length > 0 ? ` (${o.hooks.join(',')} hook, weight ${o.hookWeight})` : ''}`;
}

/** A field of a rendered object, plus the object and its template. */
export function renderedEvidence(o: RenderedObject, render: RenderedChart, path?: string, value?: unknown): Evidence[] {
  const object = refOf(o, render);
  return [...(path ? [{ type: 'field' as const, object, path, ...(value !== undefined ? { value } : {}) }] : []), { type: 'object', object, detail: renderedBy(o) }];
}

/** A pod template found in the render: where, its spec, and the path of the spec inside the object. */
export interface RenderedPod {
  owner: RenderedObject;
  /** The pod spec as the `PodSpec` view reads it (fields of the wrong type read as absent). */
  spec: PodSpec;
  /** The pod spec as rendered, for checks of what the API server would refuse. */
  raw: Record<string, unknown>;
  /** e.g. `spec.template.spec`, or `data["deployment-runnable-image-sync-gpu.yaml"] … spec.template.spec`. */
  specPath: string;
  /** For an endpoint template of the template ConfigMap: its data key. */
  endpointTemplate?: string;
}

/** The pod spec of a workload object (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, LeaderWorkerSet). */
export function podSpecOf(o: unknown): { spec: PodSpec; raw: Record<string, unknown>; path: string } | undefined {
  const of = (raw: Record<string, unknown> | undefined, path: string) => (raw ? { spec: conformPodSpec(raw), raw, path } : undefined);
  switch (get(o, 'kind')) {
    case 'Pod':
      return of(Array.isArray(get(o, 'spec', 'containers')) ? rec(o, 'spec') : undefined, 'spec');
    case 'CronJob':
      return of(rec(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec'), 'spec.jobTemplate.spec.template.spec');
    case 'LeaderWorkerSet':
      return of(rec(o, 'spec', 'leaderWorkerTemplate', 'workerTemplate', 'spec'), 'spec.leaderWorkerTemplate.workerTemplate.spec');
    default: {
      const s = rec(o, 'spec', 'template', 'spec');
      return of(Array.isArray(get(s, 'containers')) ? s : undefined, 'spec.template.spec');
    }
  }
}

/** The endpoint templates of the template ConfigMap, parsed (templates that do not parse as YAML are left out). */
export function endpointTemplates(o: RenderedObject): { key: string; object: Record<string, unknown> }[] {
  const data = rec(o.object, 'data') ?? {};
  const out: { key: string; object: Record<string, unknown> }[] = [];
  for (const [key, text] of Object.entries(data)) {
    if (typeof text !== 'string') continue;
    try {
      // A line that is only a variable (`${MAIN_ENV}`, `${NODE_PORT_DICT}`) is a block the builder inserts: until
      // then it is not YAML, so it is read as a comment; variables inside values stay as they are.
      const v = rec(parse(text.replace(/^(\s*)(\$\{[A-Z0-9_]+\})\s*$/gm, '$1# $2'), { uniqueKeys: false }));
      if (v) out.push({ key, object: v });
    } catch {
      // A template that is not YAML until the builder fills it in: nothing to read.
    }
  }
  return out;
}

/** Every pod template in the render: workloads, and the endpoint templates the builder fills. */
export function renderedPods(render: RenderedChart): RenderedPod[] {
  const out: RenderedPod[] = [];
  for (const o of render.objects) {
    const ps = podSpecOf(o.object);
    if (ps) out.push({ owner: o, spec: ps.spec, raw: ps.raw, specPath: ps.path });
    if (o.object.kind === 'ConfigMap' && o.object.metadata.name.endsWith('-service-template-config')) {
      for (const t of endpointTemplates(o)) {
        const tps = podSpecOf(t.object);
        if (tps) out.push({ owner: o, spec: tps.spec, raw: tps.raw, specPath: `data["${t.key}"] ${tps.path}`, endpointTemplate: t.key });
      }
    }
  }
  return out;
}

/** A short name of a pod template for messages: `Deployment model-engine` or `endpoint template deployment-…-gpu.yaml`. */
export function podLabel(p: RenderedPod): string {
  return p.endpointTemplate ? `endpoint template ${p.endpointTemplate}` : `${p.owner.object.kind} ${p.owner.object.metadata.name}`;
}

/** Containers and init containers with their field paths. */
export function containersOf(p: RenderedPod): { name: string; image: string | undefined; path: string }[] {
  const all = [
    ...(p.spec.initContainers ?? []).map((c, i) => ({ c, path: `${p.specPath}.initContainers[${i}].image` })),
    ...(p.spec.containers ?? []).map((c, i) => ({ c, path: `${p.specPath}.containers[${i}].image` })),
  ];
  return all.map(({ c, path }) => ({ name: c.name, image: typeof c.image === 'string' ? c.image : undefined, path }));
}

/** A rendered object as the creation order, hook order and duplicate checks see it. */
export interface RenderedManifest extends ComparableManifest {
  rendered: RenderedObject;
}

/**
 * The render's objects as manifests, in manifest order: kind, name, namespace (the release's where helm leaves it
 * unset), hook fields, the dependencies of their pods, and their content with the namespace made explicit (so two
 * copies differing only in whether the template wrote the release namespace compare equal).
 */
export function manifestsOf(render: RenderedChart): RenderedManifest[] {
  return render.objects.map((o) => {
    const namespace = namespaceOf(o, render);
    const ps = podSpecOf(o.object);
    const metadata = { ...o.object.metadata, ...(namespace !== undefined ? { namespace } : {}) };
    return {
      kind: o.object.kind ?? '',
      name: o.object.metadata.name,
      ...(namespace !== undefined ? { namespace } : {}),
      template: o.template,
      hooks: o.hooks,
      hookWeight: o.hookWeight,
      ...(o.skippedHook ? { skippedHook: true } : {}),
      ...(ps ? { dependencies: podDependencies(ps.spec, ps.path) } : {}),
      content: { ...o.object, metadata },
      rendered: o,
    };
  });
}
