/**
 * The cloud port for the redis and broker checks, over the official SDKs: Secrets Manager (a secret's JSON key),
 * Entra ID (a token's expiry; the token itself only ever goes to the Redis AUTH), the Service Bus administration
 * client (queue runtime properties) and SQS (queue attributes). Every client is made on first use and takes an
 * endpoint override — AWS `endpoint` (or the SDK's own `AWS_ENDPOINT_URL*` env), Azure authority host
 * (`AZURE_AUTHORITY_HOST`, read by @azure/identity) and Service Bus host — so tests can point them at loopback.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ServiceBusAdministrationClient } from '@azure/service-bus';
import {
  CloudApiError,
  type CallOptions,
  type CloudPort,
  type CloudService,
  type EntraTokenSource,
  type SecretKeyAnswer,
  type ServiceBusNamespaceInfo,
  type ServiceBusQueueInfo,
  type SqsQueueInfo,
} from '../../engine/ports/cloud.js';
import { SecretString } from '../../engine/ports/secret.js';
import { redactText } from '../../engine/redact.js';

export interface AwsClientOptions {
  /** e.g. `http://127.0.0.1:4566`; default: the SDK's resolution (incl. `AWS_ENDPOINT_URL_SECRETS_MANAGER` / `_SQS`). */
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface BrokerCloudOptions {
  aws?: AwsClientOptions;
  azure?: {
    /** Default: DefaultAzureCredential (workload identity, env, Azure CLI …). */
    credential?: TokenCredential;
    /** `<namespace>` → host[:port] of the Service Bus endpoint; default `<namespace>.servicebus.windows.net`. */
    serviceBusHost?: (namespace: string) => string;
    /** Extra trusted CAs for the Service Bus endpoint (tests, TLS-inspecting proxies). */
    ca?: string;
  };
  /** Per call, default 15 s. */
  timeoutMs?: number;
}

const firstLine = (s: string) => s.split('\n')[0]!.trim();

function toCloudError(service: CloudService, e: unknown): CloudApiError {
  const err = e as { name?: string; code?: string | number; message?: string; statusCode?: number; $metadata?: { httpStatusCode?: number } };
  const code = (typeof err.code === 'string' && err.code) || err.name || 'Error';
  const status = err.statusCode ?? err.$metadata?.httpStatusCode;
  return new CloudApiError(service, code, redactText(firstLine(err.message ?? String(e))), status);
}

