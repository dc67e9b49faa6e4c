/**
 * GCP side of workload identity: a Google service account's IAM policy (`getIamPolicy`), through
 * `google-auth-library` (Application Default Credentials unless a client is given) against a configurable IAM
 * endpoint.
 */
import type { AuthClient } from 'google-auth-library';
import type { IamPolicy } from '../../model-engine/identity.js';
import type { CloudAnswer } from '../../engine/ports/identity-cloud.js';
import { hostAllowed, type NetworkPolicy } from '../net-policy.js';
import { guardLookup } from './lookup.js';

export const DEFAULT_GCP_IAM_ENDPOINT = 'https://iam.googleapis.com';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface GcpIdentityOptions {
  /** An authorised client; default: ADC via `GoogleAuth`. */
  client?: AuthClient;
  /** IAM API base URL (`MED_GCP_IAM_ENDPOINT`). */
  iamEndpoint?: string;
  timeoutMs?: number;
  network?: NetworkPolicy;
}

export function gcpEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<GcpIdentityOptions, 'iamEndpoint'> {
  return env.MED_GCP_IAM_ENDPOINT ? { iamEndpoint: env.MED_GCP_IAM_ENDPOINT } : {};
}

export class GcpIdentitySource {
  private client: AuthClient | undefined;
  private readonly base: string;

  constructor(private readonly opts: GcpIdentityOptions = {}) {
    this.client = opts.client;
    this.base = (opts.iamEndpoint ?? DEFAULT_GCP_IAM_ENDPOINT).replace(/\/+$/, '');
  }

  private async authClient(): Promise<AuthClient> {
    if (!this.client) {
      // ADC may reach the metadata server or Google's token endpoint: only on a run that may use the network.
      if ((this.opts.network ?? 'all') !== 'all') throw new Error('Google credentials need the network, which this run may not use');
      const { GoogleAuth } = await import('google-auth-library');
      this.client = await new GoogleAuth({ scopes: [SCOPE] }).getClient();
    }
    return this.client;
  }

  async serviceAccountPolicy(email: string, signal: AbortSignal): Promise<CloudAnswer<IamPolicy>> {
    const via = `IAM getIamPolicy (${new URL(this.base).host})`;
    return guardLookup(
      via,
      signal,
      async () => {
        const allowed = hostAllowed(new URL(this.base).hostname, this.opts.network ?? 'all');
        if (!allowed.ok) return { state: 'unavailable', via, detail: allowed.reason };
        const client = await this.authClient();
        const res = await client.request<IamPolicy>({
          url: `${this.base}/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:getIamPolicy`,
          method: 'POST',
          data: { options: { requestedPolicyVersion: 3 } },
          signal,
          timeout: this.opts.timeoutMs ?? 15_000,
          retry: false,
        });
        return { state: 'found', via, value: res.data ?? {} };
      },
      (e) => {
        const err = e as Error & { status?: number; response?: { status?: number; data?: { error?: { status?: string; message?: string } } } };
        const status = err.status ?? err.response?.status;
        const api = err.response?.data?.error;
        const detail = api ? `${api.status ?? `HTTP ${status}`}: ${api.message ?? ''}`.trim() : (err.message.split('\n')[0] ?? String(e));
        return status === 404 ? { state: 'not-found', via, detail } : { state: 'unavailable', via, detail };
      },
    );
  }
}
