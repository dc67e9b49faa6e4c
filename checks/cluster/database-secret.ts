import { defineCheck, fail, pass, skip, type Finding, type Secret, warn } from '../../src/engine/index.js';

/** The key the chart reads (`secretKeyRef` → `ML_INFRA_DATABASE_URL`, facts §1.4, §8). */
export const DATABASE_URL_KEY = 'database_url';

/** The key names of a Secret (never its values). */
export function secretKeys(s: Secret | undefined): string[] {
  return Object.keys(s?.data ?? {}).sort();
}

const DOCS = 'docs/checks/cluster/database-secret.md';
const PATH = 'secrets.kubernetesDatabaseSecretName';

export default defineCheck({
  meta: {
    id: 'cluster/database-secret',
    title: 'Database Secret exists',
    description: 'The Secret named by secrets.kubernetesDatabaseSecretName exists with key database_url in the release and endpoint namespaces (keys only; values are never read).',
    clouds: 'all',
    severity: 'critical',
    needs: ['kube', 'values'],
    scopes: ['preflight', 'triage'],
    messages: {
      notConfigured: 'secrets.kubernetesDatabaseSecretName is not set; the database comes from a cloud secret (see values/database)',
      ok: 'Secret {{namespace}}/{{name}} has key database_url',
      missing: 'Secret {{name}} does not exist in namespace {{namespace}}: {{who}} fail with CreateContainerConfigError',
      missingAssumed:
        'Secret {{name}} does not exist in namespace {{namespace}}, which the doctor assumed as the {{role}} namespace (no -n given, no control plane installed): if you install there, {{who}} fail with CreateContainerConfigError',
      noKey: 'Secret {{namespace}}/{{name}} has no key database_url (it has: {{keys}}): {{who}} fail with CreateContainerConfigError',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const name = values.get(PATH);
    if (typeof name !== 'string' || name === '') return skip('notConfigured', { object: { kind: 'HelmValues', name: PATH }, evidence: [values.evidence(PATH)] });
    const namespaces = [...new Set([ctx.namespaces.controlPlane, ctx.namespaces.endpoint])];
    const assumed = new Set((ctx.namespaces.assumed ?? []).map((w) => ctx.namespaces[w]));
    const secrets = await Promise.all(namespaces.map((ns) => ctx.kube!.get<Secret>('secrets', name, ns)));
    return namespaces.map((namespace, i): Finding => {
      const s = secrets[i];
      const object = { kind: 'Secret', namespace, name };
      const cp = namespace === ctx.namespaces.controlPlane;
      const who = cp
        ? values.get('db.runDbMigrationScript') === true
          ? 'the database-migration hook (pre-install, so helm install itself fails), the gateway, builder and cacher'
          : 'the gateway, builder and cacher'
        : 'pods model-engine runs there with the control-plane environment (e.g. batch-job orchestration)';
      const severity = cp ? ('critical' as const) : ('high' as const);
      const create = `kubectl -n ${namespace} create secret generic ${name} --from-file=${DATABASE_URL_KEY}=./database_url   # a file holding the full postgresql:// URL`;
      if (!s && assumed.has(namespace)) {
        // A guess is not a finding about the cluster: say what holds if the guess is right, and how to say where.
        return warn('missingAssumed', {
          severity: 'medium',
          data: { name, namespace, who, role: cp ? 'release' : 'endpoint' },
          object,
          evidence: [values.evidence(PATH), { type: 'note', text: `${cp ? 'release' : 'endpoint'} namespace assumed: ${namespace} (no -n given, and no installed control plane found)` }],
          remediation: {
            summary: `Pass -n NAMESPACE (and --endpoint-namespace) as you will install, or create Secret ${name} with key ${DATABASE_URL_KEY} in namespace ${namespace} if that is where it goes.`,
            commands: [create],
            docs: DOCS,
          },
        });
      }
      if (!s) {
        return fail('missing', {
          severity,
          data: { name, namespace, who },
          object,
          evidence: [values.evidence(PATH), { type: 'note', text: `no Secret ${name} in namespace ${namespace}` }],
          remediation: { summary: `Create Secret ${name} with key ${DATABASE_URL_KEY} in namespace ${namespace}.`, commands: [create], docs: DOCS },
        });
      }
      const keys = secretKeys(s);
      if (!keys.includes(DATABASE_URL_KEY)) {
        return fail('noKey', {
          severity,
          data: { name, namespace, who, keys: keys.length > 0 ? keys : ['none'] },
          object,
          evidence: [values.evidence(PATH), { type: 'object', object, detail: `keys: ${keys.join(', ') || '(none)'}` }],
          remediation: {
            summary: `Add key ${DATABASE_URL_KEY} (the full postgresql:// URL) to Secret ${namespace}/${name}.`,
            commands: [
              `kubectl -n ${namespace} get secret ${name} -o go-template='{{range $k, $v := .data}}{{$k}}{{"\\n"}}{{end}}'   # key names only`,
              `kubectl -n ${namespace} patch secret ${name} --type merge -p "{\\"data\\":{\\"${DATABASE_URL_KEY}\\":\\"$(base64 -w0 < ./database_url)\\"}}"`,
            ],
            docs: DOCS,
          },
        });
      }
      return pass('ok', { data: { name, namespace }, object, evidence: [values.evidence(PATH), { type: 'object', object, detail: `keys: ${keys.join(', ')}` }] });
    });
  },
});