/** `ns`, `ns.servicebus.windows.net` or `sb://ns.servicebus.windows.net/` → the fully qualified namespace. */
export function serviceBusFqdn(namespace: string): string {
  const n = namespace.replace(/^sb:\/\//, '').replace(/\/+$/, '');
  return n.includes('.') ? n : `${n}.servicebus.windows.net`;
}

export class BrokerCloudSource implements CloudPort, EntraTokenSource {
  private readonly timeoutMs: number;
  private sm = new Map<string, Promise<SecretsManagerClient>>();
  private sqs = new Map<string, Promise<SQSClient>>();
  private credential: Promise<TokenCredential> | undefined;
  private admin = new Map<string, Promise<ServiceBusAdministrationClient>>();
  private tokens = new Map<string, Promise<{ token: SecretString; expiresOn: Date }>>();

  constructor(private readonly opts: BrokerCloudOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  describe(): string {
    return 'AWS (default credential chain) / Azure (DefaultAzureCredential)';
  }

  private signal(opts?: CallOptions): AbortSignal {
    const t = AbortSignal.timeout(this.timeoutMs);
    return opts?.signal ? AbortSignal.any([opts.signal, t]) : t;
  }

  private awsConfig(region: string | undefined) {
    const a = this.opts.aws ?? {};
    return { ...(region || a.region ? { region: region ?? a.region } : {}), ...(a.endpoint ? { endpoint: a.endpoint } : {}), ...(a.credentials ? { credentials: a.credentials } : {}), maxAttempts: 2 };
  }

  async secretJsonKey(secretName: string, key: string, opts?: CallOptions & { region?: string }): Promise<SecretKeyAnswer> {
    const region = opts?.region ?? this.opts.aws?.region ?? '';
    let client = this.sm.get(region);
    if (!client) {
      client = import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient }) => new SecretsManagerClient(this.awsConfig(opts?.region)));
      this.sm.set(region, client);
    }
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    let text: string | undefined;
    try {
      const out = await (await client).send(new GetSecretValueCommand({ SecretId: secretName }), { abortSignal: this.signal(opts) });
      text = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    } catch (e) {
      throw toCloudError('secrets-manager', e);
    }
    let json: unknown;
    try {
      json = text === undefined ? undefined : JSON.parse(text);
    } catch {
      return { state: 'no-key', keys: [], json: false };
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) return { state: 'no-key', keys: [], json: false };
    const v = (json as Record<string, unknown>)[key];
    if (typeof v !== 'string') return { state: 'no-key', keys: Object.keys(json), json: true };
    return { state: 'found', value: new SecretString(v) };
  }

  private async azureCredential(): Promise<TokenCredential> {
    if (this.opts.azure?.credential) return this.opts.azure.credential;
    this.credential ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
    return this.credential;
  }

  /** The raw token, for the Redis AUTH only. Memoised per scope until 5 minutes before it expires. */
  async rawToken(scope: string, signal?: AbortSignal): Promise<{ token: SecretString; expiresOn: Date }> {
    const cached = this.tokens.get(scope);
    if (cached) {
      const t = await cached.catch(() => undefined);
      if (t && t.expiresOn.getTime() - Date.now() > 5 * 60_000) return t;
      this.tokens.delete(scope);
    }
    const p = (async () => {
      try {
        const cred = await this.azureCredential();
        const t = await cred.getToken(scope, { abortSignal: this.signal(signal ? { signal } : undefined) });
        if (!t) throw new CloudApiError('entra', 'NoToken', `no token for ${scope}`);
        return { token: new SecretString(t.token), expiresOn: new Date(t.expiresOnTimestamp) };
      } catch (e) {
        throw e instanceof CloudApiError ? e : toCloudError('entra', e);
      }
    })();
    this.tokens.set(scope, p);
    p.catch(() => this.tokens.delete(scope));
    return p;
  }

  async entraToken(scope: string, opts?: CallOptions): Promise<{ expiresOn: Date }> {
    const { expiresOn } = await this.rawToken(scope, opts?.signal);
    return { expiresOn };
  }

  /** One administration client per namespace host. */
  private adminClient(namespace: string): Promise<ServiceBusAdministrationClient> {
    const host = this.opts.azure?.serviceBusHost?.(namespace) ?? serviceBusFqdn(namespace);
    let client = this.admin.get(host);
    if (!client) {
      client = (async () => {
        const { ServiceBusAdministrationClient } = await import('@azure/service-bus');
        const ca = this.opts.azure?.ca;
        return new ServiceBusAdministrationClient(host, await this.azureCredential(), { ...(ca ? { tlsOptions: { ca } } : {}), retryOptions: { maxRetries: 1 } });
      })();
      this.admin.set(host, client);
    }
    return client;
  }

  async serviceBusNamespace(namespace: string, opts?: CallOptions): Promise<ServiceBusNamespaceInfo> {
    try {
      const p = await (await this.adminClient(namespace)).getNamespaceProperties({ abortSignal: this.signal(opts) });
      return { name: p.name, sku: p.messagingSku, ...(p.messagingUnits !== undefined ? { messagingUnits: p.messagingUnits } : {}) };
    } catch (e) {
      throw toCloudError('service-bus', e);
    }
  }

  async serviceBusQueue(namespace: string, queue: string, opts?: CallOptions): Promise<ServiceBusQueueInfo> {
    const client = this.adminClient(namespace);
    try {
      const p = await (await client).getQueueRuntimeProperties(queue, { abortSignal: this.signal(opts) });
      return {
        name: queue,
        exists: true,
        activeMessageCount: p.activeMessageCount,
        deadLetterMessageCount: p.deadLetterMessageCount,
        scheduledMessageCount: p.scheduledMessageCount,
        transferDeadLetterMessageCount: p.transferDeadLetterMessageCount,
        sizeInBytes: p.sizeInBytes,
        ...(p.accessedAt ? { accessedAt: new Date(p.accessedAt).toISOString() } : {}),
        ...(p.modifiedAt ? { updatedAt: new Date(p.modifiedAt).toISOString() } : {}),
      };
    } catch (e) {
      const err = e as { code?: string; statusCode?: number };
      if (err.code === 'MessageEntityNotFoundError' || err.statusCode === 404) return { name: queue, exists: false };
      throw toCloudError('service-bus', e);
    }
  }

  async sqsQueue(queue: string, opts?: CallOptions & { region?: string }): Promise<SqsQueueInfo> {
    const region = opts?.region ?? this.opts.aws?.region ?? '';
    let client = this.sqs.get(region);
    if (!client) {
      client = import('@aws-sdk/client-sqs').then(({ SQSClient }) => new SQSClient(this.awsConfig(opts?.region)));
      this.sqs.set(region, client);
    }
    const { GetQueueUrlCommand, GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
    const c = await client;
    let url: string | undefined;
    try {
      url = (await c.send(new GetQueueUrlCommand({ QueueName: queue }), { abortSignal: this.signal(opts) })).QueueUrl;
    } catch (e) {
      const name = (e as { name?: string }).name ?? '';
      if (/QueueDoesNotExist|NonExistentQueue/.test(name) || /NonExistentQueue/.test(String((e as { Code?: string }).Code ?? ''))) return { name: queue, exists: false };
      throw toCloudError('sqs', e);
    }
    if (!url) return { name: queue, exists: false };
    try {
      const a = (await c.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }), { abortSignal: this.signal(opts) })).Attributes ?? {};
      const num = (k: string) => (a[k as keyof typeof a] === undefined ? undefined : Number(a[k as keyof typeof a]));
      const ts = (k: string) => (a[k as keyof typeof a] ? new Date(Number(a[k as keyof typeof a]) * 1000).toISOString() : undefined);
      const created = ts('CreatedTimestamp');
      const modified = ts('LastModifiedTimestamp');
      return {
        name: queue,
        exists: true,
        url,
        ...(num('ApproximateNumberOfMessages') !== undefined ? { visible: num('ApproximateNumberOfMessages')! } : {}),
        ...(num('ApproximateNumberOfMessagesNotVisible') !== undefined ? { notVisible: num('ApproximateNumberOfMessagesNotVisible')! } : {}),
        ...(num('ApproximateNumberOfMessagesDelayed') !== undefined ? { delayed: num('ApproximateNumberOfMessagesDelayed')! } : {}),
        ...(created ? { createdAt: created } : {}),
        ...(modified ? { modifiedAt: modified } : {}),
        redrive: a.RedrivePolicy !== undefined,
      };
    } catch (e) {
      throw toCloudError('sqs', e);
    }
  }
}

/** Endpoint overrides from the environment: `MED_SERVICEBUS_HOST` (`{namespace}` is replaced). AWS reads its own env. */
export function brokerCloudOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BrokerCloudOptions {
  const sb = env.MED_SERVICEBUS_HOST;
  return sb ? { azure: { serviceBusHost: (ns) => sb.replace('{namespace}', ns) } } : {};
}
