/**
 * `identity/cloud-trust` on GCP: the GSA grants `roles/iam.workloadIdentityUser` to the Kubernetes service account
 * of the cluster project's workload pool — on the GSA itself or, inherited, on the GSA's project — in any member
 * form GKE documents. A GSA IAM cannot find is reported missing only when IAM says NOT_FOUND for the account
 * itself: getIamPolicy answers PERMISSION_DENIED both for a missing account and for one the caller may not read.
 */
import { fail, pass, skip, warn, type CheckContext, type Evidence, type Finding, type Node } from '../../../src/engine/index.js';
import { gkeMember, gsaProject, parseProviderId, WORKLOAD_IDENTITY_USER, workloadIdentityGrant } from '../../../src/model-engine/identity.js';
import type { IdentityCloudPort } from '../../../src/engine/ports/identity-cloud.js';
import { base, saRef, unavailable, type Annotated } from './cloud-trust-common.js';

export const GCP_MESSAGES = {
  gcpTrusted: 'GSA {{gsa}} grants roles/iam.workloadIdentityUser to {{member}}{{note}}',
  gsaMissing: 'GSA {{gsa}} of {{roles}} service account {{namespace}}/{{name}} does not exist',
  notGranted: 'GSA {{gsa}} does not grant roles/iam.workloadIdentityUser to {{member}} (or its principal:// identifier), so {{namespace}}/{{name}} cannot impersonate it{{note}}',
} as const;

export async function gcpTrust(ctx: CheckContext, port: IdentityCloudPort, todo: Annotated[], nodes: Node[]): Promise<Finding[]> {
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
          remediation: {
            summary: 'Create the Google service account or fix its email in the values.',
            commands: [`gcloud iam service-accounts describe ${value}`, `gcloud iam service-accounts create ${value.split('@')[0]} --project ${gsaProject(value) ?? '<project>'}`],
          },
        }),
      );
      continue;
    }
    let grant = workloadIdentityGrant(policy.value, project, s);
    let inherited: string | undefined;
    let projectNote: string | undefined;
    // Bindings on the GSA's project apply to every service account in it.
    const gsaProj = gsaProject(value);
    if (!grant && gsaProj) {
      const pp = await port.gcpProjectPolicy(gsaProj, ctx.signal);
      if (pp.state === 'found') {
        grant = workloadIdentityGrant(pp.value, project, s);
        if (grant) inherited = gsaProj;
      } else projectNote = `the policy of project ${gsaProj}, which ${value} inherits, could not be read (${pp.state === 'unavailable' ? unavailable(pp) : 'not found'})`;
    }
    if (!grant) {
      const evidence: Evidence[] = [
        ...(policy.value.bindings ?? [])
          .filter((b) => b.role === WORKLOAD_IDENTITY_USER)
          .map((b) => ({ type: 'probe' as const, target: `${value} ${b.role}`, detail: (b.members ?? []).join(', ') || '(no members)' })),
        ...(projectNote ? [{ type: 'note' as const, text: projectNote }] : []),
      ];
      const finding = projectNote ? warn : fail;
      out.push(
        finding('notGranted', {
          data: { ...data, note: projectNote ? ` (${projectNote})` : '' },
          object,
          ...(projectNote ? { severity: 'high' as const } : {}),
          evidence,
          remediation: {
            summary: 'Let the Kubernetes service account impersonate the GSA.',
            commands: [`gcloud iam service-accounts add-iam-policy-binding ${value} --role ${WORKLOAD_IDENTITY_USER} --member "${member}"`],
          },
        }),
      );
      continue;
    }
    const how = grant.how === 'subject' ? '' : grant.how === 'namespace' ? ' (to every service account of the namespace)' : ' (to every service account of a cluster)';
    const note = `${how}${inherited ? `, inherited from project ${inherited}` : ''}${grant.condition ? `, under condition "${grant.condition}" (not evaluated)` : ''}`;
    out.push(pass('gcpTrusted', { data: { ...data, member: grant.member, note }, object }));
  }
  return out;
}
