import { defineCheck, fail, pass, skip, warn, type CheckContext, type Finding, type Node, type ObjectRef, type Pod } from '../../src/engine/index.js';
import {
  findFederatedCredential,
  gkeMember,
  grantsWorkloadIdentityUser,
  oidcHostPath,
  parseEksClusterArn,
  parseProviderId,
  parseRoleArn,
  readIdentityState,
  rolesText,
  subjectOf,
  trustAdmits,
  WORKLOAD_IDENTITY_USER,
  type SubjectState,
} from '../../src/model-engine/identity.js';
import { IDENTITY_CLOUD_PORT, type CloudAnswer, type IdentityCloudPort } from '../../src/engine/ports/identity-cloud.js';

/** The service ConfigMap holding `infra_service_config` (facts §1.2). */
const SERVICE_CONFIG = 'model-engine-service-config';
/** The audience Azure federated credentials must accept for workload identity tokens. */
export const AZURE_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';
/** The audience IRSA tokens carry; the IAM OIDC provider must list it as a client id. */
export const STS_AUDIENCE = 'sts.amazonaws.com';

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

const unavailable = (a: Extract<CloudAnswer<unknown>, { state: 'unavailable' }>) => `${a.via}: ${a.detail}`;

export default defineCheck({
  meta: {
    id: 'identity/cloud-trust',
    title: 'The cloud trusts the service accounts',
    description:
      'With --cloud-api: the IAM role trust policy admits system:serviceaccount:<ns>:<sa> through the cluster\'s IAM OIDC provider (AWS), the managed identity has a federated credential for the cluster issuer and subject (Azure), or the GSA grants roles/iam.workloadIdentityUser to <project>.svc.id.goog[<ns>/<sa>] (GCP).',
    clouds: ['aws', 'azure', 'gcp'],
    severity: 'critical',
    needs: ['kube', 'cloud-api'],
    timeoutMs: 60_000,
    messages: {
      noPort: 'the cloud identity API is not available in this run',
      notAnnotated: '{{namespace}}/{{name}} has no valid identity annotation; see identity/service-account-annotations',
      unavailable: 'could not ask the cloud about {{namespace}}/{{name}}: {{detail}}',
      awsTrusted: 'IAM role {{role}} trusts {{subject}} through OIDC provider {{provider}}{{note}}',
      roleMissing: 'IAM role {{role}} of {{roles}} service account {{namespace}}/{{name}} does not exist',
      trustDenies: 'IAM role {{role}} does not trust {{subject}}: {{reason}}',
      providerMissing: 'IAM role {{role}} trusts OIDC provider {{provider}}, which does not exist in IAM, so STS rejects every token of {{subject}}',
      providerAudience: 'IAM OIDC provider {{provider}} does not list client id sts.amazonaws.com (it lists {{clientIds}})',
      azureTrusted: 'managed identity {{identity}} has federated credential {{fic}} for {{subject}}{{note}}',
      identityMissing: 'no user-assigned managed identity with client id {{clientId}} in subscription {{subscription}} (the cluster\'s)',
      oidcDisabled: 'AKS cluster {{cluster}} has no OIDC issuer enabled, so no service account token can be federated',
      noFederatedCredential: 'managed identity {{identity}} has no federated credential for issuer {{issuer}} and subject {{subject}}',
      audience: 'federated credential {{fic}} of {{identity}} does not accept audience api://AzureADTokenExchange (it accepts {{audiences}})',
      gcpTrusted: 'GSA {{gsa}} grants roles/iam.workloadIdentityUser to {{member}}',
      gsaMissing: 'GSA {{gsa}} of {{roles}} service account {{namespace}}/{{name}} does not exist',
      notGranted: 'GSA {{gsa}} does not grant roles/iam.workloadIdentityUser to {{member}}, so {{namespace}}/{{name}} cannot impersonate it',
    },
  },
  async run(ctx) {
    const port = ctx.ports[IDENTITY_CLOUD_PORT] as IdentityCloudPort | undefined;
    if (!port) return skip('noPort');
    const state = await readIdentityState(ctx);
    if (!state) return skip('noPort');
    const nodes = await ctx.kube!.list<Node>('nodes');
    const annotated = (s: SubjectState) => {
      const v = s.sa?.metadata.annotations?.[state.key]?.trim();
      return v && state.identity.annotationPattern.test(v) ? v : undefined;
    };
    const out: Finding[] = [];
    const todo: { s: SubjectState; value: string }[] = [];
    for (const s of state.subjects) {
      const value = annotated(s);
      if (value) todo.push({ s, value });
      else out.push(skip('notAnnotated', { data: { namespace: s.namespace, name: s.name }, object: saRef(s) }));
    }
    if (todo.length === 0) return out;
    switch (state.profile.cloud) {
      case 'aws':
        out.push(...(await aws(ctx, port, todo, nodes)));
        break;
      case 'azure':
        out.push(...(await azure(ctx, port, todo, nodes)));
        break;
      case 'gcp':
        out.push(...(await gcp(ctx, port, todo, nodes)));
        break;
      case 'onprem':
        break;
    }
    return out;
  },
});

