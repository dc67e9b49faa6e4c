import { defineCheck, fail, pass, type Finding, type KubeObject } from '../../src/engine/index.js';

export interface PriorityClassView extends KubeObject {
  value?: number;
  preemptionPolicy?: string;
  globalDefault?: boolean;
}

/** What the chart renders (facts §1.3): names model-engine's code hardcodes (§6.4), values, preemption. */
export function expectedPriorityClasses(reserveHighPriority: boolean): { name: string; value: number; preemptionPolicy: string }[] {
  return [
    { name: 'model-engine-default-priority', value: 1, preemptionPolicy: reserveHighPriority ? 'Never' : 'PreemptLowerPriority' },
    { name: 'model-engine-high-priority', value: 100000, preemptionPolicy: 'PreemptLowerPriority' },
    { name: 'model-engine-low-priority', value: 0, preemptionPolicy: 'PreemptLowerPriority' },
  ];
}

export type Ownership = { state: 'unowned' } | { state: 'owned'; release: string; namespace: string };

/** Helm's ownership metadata on an object (what `helm install` checks before adopting it). */
export function helmOwnership(o: KubeObject): Ownership {
  const release = o.metadata.annotations?.['meta.helm.sh/release-name'];
  const namespace = o.metadata.annotations?.['meta.helm.sh/release-namespace'];
  if (o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'Helm' && release && namespace) return { state: 'owned', release, namespace };
  return { state: 'unowned' };
}

/** Differences between a PriorityClass and what the chart would render. */
export function priorityClassDiff(pc: PriorityClassView, want: { value: number; preemptionPolicy: string }): string[] {
  const diffs: string[] = [];
  if (pc.value !== want.value) diffs.push(`value ${String(pc.value)} (chart: ${want.value})`);
  const policy = pc.preemptionPolicy ?? 'PreemptLowerPriority';
  if (policy !== want.preemptionPolicy) diffs.push(`preemptionPolicy ${policy} (chart: ${want.preemptionPolicy})`);
  return diffs;
}

const DOCS = 'docs/checks/cluster/priority-classes.md';

export default defineCheck({
  meta: {
    id: 'cluster/priority-classes',
    title: 'PriorityClasses do not conflict',
    description: 'model-engine-default/-high/-low-priority are absent (the chart creates them) or exactly what the chart would create and owned by this release.',
    clouds: 'all',
    severity: 'high',
    needs: ['kube', 'values'],
    scopes: ['preflight', 'triage'],
    messages: {
      absent: 'PriorityClass {{name}} does not exist yet; the chart creates it (value {{value}})',
      owned: 'PriorityClass {{name}} matches the chart (value {{value}}) and belongs to helm release {{release}} in {{namespace}}',
      shared: 'PriorityClass {{name}} exists with the chart\'s value {{value}} (serviceIdentifier is set, so this release relies on it)',
      conflicting: 'PriorityClass {{name}} exists with {{diffs}}: helm cannot change these immutable fields, and pods get the wrong priority',
      unowned:
        'PriorityClass {{name}} exists but is not owned by a helm release in {{namespace}}{{owner}}: helm install fails ("exists and cannot be imported into the current release")',
      missingWithServiceIdentifier:
        'PriorityClass {{name}} does not exist and serviceIdentifier is set, so the chart will not create it: pods that use it are rejected',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const ns = ctx.namespaces.controlPlane;
    const reserve = values.get('balloonConfig.reserveHighPriority') !== false;
    const sid = values.get('serviceIdentifier');
    const chartRenders = sid === undefined || sid === null || sid === '';
    const existing = await ctx.kube!.list<PriorityClassView>('priorityclasses.scheduling.k8s.io');
    return expectedPriorityClasses(reserve).map((want): Finding => {
      const pc = existing.find((p) => p.metadata.name === want.name);
      const object = { kind: 'PriorityClass', name: want.name };
      const data = { name: want.name, value: want.value, namespace: ns };
      const create = `kubectl create priorityclass ${want.name} --value=${want.value} --preemption-policy=${want.preemptionPolicy} --description="model-engine"`;
      if (!pc) {
        if (chartRenders) return pass('absent', { data, object });
        return fail('missingWithServiceIdentifier', {
          data,
          object,
          evidence: [values.evidence('serviceIdentifier')],
          remediation: { summary: `Install model-engine once without serviceIdentifier (it creates the PriorityClasses), or create ${want.name} yourself.`, commands: [create], docs: DOCS },
        });
      }
      const diffs = priorityClassDiff(pc, want);
      const evidence = [{ type: 'object' as const, object, detail: `value ${String(pc.value)}, preemptionPolicy ${pc.preemptionPolicy ?? 'PreemptLowerPriority'}` }];
      if (diffs.length > 0) {
        return fail('conflicting', {
          data: { ...data, diffs },
          object,
          evidence: [...evidence, ...(want.name === 'model-engine-default-priority' ? [values.evidence('balloonConfig.reserveHighPriority')] : [])],
          remediation: {
            summary: `Delete ${want.name} so the chart recreates it (running pods keep their priority; PriorityClass value is immutable), after checking nothing else relies on it.`,
            commands: [`kubectl get pods -A --field-selector=status.phase=Running -o jsonpath='{range .items[?(@.spec.priorityClassName=="${want.name}")]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}'`, `kubectl delete priorityclass ${want.name}`],
            docs: DOCS,
          },
        });
      }
      if (!chartRenders) return pass('shared', { data, object, evidence });
      const own = helmOwnership(pc);
      if (own.state === 'owned' && own.namespace === ns) return pass('owned', { data: { ...data, release: own.release }, object, evidence });
      return fail('unowned', {
        data: { ...data, owner: own.state === 'owned' ? ` (it belongs to release ${own.release} in ${own.namespace})` : '' },
        object,
        evidence: [...evidence, { type: 'field', object, path: 'metadata.annotations["meta.helm.sh/release-name"]', value: own.state === 'owned' ? own.release : '(none)' }],
        remediation: {
          summary:
            own.state === 'owned'
              ? `Another release owns ${want.name}: install this one with serviceIdentifier set (it then reuses the PriorityClasses), or uninstall the other.`
              : `Let this release adopt ${want.name} (it already has the chart's values), or delete it so the chart creates it.`,
          commands:
            own.state === 'owned'
              ? [`helm -n ${own.namespace} status ${own.release}`]
              : [
                  `kubectl annotate priorityclass ${want.name} meta.helm.sh/release-name=<release> meta.helm.sh/release-namespace=${ns} --overwrite`,
                  `kubectl label priorityclass ${want.name} app.kubernetes.io/managed-by=Helm --overwrite`,
                  `# or: kubectl delete priorityclass ${want.name}`,
                ],
          docs: DOCS,
        },
      });
    });
  },
});
