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

/** A Google Cloud IAM policy (v3) on a service account. */
export interface IamPolicy {
  bindings?: { role: string; members?: string[]; condition?: unknown }[];
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

export interface ManagedIdentityCredentials {
  /** ARM id of the user-assigned identity. */
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
  /** AWS IAM GetRole: the role and its trust policy. */
  awsRole(roleArn: string, signal: AbortSignal): Promise<CloudAnswer<IamRole>>;
  /** AWS IAM GetOpenIDConnectProvider. */
  awsOidcProvider(providerArn: string, signal: AbortSignal): Promise<CloudAnswer<OidcProvider>>;
  /** AWS EKS DescribeCluster: the cluster's OIDC issuer URL. */
  eksOidcIssuer(clusterName: string, region: string, signal: AbortSignal): Promise<CloudAnswer<string>>;
  /** Azure ARM: the user-assigned managed identity with this client id, and its federated credentials. */
  azureFederatedCredentials(subscriptionId: string, clientId: string, signal: AbortSignal): Promise<CloudAnswer<ManagedIdentityCredentials>>;
  /** Azure ARM: the AKS cluster whose node resource group is `nodeResourceGroup`. */
  aksCluster(subscriptionId: string, nodeResourceGroup: string, signal: AbortSignal): Promise<CloudAnswer<AksCluster>>;
  /** GCP IAM getIamPolicy on a Google service account. */
  gcpServiceAccountPolicy(email: string, signal: AbortSignal): Promise<CloudAnswer<IamPolicy>>;
}
