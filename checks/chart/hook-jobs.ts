import { defineCheck, pass, type Evidence, type Finding } from '../../src/engine/index.js';
import { existsInCluster, HOOK_ORDER_MESSAGES, hookOrderFinding, hookOrderProblems } from './support/hook-order.js';
import { isFinding, manifestsOf, RENDER_MESSAGES, renderedBy, renderedOrSkip, refOf, RENDERED_CHECK_META, type RenderedManifest } from './support/rendered.js';

const DOCS = 'docs/checks/chart/hook-jobs.md';
export default defineCheck({
  meta: {
    id: 'chart/hook-jobs',
    title: 'Hook Jobs can start on a fresh install',
    description:
      'Every hook Job (database migration and setup, …) needs only objects helm creates before it, in helm\'s real order: hooks by weight, then name; the release\'s objects after every pre-install hook.',
    ...RENDERED_CHECK_META,
    severity: 'critical',
    messages: {
      ...RENDER_MESSAGES,
      ...HOOK_ORDER_MESSAGES,
      ok: '{{count}} hook Jobs ({{jobs}}); each needs only objects created before it',
      none: 'The chart renders no hook Jobs with these values',
    },
  },
  async run(ctx) {
    const render = await renderedOrSkip(ctx);
    if (isFinding(render)) return render;
    const manifests = manifestsOf(render);
    const jobs = manifests.filter((o) => o.kind === 'Job' && o.hooks.length > 0);
    if (jobs.length === 0) return pass('none');
    const findings: Finding[] = [];
    for (const p of hookOrderProblems(manifests)) {
      const installed = await existsInCluster(ctx, p.dependency.kind, p.dependency.name, p.job.object.namespace);
      const target = p.targets[0]! as RenderedManifest;
      const evidence: Evidence[] = [
        { type: 'field', object: refOf(p.job.object.rendered, render), path: p.dependency.path, value: p.dependency.name },
        { type: 'object', object: refOf(p.job.object.rendered, render), detail: renderedBy(p.job.object.rendered) },
        { type: 'object', object: refOf(target.rendered, render), detail: renderedBy(target.rendered) },
        ...(ctx.values && p.dependency.kind === 'ServiceAccount' ? [ctx.values.evidence('serviceAccount.annotations')] : []),
        ...(installed === undefined ? [{ type: 'note' as const, text: ctx.kube ? `could not read ${p.dependency.kind} ${p.dependency.name} in the cluster` : 'no cluster: judged as a fresh install' }] : []),
      ];
      findings.push(hookOrderFinding(p, installed, evidence, DOCS));
    }
    if (findings.length > 0) return findings;
    return pass('ok', {
      data: { count: jobs.length, jobs: jobs.map((j) => `${j.name} (${j.hooks.join(',')}, weight ${j.hookWeight})`).join(', ') },
      evidence: jobs.map((j) => ({ type: 'object' as const, object: refOf(j.rendered, render), detail: renderedBy(j.rendered) })),
    });
  },
});
