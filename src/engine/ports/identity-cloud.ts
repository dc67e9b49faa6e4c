/**
 * The identity-cloud port: read-only lookups of the cloud side of workload identity (IAM roles and OIDC
 * providers, managed-identity federated credentials, GSA IAM policies). Created in `src/run/ports.ts` only with
 * `--cloud-api`; checks reach it as `ctx.ports.identityCloud` and judge the answers with `src/model-engine/identity.ts`.
 */

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: string | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** An IAM policy document (a role's trust policy), as IAM returns it (URL-decoded JSON). */
export interface PolicyDocument {
  Version?: string;
  Statement?: PolicyStatement | PolicyStatement[];
}

/** A federated identity credential of an Azure managed identity or app registration. */
export interface FederatedCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences?: string[];
}

/** A Google Cloud IAM policy (v3) on a service account or a project. */
export interface IamPolicy {
  version?: number;
  bindings?: { role: string; members?: string[]; condition?: { title?: string; expression?: string } }[];
}

export const IDENTITY_CLOUD_PORT = 'identityCloud';

/**
 * One lookup's answer. `not-found` is the cloud saying the thing does not exist (a finding); `unavailable` is
 * "could not ask" — no credentials, access denied, unreachable — which is never a finding by itself.
 */
export type CloudAnswer<T> =
  | { state: 'found'; value: T; via: string }
  | { state: 'not-found'; via: string; detail?: string }
  | { state: 'unavailable'; via: string; detail: string };

export interface IamRole {
  arn: string;
  trustPolicy: PolicyDocument;
}

export interface OidcProvider {
  arn: string;
  /** Host and path, as IAM stores it (`oidc.eks.us-west-2.amazonaws.com/id/ABC`). */
  url: string;
  clientIds: string[];
}

export interface CallerIdentity {
  account: string;
  /** The caller's ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
  arn: string;
  userId: string;
}

/** One EKS Pod Identity association of a service account. */
export interface PodIdentityAssociation {
  associationId: string;
  associationArn: string;
  /** The role EKS Pod Identity assumes for the pods (in the cluster's account). */
  roleArn: string;
  /** A role in another account the pods get by role chaining from `roleArn`, when set. */
  targetRoleArn?: string;
  disableSessionTags?: boolean;
}

export interface ManagedIdentityCredentials {
  /** A user-assigned managed identity (ARM) or an app registration (Microsoft Graph). */
  kind: 'managed-identity' | 'app-registration';
  /** ARM id of the user-assigned identity, or the application's Graph object id. */
  identityId: string;
  name: string;
  credentials: FederatedCredential[];
}

export interface AksCluster {
  id: string;
  name: string;
  /** Absent when the OIDC issuer is not enabled on the cluster. */
  issuerUrl?: string;
  workloadIdentityEnabled?: boolean;
}

export interface IdentityCloudPort {
  /** AWS STS GetCallerIdentity with this machine's credentials for a partition: the account GetRole looks in. */
  awsCallerIdentity(partition: string, signal: AbortSignal): Promise<CloudAnswer<CallerIdentity>>;
  /** AWS EKS ListPodIdentityAssociations + DescribePodIdentityAssociation for one service account. */
  eksPodIdentityAssociations(clusterName: string, region: string, namespace: string, serviceAccount: string, signal: AbortSignal): Promise<CloudAnswer<PodIdentityAssociation[]>>;
  /** AWS IAM GetRole: the role and its trust policy (looks in the caller's account only). */
  awsRole(roleArn: string, signal: AbortSignal): Promise<CloudAnswer<IamRole>>;
  /** AWS IAM GetOpenIDConnectProvider. */
  awsOidcProvider(providerArn: string, signal: AbortSignal): Promise<CloudAnswer<OidcProvider>>;
  /** AWS EKS DescribeCluster: the cluster's OIDC issuer URL. */
  eksOidcIssuer(clusterName: string, region: string, signal: AbortSignal): Promise<CloudAnswer<string>>;
  /**
   * Azure: the identity with this client id and its federated credentials — a user-assigned managed identity of
   * the subscription (ARM), else an app registration (Microsoft Graph).
   */
  azureFederatedCredentials(subscriptionId: string, clientId: string, signal: AbortSignal): Promise<CloudAnswer<ManagedIdentityCredentials>>;
  /** Azure ARM: the AKS cluster whose node resource group is `nodeResourceGroup`. */
  aksCluster(subscriptionId: string, nodeResourceGroup: string, signal: AbortSignal): Promise<CloudAnswer<AksCluster>>;
  /** GCP IAM getIamPolicy on a Google service account (policy v3); `not-found` only when IAM says the account does not exist. */
  gcpServiceAccountPolicy(email: string, signal: AbortSignal): Promise<CloudAnswer<IamPolicy>>;
  /** GCP Resource Manager getIamPolicy on a project (policy v3): bindings every service account of it inherits. */
  gcpProjectPolicy(projectId: string, signal: AbortSignal): Promise<CloudAnswer<IamPolicy>>;
}
