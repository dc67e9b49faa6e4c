import { defineCheck, pass, skip, type Evidence, type ValuesPort } from '../../src/engine/index.js';
import { DUPLICATE_MESSAGES, duplicateFinding, duplicateGroups, type DuplicateGroup } from '../chart/support/duplicates.js';
import { MODEL_CHECK_META, predictObjects, type PredictedObject } from '../chart/support/model.js';
import { renderedChart } from '../chart/support/rendered.js';

const DOCS = 'docs/checks/values/duplicate-objects.md';

/** The values keys behind each differing annotation, per copy (`serviceAccount.annotations["…"]`). */
function annotationEvidence(values: ValuesPort, g: DuplicateGroup<PredictedObject>): Evidence[] {
  const out: Evidence[] = [];
  for (const d of g.differences) {
    const key = /^metadata\.annotations\["(.+)"\]$/.exec(d.path)?.[1];
    if (!key) continue;
    for (const o of g.objects) {
      const parent = o.template === 'templates/service_account_inference.yaml' ? 'serviceTemplate.serviceAccountAnnotations' : o.template === 'templates/service_account.yaml' ? 'serviceAccount.annotations' : undefined;
      const path = parent ? [...parent.split('.'), key] : undefined;
      if (path && values.get(path) !== undefined) out.push(values.evidence(path));
    }
  }
  return out.filter((e, i) => out.findIndex((x) => JSON.stringify(x) === JSON.stringify(e)) === i);
}

export default defineCheck({
  meta: {
    id: 'values/duplicate-objects',
    title: 'Every object is rendered once (values)',
    description:
      "These values do not make chart 0.2.7 render one object twice with different content (the control plane's service account in the endpoint namespace, where serviceTemplate creates one of the same name): chart 0.2.7's model, offline.",
    ...MODEL_CHECK_META,
    severity: 'high',
    messages: {
      ...DUPLICATE_MESSAGES,
      ok: 'With these values chart 0.2.7 renders each of its service accounts and ConfigMaps once{{identical}}',
      judgedByRender: 'The chart is rendered with helm in this run: chart/duplicate-objects compares what it renders',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    if (await renderedChart(ctx)) return skip('judgedByRender');
    const groups = duplicateGroups(predictObjects(values, ctx.namespaces.controlPlane).filter((o) => !o.skippedHook));
    const differing = groups.filter((g) => g.differences.length > 0);
    const describe = (o: PredictedObject) => `${o.template}${o.source ? ` (${o.source})` : ''}`;
    if (differing.length > 0) {
      return differing.map((g) =>
        duplicateFinding(
          g,
          describe,
          [
            values.evidence('serviceAccount.namespaces'),
            values.evidence('serviceTemplate.createServiceAccount'),
            values.evidence('serviceTemplate.serviceAccountName'),
            values.evidence('config.values.launch.endpoint_namespace'),
            ...annotationEvidence(values, g),
            ...g.differences.slice(0, 4).map((d): Evidence => ({ type: 'note', text: `${d.path}: ${g.objects.map((o, i) => `${o.template} ${JSON.stringify(d.values[i] ?? null)}`).join(', ')}` })),
          ],
          DOCS,
          values,
        ),
      );
    }
    const identical = groups.map((g) => `${g.kind} ${g.namespace ? `${g.namespace}/` : ''}${g.name}`);
    return pass('ok', { data: { identical: identical.length > 0 ? `, but for ${identical.join(', ')}, rendered twice identically (harmless)` : '' } });
  },
});

