import { defineCheck, fail, pass, str, warn, type CloudProfile, type Finding } from '../../src/engine/index.js';

/**
 * Where model-engine finds its Postgres database (facts §8 "Database", `db/base.py get_engine_url`):
 * `secrets.kubernetesDatabaseSecretName` → env `ML_INFRA_DATABASE_URL` (key `database_url`), which wins on every
 * cloud; else `secrets.cloudDatabaseSecretName` → env `DB_SECRET_NAME`, read per cloud as below.
 */
export interface DatabaseSource {
  /** What model-engine does with `DB_SECRET_NAME` (or its default name) on this cloud. */
  cloudSecret: string;
  /** The default secret name when neither key is set, from `context` (the infra `env`). */
  fallback: (env: string) => string;
  /** True when the cloud path reads the `DB_*` env vars (which the chart never injects). */
  usesEnvVars: boolean;
  /** True when `DB_SECRET_NAME` is not read at all on this path. */
  ignoresCloudSecret: boolean;
  /** A command that shows whether the fallback secret exists. */
  lookup?: (env: string, vault: string) => string;
}

/** By the matrix's secret store of the cloud (`CloudProfile.secretStore`). */
export const DATABASE_SOURCES: Readonly<Record<CloudProfile['secretStore'], DatabaseSource>> = {
  'secrets-manager': {
    cloudSecret: 'an AWS Secrets Manager secret with JSON keys username, password, clusterHost, clusterHostRo, port and dbname',
    fallback: (env) => `AWS Secrets Manager secret "${env}/ml_infra_pg"`,
    usesEnvVars: false,
    ignoresCloudSecret: false,
    lookup: (env) => `aws secretsmanager describe-secret --secret-id '${env}/ml_infra_pg' --query ARN`,
  },
  'key-vault': {
    cloudSecret: 'a Key Vault secret (in azure.keyvault_name) holding host:port/dbname; the user is azure.identity_name and the password an Entra token',
    fallback: (env) => `Key Vault secret "${env}-ml-infra-pg" in the vault azure.keyvault_name names`,
    usesEnvVars: false,
    ignoresCloudSecret: false,
    lookup: (env, vault) => `az keyvault secret show --vault-name ${vault} --name '${env}-ml-infra-pg' --query id`,
  },
  'gcp-secret-manager': {
    cloudSecret: 'a GCP Secret Manager secret with JSON keys username, password, clusterHost (or host), port and dbname (project from env DB_SECRET_GCP_PROJECT_ID, else the default project)',
    fallback: () => 'env DB_USER, DB_PASSWORD, DB_HOST, DB_PORT and DB_NAME (defaults postgres:postgres@localhost:5432/llm_engine)',
    usesEnvVars: true,
    ignoresCloudSecret: false,
  },
  kubernetes: {
    cloudSecret: 'nothing: on-prem ignores DB_SECRET_NAME and reads env DB_USER, DB_PASSWORD, DB_HOST, DB_PORT and DB_NAME',
    fallback: () => 'env DB_USER, DB_PASSWORD, DB_HOST, DB_PORT and DB_NAME (defaults postgres:postgres@localhost:5432/llm_engine)',
    usesEnvVars: true,
    ignoresCloudSecret: true,
  },
};

/** The `DB_*` variables set in `extraEnvVars` (names only). */
export function dbEnvVars(extraEnvVars: unknown): string[] {
  if (!Array.isArray(extraEnvVars)) return [];
  return extraEnvVars
    .map((e) => str(e, 'name'))
    .filter((n): n is string => n !== undefined && /^DB_(USER|PASSWORD|HOST|HOST_RO|PORT|NAME)$/.test(n));
}

const ref = (path: string) => ({ kind: 'HelmValues', name: path });
const nonEmpty = (v: unknown) => v !== undefined && v !== null && v !== '';
const DOCS = 'docs/checks/values/database.md';
const K8S = 'secrets.kubernetesDatabaseSecretName';
const CLOUD = 'secrets.cloudDatabaseSecretName';
const K8S_SNIPPET = 'secrets:\n  kubernetesDatabaseSecretName: llm-engine-postgres-credentials   # a Secret with key database_url, in the release and endpoint namespaces\n';

function secretCommands(namespaces: string[]): string[] {
  return namespaces.map(
    // --from-file keeps the password out of shell history (and out of this report).
    (ns) => `kubectl -n ${ns} create secret generic llm-engine-postgres-credentials --from-file=database_url=./database_url   # a file holding the full postgresql:// URL`,
  );
}

