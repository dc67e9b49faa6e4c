/**
 * The identity-cloud port: AWS, Azure and GCP lookups behind one memoised interface. Each cloud's client is
 * made on first use, so a run on AWS never loads Azure or Google auth.
 */
import type { CloudAnswer, IdentityCloudPort } from '../../engine/ports/identity-cloud.js';
import { policyFromEnv, type NetworkPolicy } from '../net-policy.js';
import { AwsIdentitySource, awsEndpointsFromEnv, type AwsIdentityOptions } from './identity-aws.js';
import { AzureIdentitySource, azureEndpointFromEnv, type AzureIdentityOptions } from './identity-azure.js';
import { GcpIdentitySource, gcpEndpointFromEnv, type GcpIdentityOptions } from './identity-gcp.js';

export interface IdentityCloudOptions {
  aws?: AwsIdentityOptions;
  azure?: AzureIdentityOptions;
  gcp?: GcpIdentityOptions;
  /** Where the lookups may connect (default `MED_NETWORK`, else all); refused hosts are never contacted. */
  network?: NetworkPolicy;
}

/** Endpoint overrides from the environment (`AWS_ENDPOINT_URL_IAM`/`_EKS`/`_STS`, `MED_AZURE_ARM_ENDPOINT`, `MED_GCP_IAM_ENDPOINT`, `MED_GCP_CRM_ENDPOINT`). */
export function identityCloudOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): IdentityCloudOptions {
  return { aws: awsEndpointsFromEnv(env), azure: azureEndpointFromEnv(env), gcp: gcpEndpointFromEnv(env) };
}

export function createIdentityCloudPort(opts: IdentityCloudOptions = {}): IdentityCloudPort {
  let aws: AwsIdentitySource | undefined;
  let azure: AzureIdentitySource | undefined;
  let gcp: GcpIdentitySource | undefined;
  const memo = new Map<string, Promise<CloudAnswer<unknown>>>();
  // Several checks (and several service accounts sharing a role) ask the same question: ask the cloud once.
  const once = <T>(key: string, fn: () => Promise<CloudAnswer<T>>): Promise<CloudAnswer<T>> => {
    let p = memo.get(key) as Promise<CloudAnswer<T>> | undefined;
    if (!p) {
      p = fn();
      memo.set(key, p);
      // A cancelled lookup must not poison later runs of the same question.
      p.catch(() => memo.delete(key));
    }
    return p;
  };
  const network = opts.network ?? policyFromEnv();
  const a = () => (aws ??= new AwsIdentitySource({ network, ...opts.aws }));
  const z = () => (azure ??= new AzureIdentitySource({ network, ...opts.azure }));
  const g = () => (gcp ??= new GcpIdentitySource({ network, ...opts.gcp }));
  return {
    awsCallerIdentity: (partition, signal) => once(`aws-caller\0${partition}`, () => a().callerIdentity(partition, signal)),
    eksPodIdentityAssociations: (name, region, ns, sa, signal) => once(`eks-pia\0${region}\0${name}\0${ns}\0${sa}`, () => a().podIdentityAssociations(name, region, ns, sa, signal)),
    awsRole: (arn, signal) => once(`aws-role\0${arn}`, () => a().role(arn, signal)),
    awsOidcProvider: (arn, signal) => once(`aws-oidc\0${arn}`, () => a().oidcProvider(arn, signal)),
    eksOidcIssuer: (name, region, signal) => once(`eks\0${region}\0${name}`, () => a().eksIssuer(name, region, signal)),
    azureFederatedCredentials: (sub, clientId, signal) => once(`az-fic\0${sub}\0${clientId.toLowerCase()}`, () => z().federatedCredentials(sub, clientId, signal)),
    aksCluster: (sub, rg, signal) => once(`aks\0${sub}\0${rg.toLowerCase()}`, () => z().aksCluster(sub, rg, signal)),
    gcpServiceAccountPolicy: (email, signal) => once(`gcp-sa\0${email}`, () => g().serviceAccountPolicy(email, signal)),
    gcpProjectPolicy: (project, signal) => once(`gcp-project\0${project}`, () => g().projectPolicy(project, signal)),
  };
}
