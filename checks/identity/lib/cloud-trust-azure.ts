/**
 * `identity/cloud-trust` on Azure: the identity the client id names — a user-assigned managed identity (ARM) or an
 * app registration (Microsoft Graph) — has a federated credential whose issuer is exactly the AKS cluster's
 * (trailing slash included: Entra compares strings, AADSTS700211 otherwise), whose subject is the service account,
 * and whose audience is `api://AzureADTokenExchange`.
 */
import { fail, pass, skip, warn, type CheckContext, type Finding, type Node, type Pod } from '../../../src/engine/index.js';
import { findFederatedCredential, nearIssuerMiss, parseProviderId, subjectOf, type FederatedCredential } from '../../../src/model-engine/identity.js';
import type { IdentityCloudPort, ManagedIdentityCredentials } from '../../../src/engine/ports/identity-cloud.js';
import { base, saRef, unavailable, type Annotated } from './cloud-trust-common.js';

/** The audience Azure federated credentials must accept for workload identity tokens. */
export const AZURE_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';

export const AZURE_MESSAGES = {
  azureTrusted: '{{kind}} {{identity}} has federated credential {{fic}} for {{subject}}{{note}}',
  identityMissing: 'no user-assigned managed identity (ARM, subscription {{subscription}}, the cluster\'s) and no app registration (Microsoft Graph) has client id {{clientId}}',
  oidcDisabled: 'AKS cluster {{cluster}} has no OIDC issuer enabled, so no service account token can be federated',
  noFederatedCredential: '{{kind}} {{identity}} has no federated credential for issuer {{issuer}} and subject {{subject}}',
  issuerMismatch:
    'federated credential {{fic}} of {{identity}} has issuer {{has}}, but the cluster\'s tokens say {{issuer}}: Entra compares the issuer exactly, so every token exchange fails with AADSTS700211',
  audience: 'federated credential {{fic}} of {{identity}} does not accept audience api://AzureADTokenExchange (it accepts {{audiences}})',
} as const;

const KIND: Record<ManagedIdentityCredentials['kind'], string> = { 'managed-identity': 'managed identity', 'app-registration': 'app registration' };

/** `az` commands that change a credential, for a managed identity or an app registration. */
function credentialCommands(id: ManagedIdentityCredentials, clientId: string, op: 'create' | 'update', fic: Pick<FederatedCredential, 'name' | 'issuer' | 'subject'>): string[] {
  const params = { name: fic.name, issuer: fic.issuer, subject: fic.subject, audiences: [AZURE_TOKEN_AUDIENCE] };
  if (id.kind === 'app-registration') {
    return op === 'create'
      ? [`az ad app federated-credential create --id ${clientId} --parameters '${JSON.stringify(params)}'`]
      : [`az ad app federated-credential update --id ${clientId} --federated-credential-id ${fic.name} --parameters '${JSON.stringify(params)}'`];
  }
  const rg = /\/resourcegroups\/([^/]+)\//i.exec(id.identityId)?.[1] ?? '<identity-resource-group>';
  return [
    `az identity federated-credential ${op} --name ${fic.name} --identity-name ${id.name} --resource-group ${rg} --issuer ${fic.issuer} --subject ${fic.subject} --audiences ${AZURE_TOKEN_AUDIENCE}`,
  ];
}

export async function azureTrust(ctx: CheckContext, port: IdentityCloudPort, todo: Annotated[], nodes: Node[]): Promise<Finding[]> {
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
  const subjects: (Annotated & { label: string })[] = todo.map((t) => ({ ...t, label: subjectOf(t.s) }));
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
          remediation: {
            summary: 'Check the client id in the values; if it is a managed identity of another subscription, check its federated credentials there.',
            commands: [`az identity list --query "[?clientId=='${value}']"`, `az ad app show --id ${value} --query "{id:id, name:displayName}"`],
          },
        }),
      );
      continue;
    }
    const id = creds.value;
    const d = { ...data, identity: id.name, kind: KIND[id.kind] };
    const sub = subjectOf(s);
    const fc = findFederatedCredential(id.credentials, sub, issuer);
    if (!fc) {
      const near = issuer ? nearIssuerMiss(id.credentials, sub, issuer) : undefined;
      if (near && issuer) {
        out.push(
          fail('issuerMismatch', {
            data: { ...d, fic: near.name, has: near.issuer, issuer },
            object,
            evidence: [{ type: 'probe', target: `${id.name}/${near.name}`, detail: `issuer "${near.issuer}" ≠ cluster issuer "${issuer}"` }],
            remediation: { summary: `Set the credential's issuer to exactly ${issuer} (with its trailing slash), then restart the pods.`, commands: credentialCommands(id, value, 'update', { name: near.name, issuer, subject: sub }) },
          }),
        );
        continue;
      }
      out.push(
        fail('noFederatedCredential', {
          data: { ...d, issuer: issuer ?? '(any)' },
          object,
          evidence: id.credentials.slice(0, 5).map((c) => ({ type: 'probe' as const, target: `${id.name}/${c.name}`, detail: `issuer ${c.issuer}, subject ${c.subject}` })),
          remediation: {
            summary: `Add a federated credential for this service account to the ${KIND[id.kind]}, then restart the pods.`,
            commands: credentialCommands(id, value, 'create', { name: `${s.namespace}-${s.name}`, issuer: issuer ?? '<cluster oidc issuer>', subject: sub }),
          },
        }),
      );
      continue;
    }
    if (!(fc.audiences ?? []).includes(AZURE_TOKEN_AUDIENCE)) {
      out.push(
        fail('audience', {
          data: { ...d, fic: fc.name, audiences: (fc.audiences ?? []).join(', ') || '(none)' },
          object,
          remediation: { summary: `Set the credential's audience to ${AZURE_TOKEN_AUDIENCE}.`, commands: credentialCommands(id, value, 'update', fc) },
        }),
      );
      continue;
    }
    out.push(pass('azureTrusted', { data: { ...d, fic: fc.name, note }, object }));
  }
  return out;
}
