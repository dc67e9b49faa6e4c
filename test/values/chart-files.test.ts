/**
 * model-engine's own values files through `preflight`, offline and with the chart rendered by helm: every fail and
 * warn is the documented one (docs/chart-values-files.md, each row citing the fact it rests on), and no other.
 * The files are the real ones of the shared chart (../shared/reference/model-engine-chart, or $MODEL_ENGINE_CHART).
 */
import { expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/engine/index.js';
import { runMain } from '../support/capture.js';
import { describeWithChart, describeWithHelm, REPO } from '../support/helm.js';

/** `preflight --offline … -o json`: no KUBECONFIG and a home without ~/.kube/config, plus `env`, for this run only. */
async function preflight(args: string[], env: Record<string, string> = {}): Promise<{ code: number; report?: Report; stderr: string }> {
  const out = await runMain(['preflight', '--offline', ...args, '-o', 'json'], { KUBECONFIG: undefined, HOME: tmpdir(), ...env });
  return { code: out.code, stderr: out.stderr, ...(out.stdout.trim().startsWith('{') ? { report: JSON.parse(out.stdout) as Report } : {}) };
}

const ref = (o: { kind: string; namespace?: string; name: string } | undefined) => (o ? `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}` : '—');
const row = (r: { status: string; id: string; messageId: string; object?: { kind: string; namespace?: string; name: string } }) => `${r.status} ${r.id} ${r.messageId} ${ref(r.object)}`;

/** The documented verdicts: `file → mode → rows`, from the tables of docs/chart-values-files.md. */
function documented(): Map<string, Map<string, { rows: string[]; facts: string[] }>> {
  const text = readFileSync(join(REPO, 'docs/chart-values-files.md'), 'utf8');
  const out = new Map<string, Map<string, { rows: string[]; facts: string[] }>>();
  let file = '';
  for (const line of text.split('\n')) {
    const h = /^## (\S+\.yaml)/.exec(line);
    if (h) file = h[1]!;
    const cells = line.split('|').map((c) => c.trim());
    if (!file || cells.length < 8 || !/^(offline|chart)$/.test(cells[1]!)) continue;
    const [, mode, status, id, messageId, object, why] = cells as [string, string, string, string, string, string, string];
    const byMode = out.get(file) ?? new Map<string, { rows: string[]; facts: string[] }>();
    const entry = byMode.get(mode) ?? { rows: [], facts: [] };
    entry.rows.push(`${status} ${id} ${messageId} ${object}`);
    entry.facts.push(why);
    byMode.set(mode, entry);
    out.set(file, byMode);
  }
  return out;
}

describeWithChart("model-engine's own values files, offline", (chart) => {
  it.each(['values_sample.yaml', 'values_circleci.yaml', 'values.yaml'])('%s: every fail and warn is documented, with the fact it rests on', async (file) => {
    const { report } = await preflight(['-f', join(chart, file)]);
    const got = report!.results.filter((r) => r.status === 'fail' || r.status === 'warn').map(row).sort();
    const doc = documented().get(file)!.get('offline')!;
    expect(got).toEqual([...doc.rows].sort());
    for (const why of doc.facts) expect(why).toMatch(/§\d+/);
  });

  it("another chart's values file (k8s-startup-watcher): one line, exit 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'med-watcher-'));
    try {
      // The shape of charts/k8s-startup-watcher/values.yaml (facts §6.7): generic keys, and keys only it reads.
      const p = join(dir, 'values.yaml');
      await writeFile(p, 'image:\n  repository: 692474966980.dkr.ecr.us-west-2.amazonaws.com/k8s-startup-watcher\n  tag: latest\nwatchNamespace: scale-deploy\npodFilter:\n  namePattern: ""\nresources: {}\ndatadog:\n  enabled: true\ncontext: prod\nnodeSelector:\n  node-lifecycle: normal\nserviceAccount:\n  annotations: {}\nextraLabels: {}\n');
      const r = await preflight(['-f', p]);
      expect(r.code).toBe(2);
      expect(r.report).toBeUndefined();
      expect(r.stderr.split('\n')[0]).toBe(
        `model-engine-doctor: error: ${p} is not a values file of model-engine's chart: it has none of its keys (config.values, tag, image.gatewayRepository, …) and has keys that chart never reads (watchNamespace, podFilter, extraLabels, image.repository, image.tag)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeWithHelm("model-engine's own values files, with the chart rendered (--chart)", ({ helm, chart }) => {
  it.each(['values_sample.yaml', 'values_circleci.yaml', 'values.yaml'])('%s: every fail and warn is documented, with the fact it rests on', async (file) => {
    const { report } = await preflight(['-n', 'model-engine', '--chart', chart, '-f', join(chart, file)], { HELM: helm });
    const got = report!.results.filter((r) => r.status === 'fail' || r.status === 'warn').map(row).sort();
    const doc = documented().get(file)!;
    expect(got).toEqual([...doc.get('chart')!.rows].sort());
    // Each row cites its fact, or says "as offline" for a verdict whose offline row (same object) cites it.
    const offlineObjects = new Set(doc.get('offline')!.rows.map((r) => r.split(' ').slice(3).join(' ')));
    doc.get('chart')!.facts.forEach((why, i) => {
      const object = doc.get('chart')!.rows[i]!.split(' ').slice(3).join(' ');
      if (!/§\d+/.test(why)) expect({ why, object, offline: /^as offline/.test(why) && offlineObjects.has(object) }).toEqual({ why, object, offline: true });
    });
  });
});