export default defineCheck({
  meta: {
    id: 'values/database',
    title: 'Database connection values',
    description: 'The values tell model-engine where its Postgres database is, in a way this cloud supports.',
    clouds: 'all',
    severity: 'critical',
    needs: ['values'],
    messages: {
      kubernetesSecret: '{{path}} = {{name}}; the control plane reads database_url from that Secret (ML_INFRA_DATABASE_URL), on every cloud',
      bothSet: '{{path}} is set, so {{other}} is ignored (the chart injects only ML_INFRA_DATABASE_URL)',
      cloudSecret: '{{path}} = {{name}}; on {{cloud}} model-engine reads {{what}}',
      cloudSecretIgnored: '{{path}} is set, but on {{cloud}} model-engine ignores it and reads {{what}}; none of those is set, so it connects to localhost',
      envVars: 'Neither secret key is set; on {{cloud}} model-engine reads env {{vars}} from extraEnvVars',
      fallback: 'Neither {{k8s}} nor {{cloudKey}} is set: on {{cloud}} model-engine falls back to {{fallback}}, which must exist before the install',
      noDatabase: 'Neither {{k8s}} nor {{cloudKey}} is set: on {{cloud}} model-engine reads {{fallback}}, none of which the chart injects, so it connects to localhost and fails',
      unknownCloud: 'Neither {{k8s}} nor {{cloudKey}} is set, and the cloud is unknown: model-engine has no database location',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const k8s = values.get(K8S);
    const cloudName = values.get(CLOUD);
    const src = ctx.matrix ? DATABASE_SOURCES[ctx.matrix.secretStore] : undefined;
    const cloud = ctx.matrix?.displayName ?? 'this cloud';
    const nsList = [...new Set([ctx.namespaces.controlPlane, ctx.namespaces.endpoint])];
    const out: Finding[] = [];

    if (nonEmpty(k8s)) {
      out.push(pass('kubernetesSecret', { data: { path: K8S, name: String(k8s) }, object: ref(K8S), evidence: [values.evidence(K8S)] }));
      if (nonEmpty(cloudName)) out.push(pass('bothSet', { data: { path: K8S, other: CLOUD }, object: ref(CLOUD), evidence: [values.evidence(K8S), values.evidence(CLOUD)] }));
      return out;
    }
    const env = str(values.get('context')) ?? '<context>';
    const dbVars = dbEnvVars(values.get('extraEnvVars'));
    const envSnippet =
      'extraEnvVars:\n  - name: DB_HOST\n    value: <postgres host>\n  - name: DB_PORT\n    value: "5432"\n  - name: DB_NAME\n    value: llm_engine\n  - name: DB_USER\n    valueFrom: {secretKeyRef: {name: <secret>, key: username}}\n  - name: DB_PASSWORD\n    valueFrom: {secretKeyRef: {name: <secret>, key: password}}\n';

    if (nonEmpty(cloudName)) {
      if (src?.ignoresCloudSecret && !dbVars.includes('DB_HOST')) {
        return [
          fail('cloudSecretIgnored', {
            data: { path: CLOUD, cloud, what: 'env DB_USER, DB_PASSWORD, DB_HOST, DB_PORT and DB_NAME' },
            object: ref(CLOUD),
            evidence: [values.evidence(CLOUD), values.evidence('extraEnvVars')],
            remediation: {
              summary: `Give the database URL as a Kubernetes Secret (${K8S}), or set the DB_* variables in extraEnvVars.`,
              values: K8S_SNIPPET,
              commands: secretCommands(nsList),
              docs: DOCS,
            },
          }),
        ];
      }
      return [
        pass('cloudSecret', {
          data: { path: CLOUD, name: String(cloudName), cloud, what: src?.cloudSecret ?? 'the secret the cloud path names' },
          object: ref(CLOUD),
          evidence: [values.evidence(CLOUD)],
        }),
      ];
    }

    const data = { k8s: K8S, cloudKey: CLOUD, cloud };
    const evidence = [values.evidence(K8S), values.evidence(CLOUD)];
    if (!src) {
      return [
        warn('unknownCloud', {
          data,
          object: ref(K8S),
          evidence,
          remediation: { summary: `Set ${K8S} (works on every cloud).`, values: K8S_SNIPPET, commands: secretCommands(nsList), docs: DOCS },
        }),
      ];
    }
    if (src.usesEnvVars) {
      if (dbVars.includes('DB_HOST')) {
        return [pass('envVars', { data: { cloud, vars: dbVars }, object: ref('extraEnvVars'), evidence: [values.evidence('extraEnvVars')] })];
      }
      return [
        fail('noDatabase', {
          data: { ...data, fallback: src.fallback(env) },
          object: ref(K8S),
          evidence: [...evidence, values.evidence('extraEnvVars')],
          remediation: {
            summary: `Set ${K8S} to a Secret holding database_url (simplest), or the DB_* variables in extraEnvVars.`,
            values: `${K8S_SNIPPET}# or:\n${envSnippet}`,
            commands: secretCommands(nsList),
            docs: DOCS,
          },
        }),
      ];
    }
    const kv = values.get('azure.keyvault_name');
    const needsVault = ctx.matrix?.secretStore === 'key-vault';
    return [
      warn('fallback', {
        severity: needsVault && !nonEmpty(kv) ? 'critical' : 'medium',
        data: { ...data, fallback: src.fallback(env) },
        object: ref(K8S),
        evidence: [...evidence, values.evidence('context'), ...(needsVault ? [values.evidence('azure.keyvault_name')] : [])],
        remediation: {
          summary: `Make sure ${src.fallback(env)} exists and the control plane's identity can read it, or set ${K8S} (or ${CLOUD}) explicitly.`,
          values: `${K8S_SNIPPET}# or:\nsecrets:\n  cloudDatabaseSecretName: <secret name>\n`,
          commands: src.lookup ? [src.lookup(env, nonEmpty(kv) ? String(kv) : '<vault>')] : [],
          docs: DOCS,
        },
      }),
    ];
  },
});
