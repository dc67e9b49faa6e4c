/**
 * The real helm and the real model-engine chart for tests. helm: `$HELM`, else `test/control-plane/bin/helm` of the
 * repository (built from the pinned Go module), else `helm` on PATH. The chart: `$MODEL_ENGINE_CHART`, else
 * `../shared/reference/model-engine-chart` beside the repository. Tests that need either say so loudly and skip.
 */
import { describe } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChartPort } from '../../src/engine/ports/chart.js';
import { findHelm } from '../../src/sources/helm/binary.js';
import { toolAvailable } from './tools.js';
import { createChartPort } from '../../src/sources/helm/render.js';

export const REPO = resolve(import.meta.dirname, '../..');

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The helm binary tests use, or undefined. */
export function testHelm(): string | undefined {
  if (process.env.HELM) return executable(process.env.HELM) ? process.env.HELM : undefined;
  const built = join(REPO, 'test/control-plane/bin/helm');
  if (executable(built)) return built;
  return findHelm().path;
}

/** The shared model-engine chart (0.2.7, real data nobody on this project wrote), or undefined. */
export function testChart(): string | undefined {
  const candidates = [process.env.MODEL_ENGINE_CHART, resolve(REPO, '../shared/reference/model-engine-chart')];
  return candidates.find((c): c is string => !!c && existsSync(join(c, 'Chart.yaml')));
}

const warned = new Set<string>();
function loud(what: string): void {
  if (warned.has(what)) return;
  warned.add(what);
  console.warn(`\n*** SKIPPED: ${what} ***\n`);
}

/** `describe` when helm (and, with `needChart`, the chart) is available; else a loud skip. */
export function describeWithHelm(name: string, fn: (env: { helm: string; chart: string }) => void, needChart = true): void {
  const helm = testHelm();
  const chart = testChart();
  if (!helm) {
    toolAvailable('helm', false, name); // throws under CI=true; else says so loudly
    describe.skip(name, () => fn({ helm: '', chart: '' }));
    return;
  }
  if (needChart && !chart) {
    loud(`${name}: the model-engine chart is absent (set $MODEL_ENGINE_CHART or provide ../shared/reference/model-engine-chart)`);
    describe.skip(name, () => fn({ helm, chart: '' }));
    return;
  }
  describe(name, () => fn({ helm, chart: chart ?? '' }));
}

/** `describe` when the chart is available (no helm needed); else a loud skip. */
export function describeWithChart(name: string, fn: (chart: string) => void): void {
  const chart = testChart();
  if (!chart) {
    loud(`${name}: the model-engine chart is absent (set $MODEL_ENGINE_CHART or provide ../shared/reference/model-engine-chart)`);
    describe.skip(name, () => fn(''));
    return;
  }
  describe(name, () => fn(chart));
}

/** A chart port that renders `chart` with these values fixtures (repository-relative), as `--chart` does. */
export function fixtureChartPort(helm: string, chart: string, files: readonly string[], namespace = 'model-engine'): ChartPort {
  return createChartPort({ chartPath: chart, release: 'model-engine', namespace, flags: { files: files.map((f) => resolve(REPO, f)) }, helm });
}

/**
 * A chart port whose render succeeded with no objects: what `--chart` gives the checks, for the values checks that
 * leave a rendered chart to their chart/* twin (no helm needed).
 */
export const RENDERED_CHART_PORT: ChartPort = {
  path: 'chart',
  render: async () => ({ ok: true, chart: { name: 'model-engine', version: '0.2.7', path: 'chart' }, release: { name: 'model-engine', namespace: 'model-engine' }, objects: [], command: 'helm template' }),
};

/** `helm version --short` as [major, minor, patch] (0s when unreadable). */
export function helmVersion(helm: string): [number, number, number] {
  try {
    const out = execFileSync(helm, ['version', '--short'], { encoding: 'utf8' });
    const m = /v(\d+)\.(\d+)\.(\d+)/.exec(out);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  } catch {
    return [0, 0, 0];
  }
}

/**
 * Whether this helm drops a chart's own `null` defaults from .Values as the pinned helm (v4.3.2) does; v4.1 keeps
 * them. Tests compare nulls exactly only with a helm that behaves like the pinned one, and say so otherwise.
 */
export function helmDropsDefaultNulls(helm: string): boolean {
  const [a, b, c] = helmVersion(helm);
  const ok = a > 4 || (a === 4 && (b > 3 || (b === 3 && c >= 2)));
  if (!ok) loud(`helm ${[a, b, c].join('.')} keeps a chart's null defaults (the pinned v4.3.2 drops them): comparing values without nulls`);
  return ok;
}

/** A copy without null map entries, to compare values where a helm version differs only in nulls. */
export function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}
