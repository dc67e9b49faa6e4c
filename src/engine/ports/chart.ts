/**
 * The chart port: what `helm template` renders from the chart (`--chart PATH`, or `charts/model-engine` of
 * `--llm-engine-repo`) with the user's values flags, release name and namespace. Checks reach it as
 * `ctx.ports.chart`; it is made in `src/commands/run.ts` and renders once per run, on first use.
 */
import type { KubeObject } from '../types.js';

export const CHART_PORT = 'chart';

/** One object of the rendered manifest, with the template that rendered it (helm's `# Source:` comment). */
export interface RenderedObject {
  object: KubeObject;
  /** Path inside the chart, e.g. `templates/gateway_deployment.yaml`. */
  template: string;
  /** `helm.sh/hook` phases when the object is a hook (`pre-install`, `pre-upgrade` …), else empty. */
  hooks: string[];
  /** `helm.sh/hook-weight` as a number (0 when absent). */
  hookWeight: number;
  /** Keys the template wrote twice in one map (`metadata.annotations.x`): the API server keeps the last. */
  duplicateKeys?: string[];
}

export interface RenderedChart {
  ok: true;
  chart: { name: string; version: string; appVersion?: string; path: string };
  release: { name: string; namespace: string };
  objects: RenderedObject[];
  /** The command that produced it (values files and flags included, no secrets: `--set` values are not shown). */
  command: string;
}

export interface ChartRenderFailure {
  ok: false;
  /** Why: helm missing, helm's own error (first line), a timeout. */
  error: string;
  kind: 'no-helm' | 'helm-error' | 'timeout' | 'not-a-chart';
  command: string;
  chartPath: string;
}

export type ChartRender = RenderedChart | ChartRenderFailure;

export interface ChartPort {
  /** The chart folder being rendered. */
  readonly path: string;
  /**
   * Render (once per run; later calls share the first answer). Rejects with the ForbiddenError or ApiError that kept
   * the run from knowing the release namespace, when it could not (a chart rendered for a guess judges another install).
   */
  render(signal: AbortSignal): Promise<ChartRender>;
}

export function isChartPort(x: unknown): x is ChartPort {
  return typeof x === 'object' && x !== null && typeof (x as ChartPort).render === 'function';
}

/** The rendered objects of a kind (and name), in manifest order. */
export function renderedOf(render: RenderedChart, kind: string, name?: string): RenderedObject[] {
  return render.objects.filter((o) => o.object.kind === kind && (name === undefined || o.object.metadata.name === name));
}
