/**
 * `identity/cloud-trust` on AWS: IRSA roles (trust policy for the cluster's OIDC provider, `:sub` and `:aud`, the
 * provider itself) and EKS Pod Identity associations (their role's trust for `pods.eks.amazonaws.com`). A role in
 * another account than this machine's credentials (STS GetCallerIdentity) cannot be read with GetRole, which looks
 * in the caller's account only: that is "cannot verify from this account", never "role missing".
 */
import { fail, pass, skip, str, warn, type CheckContext, type Evidence, type Finding, type KubeObject, type Node } from '../../../src/engine/index.js';
import { parseEksClusterArn, parseRoleArn, subjectOf, type SubjectState } from '../../../src/model-engine/identity.js';
import type { CloudAnswer, IamRole, IdentityCloudPort, PodIdentityAssociation } from '../../../src/engine/ports/identity-cloud.js';
import { cliRegionFlag, irsaStatement, oidcHostPath, partitionOfRegion, podIdentityStatement, podIdentityTrust, STS_AUDIENCE, trustAdmits } from './aws-trust.js';
import { base, saRef, skipWith, unavailable, type Annotated } from './cloud-trust-common.js';

/** The service ConfigMap holding `infra_service_config` (facts §1.2). */
const SERVICE_CONFIG = 'model-engine-service-config';

export const AWS_MESSAGES = {
  awsTrusted: 'IAM role {{role}} trusts {{subject}} through OIDC provider {{provider}}{{note}}',
  roleMissing: 'IAM role {{role}} of {{roles}} service account {{namespace}}/{{name}} does not exist in account {{account}} (the account of your credentials, {{caller}})',
  otherAccount:
    'IAM role {{role}} of {{namespace}}/{{name}} is in account {{roleAccount}}, and your credentials are for account {{callerAccount}} ({{caller}}): its trust cannot be verified from this account',
  roleUnverified:
    'IAM GetRole found no role {{role}} for {{namespace}}/{{name}}, but STS could not say which account your credentials are for ({{detail}}), so a missing role cannot be told from a role in another account',
  trustDenies: 'IAM role {{role}} does not trust {{subject}}: {{reason}}',
  providerMissing: 'IAM role {{role}} trusts OIDC provider {{provider}}, which does not exist in IAM, so STS rejects every token of {{subject}}',
  providerAudience: 'IAM OIDC provider {{provider}} does not list client id sts.amazonaws.com (it lists {{clientIds}})',
  podIdentityTrusted: 'EKS Pod Identity association {{association}} gives {{subject}} role {{role}}, whose trust policy lets pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession{{note}}',
  podIdentityTrustDenies: 'EKS Pod Identity association {{association}} gives {{subject}} role {{role}}, but the role does not trust EKS Pod Identity: {{reason}}',
} as const;

export interface EksHints {
  names: string[];
  region?: string;
}

/** Where an EKS cluster's name and region can be read: a kubeconfig context that is the cluster ARN, the install's `k8s_cluster_name`, node labels. */
export function eksHints(target: string | undefined, clusterName: unknown, nodes: readonly Node[]): EksHints {
  const arn = parseEksClusterArn(target);
  const names = [...new Set([arn?.name, typeof clusterName === 'string' && clusterName ? clusterName : undefined].filter((x): x is string => !!x))];
  const region = arn?.region ?? nodes.map((n) => n.metadata.labels?.['topology.kubernetes.io/region']).find(Boolean);
  return { names, ...(region ? { region } : {}) };
}

type RoleRead = { kind: 'role'; role: IamRole } | { kind: 'finding'; finding: Finding };

/**
 * Read a role through GetRole after STS says whose account the credentials are for. Another account's role is a
 * skip (`otherAccount`); "does not exist" is a finding only when STS confirmed the account.
 */