const saRef = (s: { namespace: string; name: string }): ObjectRef => ({ kind: 'ServiceAccount', namespace: s.namespace, name: s.name });
const base = (s: SubjectState) => ({ namespace: s.namespace, name: s.name, roles: rolesText(s.roles), subject: subjectOf(s) });

async function aws(ctx: CheckContext, port: IdentityCloudPort, todo: { s: SubjectState; value: string }[], nodes: Node[]): Promise<Finding[]> {
  const out: Finding[] = [];
  // The cluster's issuer, when EKS can tell it; without it the trust is judged on the providers it names.
  const cm = await ctx.kube!.get<{ metadata: { name: string }; data?: Record<string, string> }>('configmaps', SERVICE_CONFIG, ctx.namespaces.controlPlane);
  const clusterName = ctx.values?.get('config.values.infra.k8s_cluster_name') ?? /^k8s_cluster_name:\s*"?([\w.-]+)"?/m.exec(cm?.data?.infra_service_config ?? '')?.[1];
  const hints = eksHints(ctx.kube?.target, clusterName, nodes);
  let issuer: string | undefined;
  const tried: string[] = [];
  if (hints.region) {
    for (const name of hints.names) {
      const a = await port.eksOidcIssuer(name, hints.region, ctx.signal);
      if (a.state === 'found') {
        issuer = a.value;
        break;
      }
      tried.push(a.state === 'unavailable' ? unavailable(a) : `${a.via}: ${a.detail ?? 'not found'}`);
    }
  }
  const issuerHostPath = issuer ? oidcHostPath(issuer) : undefined;
  const note = issuer ? ` (the cluster's issuer ${issuer})` : ` (the cluster's issuer could not be confirmed${tried.length ? `: ${tried.join('; ')}` : '; pass the EKS cluster ARN as the kubeconfig context'})`;
  for (const { s, value } of todo) {
    const object = saRef(s);
    const data = { ...base(s), role: value };
    const role = await port.awsRole(value, ctx.signal);
    if (role.state === 'unavailable') {
      out.push(skip('unavailable', { data: { ...data, detail: unavailable(role) }, object }));
      continue;
    }
    if (role.state === 'not-found') {
      out.push(
        fail('roleMissing', {
          data,
          object,
          evidence: [{ type: 'probe', target: role.via, detail: role.detail ?? 'NoSuchEntity' }],
          remediation: { summary: 'Create the IAM role (with a web-identity trust policy for this service account) or fix the role ARN in the values.', commands: [`aws iam get-role --role-name ${parseRoleArn(value)?.name ?? '<role>'}`] },
        }),
      );
      continue;
    }
    const verdict = trustAdmits(role.value.trustPolicy, subjectOf(s), issuerHostPath);
    const account = parseRoleArn(value)?.account ?? '<account>';
    const hostPath = issuerHostPath ?? '<oidc-issuer-host-path>';
    if (!verdict.admitted) {
      const policy = {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${hostPath}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${hostPath}:sub`]: subjectOf(s), [`${hostPath}:aud`]: STS_AUDIENCE } },
      };
      out.push(
        fail('trustDenies', {
          data: { ...data, reason: verdict.reason ?? 'no statement admits it' },
          object,
          evidence: [{ type: 'probe', target: role.via, detail: `trust policy: ${JSON.stringify(role.value.trustPolicy)}` }],
          remediation: {
            summary: 'Add a statement like this to the role\'s trust policy (aws iam update-assume-role-policy), then restart the pods.',
            commands: [`aws iam get-role --role-name ${parseRoleArn(value)?.name ?? '<role>'} --query Role.AssumeRolePolicyDocument`],
            values: JSON.stringify(policy, null, 2),
          },
        }),
      );
      continue;
    }
    let ok = true;
    for (const provider of [...new Set(verdict.providers)]) {
      const p = await port.awsOidcProvider(provider, ctx.signal);
      if (p.state === 'unavailable') {
        out.push(skip('unavailable', { data: { ...data, detail: unavailable(p) }, object }));
        ok = false;
      } else if (p.state === 'not-found') {
        ok = false;
        out.push(
          fail('providerMissing', {
            data: { ...data, provider },
            object,
            evidence: [{ type: 'probe', target: p.via, detail: p.detail ?? 'NoSuchEntity' }],
            remediation: {
              summary: 'Create the IAM OIDC provider for the cluster\'s issuer.',
              commands: [
                'eksctl utils associate-iam-oidc-provider --cluster <cluster> --approve',
                `aws iam create-open-id-connect-provider --url https://${oidcHostPath(provider)} --client-id-list ${STS_AUDIENCE}`,
              ],
            },
          }),
        );
      } else if (!p.value.clientIds.includes(STS_AUDIENCE)) {
        out.push(
          warn('providerAudience', {
            data: { ...data, provider, clientIds: p.value.clientIds.join(', ') || '(none)' },
            object,
            severity: 'high',
            remediation: { summary: 'Add the sts.amazonaws.com audience to the provider.', commands: [`aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider} --client-id ${STS_AUDIENCE}`] },
          }),
        );
        ok = false;
      }
    }
    if (ok) out.push(pass('awsTrusted', { data: { ...data, provider: verdict.providers.join(', '), note }, object }));
  }
  return out;
}

