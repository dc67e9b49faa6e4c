/**
 * The hand-kept model against the real chart. Without `--chart` the doctor judges values with what it keeps by
 * hand about chart 0.2.7: its defaults (src/sources/values/chart-defaults.ts), the images it pulls
 * (src/engine/images.ts), which objects it creates (checks/chart/support/model.ts), the variables of its endpoint
 * templates and the keys it reads. This test renders the shared chart with EVERY values fixture (and the chart's own
 * values files) through `helm template` and fails when the model and helm disagree — so drift is caught the day the
 * chart changes.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { containersOf, manifestsOf, renderedPods } from '../../checks/chart/support/rendered.js';
import { renderedFieldProblems } from '../../checks/chart/required-fields.js';
import { duplicateGroups, type ComparableManifest, type DuplicateGroup } from '../../checks/chart/support/duplicates.js';
import { hookOrderProblems, type HookOrderProblem, type PlacedManifest } from '../../checks/chart/support/hook-order.js';
import { resolvedImage } from '../../checks/chart/images.js';
import { MODELLED_KINDS, predictFieldProblems, predictObjects, renderBlockers } from '../../checks/chart/support/model.js';
import { BASELINE_VARIABLES, CHART_0_2_7_VARIABLES, INTRODUCED_VARIABLES, templateVariables } from '../../checks/chart/support/template-variables.js';
import type { RenderedChart } from '../../src/engine/ports/chart.js';
import { imageSet } from '../../src/model-engine/images.js';
import { renderChart } from '../../src/sources/helm/render.js';
import { CHART_DEFAULTS_YAML } from '../../src/sources/values/chart-defaults.js';
import { loadValues } from '../../src/sources/values/load.js';
import { CHART_TOP_LEVEL_KEYS } from '../../src/sources/values/recognise.js';
import { describeWithChart, describeWithHelm, helmDropsDefaultNulls, REPO, withoutNulls } from '../support/helm.js';

const NS = 'model-engine';
const DUMP = 'zz-doctor-values';
const FIXTURES = join(REPO, 'fixtures/values');
/** The values fixtures, read at collection time (jest declares one case per fixture). */
const FIXTURE_NAMES: string[] = (await readdir(FIXTURES)).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();


/** Minimal values that satisfy the given template requirements: empty maps, and 80 for service.port. */
function completionYaml(paths: readonly string[]): string {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    const parts = p.split('.');
    let cur = root;
    parts.forEach((k, i) => {
      if (i === parts.length - 1) cur[k] = p === 'service.port' ? 80 : {};
      else cur = (cur[k] ??= {}) as Record<string, unknown>;
    });
  }
  return JSON.stringify(root);
}

describeWithChart('the chart reads no top-level key the doctor does not know', (chart) => {
  it('every .Values.<key> of the templates is in CHART_TOP_LEVEL_KEYS (used to recognise another chart\'s file)', async () => {
    const dir = join(chart, 'templates');
    const keys = new Set<string>();
    for (const f of await readdir(dir)) {
      const text = await readFile(join(dir, f), 'utf8');
      for (const m of text.matchAll(/\.Values\.([A-Za-z_][A-Za-z0-9_]*)/g)) keys.add(m[1]!);
    }
    expect([...keys].filter((k) => !CHART_TOP_LEVEL_KEYS.includes(k)).sort()).toEqual([]);
  });

  it("the hand-kept chart defaults are the chart's values.yaml", async () => {
    const real = parse(await readFile(join(chart, 'values.yaml'), 'utf8'), { version: '1.1' }) as unknown;
    expect(parse(CHART_DEFAULTS_YAML, { version: '1.1' })).toEqual(real);
  });
});

