import { defineCheck, pass, type Evidence } from '../../src/engine/index.js';
import { DUPLICATE_MESSAGES, duplicateFinding, duplicateGroups } from './support/duplicates.js';
import { isFinding, manifestsOf, RENDER_MESSAGES, renderedBy, renderedOrSkip, refOf, RENDERED_CHECK_META, type RenderedManifest } from './support/rendered.js';

const DOCS = 'docs/checks/chart/duplicate-objects.md';

/** A copy, for messages: its template, and `(a pre-install,pre-upgrade hook, weight -2)` when it is one. */
export function describeCopy(m: RenderedManifest): string {
  return `${m.template}${m.hooks.length > 0 ? ` (a ${m.hooks.join(',')} hook, weight ${m.hookWeight})` : ''}`;
}

export default defineCheck({
  meta: {
    id: 'chart/duplicate-objects',
    title: 'Every object is rendered once',
    description:
      'No two rendered objects share kind, namespace and name with different content: helm applies both and one silently replaces the other.',
    ...RENDERED_CHECK_META,
    severity: 'high',
    messages: {
      ...RENDER_MESSAGES,
      ...DUPLICATE_MESSAGES,
      ok: 'Every one of the {{count}} rendered objects is rendered once{{identical}}',
    },
  },
  async run(ctx) {
    const render = await renderedOrSkip(ctx);
    if (isFinding(render)) return render;
    const groups = duplicateGroups(manifestsOf(render).filter((m) => !m.skippedHook));
    const differing = groups.filter((g) => g.differences.length > 0);
    if (differing.length > 0) {
      return differing.map((g) => {
        const evidence: Evidence[] = [
          ...g.objects.map((o): Evidence => ({ type: 'object', object: refOf(o.rendered, render), detail: renderedBy(o.rendered) })),
          ...g.differences.slice(0, 4).map((d): Evidence => ({ type: 'field', object: refOf(g.objects[0]!.rendered, render), path: d.path, value: d.values.map((v) => v ?? null) })),
          ...(ctx.values && g.kind === 'ServiceAccount' ? [ctx.values.evidence('serviceAccount.namespaces'), ctx.values.evidence('serviceTemplate.serviceAccountName')] : []),
        ];
        return duplicateFinding(g, describeCopy, evidence, DOCS, ctx.values);
      });
    }
    const identical = groups.map((g) => `${g.kind} ${g.namespace ? `${g.namespace}/` : ''}${g.name}`);
    return pass('ok', {
      data: {
        count: render.objects.length,
        identical: identical.length > 0 ? ` but ${identical.join(', ')}, rendered ${identical.length === 1 ? 'twice' : 'more than once'} identically (harmless)` : '',
      },
    });
  },
});