async function azure(ctx: CheckContext, port: IdentityCloudPort, todo: { s: SubjectState; value: string }[], nodes: Node[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const where = nodes.map((n) => parseProviderId(n.spec?.providerID)).find((p) => p?.cloud === 'azure');
  if (!where || where.cloud !== 'azure') {
    return todo.map(({ s }) => skip('unavailable', { data: { ...base(s), detail: 'no node has an azure:// providerID to read the subscription from' }, object: saRef(s) }));
  }
  const cluster = await port.aksCluster(where.subscriptionId, where.resourceGroup, ctx.signal);
  let issuer: string | undefined;
  let note = '';
  if (cluster.state === 'found') {
    if (!cluster.value.issuerUrl) {
      out.push(
        fail('oidcDisabled', {
          data: { cluster: cluster.value.name },
          object: { kind: 'ManagedCluster', name: cluster.value.name },
          remediation: { summary: 'Enable the OIDC issuer and workload identity on the cluster.', commands: [`az aks update --ids ${cluster.value.id} --enable-oidc-issuer --enable-workload-identity`] },
        }),
      );
      return out;
    }
    issuer = cluster.value.issuerUrl;
  } else {
    note = ` (the cluster's issuer could not be confirmed: ${cluster.state === 'unavailable' ? unavailable(cluster) : (cluster.detail ?? 'cluster not found')})`;
  }
  // KEDA's azure-workload provider exchanges the keda-operator's own token for model-engine's identity.
  const keda = (await ctx.kube!.list<Pod>('pods', { labelSelector: 'app=keda-operator' })).find((p) => p.status?.phase === 'Running');
  const subjects: { s: SubjectState; value: string; label: string }[] = todo.map((t) => ({ ...t, label: subjectOf(t.s) }));
  const cp = todo.find((t) => t.s.roles.includes('control-plane'));
  if (keda && cp) {
    const ks = { ...cp.s, namespace: keda.metadata.namespace ?? 'keda', name: keda.spec.serviceAccountName ?? 'keda-operator', roles: cp.s.roles };
    subjects.push({ s: ks, value: cp.value, label: `${subjectOf(ks)} (KEDA operator, TriggerAuthentication azure-workload-identity)` });
  }
  for (const { s, value, label } of subjects) {
    const object = saRef(s);
    const data = { ...base(s), subject: label, clientId: value, subscription: where.subscriptionId };
    const creds = await port.azureFederatedCredentials(where.subscriptionId, value, ctx.signal);
    if (creds.state === 'unavailable') {
      out.push(skip('unavailable', { data: { ...data, detail: unavailable(creds) }, object }));
      continue;
    }
    if (creds.state === 'not-found') {
      // The identity may live in another subscription; only the cluster's is searched.
      out.push(
        warn('identityMissing', {
          data,
          object,
          severity: 'high',
          evidence: [{ type: 'probe', target: creds.via, detail: creds.detail ?? 'not found' }],
          remediation: { summary: 'Check the client id in the values; if the identity lives in another subscription, check its federated credentials there.', commands: [`az identity list --query "[?clientId=='${value}']"`] },
        }),
      );
      continue;
    }
    const identity = creds.value.name;
    const fc = findFederatedCredential(creds.value.credentials, subjectOf(s), issuer);
    if (!fc) {
      out.push(
        fail('noFederatedCredential', {
          data: { ...data, identity, issuer: issuer ?? '(any)' },
          object,
          evidence: creds.value.credentials.slice(0, 5).map((c) => ({ type: 'probe' as const, target: `${identity}/${c.name}`, detail: `issuer ${c.issuer}, subject ${c.subject}` })),
          remediation: {
            summary: 'Add a federated credential for this service account to the managed identity, then restart the pods.',
            commands: [
              `az identity federated-credential create --name ${s.namespace}-${s.name} --identity-name ${identity} --resource-group <identity-resource-group> --issuer ${issuer ?? '<cluster oidc issuer>'} --subject ${subjectOf(s)} --audience ${AZURE_TOKEN_AUDIENCE}`,
            ],
          },
        }),
      );
      continue;
    }
    if (fc.audiences && fc.audiences.length > 0 && !fc.audiences.includes(AZURE_TOKEN_AUDIENCE)) {
      out.push(
        fail('audience', {
          data: { ...data, identity, fic: fc.name, audiences: fc.audiences.join(', ') },
          object,
          remediation: { summary: `Set the credential's audience to ${AZURE_TOKEN_AUDIENCE}.`, commands: [`az identity federated-credential update --name ${fc.name} --identity-name ${identity} --resource-group <identity-resource-group> --audiences ${AZURE_TOKEN_AUDIENCE}`] },
        }),
      );
      continue;
    }
    out.push(pass('azureTrusted', { data: { ...data, identity, fic: fc.name, note }, object }));
  }
  return out;
}

async function gcp(ctx: CheckContext, port: IdentityCloudPort, todo: { s: SubjectState; value: string }[], nodes: Node[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const where = nodes.map((n) => parseProviderId(n.spec?.providerID)).find((p) => p?.cloud === 'gcp');
  // The workload pool belongs to the cluster's project, which may differ from the GSA's.
  const project = where?.cloud === 'gcp' ? where.project : undefined;
  for (const { s, value } of todo) {
    const object = saRef(s);
    if (!project) {
      out.push(skip('unavailable', { data: { ...base(s), detail: 'no node has a gce:// providerID to read the cluster project from' }, object }));
      continue;
    }
    const member = gkeMember(project, s);
    const data = { ...base(s), gsa: value, member };
    const policy = await port.gcpServiceAccountPolicy(value, ctx.signal);
    if (policy.state === 'unavailable') {
      out.push(skip('unavailable', { data: { ...data, detail: unavailable(policy) }, object }));
      continue;
    }
    if (policy.state === 'not-found') {
      out.push(
        fail('gsaMissing', {
          data,
          object,
          evidence: [{ type: 'probe', target: policy.via, detail: policy.detail ?? 'NOT_FOUND' }],
          remediation: { summary: 'Create the Google service account or fix its email in the values.', commands: [`gcloud iam service-accounts describe ${value}`] },
        }),
      );
      continue;
    }
    if (!grantsWorkloadIdentityUser(policy.value, member)) {
      out.push(
        fail('notGranted', {
          data,
          object,
          evidence: (policy.value.bindings ?? [])
            .filter((b) => b.role === WORKLOAD_IDENTITY_USER)
            .map((b) => ({ type: 'probe' as const, target: `${value} ${b.role}`, detail: (b.members ?? []).join(', ') || '(no members)' })),
          remediation: {
            summary: 'Let the Kubernetes service account impersonate the GSA.',
            commands: [`gcloud iam service-accounts add-iam-policy-binding ${value} --role ${WORKLOAD_IDENTITY_USER} --member "${member}"`],
          },
        }),
      );
      continue;
    }
    out.push(pass('gcpTrusted', { data, object }));
  }
  return out;
}
