import { defineCheck, fail, pass, type Finding } from '../../src/engine/index.js';
import type { RenderedChart, RenderedObject } from '../../src/engine/ports/chart.js';
import { isFinding, namespaceOf, podSpecOf, RENDER_MESSAGES, renderedBy, renderedEvidence, renderedOrSkip, RENDERED_CHECK_META } from './support/rendered.js';

const DOCS = 'docs/checks/chart/hook-jobs.md';

/** What a hook Job's pods need before they can start: their service account, mounted and referenced ConfigMaps and Secrets. */
export function jobDependencies(job: RenderedObject): { kind: 'ServiceAccount' | 'ConfigMap' | 'Secret'; name: string; path: string }[] {
  const ps = podSpecOf(job.object as Record<string, unknown>);
  if (!ps) return [];
  const out: { kind: 'ServiceAccount' | 'ConfigMap' | 'Secret'; name: string; path: string }[] = [];
  const sa = ps.spec.serviceAccountName ?? ps.spec.serviceAccount;
  if (sa) out.push({ kind: 'ServiceAccount', name: sa, path: `${ps.path}.serviceAccountName` });
  (ps.spec.volumes ?? []).forEach((v, i) => {
    const cm = (v as { configMap?: { name?: string; optional?: boolean } }).configMap;
    if (cm?.name && !cm.optional) out.push({ kind: 'ConfigMap', name: cm.name, path: `${ps.path}.volumes[${i}].configMap.name` });
    const secret = (v as { secret?: { secretName?: string; optional?: boolean } }).secret;
    if (secret?.secretName && !secret.optional) out.push({ kind: 'Secret', name: secret.secretName, path: `${ps.path}.volumes[${i}].secret.secretName` });
  });
  ps.spec.containers.forEach((c, ci) => {
    (c.envFrom ?? []).forEach((e, i) => {
      const ref = (e as { configMapRef?: { name?: string; optional?: boolean } }).configMapRef;
      if (ref?.name && !ref.optional) out.push({ kind: 'ConfigMap', name: ref.name, path: `${ps.path}.containers[${ci}].envFrom[${i}].configMapRef.name` });
    });
  });
  return out;
}

export interface HookOrderProblem {
  job: RenderedObject;
  dependency: RenderedObject;
  kind: string;
  name: string;
  path: string;
  /** `not-a-hook`: created with the release, after every pre-install hook; `later`: a hook with a later weight. */
  why: 'not-a-hook' | 'later';
}

/**
 * On a fresh install helm creates pre-install hooks in weight order (then kind, then name), waits for each hook
 * Job to finish, and only then creates the release's other objects. A pre-install Job that needs an object the
 * chart renders as a plain resource, or as a hook with a later weight, waits for it until the hook times out.
 */
export function hookOrderProblems(render: RenderedChart): HookOrderProblem[] {
  const out: HookOrderProblem[] = [];
  for (const job of render.objects.filter((o) => o.object.kind === 'Job' && o.hooks.includes('pre-install'))) {
    const ns = namespaceOf(job, render);
    for (const dep of jobDependencies(job)) {
      const target = render.objects.find((o) => o.object.kind === dep.kind && o.object.metadata.name === dep.name && namespaceOf(o, render) === ns);
      if (!target) continue;
      if (!target.hooks.includes('pre-install')) out.push({ job, dependency: target, ...dep, why: 'not-a-hook' });
      else if (target.hookWeight > job.hookWeight) out.push({ job, dependency: target, ...dep, why: 'later' });
    }
  }
  return out;
}

export default defineCheck({
  meta: {
    id: 'chart/hook-jobs',
    title: 'Hook Jobs can start on a fresh install',
    description:
      'Every pre-install hook Job (database migration and setup, …) needs only objects helm creates before it: its service account and ConfigMaps are hooks with an earlier or equal weight.',
    ...RENDERED_CHECK_META,
    severity: 'critical',
    messages: {
      ...RENDER_MESSAGES,
      ok: '{{count}} hook Jobs ({{jobs}}); each needs only objects created before it',
      none: 'The chart renders no hook Jobs with these values',
      createdAfter:
        'Hook Job {{job}} ({{phases}}, weight {{weight}}) needs {{kind}} {{name}}, which helm creates {{when}}: on a fresh install the Job\'s pods cannot start ({{symptom}}) and helm install fails when the hook times out',
    },
  },
  async run(ctx) {
    const render = await renderedOrSkip(ctx);
    if (isFinding(render)) return render;
    const jobs = render.objects.filter((o) => o.object.kind === 'Job' && o.hooks.length > 0);
    if (jobs.length === 0) return pass('none');
    const findings: Finding[] = hookOrderProblems(render).map((p) =>
      fail('createdAfter', {
        object: { kind: 'Job', name: p.job.object.metadata.name, ...(namespaceOf(p.job, render) ? { namespace: namespaceOf(p.job, render)! } : {}) },
        data: {
          job: p.job.object.metadata.name,
          phases: p.job.hooks.join(','),
          weight: p.job.hookWeight,
          kind: p.kind,
          name: p.name,
          when: p.why === 'not-a-hook' ? 'only after every pre-install hook (it is not a hook)' : `later (hook weight ${p.dependency.hookWeight})`,
          symptom: p.kind === 'ServiceAccount' ? 'FailedCreate: serviceaccount not found' : 'ContainerCreating: FailedMount',
        },
        evidence: [
          ...renderedEvidence(p.job, render, p.path, p.name),
          { type: 'object', object: { kind: p.kind, name: p.name }, detail: renderedBy(p.dependency) },
          ...(ctx.values && p.kind === 'ServiceAccount' ? [ctx.values.evidence('serviceAccount.annotations')] : []),
        ],
        remediation: {
          summary:
            p.kind === 'ServiceAccount'
              ? `Make the service account a pre-install hook created before the Job, as values_sample.yaml does with serviceAccount.annotations (helm.sh/hook: pre-install,pre-upgrade; helm.sh/hook-weight: "-2").`
              : `Render ${p.kind} ${p.name} as a pre-install hook with a weight below ${p.job.hookWeight}, or create it before installing.`,
          ...(p.kind === 'ServiceAccount'
            ? { values: 'serviceAccount:\n  annotations:\n    "helm.sh/hook": pre-install,pre-upgrade\n    "helm.sh/hook-weight": "-2"\n' }
            : {}),
          docs: DOCS,
        },
      }),
    );
    if (findings.length > 0) return findings;
    return pass('ok', {
      data: {
        count: jobs.length,
        jobs: jobs.map((j) => `${j.object.metadata.name} (${j.hooks.join(',')}, weight ${j.hookWeight})`).join(', '),
      },
      evidence: jobs.flatMap((j) => renderedEvidence(j, render)),
    });
  },
});