async function readRole(ctx: CheckContext, port: IdentityCloudPort, roleArn: string, s: SubjectState, data: Record<string, unknown>): Promise<RoleRead> {
  const object = saRef(s);
  const arn = parseRoleArn(roleArn);
  const partition = arn?.partition ?? 'aws';
  const region = cliRegionFlag(partition);
  const caller = await port.awsCallerIdentity(partition, ctx.signal);
  if (arn && caller.state === 'found' && caller.value.account !== arn.account) {
    return {
      kind: 'finding',
      finding: skipWith('otherAccount', {
        object,
        data: { ...data, roleAccount: arn.account, callerAccount: caller.value.account, caller: caller.value.arn },
        evidence: [{ type: 'probe', target: caller.via, detail: `Account ${caller.value.account}, Arn ${caller.value.arn}` }],
        remediation: {
          summary: `Rerun with credentials of account ${arn.account} (a profile or role there that may call iam:GetRole), or check the role's trust policy in that account by hand.`,
          commands: [`aws sts get-caller-identity${region}`, `AWS_PROFILE=<profile in ${arn.account}> aws iam get-role --role-name ${arn.name} --query Role.AssumeRolePolicyDocument${region}`],
        },
      }),
    };
  }
  const role = await port.awsRole(roleArn, ctx.signal);
  if (role.state === 'found') return { kind: 'role', role: role.value };
  if (role.state === 'unavailable') return { kind: 'finding', finding: skip('unavailable', { data: { ...data, detail: unavailable(role) }, object }) };
  if (caller.state !== 'found' || !arn) {
    const detail = caller.state === 'unavailable' ? unavailable(caller) : 'no answer';
    return {
      kind: 'finding',
      finding: skipWith('roleUnverified', {
        object,
        data: { ...data, detail },
        evidence: [{ type: 'probe', target: role.via, detail: role.detail ?? 'NoSuchEntity' }],
        remediation: { summary: 'Check which account your credentials are for, then rerun.', commands: [`aws sts get-caller-identity${region}`] },
      }),
    };
  }
  return {
    kind: 'finding',
    finding: fail('roleMissing', {
      data: { ...data, account: caller.value.account, caller: caller.value.arn },
      object,
      evidence: [
        { type: 'probe', target: role.via, detail: role.detail ?? 'NoSuchEntity' },
        { type: 'probe', target: caller.via, detail: `Account ${caller.value.account}, Arn ${caller.value.arn}` },
      ],
      remediation: {
        summary: 'Create the IAM role (with a trust policy for this service account) or fix the role ARN in the values.',
        commands: [`aws iam get-role --role-name ${arn.name}${region}`, `aws iam list-roles --query "Roles[?contains(RoleName, '${arn.name.slice(0, 12)}')].Arn"${region}`],
      },
    }),
  };
}

/** The cluster's OIDC issuer as EKS reports it, and a note for messages either way. */
async function clusterIssuer(ctx: CheckContext, port: IdentityCloudPort, hints: EksHints): Promise<{ issuer?: string; note: string }> {
  const tried: string[] = [];
  if (hints.region) {
    for (const name of hints.names) {
      const a = await port.eksOidcIssuer(name, hints.region, ctx.signal);
      if (a.state === 'found') return { issuer: a.value, note: ` (the cluster's issuer ${a.value})` };
      tried.push(a.state === 'unavailable' ? unavailable(a) : `${a.via}: ${a.detail ?? 'not found'}`);
    }
  }
  return { note: ` (the cluster's issuer could not be confirmed${tried.length ? `: ${tried.join('; ')}` : '; pass the EKS cluster ARN as the kubeconfig context'})` };
}

