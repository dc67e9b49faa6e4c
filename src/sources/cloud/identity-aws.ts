/**
 * AWS side of workload identity: IAM GetRole / GetOpenIDConnectProvider, EKS DescribeCluster and the EKS Pod
 * Identity associations (ListPodIdentityAssociations + DescribePodIdentityAssociation) through the official
 * `@aws-sdk/client-iam` and `@aws-sdk/client-eks`, and STS GetCallerIdentity (see aws-sts.ts). All are imported on
 * first use so startup does not pay for them; credentials come from the SDK's default chain
 * (`@aws-sdk/credential-provider-node`) unless given.
 */
import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { PolicyDocument } from '../../model-engine/identity.js';
import type { CloudAnswer, IamRole, OidcProvider, PodIdentityAssociation } from '../../engine/ports/identity-cloud.js';
import { getCallerIdentity, stsEndpointFor, type CallerIdentity } from './aws-sts.js';
import { parseRoleArn } from '../../model-engine/identity.js';
import { hostAllowed, type NetworkPolicy } from '../net-policy.js';
import { guardLookup } from './lookup.js';

export interface AwsIdentityOptions {
  /** Static credentials or a provider; default: the SDK's default chain (env, profile, SSO, IRSA, IMDS). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** IAM endpoint override (`AWS_ENDPOINT_URL_IAM`); default: the partition's global endpoint. */
  iamEndpoint?: string;
  /** EKS endpoint override (`AWS_ENDPOINT_URL_EKS`); `{region}` is replaced by the cluster's region. */
  eksEndpoint?: string;
  /** STS endpoint override (`AWS_ENDPOINT_URL_STS`); default: the partition's regional endpoint. */
  stsEndpoint?: string;
  timeoutMs?: number;
  network?: NetworkPolicy;
}

/** The endpoint overrides the AWS SDKs and CLI read (service-specific first, then the global one). */
export function awsEndpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<AwsIdentityOptions, 'iamEndpoint' | 'eksEndpoint' | 'stsEndpoint'> {
  const iam = env.AWS_ENDPOINT_URL_IAM ?? env.AWS_ENDPOINT_URL;
  const eks = env.AWS_ENDPOINT_URL_EKS ?? env.AWS_ENDPOINT_URL;
  const sts = env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL;
  return { ...(iam ? { iamEndpoint: iam } : {}), ...(eks ? { eksEndpoint: eks } : {}), ...(sts ? { stsEndpoint: sts } : {}) };
}

