/** Cases every check of the rendered chart shares: a run without a chart, and renders the real chart never produces. */
import { expect, it } from '@jest/globals';
import type { Check } from '../../src/engine/index.js';
import type { ChartPort, RenderedObject } from '../../src/engine/ports/chart.js';
import { parseRenderedManifest } from '../../src/sources/helm/manifest.js';
import { runCase } from './check-tester.js';

/** A chart port whose render is a manifest text (simulated: no helm), for renders the real chart 0.2.7 never produces. */
export function simulatedChart(manifest: string, namespace = 'model-engine', version = '0.2.7'): ChartPort {
  const objects = parseRenderedManifest(manifest);
  return {
    path: 'simulated',
    render: async () => ({ ok: true, chart: { name: 'model-engine', version, path: 'simulated' }, release: { name: 'model-engine', namespace }, objects, command: 'helm template (simulated)' }),
  };
}

/**
 * A real render, edited (simulated: what a forked chart would render differently): `edit` gets the objects helm
 * rendered and returns the ones the fork would.
 */
export function editedChart(port: ChartPort, edit: (objects: RenderedObject[]) => RenderedObject[]): ChartPort {
  return {
    path: `${port.path} (edited)`,
    render: async (signal) => {
      const r = await port.render(signal);
      return r.ok ? { ...r, objects: edit(structuredClone(r.objects)), command: `${r.command} (edited)` } : r;
    },
  };
}

/**
 * A run with values but no --chart (the chart port is a `uses`, so the runner lets the check run): one skip that
 * says how to render the chart, no finding from the values alone.
 */
export function itSkipsWithoutChart(check: Check): void {
  it('without --chart: one skip naming how to render the chart', async () => {
    const rs = await runCase(check, { name: 'no chart', values: ['fixtures/values/chart-good.yaml'], namespace: 'model-engine' });
    expect(rs.map((r) => `${r.status} ${r.messageId}`)).toEqual(['skip noChart']);
    expect(rs[0]!.message).toContain('pass --chart PATH (or --llm-engine-repo with charts/model-engine)');
  });
}
