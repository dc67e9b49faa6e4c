import { defineCheck, fail, formatPath, pass, str, warn, type Finding, type Namespaces, type ValuesPort } from '../../src/engine/index.js';
import { hasEnvPlaceholder } from './support/snippet.js';

/** A parsed IAM role ARN. */
export interface RoleArn {
  partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  account: string;
  /** `/` or `/some/path/`. */
  path: string;
  name: string;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role(\/(?:[\x21-\x7e]+\/)?)?([\w+=,.@-]{1,64})$/;
/** The account id the docs and values_sample use as a placeholder. */
export const PLACEHOLDER_ACCOUNT = '000000000000';

/** Parse an IAM role ARN (`arn:aws[-cn|-us-gov]:iam::<12 digits>:role/<path/>name`), or say what is wrong. */
export function parseRoleArn(v: unknown): { arn: RoleArn } | { problem: string } {
  if (typeof v !== 'string' || v.trim() === '') return { problem: 'is empty' };
  const s = v.trim();
  if (s !== v) return { problem: 'has leading or trailing whitespace' };
  if (!s.startsWith('arn:')) return { problem: 'is not an ARN (it must start with arn:aws:iam::)' };
  const parts = s.split(':');
  if (parts.length !== 6) return { problem: 'does not have the six colon-separated parts of an ARN' };
  const [, partition, service, region, account, resource] = parts as [string, string, string, string, string, string];
  if (!['aws', 'aws-cn', 'aws-us-gov'].includes(partition)) return { problem: `has partition "${partition}" (expected aws, aws-cn or aws-us-gov)` };
  if (service !== 'iam') return { problem: `is an ${service} ARN, not an IAM role ARN` };
  if (region !== '') return { problem: 'has a region; IAM ARNs have none (arn:aws:iam::<account>:role/<name>)' };
  if (!/^\d{12}$/.test(account)) return { problem: `has account "${account}"; AWS account ids are 12 digits` };
  if (!resource.startsWith('role/')) return { problem: `names a "${resource.split('/')[0]}", not a role (…:role/<name>)` };
  const m = ROLE_ARN.exec(s);
  if (!m) return { problem: 'has an invalid role name (1–64 characters of letters, digits and +=,.@_-)' };
  const rolePath = m[3] ?? '/';
  return { arn: { partition: m[1] as RoleArn['partition'], account: m[2]!, path: rolePath, name: m[4]! } };
}

/** What is wrong with a role ARN, including the docs' placeholder account; undefined when fine. */
export function roleArnProblem(v: unknown): { problem: string; placeholder: boolean } | undefined {
  const r = parseRoleArn(v);
  if ('problem' in r) return { problem: r.problem, placeholder: false };
  if (r.arn.account === PLACEHOLDER_ACCOUNT) return { problem: `uses the placeholder account ${PLACEHOLDER_ACCOUNT} from the docs`, placeholder: true };
  return undefined;
}

/** Where the chart reads IRSA annotations, what it creates from each, and how bad a missing one is. */
export const ANNOTATION_MAPS = [
  {
    map: 'serviceAccount.annotations',
    sa: 'model-engine (gateway, builder, cacher, jobs)',
    missing: 'fail' as const,
    why: 'the control plane then has no IAM role: SQS, S3, ECR and Secrets Manager calls fail',
  },
  {
    map: 'imageBuilderServiceAccount.annotations',
    sa: 'kaniko (image builds)',
    missing: 'warn' as const,
    why: 'kaniko image builds cannot push to ECR without an IAM role',
  },
  {
    map: 'serviceTemplate.serviceAccountAnnotations',
    sa: 'the endpoint ServiceAccount',
    missing: 'warn' as const,
    why: 'endpoint pods get no IAM role (no S3 model weights, no SQS for async endpoints), and with an empty map the chart does not create that ServiceAccount at all',
  },
];

const ref = (path: string) => ({ kind: 'HelmValues', name: path });
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const DOCS = 'docs/checks/values/aws-identity.md';

function nested(path: string, leaf: string): string {
  const parts = path.split('.');
  return parts.map((p, i) => `${'  '.repeat(i)}${p}:`).join('\n') + `\n${'  '.repeat(parts.length)}${leaf}\n`;
}

function checkAnnotations(values: ValuesPort, annotation: string): Finding[] {
  const out: Finding[] = [];
  for (const m of ANNOTATION_MAPS) {
    if (m.map === 'imageBuilderServiceAccount.annotations' && values.get('imageBuilderServiceAccount.create') !== true) continue;
    if (m.map === 'serviceTemplate.serviceAccountAnnotations' && values.get('serviceTemplate.createServiceAccount') !== true) continue;
    const map = values.get(m.map);
    const path = formatPath([...m.map.split('.'), annotation]);
    const v = isMap(map) ? map[annotation] : undefined;
    const snippet = nested(m.map, `${annotation}: arn:aws:iam::<account id>:role/<role name>`);
    if (v === undefined || v === null || v === '') {
      const finding = {
        data: { path, sa: m.sa, why: m.why },
        object: ref(path),
        evidence: [values.evidence(path)],
        remediation: {
          summary: `Set ${path} to the IAM role for ${m.sa} (its trust policy must allow the cluster's OIDC provider).`,
          values: snippet,
          commands: ['aws iam get-role --role-name <role name> --query Role.Arn --output text'],
          docs: DOCS,
        },
      };
      out.push(m.missing === 'fail' ? fail('roleArnMissing', finding) : warn('roleArnMissing', { ...finding, severity: 'medium' }));
      continue;
    }
    // An unexpanded $VARIABLE (values_circleci.yaml is an envsubst template) is values/env-placeholders' finding.
    if (hasEnvPlaceholder(v)) continue;
    const problem = roleArnProblem(v);
    if (problem) {
      out.push(
        fail(problem.placeholder ? 'placeholderAccount' : 'roleArnMalformed', {
          data: { path, value: String(v), problem: problem.problem, sa: m.sa },
          object: ref(path),
          evidence: [values.evidence(path)],
          remediation: {
            summary: problem.placeholder
              ? `Replace ${PLACEHOLDER_ACCOUNT} in ${path} with your AWS account id and the real role name.`
              : `Fix ${path}: it ${problem.problem}.`,
            values: snippet,
            commands: ['aws sts get-caller-identity --query Account --output text', 'aws iam get-role --role-name <role name> --query Role.Arn --output text'],
            docs: DOCS,
          },
        }),
      );
      continue;
    }
    out.push(pass('roleArnOk', { data: { path, sa: m.sa }, object: ref(path), evidence: [values.evidence(path)] }));
  }
  return out;
}

/**
 * `aws.configMap` renders the AWS profile ConfigMap only into `aws.configMap.namespaces` (facts §1.3), while
 * every control-plane pod and endpoint pod mounts it (volume `config-volume`) when `aws` is set.
 */
function checkConfigMap(values: ValuesPort, namespaces: Namespaces): Finding[] {
  const aws = values.get('aws');
  if (!isMap(aws)) return [];
  const name = str(values.get('aws.configMap.name')) ?? 'default-config';
  const need = [...new Set([namespaces.controlPlane, namespaces.endpoint])];
  const create = values.get('aws.configMap.create') === true;
  const path = 'aws.configMap.namespaces';
  const snippet = `aws:\n  configMap:\n    name: ${name}\n    create: true\n    namespaces:\n${need.map((n) => `      - ${n}`).join('\n')}\n  profileName: ${String(values.get('aws.profileName') ?? 'default')}\n`;
  if (!create) {
    return [
      warn('configMapNotManaged', {
        severity: 'medium',
        data: { name, namespaces: need },
        object: ref('aws.configMap.create'),
        evidence: [values.evidence('aws.configMap.create')],
        remediation: {
          summary: `Either let the chart create ConfigMap ${name} (create: true with namespaces), or create it yourself in ${need.join(' and ')} before installing.`,
          values: snippet,
          commands: need.map((ns) => `kubectl -n ${ns} get configmap ${name}`),
          docs: DOCS,
        },
      }),
    ];
  }
  const listed = values.get(path);
  const list = Array.isArray(listed) ? listed.map(String) : [];
  const absent = need.filter((n) => !list.includes(n));
  // A namespace nothing stated (no -n, and no installed control plane found): not listing it is only a problem if the guess is right.
  const assumedNs = new Set((namespaces.assumed ?? []).map((w) => namespaces[w]));
  if (list.length > 0 && absent.length > 0 && absent.every((n) => assumedNs.has(n))) {
    return [
      warn('configMapNamespaceAssumed', {
        severity: 'medium',
        data: { name, namespaces: absent, path, listed: list },
        object: ref(path),
        evidence: [values.evidence(path), { type: 'note', text: `release namespace assumed: ${namespaces.controlPlane} (no -n given, and no installed control plane found)` }],
        remediation: {
          summary: `Rerun with -n <the namespace you will install into>; if that is ${absent.join(' and ')}, add it to ${path}.`,
          commands: [`model-engine-doctor preflight -n <release namespace> -f <values.yaml>`],
          values: snippet,
          docs: DOCS,
        },
      }),
    ];
  }
  if (absent.length === 0) {
    return [pass('configMapOk', { data: { name, namespaces: need }, object: ref(path), evidence: [values.evidence(path)] })];
  }
  return [
    fail(list.length === 0 ? 'configMapNoNamespaces' : 'configMapNamespacesIncomplete', {
      data: { name, namespaces: absent, path },
      object: ref(path),
      evidence: [values.evidence(path), values.evidence('aws.configMap.create'), values.evidence('config.values.launch.endpoint_namespace')],
      remediation: {
        summary: `List every namespace whose pods mount ConfigMap ${name} under ${path} (the release namespace and the endpoint namespace); pass -n to the doctor if you install into another namespace than ${namespaces.controlPlane}.`,
        values: snippet,
        docs: DOCS,
      },
    }),
  ];
}

export default defineCheck({
  meta: {
    id: 'values/aws-identity',
    title: 'AWS IRSA values',
    description: 'IRSA role ARNs on every ServiceAccount the chart creates are well-formed and real, and the AWS profile ConfigMap gets created where pods mount it.',
    clouds: ['aws'],
    severity: 'high',
    needs: ['values'],
    messages: {
      roleArnOk: '{{path}} is a well-formed IAM role ARN for {{sa}}',
      roleArnMissing: '{{path}} is not set: {{why}}',
      roleArnMalformed: '{{path}} = "{{value}}" {{problem}}; {{sa}} cannot assume it',
      placeholderAccount: '{{path}} = "{{value}}" {{problem}}; {{sa}} cannot assume a role in an account that is not yours',
      configMapOk: 'The chart creates AWS profile ConfigMap {{name}} in {{namespaces}}',
      configMapNoNamespaces:
        'aws.configMap has no namespaces, so the chart creates no ConfigMap {{name}} at all, yet every control-plane and endpoint pod mounts it: pods stay in ContainerCreating (configmap "{{name}}" not found)',
      configMapNamespaceAssumed:
        '{{path}} lists {{listed}}, not {{namespaces}}, which the doctor assumed as the release namespace (no -n given): if you install there, pods will not find ConfigMap {{name}}',
      configMapNamespacesIncomplete:
        '{{path}} does not list {{namespaces}}: pods there mount ConfigMap {{name}} and stay in ContainerCreating (configmap "{{name}}" not found)',
      configMapNotManaged: 'aws.configMap.create is not true: ConfigMap {{name}} must already exist in {{namespaces}}, or every pod that mounts it stays in ContainerCreating',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const annotation = ctx.matrix?.serviceAccountAnnotation ?? 'eks.amazonaws.com/role-arn';
    return [...checkAnnotations(values, annotation), ...checkConfigMap(values, ctx.namespaces)];
  },
});