/** The EKS endpoint of a region (`.amazonaws.com.cn` in China). */
export function eksEndpointFor(region: string): string {
  return `https://eks.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** IAM is global per partition: its endpoint and signing region. */
export function iamEndpointFor(partition: string): { url: string; region: string } {
  switch (partition) {
    case 'aws-cn':
      return { url: 'https://iam.cn-north-1.amazonaws.com.cn', region: 'cn-north-1' };
    case 'aws-us-gov':
      return { url: 'https://iam.us-gov.amazonaws.com', region: 'us-gov-west-1' };
    default:
      return { url: 'https://iam.amazonaws.com', region: 'us-east-1' };
  }
}

/** The role's trust policy: IAM returns it URL-encoded JSON. */
export function decodePolicyDocument(encoded: string): PolicyDocument {
  return JSON.parse(decodeURIComponent(encoded)) as PolicyDocument;
}

/** Error codes that mean "does not exist" (IAM's query-protocol code, its SDK exception name, EKS's). */
const NOT_FOUND_CODES = new Set(['NoSuchEntity', 'NoSuchEntityException', 'ResourceNotFoundException']);

/** What an SDK service error says, or undefined for anything else (credentials, network, abort). */
export function awsServiceError(e: unknown): { code: string; message: string; status: number | undefined } | undefined {
  const err = e as { name?: string; Code?: unknown; message?: string; $metadata?: { httpStatusCode?: number } };
  if (!err || typeof err !== 'object' || !err.$metadata || err.$metadata.httpStatusCode === undefined) return undefined;
  // IAM errors keep their wire code (`NoSuchEntity`, `AccessDenied`) in `Code`; `name` is the SDK's exception name.
  const code = typeof err.Code === 'string' && err.Code ? err.Code : (err.name ?? `HTTP ${err.$metadata.httpStatusCode}`);
  const message = (err.message ?? '').split('\n')[0]!;
  return { code, message: message === 'UnknownError' || message === code ? '' : message, status: err.$metadata.httpStatusCode };
}

const SDK_WRAPPER = 'AWS SDK error wrapper for ';

/** The answers a failed call can give. */
type Failed = Exclude<CloudAnswer<never>, { state: 'found' }>;

/** A service error as an answer: not found only when the API says so; any other refusal is "could not ask". */
export function awsFailure(via: string, e: { code: string; message: string; status: number | undefined }): Failed {
  const detail = `${e.code}${e.message ? `: ${e.message}` : ''}`;
  if (NOT_FOUND_CODES.has(e.code) || e.status === 404) return { state: 'not-found', via, detail };
  return { state: 'unavailable', via, detail };
}

export class AwsIdentitySource {
  private credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  private readonly iamClients = new Map<string, Promise<IAMClient>>();
  private readonly eksClients = new Map<string, Promise<EKSClient>>();

  constructor(private readonly opts: AwsIdentityOptions = {}) {
    this.credentials = opts.credentials;
  }

  private async creds(): Promise<AwsCredentialIdentity | AwsCredentialIdentityProvider> {
    if (!this.credentials) {
      // The default chain may reach IMDS or STS: only on a run that may use the network.
      if ((this.opts.network ?? 'all') !== 'all') throw new Error('AWS credentials from the default chain need the network, which this run may not use');
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      this.credentials = defaultProvider();
    }
    return this.credentials;
  }

  /** Client options shared by IAM and EKS: one attempt (a run asks each question once), the run's timeouts. */
  private async clientConfig(region: string, endpoint: string | undefined) {
    const timeout = this.opts.timeoutMs ?? 15_000;
    return {
      region,
      credentials: await this.creds(),
      ...(endpoint ? { endpoint } : {}),
      maxAttempts: 1,
      requestHandler: { requestTimeout: timeout, connectionTimeout: timeout },
    };
  }

  /** Refuse a host the run's network policy does not allow, before any credential or connection. */
  private allow(url: string): void {
    const allowed = hostAllowed(new URL(url).hostname, this.opts.network ?? 'all');
    if (!allowed.ok) throw new Error(allowed.reason);
  }

  /** The partition's IAM client (its global endpoint, or the override) and the host it talks to. */
  private async iam(partition: string): Promise<{ client: IAMClient; host: string }> {
    const ep = iamEndpointFor(partition);
    const url = this.opts.iamEndpoint ?? ep.url;
    this.allow(url);
    let client = this.iamClients.get(partition);
    if (!client) {
      client = (async () => {
        const config = await this.clientConfig(ep.region, this.opts.iamEndpoint);
        const { IAMClient } = await import('@aws-sdk/client-iam');
        return new IAMClient(config);
      })();
      this.iamClients.set(partition, client);
      // A failed set-up (no credentials) is not kept: the next question tries again.
      client.catch(() => this.iamClients.delete(partition));
    }
    return { client: await client, host: new URL(url).host };
  }

  private async eks(region: string): Promise<EKSClient> {
    let client = this.eksClients.get(region);
    if (!client) {
      const endpoint = this.opts.eksEndpoint?.replace('{region}', region);
      client = (async () => {
        const config = await this.clientConfig(region, endpoint);
        const { EKSClient } = await import('@aws-sdk/client-eks');
        return new EKSClient(config);
      })();
      this.eksClients.set(region, client);
      client.catch(() => this.eksClients.delete(region));
    }
    return client;
  }

  async role(roleArn: string, signal: AbortSignal): Promise<CloudAnswer<IamRole>> {
    const arn = parseRoleArn(roleArn);
    const via = 'IAM GetRole';
    if (!arn) return { state: 'not-found', via, detail: `${roleArn} is not an IAM role ARN` };
    return this.guard(via, signal, async () => {
      const { client, host } = await this.iam(arn.partition);
      const v = `IAM GetRole (${host})`;
      const { GetRoleCommand } = await import('@aws-sdk/client-iam');
      const out = await this.ask(v, () => client.send(new GetRoleCommand({ RoleName: arn.name }), { abortSignal: signal }));
      if ('state' in out) return out;
      const doc = out.Role?.AssumeRolePolicyDocument;
      if (!doc) return { state: 'unavailable', via: v, detail: 'GetRole returned no AssumeRolePolicyDocument' };
      return { state: 'found', via: v, value: { arn: out.Role?.Arn ?? roleArn, trustPolicy: decodePolicyDocument(doc) } };
    });
  }

  async oidcProvider(providerArn: string, signal: AbortSignal): Promise<CloudAnswer<OidcProvider>> {
    const partition = /^arn:(aws[\w-]*):/.exec(providerArn)?.[1] ?? 'aws';
    return this.guard('IAM GetOpenIDConnectProvider', signal, async () => {
      const { client, host } = await this.iam(partition);
      const via = `IAM GetOpenIDConnectProvider (${host})`;
      const { GetOpenIDConnectProviderCommand } = await import('@aws-sdk/client-iam');
      const out = await this.ask(via, () => client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }), { abortSignal: signal }));
      if ('state' in out) return out;
      return { state: 'found', via, value: { arn: providerArn, url: out.Url ?? '', clientIds: out.ClientIDList ?? [] } };
    });
  }

  /** STS GetCallerIdentity with the partition's credentials: whose account a GetRole looks in. */
  async callerIdentity(partition: string, signal: AbortSignal): Promise<CloudAnswer<CallerIdentity>> {
    const region = iamEndpointFor(partition).region;
    const url = this.opts.stsEndpoint ?? stsEndpointFor(region);
    const via = `STS GetCallerIdentity (${new URL(url).host})`;
    return this.guard(via, signal, async () => {
      this.allow(url);
      const credentials = await this.creds();
      const out = await this.ask(via, () => getCallerIdentity({ region, credentials, ...(this.opts.stsEndpoint ? { endpoint: this.opts.stsEndpoint } : {}), timeoutMs: this.opts.timeoutMs ?? 15_000 }, signal));
      if ('state' in out) return out.state === 'not-found' ? { state: 'unavailable', via, detail: out.detail ?? 'not found' } : out;
      return { state: 'found', via, value: out };
    });
  }

  /** EKS Pod Identity associations of one service account, each with the role it hands out. */
  async podIdentityAssociations(clusterName: string, region: string, namespace: string, serviceAccount: string, signal: AbortSignal): Promise<CloudAnswer<PodIdentityAssociation[]>> {
    const url = (this.opts.eksEndpoint ?? eksEndpointFor(region)).replace('{region}', region);
    const via = `EKS ListPodIdentityAssociations ${clusterName} (${new URL(url).host})`;
    return this.guard(via, signal, async () => {
      this.allow(url);
      const client = await this.eks(region);
      const { ListPodIdentityAssociationsCommand, DescribePodIdentityAssociationCommand } = await import('@aws-sdk/client-eks');
      const ids: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await this.ask(via, () => client.send(new ListPodIdentityAssociationsCommand({ clusterName, namespace, serviceAccount, ...(nextToken ? { nextToken } : {}) }), { abortSignal: signal }));
        if ('state' in page) return page;
        ids.push(...(page.associations ?? []).map((a) => a.associationId ?? '').filter(Boolean));
        nextToken = page.nextToken ?? undefined;
      } while (nextToken);
      const out: PodIdentityAssociation[] = [];
      for (const associationId of ids) {
        const d = await this.ask(via, () => client.send(new DescribePodIdentityAssociationCommand({ clusterName, associationId }), { abortSignal: signal }));
        if ('state' in d) return d;
        const a = d.association;
        if (!a?.roleArn) continue;
        out.push({
          associationId,
          associationArn: a.associationArn ?? '',
          roleArn: a.roleArn,
          ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
          ...(a.disableSessionTags !== undefined ? { disableSessionTags: a.disableSessionTags } : {}),
        });
      }
      return { state: 'found', via, value: out };
    });
  }

  async eksIssuer(clusterName: string, region: string, signal: AbortSignal): Promise<CloudAnswer<string>> {
    const url = (this.opts.eksEndpoint ?? eksEndpointFor(region)).replace('{region}', region);
    const via = `EKS DescribeCluster ${clusterName} (${new URL(url).host})`;
    return this.guard(via, signal, async () => {
      this.allow(url);
      const client = await this.eks(region);
      const { DescribeClusterCommand } = await import('@aws-sdk/client-eks');
      const out = await this.ask(via, () => client.send(new DescribeClusterCommand({ name: clusterName }), { abortSignal: signal }));
      if ('state' in out) return out;
      const issuer = out.cluster?.identity?.oidc?.issuer;
      return issuer ? { state: 'found', via, value: issuer } : { state: 'not-found', via, detail: `cluster ${clusterName} has no OIDC issuer` };
    });
  }

  /** One SDK call; an API error becomes an answer, anything else (credentials, network, abort) is rethrown. */
  private async ask<O extends object>(via: string, call: () => Promise<O>): Promise<O | Failed> {
    try {
      return await call();
    } catch (e) {
      const service = awsServiceError(e);
      if (!service) throw e;
      return awsFailure(via, service);
    }
  }

  private guard<T>(via: string, signal: AbortSignal, fn: () => Promise<CloudAnswer<T>>): Promise<CloudAnswer<T>> {
    // Credential-chain failures and network errors: "could not ask", never "does not exist". The SDK wraps a
    // non-Error rejection (e.g. a socket error from another realm); the detail keeps only the cause.
    return guardLookup(via, signal, fn, (e) =>
      e.message.startsWith(SDK_WRAPPER) ? { state: 'unavailable', via, detail: e.message.slice(SDK_WRAPPER.length).split('\n')[0]! } : undefined,
    );
  }
}
