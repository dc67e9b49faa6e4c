import { defineCheck, skip, type Finding, type Node } from '../../src/engine/index.js';
import { readIdentityState, type SubjectState } from '../../src/model-engine/identity.js';
import { AWS_MESSAGES, awsTrust } from './lib/cloud-trust-aws.js';
import { AZURE_MESSAGES, azureTrust } from './lib/cloud-trust-azure.js';
import { saRef, type Annotated } from './lib/cloud-trust-common.js';
import { GCP_MESSAGES, gcpTrust } from './lib/cloud-trust-gcp.js';

export { eksHints, type EksHints } from './lib/cloud-trust-aws.js';
export { AZURE_TOKEN_AUDIENCE } from './lib/cloud-trust-azure.js';
export { STS_AUDIENCE } from './lib/aws-trust.js';

export default defineCheck({
  meta: {
    id: 'identity/cloud-trust',
    title: 'The cloud trusts the service accounts',
    description:
      "With --cloud-api: the IAM role trust policy admits system:serviceaccount:<ns>:<sa> through the cluster's IAM OIDC provider, or an EKS Pod Identity association's role trusts pods.eks.amazonaws.com (AWS); the managed identity or app registration has a federated credential for the cluster's exact issuer and the subject (Azure); the GSA grants roles/iam.workloadIdentityUser to the KSA, directly or through its project (GCP).",
    clouds: ['aws', 'azure', 'gcp'],
    severity: 'critical',
    // The run makes the identity port whenever --cloud-api is given; without it the runner skips naming the flag.
    needs: ['kube', 'cloud-api', 'identityCloud'],
    timeoutMs: 60_000,
    messages: {
      notAnnotated: '{{namespace}}/{{name}} has no valid identity annotation{{podIdentity}}; see identity/service-account-annotations',
      unavailable: 'could not ask the cloud about {{namespace}}/{{name}}: {{detail}}',
      ...AWS_MESSAGES,
      ...AZURE_MESSAGES,
      ...GCP_MESSAGES,
    },
  },
  async run(ctx) {
    const port = ctx.ports.identityCloud;
    const state = await readIdentityState(ctx);
    // Only aws, azure and gcp (meta.clouds) with a cluster reach here, and their profiles all have an identity model.
    if (!state) throw new Error(`no workload identity model for cloud ${ctx.cloud ?? 'unknown'}`);
    const nodes = await ctx.kube!.list<Node>('nodes');
    const annotatedValue = (s: SubjectState) => {
      const v = s.sa?.metadata.annotations?.[state.key]?.trim();
      return v && state.identity.annotationPattern.test(v) ? v : undefined;
    };
    const annotated: Annotated[] = [];
    const unannotated: SubjectState[] = [];
    for (const s of state.subjects) {
      const value = annotatedValue(s);
      if (value) annotated.push({ s, value });
      else unannotated.push(s);
    }
    const notAnnotated = (): Finding[] => unannotated.map((s) => skip('notAnnotated', { data: { namespace: s.namespace, name: s.name, podIdentity: '' }, object: saRef(s) }));
    switch (state.profile.cloud) {
      // On EKS a service account without the IRSA annotation may use EKS Pod Identity instead.
      case 'aws':
        return awsTrust(ctx, port, { annotated, unannotated, nodes });
      case 'azure':
        return [...notAnnotated(), ...(annotated.length ? await azureTrust(ctx, port, annotated, nodes) : [])];
      case 'gcp':
        return [...notAnnotated(), ...(annotated.length ? await gcpTrust(ctx, port, annotated, nodes) : [])];
      case 'onprem':
        return notAnnotated();
    }
  },
});
