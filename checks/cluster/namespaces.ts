import { defineCheck, fail, ForbiddenError, pass, str, type Evidence, type Finding, type KubeObject, type KubePort } from '../../src/engine/index.js';

/** The namespaces an install needs; the chart creates neither (facts §1.5). */
export function requiredNamespaces(ns: { controlPlane: string; endpoint: string }): { name: string; role: string; valuesKey?: string }[] {
  const out: { name: string; role: string; valuesKey?: string }[] = [{ name: ns.controlPlane, role: 'the release namespace, where the gateway, builder and cacher run' }];
  if (ns.endpoint !== ns.controlPlane) {
    out.push({ name: ns.endpoint, role: 'the endpoint namespace, config.values.launch.endpoint_namespace', valuesKey: 'config.values.launch.endpoint_namespace' });
  }
  return out;
}

/** One list when allowed; a get per name when only gets are (namespace-scoped operators often lack list). */
async function namespaces(kube: KubePort, names: string[]): Promise<Map<string, KubeObject | undefined>> {
  try {
    const all = await kube.list('namespaces');
    return new Map(names.map((n) => [n, all.find((o) => o.metadata.name === n)]));
  } catch (e) {
    if (!(e instanceof ForbiddenError)) throw e;
    const got = await Promise.all(names.map((n) => kube.get('namespaces', n)));
    return new Map(names.map((n, i) => [n, got[i]]));
  }
}

const DOCS = 'docs/checks/cluster/namespaces.md';

export default defineCheck({
  meta: {
    id: 'cluster/namespaces',
    title: 'Namespaces exist',
    description: 'The release namespace and the endpoint namespace exist and are Active (the chart creates neither).',
    clouds: 'all',
    severity: 'critical',
    needs: ['kube', 'values'],
    scopes: ['preflight', 'triage'],
    messages: {
      active: 'Namespace {{name}} ({{role}}) exists and is Active',
      missing: 'Namespace {{name}} ({{role}}) does not exist, and the chart does not create it: {{consequence}}',
      terminating: 'Namespace {{name}} ({{role}}) is being deleted (phase {{phase}}): nothing new can be created in it',
    },
  },
  async run(ctx) {
    const kube = ctx.kube!;
    const values = ctx.values!;
    const need = requiredNamespaces(ctx.namespaces);
    const found = await namespaces(kube, need.map((n) => n.name));
    return need.map(({ name, role, valuesKey }): Finding => {
      const object = { kind: 'Namespace', name };
      const evidence: Evidence[] = valuesKey ? [values.evidence(valuesKey)] : [{ type: 'note', text: `release namespace ${name} (from -n, else where the gateway runs, else default)` }];
      const ns = found.get(name);
      if (!ns) {
        return fail('missing', {
          data: {
            name,
            role,
            consequence: valuesKey
              ? 'the pre-install hook that writes the service ConfigMap there fails, so helm install fails'
              : 'helm install -n fails unless run with --create-namespace',
          },
          object,
          evidence,
          remediation: {
            summary: `Create namespace ${name} before helm install${valuesKey ? `, or point ${valuesKey} at an existing namespace` : ', or pass -n with the namespace you install into'}.`,
            commands: [`kubectl create namespace ${name}`],
            ...(valuesKey ? { values: `config:\n  values:\n    launch:\n      endpoint_namespace: ${name}\n` } : {}),
            docs: DOCS,
          },
        });
      }
      const phase = str(ns, 'status', 'phase') ?? 'Active';
      if (phase !== 'Active') {
        return fail('terminating', {
          data: { name, role, phase },
          object,
          evidence: [...evidence, { type: 'field', object, path: 'status.phase', value: phase }],
          remediation: {
            summary: `Wait for namespace ${name} to finish deleting (or find what blocks its finalizers), then recreate it.`,
            commands: [`kubectl get namespace ${name} -o jsonpath='{.status.conditions}'`, `kubectl create namespace ${name}`],
            docs: DOCS,
          },
        });
      }
      return pass('active', { data: { name, role }, object, evidence });
    });
  },
});
