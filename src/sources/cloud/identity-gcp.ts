/**
 * GCP side of workload identity, through `google-auth-library` (Application Default Credentials unless a client is
 * given) against configurable endpoints: a Google service account's IAM policy (IAM `serviceAccounts.getIamPolicy`,
 * policy version 3 asked for in the query string with an empty body, as the API requires), the account itself when
 * that answers PERMISSION_DENIED (IAM answers 403, not 404, for a missing account), and the IAM policy of its
 * project (Resource Manager `projects.getIamPolicy`), whose bindings every service account of the project inherits.
 */
import type { AuthClient } from 'google-auth-library';
import type { IamPolicy } from '../../model-engine/identity.js';
import type { CloudAnswer } from '../../engine/ports/identity-cloud.js';
import { hostAllowed, type NetworkPolicy } from '../net-policy.js';
import { guardLookup } from './lookup.js';

export const DEFAULT_GCP_IAM_ENDPOINT = 'https://iam.googleapis.com';
export const DEFAULT_GCP_CRM_ENDPOINT = 'https://cloudresourcemanager.googleapis.com';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface GcpIdentityOptions {
  /** An authorised client; default: ADC via `GoogleAuth`. */
  client?: AuthClient;
  /** IAM API base URL (`MED_GCP_IAM_ENDPOINT`). */
  iamEndpoint?: string;
  /** Resource Manager API base URL (`MED_GCP_CRM_ENDPOINT`). */
  crmEndpoint?: string;
  timeoutMs?: number;
  network?: NetworkPolicy;
}

export function gcpEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<GcpIdentityOptions, 'iamEndpoint' | 'crmEndpoint'> {
  return { ...(env.MED_GCP_IAM_ENDPOINT ? { iamEndpoint: env.MED_GCP_IAM_ENDPOINT } : {}), ...(env.MED_GCP_CRM_ENDPOINT ? { crmEndpoint: env.MED_GCP_CRM_ENDPOINT } : {}) };
}

/** What a failed Google API call says: HTTP status, the API's status word and message. */
interface GoogleFailure {
  status: number | undefined;
  detail: string;
}

export function googleFailure(e: unknown): GoogleFailure {
  const err = e as Error & { status?: number; response?: { status?: number; data?: { error?: { status?: string; message?: string } } } };
  const status = err.status ?? err.response?.status;
  const api = err.response?.data?.error;
  const detail = api ? `${api.status ?? `HTTP ${status}`}: ${api.message ?? ''}`.trim() : (err.message.split('\n')[0] ?? String(e));
  return { status, detail };
}

class GoogleApiError extends Error {
  constructor(readonly failure: GoogleFailure) {
    super(failure.detail);
  }
}

export class GcpIdentitySource {
  private client: AuthClient | undefined;
  private readonly iam: string;
  private readonly crm: string;

  constructor(private readonly opts: GcpIdentityOptions = {}) {
    this.client = opts.client;
    this.iam = (opts.iamEndpoint ?? DEFAULT_GCP_IAM_ENDPOINT).replace(/\/+$/, '');
    this.crm = (opts.crmEndpoint ?? DEFAULT_GCP_CRM_ENDPOINT).replace(/\/+$/, '');
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

  /** One call; a Google API error is thrown as {@link GoogleApiError}. */
  private async call<T>(method: 'GET' | 'POST', url: string, signal: AbortSignal, data?: unknown): Promise<T> {
    const allowed = hostAllowed(new URL(url).hostname, this.opts.network ?? 'all');
    if (!allowed.ok) throw new Error(allowed.reason);
    const client = await this.authClient();
    try {
      const res = await client.request<T>({ url, method, ...(data !== undefined ? { data } : {}), signal, timeout: this.opts.timeoutMs ?? 15_000, retry: false });
      return res.data;
    } catch (e) {
      if (signal.aborted) throw e;
      const f = googleFailure(e);
      if (f.status !== undefined) throw new GoogleApiError(f);
      throw e;
    }
  }

  async serviceAccountPolicy(email: string, signal: AbortSignal): Promise<CloudAnswer<IamPolicy>> {
    const via = `IAM getIamPolicy (${new URL(this.iam).host})`;
    const account = `${this.iam}/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}`;
    return guardLookup(
      via,
      signal,
      async () => {
        try {
          // options.requestedPolicyVersion in the query; the API requires an empty body.
          const policy = await this.call<IamPolicy>('POST', `${account}:getIamPolicy?options.requestedPolicyVersion=3`, signal);
          return { state: 'found', via, value: policy ?? {} };
        } catch (e) {
          if (!(e instanceof GoogleApiError) || e.failure.status !== 403) throw e;
          // IAM answers PERMISSION_DENIED for a service account that does not exist too: ask for the account itself.
          return this.denied(email, account, via, e.failure, signal);
        }
      },
      (e) => (e instanceof GoogleApiError ? (e.failure.status === 404 ? { state: 'not-found', via, detail: e.failure.detail } : { state: 'unavailable', via, detail: e.failure.detail }) : undefined),
    );
  }

  private async denied(email: string, account: string, via: string, first: GoogleFailure, signal: AbortSignal): Promise<CloudAnswer<IamPolicy>> {
    try {
      await this.call('GET', account, signal);
      return { state: 'unavailable', via, detail: `${first.detail} (${email} exists: your identity may not read its IAM policy — it needs iam.serviceAccounts.getIamPolicy)` };
    } catch (e) {
      if (!(e instanceof GoogleApiError)) throw e;
      if (e.failure.status === 404) return { state: 'not-found', via, detail: `${e.failure.detail} (getIamPolicy answered ${first.detail.split(':')[0]}, as IAM does for a missing account)` };
      return {
        state: 'unavailable',
        via,
        detail: `${first.detail} — IAM answers this both when ${email} does not exist and when your identity may not read it (iam.serviceAccounts.get / getIamPolicy)`,
      };
    }
  }

  async projectPolicy(project: string, signal: AbortSignal): Promise<CloudAnswer<IamPolicy>> {
    const via = `Resource Manager getIamPolicy (${new URL(this.crm).host})`;
    return guardLookup(
      via,
      signal,
      async () => {
        // Resource Manager takes the options in the body (unlike IAM's service-account getIamPolicy).
        const policy = await this.call<IamPolicy>('POST', `${this.crm}/v1/projects/${encodeURIComponent(project)}:getIamPolicy`, signal, { options: { requestedPolicyVersion: 3 } });
        return { state: 'found', via, value: policy ?? {} };
      },
      (e) => (e instanceof GoogleApiError ? { state: 'unavailable', via, detail: e.failure.detail } : undefined),
    );
  }
}
