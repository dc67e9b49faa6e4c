/**
 * AWS side of workload identity: IAM GetRole / GetOpenIDConnectProvider and EKS DescribeCluster.
 * `@aws-sdk/client-iam` and `client-eks` are not dependencies, so the calls are made with the SDK's own
 * building blocks that the installed clients already pull in: the default credential chain
 * (`@aws-sdk/credential-provider-node`), SigV4 (`@smithy/signature-v4` with `@smithy/core`'s SHA-256) and the
 * SDK's Node HTTP handler. No crypto of our own.
 */
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler, streamCollector } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { convert } from 'xmlbuilder2';
import type { PolicyDocument } from '../../engine/identity.js';
import type { CloudAnswer, IamRole, OidcProvider } from '../../engine/ports/identity-cloud.js';
import { parseRoleArn } from '../../engine/identity.js';
import { hostAllowed, type NetworkPolicy } from '../net-policy.js';
import { guardLookup } from './lookup.js';

export interface AwsIdentityOptions {
  /** Static credentials or a provider; default: the SDK's default chain (env, profile, SSO, IRSA, IMDS). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** IAM endpoint override (`AWS_ENDPOINT_URL_IAM`); default: the partition's global endpoint. */
  iamEndpoint?: string;
  /** EKS endpoint override (`AWS_ENDPOINT_URL_EKS`); `{region}` is replaced by the cluster's region. */
  eksEndpoint?: string;
  timeoutMs?: number;
  network?: NetworkPolicy;
}

