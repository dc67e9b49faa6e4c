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
  /** helm skips the object (an unknown or empty `helm.sh/hook` phase): it is never created. */
  skippedHook?: true;
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

/** The hook events helm knows (helm v4 `pkg/release/v1/util/manifest_sorter.go`, `events`). */
export const HELM_HOOK_EVENTS: readonly string[] = [
  'pre-install',
  'post-install',
  'pre-delete',
  'post-delete',
  'pre-upgrade',
  'post-upgrade',
  'pre-rollback',
  'post-rollback',
  'test',
  'test-success',
];

/**
 * An object's hook annotations read as helm v4 reads them: `helm.sh/hook` split on commas, each trimmed and
 * lower-cased; one unknown event makes helm skip the whole object ("skipping unknown hooks": never created);
 * `helm.sh/hook-weight` through Go's `strconv.Atoi` (anything but an integer is 0). An object without the
 * annotation is no hook (`events` empty).
 */
export function helmHook(annotations: Readonly<Record<string, unknown>> | undefined): { events: string[]; weight: number; unknown: boolean } {
  const raw = annotations?.['helm.sh/hook'];
  if (raw === undefined) return { events: [], weight: 0, unknown: false };
  const events = String(raw ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase());
  const w = String(annotations?.['helm.sh/hook-weight'] ?? '');
  return {
    events: events.filter((e) => HELM_HOOK_EVENTS.includes(e)),
    weight: /^[+-]?\d+$/.test(w) ? Number.parseInt(w, 10) : 0,
    unknown: events.some((e) => !HELM_HOOK_EVENTS.includes(e)),
  };
}
