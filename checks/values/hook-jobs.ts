import { defineCheck, pass, skip, type Evidence, type Finding } from '../../src/engine/index.js';
import { existsInCluster, HOOK_ORDER_MESSAGES, hookOrderFinding, hookOrderProblems } from '../chart/support/hook-order.js';
import { MODEL_CHECK_META, predictObjects } from '../chart/support/model.js';
import { renderedChart } from '../chart/support/rendered.js';

const DOCS = 'docs/checks/values/hook-jobs.md';

export default defineCheck({
  meta: {
    id: 'values/hook-jobs',
    title: 'Hook Jobs can start on a fresh install (values)',
    description:
      "The pre-install hook Jobs these values turn on (db.runDbMigrationScript, db.runDbInitScript) run as a service account helm has already created: chart 0.2.7's model, offline.",
    ...MODEL_CHECK_META,
    severity: 'critical',
    messages: {
      ...HOOK_ORDER_MESSAGES,
      ok: 'Each hook Job needs only objects helm creates before it: {{jobs}}',
      none: 'No hook Job with these values (db.runDbMigrationScript and db.runDbInitScript are false)',
      judgedByRender: 'The chart is rendered with helm in this run: chart/hook-jobs judges the hook order of what it renders',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    // With a render, chart/hook-jobs judges helm's own objects: one finding per cause.
    if (await renderedChart(ctx)) return skip('judgedByRender');
    const objects = predictObjects(values, ctx.namespaces.controlPlane);
    const jobs = objects.filter((o) => o.kind === 'Job' && o.hooks.length > 0);
    if (jobs.length === 0) return pass('none', { evidence: [values.evidence('db.runDbMigrationScript'), values.evidence('db.runDbInitScript')] });
    const findings: Finding[] = [];
    for (const p of hookOrderProblems(objects)) {
      const job = p.job.object;
      const target = p.targets[0]!;
      const installed = await existsInCluster(ctx, p.dependency.kind, p.dependency.name, job.namespace);
      const evidence: Evidence[] = [
        ...(job.valuesKey ? [values.evidence(job.valuesKey)] : []),
        ...(p.dependency.kind === 'ServiceAccount' ? [values.evidence('serviceAccount.annotations')] : []),
        { type: 'note', text: `chart 0.2.7: ${job.template} renders Job ${job.name} (${job.hooks.join(',')} hook, weight ${job.hookWeight}); ${target.template} renders ${target.kind} ${target.name}${target.hooks.length > 0 ? ` (${target.hooks.join(',')} hook, weight ${target.hookWeight})` : ' (not a hook)'} (--chart renders yours)` },
        ...(ctx.namespaces.assumed?.includes('controlPlane') ? [{ type: 'note' as const, text: `release namespace assumed: ${ctx.namespaces.controlPlane} (pass -n)` }] : []),
        ...(installed === undefined ? [{ type: 'note' as const, text: ctx.kube ? `could not read ${p.dependency.kind} ${p.dependency.name} in the cluster` : 'no cluster: judged as a fresh install' }] : []),
      ];
      const key = p.dependency.kind === 'ServiceAccount' ? 'serviceAccount.annotations' : (job.valuesKey ?? 'db.runDbMigrationScript');
      findings.push(hookOrderFinding(p, installed, evidence, DOCS, { kind: 'HelmValues', name: key }));
    }
    if (findings.length > 0) return findings;
    return pass('ok', { data: { jobs: jobs.map((j) => `${j.name} (${j.hooks.join(',')}, weight ${j.hookWeight})`).join(', ') } });
  },
});