/** The endpoint overrides the AWS SDKs and CLI read (service-specific first, then the global one). */
export function awsEndpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<AwsIdentityOptions, 'iamEndpoint' | 'eksEndpoint'> {
  const iam = env.AWS_ENDPOINT_URL_IAM ?? env.AWS_ENDPOINT_URL;
  const eks = env.AWS_ENDPOINT_URL_EKS ?? env.AWS_ENDPOINT_URL;
  return { ...(iam ? { iamEndpoint: iam } : {}), ...(eks ? { eksEndpoint: eks } : {}) };
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

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type XmlObj = Record<string, unknown>;
const child = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((cur, k) => (cur && typeof cur === 'object' ? (cur as XmlObj)[k] : undefined), o);
const text = (o: unknown): string | undefined => (typeof o === 'string' ? o : typeof o === 'number' ? String(o) : undefined);
const list = (o: unknown): string[] => {
  const m = child(o, 'member');
  return (Array.isArray(m) ? m : m === undefined ? [] : [m]).map(text).filter((s): s is string => !!s);
};

/** Parse an IAM (query protocol) XML body; errors come back as `<ErrorResponse><Error><Code>`. */
export function parseIamXml(body: string): { root: string; doc: XmlObj } | { error: { code: string; message: string } } {
  const obj = convert(body, { format: 'object' }) as XmlObj;
  const root = Object.keys(obj).find((k) => !k.startsWith('@') && !k.startsWith('?'));
  if (!root) return { error: { code: 'InvalidResponse', message: 'empty XML document' } };
  const doc = obj[root] as XmlObj;
  if (root === 'ErrorResponse') {
    return { error: { code: text(child(doc, 'Error', 'Code')) ?? 'Unknown', message: text(child(doc, 'Error', 'Message')) ?? '' } };
  }
  return { root, doc };
}

/** The role's trust policy: IAM returns it URL-encoded JSON. */
export function decodePolicyDocument(encoded: string): PolicyDocument {
  return JSON.parse(decodeURIComponent(encoded)) as PolicyDocument;
}

const NOT_FOUND_CODES = new Set(['NoSuchEntity', 'ResourceNotFoundException']);

export class AwsIdentitySource {
  private readonly handler: NodeHttpHandler;
  private credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;

  constructor(private readonly opts: AwsIdentityOptions = {}) {
    this.handler = new NodeHttpHandler({ requestTimeout: opts.timeoutMs ?? 15_000, connectionTimeout: opts.timeoutMs ?? 15_000 });
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

  private async send(
    endpoint: string,
    service: string,
    region: string,
    req: { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> },
    signal: AbortSignal,
  ): Promise<RawResponse> {
    const url = new URL(endpoint);
    const allowed = hostAllowed(url.hostname, this.opts.network ?? 'all');
    if (!allowed.ok) throw new Error(allowed.reason);
    const base = url.pathname.replace(/\/+$/, '');
    const request = new HttpRequest({
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: `${base}${req.path}`,
      headers: { host: url.host, ...(req.headers ?? {}) },
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    const signer = new SignatureV4({ credentials: await this.creds(), region, service, sha256: Sha256 });
    const signed = (await signer.sign(request)) as HttpRequest;
    const { response } = await this.handler.handle(signed, { abortSignal: signal });
    const bytes = await streamCollector(response.body);
    return { status: response.statusCode, headers: response.headers, body: Buffer.from(bytes).toString('utf8') };
  }

  private iam(partition: string) {
    const ep = iamEndpointFor(partition);
    return { url: this.opts.iamEndpoint ?? ep.url, region: ep.region };
  }

  private async iamCall(partition: string, params: Record<string, string>, signal: AbortSignal) {
    const { url, region } = this.iam(partition);
    const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
    const via = `IAM ${params.Action} (${new URL(url).host})`;
    const res = await this.send(url, 'iam', region, { method: 'POST', path: '/', body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } }, signal);
    const parsed = parseIamXml(res.body);
    return { via, res, parsed };
  }

  async role(roleArn: string, signal: AbortSignal): Promise<CloudAnswer<IamRole>> {
    const arn = parseRoleArn(roleArn);
    const via = 'IAM GetRole';
    if (!arn) return { state: 'not-found', via, detail: `${roleArn} is not an IAM role ARN` };
    return this.guard(via, signal, async () => {
      const { via: v, res, parsed } = await this.iamCall(arn.partition, { Action: 'GetRole', RoleName: arn.name }, signal);
      if ('error' in parsed) return this.failure(v, res.status, parsed.error);
      const role = child(parsed.doc, 'GetRoleResult', 'Role');
      const doc = text(child(role, 'AssumeRolePolicyDocument'));
      if (!doc) return { state: 'unavailable', via: v, detail: 'GetRole returned no AssumeRolePolicyDocument' };
      return { state: 'found', via: v, value: { arn: text(child(role, 'Arn')) ?? roleArn, trustPolicy: decodePolicyDocument(doc) } };
    });
  }

  async oidcProvider(providerArn: string, signal: AbortSignal): Promise<CloudAnswer<OidcProvider>> {
    const partition = /^arn:(aws[\w-]*):/.exec(providerArn)?.[1] ?? 'aws';
    return this.guard('IAM GetOpenIDConnectProvider', signal, async () => {
      const { via, res, parsed } = await this.iamCall(partition, { Action: 'GetOpenIDConnectProvider', OpenIDConnectProviderArn: providerArn }, signal);
      if ('error' in parsed) return this.failure(via, res.status, parsed.error);
      const r = child(parsed.doc, 'GetOpenIDConnectProviderResult');
      return { state: 'found', via, value: { arn: providerArn, url: text(child(r, 'Url')) ?? '', clientIds: list(child(r, 'ClientIDList')) } };
    });
  }

  async eksIssuer(clusterName: string, region: string, signal: AbortSignal): Promise<CloudAnswer<string>> {
    const url = (this.opts.eksEndpoint ?? 'https://eks.{region}.amazonaws.com').replace('{region}', region);
    const via = `EKS DescribeCluster ${clusterName} (${new URL(url).host})`;
    return this.guard(via, signal, async () => {
      const res = await this.send(url, 'eks', region, { method: 'GET', path: `/clusters/${encodeURIComponent(clusterName)}` }, signal);
      if (res.status >= 300) {
        const type = (res.headers['x-amzn-errortype'] ?? '').split(':')[0]!;
        let message = '';
        try {
          message = String((JSON.parse(res.body) as { message?: string }).message ?? '');
        } catch {
          /* a non-JSON error body: keep the status only */
        }
        return this.failure(via, res.status, { code: type || `HTTP ${res.status}`, message });
      }
      const issuer = (JSON.parse(res.body) as { cluster?: { identity?: { oidc?: { issuer?: string } } } }).cluster?.identity?.oidc?.issuer;
      return issuer ? { state: 'found', via, value: issuer } : { state: 'not-found', via, detail: `cluster ${clusterName} has no OIDC issuer` };
    });
  }

  private failure<T>(via: string, status: number, e: { code: string; message: string }): CloudAnswer<T> {
    const detail = `${e.code}${e.message ? `: ${e.message}` : ''}`;
    if (NOT_FOUND_CODES.has(e.code) || status === 404) return { state: 'not-found', via, detail };
    return { state: 'unavailable', via, detail };
  }

  private guard<T>(via: string, signal: AbortSignal, fn: () => Promise<CloudAnswer<T>>): Promise<CloudAnswer<T>> {
    // Credential-chain failures and network errors: "could not ask", never "does not exist".
    return guardLookup(via, signal, fn);
  }
}