async function irsa(ctx: CheckContext, port: IdentityCloudPort, todo: Annotated[], hints: EksHints): Promise<Finding[]> {
  const out: Finding[] = [];
  const { issuer, note } = await clusterIssuer(ctx, port, hints);
  const issuerHostPath = issuer ? oidcHostPath(issuer) : undefined;
  for (const { s, value } of todo) {
    const object = saRef(s);
    const data = { ...base(s), role: value };
    const read = await readRole(ctx, port, value, s, data);
    if (read.kind === 'finding') {
      out.push(read.finding);
      continue;
    }
    const arn = parseRoleArn(value);
    const partition = arn?.partition ?? partitionOfRegion(hints.region);
    const region = cliRegionFlag(partition);
    const roleName = arn?.name ?? '<role>';
    const verdict = trustAdmits(read.role.trustPolicy, subjectOf(s), issuerHostPath);
    const caveats: Evidence[] = verdict.caveats.map((c) => ({ type: 'note', text: c }));
    if (!verdict.admitted) {
      const hostPath = issuerHostPath ?? '<oidc-issuer-host-path>';
      out.push(
        fail('trustDenies', {
          data: { ...data, reason: verdict.reason ?? 'no statement admits it' },
          object,
          evidence: [{ type: 'probe', target: `IAM GetRole ${roleName}`, detail: `trust policy: ${JSON.stringify(read.role.trustPolicy)}` }, ...caveats],
          remediation: {
            summary: `Put a statement like this in the role's trust policy (save the whole policy as trust.json), then restart the pods.`,
            commands: [
              `aws iam get-role --role-name ${roleName} --query Role.AssumeRolePolicyDocument${region} > trust.json`,
              `aws iam update-assume-role-policy --role-name ${roleName} --policy-document file://trust.json${region}`,
            ],
            values: JSON.stringify(irsaStatement(partition, arn?.account ?? '<account>', hostPath, subjectOf(s)), null, 2),
          },
        }),
      );
      continue;
    }
    let ok = true;
    for (const provider of verdict.providers) {
      const p = await port.awsOidcProvider(provider, ctx.signal);
      if (p.state === 'unavailable') {
        out.push(skip('unavailable', { data: { ...data, detail: unavailable(p) }, object }));
        ok = false;
      } else if (p.state === 'not-found') {
        ok = false;
        const cluster = hints.names[0];
        out.push(
          fail('providerMissing', {
            data: { ...data, provider },
            object,
            // One provider, one root cause: the rows of every service account that trusts it are one incident.
            root: [`oidc-provider:${provider}`],
            evidence: [{ type: 'probe', target: p.via, detail: p.detail ?? 'NoSuchEntity' }],
            remediation: {
              summary: "Create the IAM OIDC provider for the cluster's issuer (in the role's account).",
              commands: [
                `eksctl utils associate-iam-oidc-provider --cluster ${cluster ?? '<cluster>'}${hints.region ? ` --region ${hints.region}` : ''} --approve`,
                `aws iam create-open-id-connect-provider --url https://${oidcHostPath(provider)} --client-id-list ${STS_AUDIENCE}${region}`,
              ],
            },
          }),
        );
      } else if (!p.value.clientIds.includes(STS_AUDIENCE)) {
        out.push(
          warn('providerAudience', {
            data: { ...data, provider, clientIds: p.value.clientIds.join(', ') || '(none)' },
            object,
            root: [`oidc-provider:${provider}`],
            severity: 'high',
            remediation: {
              summary: `Add the ${STS_AUDIENCE} audience to the provider: IRSA tokens carry aud ${STS_AUDIENCE}.`,
              commands: [`aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider} --client-id ${STS_AUDIENCE}${region}`],
            },
          }),
        );
        ok = false;
      }
    }
    const caveatNote = verdict.caveats.length ? `; it also depends on ${verdict.caveats.length} condition(s) not visible from here` : '';
    if (ok) out.push(pass('awsTrusted', { data: { ...data, provider: verdict.providers.join(', '), note: `${note}${caveatNote}` }, object, evidence: caveats }));
  }
  return out;
}

/** `arn:<partition>:eks:<region>:<account>:podidentityassociation/<cluster>/<id>` → the cluster's ARN and account. */
function clusterOfAssociation(associationArn: string): { arn: string; account: string } | undefined {
  const m = /^arn:(aws[\w-]*):eks:([a-z0-9-]+):(\d{12}):podidentityassociation\/([^/]+)\//.exec(associationArn);
  return m ? { arn: `arn:${m[1]}:eks:${m[2]}:${m[3]}:cluster/${m[4]}`, account: m[3]! } : undefined;
}

