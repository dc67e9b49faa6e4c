/**
 * The cloud port (`--cloud-api` only): the read-only cloud calls the redis and broker checks need — a Secrets
 * Manager secret's JSON key, an Entra token's expiry, Service Bus queue runtime properties, SQS queue attributes.
 * Tokens and secret values never reach a check: a secret comes back as a {@link SecretString}, a token as its
 * expiry only. Created in `src/run/ports.ts` as `ctx.ports.cloud`; implemented in `src/sources/cloud/`.
 */
import type { SecretString } from './secret.js';

export const CLOUD_PORT = 'cloud';

export type CloudService = 'secrets-manager' | 'entra' | 'service-bus' | 'sqs';

/** A cloud call that failed: the SDK's error code/name and HTTP status, message without secrets. */
export class CloudApiError extends Error {
  constructor(
    readonly service: CloudService,
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CloudApiError';
  }
}

export interface CallOptions {
  signal?: AbortSignal;
}

export type SecretKeyAnswer =
  | { state: 'found'; value: SecretString }
  /** The secret exists but is not JSON, or has no such key: lists the keys it has (names only). */
  | { state: 'no-key'; keys: string[]; json: boolean };

export interface ServiceBusQueueInfo {
  name: string;
  exists: boolean;
  activeMessageCount?: number;
  deadLetterMessageCount?: number;
  scheduledMessageCount?: number;
  transferDeadLetterMessageCount?: number;
  sizeInBytes?: number;
  /** Last time a message was sent/received, as the broker reports it. */
  accessedAt?: string;
  updatedAt?: string;
}

/** A Service Bus namespace as its administration API describes it (`$namespaceinfo`). */
export interface ServiceBusNamespaceInfo {
  name: string;
  /** `Basic`, `Standard` or `Premium`. */
  sku: string;
  /** Messaging units (Premium only). */
  messagingUnits?: number;
}

export interface SqsQueueInfo {
  name: string;
  exists: boolean;
  url?: string;
  /** `ApproximateNumberOfMessages`: waiting. */
  visible?: number;
  /** `ApproximateNumberOfMessagesNotVisible`: taken by a consumer, not yet deleted. */
  notVisible?: number;
  /** `ApproximateNumberOfMessagesDelayed`. */
  delayed?: number;
  createdAt?: string;
  /** `LastModifiedTimestamp`. */
  modifiedAt?: string;
  /** Whether a redrive (dead-letter) policy is configured. */
  redrive?: boolean;
}

export interface CloudPort {
  /** Human description of where calls go (`AWS us-west-2`, `Azure (DefaultAzureCredential)`). */
  describe(): string;
  /** Secrets Manager GetSecretValue, then one key of its JSON. Throws {@link CloudApiError}. */
  secretJsonKey(secretName: string, key: string, opts?: CallOptions & { region?: string }): Promise<SecretKeyAnswer>;
  /** An Entra token for a scope (e.g. `https://redis.azure.com/.default`): its expiry only. Throws {@link CloudApiError}. */
  entraToken(scope: string, opts?: CallOptions): Promise<{ expiresOn: Date }>;
  /** Service Bus namespace properties (tier) via the administration client. Throws {@link CloudApiError}. */
  serviceBusNamespace(namespace: string, opts?: CallOptions): Promise<ServiceBusNamespaceInfo>;
  /** Service Bus queue runtime properties via the administration client; `exists: false` when not found. */
  serviceBusQueue(namespace: string, queue: string, opts?: CallOptions): Promise<ServiceBusQueueInfo>;
  /** SQS GetQueueUrl + GetQueueAttributes; `exists: false` when not found. */
  sqsQueue(queue: string, opts?: CallOptions & { region?: string }): Promise<SqsQueueInfo>;
}

/** Internal to sources: hands the raw token to the Redis AUTH. Not part of {@link CloudPort}. */
export interface EntraTokenSource {
  rawToken(scope: string, signal?: AbortSignal): Promise<{ token: SecretString; expiresOn: Date }>;
}
