import { defineCheck, fail, pass, refOf, warn, type Deployment, type Evidence, type Finding, type Pod } from '../../src/engine/index.js';

/** The control-plane Deployments the chart creates (facts §1.3) and what each one does for the user. */
export const CONTROL_PLANE = [
  { name: 'model-engine', role: 'the gateway (API server)', critical: true },
  { name: 'model-engine-endpoint-builder', role: 'the endpoint builder (creates endpoint Deployments)', critical: true },
  { name: 'model-engine-cacher', role: 'the cacher (endpoint status cache)', critical: false },
] as const;

export type Availability =
  | { state: 'missing' }
  | { state: 'available'; ready: number; desired: number }
  | { state: 'degraded'; ready: number; desired: number }
  | { state: 'unavailable'; ready: number; desired: number; reason?: string };

/** Classify a Deployment from its status, as `kubectl rollout status` would read it. */
export function availability(d: Deployment | undefined): Availability {
  if (!d) return { state: 'missing' };
  const desired = d.spec.replicas ?? 1;
  const ready = d.status?.availableReplicas ?? 0;
  const cond = d.status?.conditions?.find((c) => c.type === 'Available');
  if (desired === 0) return { state: 'unavailable', ready, desired, reason: 'scaled to 0 replicas' };
  if (ready === 0 || cond?.status === 'False') {
    return { state: 'unavailable', ready, desired, ...(cond?.message ? { reason: cond.message } : {}) };
  }
  if (ready < desired) return { state: 'degraded', ready, desired };
  return { state: 'available', ready, desired };
}

/** Why the Deployment's pods are not ready: the first waiting/terminated reason among its pods. */
export function podTrouble(pods: Pod[]): Evidence[] {
  const out: Evidence[] = [];
  for (const p of pods) {
    for (const cs of p.status?.containerStatuses ?? []) {
      const w = cs.state?.waiting;
      const last = cs.lastState?.terminated;
      if (w?.reason) {
        out.push({
          type: 'field',
          object: refOf(p, 'Pod'),
          path: `status.containerStatuses[${cs.name}].state.waiting`,
          value: `${w.reason}${w.message ? `: ${w.message}` : ''}${cs.restartCount ? ` (restarts: ${cs.restartCount})` : ''}`,
        });
      } else if (last?.reason && !cs.ready) {
        out.push({ type: 'field', object: refOf(p, 'Pod'), path: `status.containerStatuses[${cs.name}].lastState.terminated`, value: `${last.reason} (exit ${last.exitCode ?? '?'})` });
      }
    }
    if (p.status?.phase === 'Pending' && !(p.status.containerStatuses ?? []).length) {
      const sched = p.status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      if (sched) out.push({ type: 'field', object: refOf(p, 'Pod'), path: 'status.conditions[PodScheduled]', value: `${sched.reason}: ${sched.message ?? ''}` });
    }
  }
  return out.slice(0, 5);
}

export default defineCheck({
  meta: {
    id: 'control-plane/deployments-available',
    title: 'Control-plane Deployments available',
    description: 'The gateway, endpoint builder and cacher Deployments exist and have all replicas available.',
    clouds: 'all',
    severity: 'critical',
    needs: ['kube'],
    scopes: ['triage', 'endpoint'],
    messages: {
      available: 'Deployment {{name}} ({{role}}) has {{ready}}/{{desired}} replicas available',
      missing: 'Deployment {{name}} ({{role}}) does not exist in namespace {{namespace}}',
      unavailable: 'Deployment {{name}} ({{role}}) has {{ready}}/{{desired}} replicas available{{reason}}',
      degraded: 'Deployment {{name}} ({{role}}) is degraded: {{ready}}/{{desired}} replicas available',
    },
  },
  async run(ctx) {
    const ns = ctx.namespaces.controlPlane;
    const kube = ctx.kube!;
    const [deployments, pods] = await Promise.all([
      kube.list<Deployment>('deployments.apps', { namespace: ns }),
      kube.list<Pod>('pods', { namespace: ns }),
    ]);
    return CONTROL_PLANE.map(({ name, role, critical }): Finding => {
      const d = deployments.find((x) => x.metadata.name === name);
      const a = availability(d);
      const object = { kind: 'Deployment', namespace: ns, name };
      const data = { name, role, namespace: ns };
      const selector = d?.spec.selector?.matchLabels ?? { app: name };
      const own = pods.filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
      const look = [`kubectl -n ${ns} describe deployment ${name}`, `kubectl -n ${ns} get pods -l app=${name}`, `kubectl -n ${ns} logs deploy/${name} --tail=100`];
      switch (a.state) {
        case 'missing':
          return fail('missing', {
            data,
            object,
            severity: critical ? 'critical' : 'high',
            evidence: [{ type: 'note', text: `no Deployment named ${name} in namespace ${ns}` }],
            remediation: {
              summary: `Install or upgrade the model-engine helm release in namespace ${ns}, or pass -n with the namespace it runs in.`,
              commands: [`helm -n ${ns} status model-engine`, `kubectl get deploy -A -l app=${name}`],
            },
          });
        case 'available':
          return pass('available', { data: { ...data, ready: a.ready, desired: a.desired }, object });
        case 'degraded':
          return warn('degraded', {
            data: { ...data, ready: a.ready, desired: a.desired },
            object,
            severity: 'medium',
            evidence: podTrouble(own),
            remediation: { summary: `Find why some ${name} pods are not ready (see the evidence), then fix that cause.`, commands: look },
          });
        case 'unavailable':
          return fail('unavailable', {
            data: { ...data, ready: a.ready, desired: a.desired, reason: a.reason ? ` (${a.reason})` : '' },
            object,
            severity: critical ? 'critical' : 'high',
            evidence: [
              ...(d ? [{ type: 'field' as const, object: refOf(d, 'Deployment'), path: 'status.availableReplicas', value: a.ready }] : []),
              ...podTrouble(own),
            ],
            remediation: { summary: `Find why ${name} pods are not ready (see the evidence), fix that cause, then watch the rollout.`, commands: [...look, `kubectl -n ${ns} rollout status deploy/${name}`] },
          });
      }
    });
  },
});