async function podIdentity(ctx: CheckContext, port: IdentityCloudPort, s: SubjectState, associations: PodIdentityAssociation[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const object = saRef(s);
  for (const a of associations) {
    const data = { ...base(s), role: a.roleArn, association: a.associationId };
    const read = await readRole(ctx, port, a.roleArn, s, data);
    if (read.kind === 'finding') {
      out.push(read.finding);
      continue;
    }
    const cluster = clusterOfAssociation(a.associationArn);
    const verdict = podIdentityTrust(read.role.trustPolicy, cluster ? { 'aws:SourceAccount': cluster.account, 'aws:SourceArn': cluster.arn } : {});
    const arn = parseRoleArn(a.roleArn);
    const region = cliRegionFlag(arn?.partition ?? 'aws');
    const caveats: Evidence[] = verdict.caveats.map((c) => ({ type: 'note', text: c }));
    if (!verdict.admitted) {
      out.push(
        fail('podIdentityTrustDenies', {
          data: { ...data, reason: verdict.reason ?? 'no statement admits it' },
          object,
          evidence: [{ type: 'probe', target: `IAM GetRole ${arn?.name ?? a.roleArn}`, detail: `trust policy: ${JSON.stringify(read.role.trustPolicy)}` }, ...caveats],
          remediation: {
            summary: "Put this statement in the role's trust policy (save the whole policy as trust.json), then restart the pods.",
            commands: [
              `aws iam get-role --role-name ${arn?.name ?? '<role>'} --query Role.AssumeRolePolicyDocument${region} > trust.json`,
              `aws iam update-assume-role-policy --role-name ${arn?.name ?? '<role>'} --policy-document file://trust.json${region}`,
            ],
            values: JSON.stringify(podIdentityStatement(), null, 2),
          },
        }),
      );
      continue;
    }
    const note = `${a.targetRoleArn ? `; then role chaining to ${a.targetRoleArn} (its trust of ${a.roleArn} is not checked)` : ''}${verdict.caveats.length ? `; it also depends on ${verdict.caveats.length} condition(s) not visible from here` : ''}`;
    out.push(pass('podIdentityTrusted', { data: { ...data, note }, object, evidence: caveats }));
  }
  return out;
}

export interface AwsTrustInput {
  /** Subjects whose IRSA annotation names a role. */
  annotated: Annotated[];
  /** Subjects without one: they may use EKS Pod Identity instead. */
  unannotated: SubjectState[];
  nodes: Node[];
}

/** Every AWS finding of `identity/cloud-trust`; subjects with neither IRSA nor Pod Identity get `notAnnotated`. */
export async function awsTrust(ctx: CheckContext, port: IdentityCloudPort, input: AwsTrustInput): Promise<Finding[]> {
  const cm = await ctx.kube!.get<KubeObject>('configmaps', SERVICE_CONFIG, ctx.namespaces.controlPlane);
  const clusterName = ctx.values?.get('config.values.infra.k8s_cluster_name') ?? /^k8s_cluster_name:\s*"?([\w.-]+)"?/m.exec(str(cm, 'data', 'infra_service_config') ?? '')?.[1];
  const hints = eksHints(ctx.kube?.target, clusterName, input.nodes);
  const out: Finding[] = [];
  for (const s of input.unannotated) {
    const found = await associationsOf(ctx, port, hints, s);
    if (found.state === 'found' && found.value.length > 0) {
      out.push(...(await podIdentity(ctx, port, s, found.value)));
      continue;
    }
    const why = found.state === 'found' ? `; EKS has no Pod Identity association for it either (${found.via})` : found.state === 'unavailable' ? `; EKS Pod Identity associations could not be read (${unavailable(found)})` : '';
    out.push(skip('notAnnotated', { data: { namespace: s.namespace, name: s.name, podIdentity: why }, object: saRef(s) }));
  }
  if (input.annotated.length > 0) out.push(...(await irsa(ctx, port, input.annotated, hints)));
  return out;
}

async function associationsOf(ctx: CheckContext, port: IdentityCloudPort, hints: EksHints, s: SubjectState): Promise<CloudAnswer<PodIdentityAssociation[]> | { state: 'not-asked' }> {
  if (!hints.region || hints.names.length === 0) return { state: 'not-asked' };
  let last: CloudAnswer<PodIdentityAssociation[]> | undefined;
  for (const name of hints.names) {
    last = await port.eksPodIdentityAssociations(name, hints.region, s.namespace, s.name, ctx.signal);
    if (last.state === 'found') return last;
  }
  return last ?? { state: 'not-asked' };
}