describeWithHelm('hand-kept model ↔ helm template of chart 0.2.7, for every values fixture', ({ helm, chart }) => {
  let dir: string;
  let copy: string;
  const variablesSeen = new Set<string>();
  const refused: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'med-parity-'));
    copy = join(dir, 'model-engine');
    // A throwaway copy with one extra template that prints .Values (the shared chart itself is never changed).
    await cp(chart, copy, { recursive: true });
    await writeFile(join(copy, 'templates', `${DUMP}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${DUMP}\ndata:\n  values.json: {{ toJson .Values | quote }}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function render(files: string[]): Promise<RenderedChart | undefined> {
    const r = await renderChart({ chartPath: copy, release: 'model-engine', namespace: NS, flags: { files }, helm }, new AbortController().signal);
    return r.ok ? r : undefined;
  }

  const cases: [string, string[]][] = [
    ...['values_sample', 'values_circleci', 'values'].map((f): [string, string[]] => [`chart's own ${f}.yaml`, [join(chart, `${f}.yaml`)]]),
  ];

  it.each(cases)('%s', async (_name, files) => {
    await compare(files);
  });

  // Every fixture, alone (an overlay alone is still a values file helm renders, or refuses).
  it.each(FIXTURE_NAMES)('fixtures/values/%s.yaml', async (name) => {
    await compare([join(FIXTURES, `${name}.yaml`)], name);
  });

  it('the variables of chart 0.2.7 are the model\'s: no variable the model does not know, none it lists that no render uses', () => {
    expect([...variablesSeen].filter((v) => !BASELINE_VARIABLES.includes(v) && !INTRODUCED_VARIABLES.some((i) => i.name === v)).sort()).toEqual([]);
    expect(CHART_0_2_7_VARIABLES.filter((v) => !variablesSeen.has(v))).toEqual([]);
    // Fixtures helm refuses even with the template requirements filled in are listed, so a growing list is noticed.
    expect(refused).toEqual([]);
  });

  async function compare(userFiles: string[], name = userFiles.join(' ')): Promise<void> {
    // 0. Whether helm renders at all: the model's template requirements (values/chart-keys) must say the same.
    const blockers = renderBlockers(await loadValues({ files: userFiles, defaults: 'builtin' }));
    const first = await renderChart({ chartPath: copy, release: 'model-engine', namespace: NS, flags: { files: userFiles }, helm }, new AbortController().signal);
    expect({ renders: first.ok, blockers: blockers.map((b) => b.path) }).toEqual({ renders: blockers.length === 0, blockers: blockers.map((b) => b.path) });
    if (!first.ok) {
      const mentioned = blockers.some((b) => first.error.includes(`.Values.${b.path.split('.')[0]}`) || first.error.includes(b.template.replace(/^templates\//, '')));
      expect({ error: first.error, mentionsABlocker: mentioned }).toEqual({ error: first.error, mentionsABlocker: true });
    }
    // Fill what the chart cannot do without (empty maps), so the rest can be compared on every fixture.
    const files = [...userFiles];
    if (blockers.length > 0) {
      const completion = join(dir, `completion-${Math.random().toString(36).slice(2)}.yaml`);
      await writeFile(completion, completionYaml(blockers.map((b) => b.path)));
      files.push(completion);
    }
    // Rendered once when nothing was missing; again with the completion otherwise.
    const rendered = first.ok && blockers.length === 0 ? first : await render(files);
    if (!rendered) {
      refused.push(name);
      return;
    }
    const values = await loadValues({ files, defaults: 'builtin' });

    // 1. Merged values: the doctor's merge over its hand-kept defaults = helm's .Values.
    const dump = rendered.objects.find((o) => o.object.metadata.name === DUMP)!.object as unknown as { data: { 'values.json': string } };
    const helmValues = JSON.parse(dump.data['values.json']) as unknown;
    if (helmDropsDefaultNulls(helm)) expect(values.merged).toEqual(helmValues);
    else expect(withoutNulls(values.merged)).toEqual(withoutNulls(helmValues));

    // 2. Which objects exist (the kinds the model covers), with their hook phases and weights as helm reads them.
    const model = predictObjects(values, NS);
    const manifests = manifestsOf(rendered).filter((m) => MODELLED_KINDS.includes(m.kind) && m.name !== DUMP);
    const placed = (m: PlacedManifest) => `${m.kind} ${m.namespace ?? ''}/${m.name} ${m.hooks.join(',') || 'plain'} ${m.hookWeight}${m.skippedHook ? ' skipped' : ''}`;
    expect(model.map(placed).sort()).toEqual(manifests.map(placed).sort());

    // 3. What the model knows of the service accounts' content: annotations, token automount, pull secrets.
    const saContent = (m: { kind: string; namespace?: string; name: string; content: unknown }) => {
      const c = m.content as { metadata?: { annotations?: unknown }; automountServiceAccountToken?: unknown; imagePullSecrets?: unknown };
      const known = {
        ...(c.metadata?.annotations !== undefined ? { metadata: { annotations: c.metadata.annotations } } : {}),
        ...('automountServiceAccountToken' in c ? { automountServiceAccountToken: c.automountServiceAccountToken ?? null } : {}),
        ...(c.imagePullSecrets !== undefined ? { imagePullSecrets: c.imagePullSecrets } : {}),
      };
      return `${m.namespace}/${m.name} ${JSON.stringify(known)}`;
    };
    expect(model.filter((m) => m.kind === 'ServiceAccount').map(saContent).sort()).toEqual(manifests.filter((m) => m.kind === 'ServiceAccount').map(saContent).sort());

    // 4. What helm does with them: hook Jobs that wait for an object created after them (values/hook-jobs ↔
    //    chart/hook-jobs), objects rendered twice with different content (values/duplicate-objects ↔
    //    chart/duplicate-objects), fields the API server requires left empty (values/required-fields ↔
    //    chart/required-fields).
    const order = (ps: HookOrderProblem<PlacedManifest>[]) => [...new Set(ps.map((p) => `${p.job.object.name} needs ${p.dependency.kind} ${p.dependency.name}: ${p.why}`))].sort();
    expect(order(hookOrderProblems(model))).toEqual(order(hookOrderProblems(manifestsOf(rendered))));
    const dups = (gs: DuplicateGroup<ComparableManifest>[]) => gs.map((g) => `${g.kind} ${g.namespace ?? ''}/${g.name} ×${g.objects.length} [${g.differences.map((d) => d.path).join(', ')}] kept ${g.kept?.object.template ?? '-'}`).sort();
    expect(dups(duplicateGroups(model.filter((m) => !m.skippedHook)))).toEqual(dups(duplicateGroups(manifests.filter((m) => !m.skippedHook))));
    const fields = [...new Set(predictFieldProblems(values, NS, model).flatMap((p) => p.objects.map((o) => `${o.kind} ${o.name} ${p.path} ${p.source.key}`)))].sort();
    const renderedFields = [...new Set(renderedFieldProblems(rendered).filter((p) => p.problem.detail === 'Required value').map((p) => `${p.object.object.kind} ${p.object.object.metadata.name} ${p.problem.path} ${p.source?.key ?? '(no values key)'}`))].sort();
    expect(fields).toEqual(renderedFields);

    // 5. Images: every image the chart renders (variables the doctor can fill, filled) is in the doctor's list,
    //    and every control-plane image in the list is rendered.
    const known = imageSet({ values }).images;
    const renderedImages = new Set<string>();
    for (const p of renderedPods(rendered)) {
      for (const c of containersOf(p)) {
        const r = c.image ? resolvedImage(c.image, values) : undefined;
        if (r && !r.endsWith(':') && !r.startsWith(':')) renderedImages.add(r);
      }
    }
    expect([...renderedImages].filter((i) => !known.some((k) => k.ref === i)).sort()).toEqual([]);
    const cp = known.filter((k) => k.group === 'control-plane').map((k) => k.ref);
    expect(cp.filter((i) => !renderedImages.has(i))).toEqual([]);

    // 6. Endpoint template variables, collected for the final comparison.
    const tcm = rendered.objects.find((o) => o.object.metadata.name.endsWith('-service-template-config'));
    const data = (tcm?.object as { data?: Record<string, string> } | undefined)?.data ?? {};
    for (const v of templateVariables(Object.values(data).join('\n'))) variablesSeen.add(v);
  }
});
