/**
 * Azure side of workload identity, over ARM REST: the user-assigned managed identity with a client id and its
 * federated identity credentials, and the AKS cluster's OIDC issuer. Tokens come from `@azure/identity`
 * (DefaultAzureCredential unless one is given); requests go to a configurable ARM endpoint with `fetch`.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { FederatedCredential } from '../../model-engine/identity.js';
import type { AksCluster, CloudAnswer, ManagedIdentityCredentials } from '../../engine/ports/identity-cloud.js';
import { hostAllowed, type NetworkPolicy } from '../net-policy.js';
import { guardLookup } from './lookup.js';

export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
export const MSI_API_VERSION = '2023-01-31';
export const AKS_API_VERSION = '2024-05-01';
/** Follow at most this many `nextLink` pages per listing. */
const MAX_PAGES = 20;

export interface AzureIdentityOptions {
  credential?: TokenCredential;
  /** ARM base URL (`MED_AZURE_ARM_ENDPOINT`); sovereign clouds use their own. */
  armEndpoint?: string;
  /** Token scope; default `<public ARM>/.default`, or `<armEndpoint>/.default` when the endpoint is overridden. */
  scope?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  network?: NetworkPolicy;
}

export function azureEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<AzureIdentityOptions, 'armEndpoint'> {
  return env.MED_AZURE_ARM_ENDPOINT ? { armEndpoint: env.MED_AZURE_ARM_ENDPOINT } : {};
}

interface ArmList<T> {
  value?: T[];
  nextLink?: string;
}

interface UserAssignedIdentity {
  id: string;
  name: string;
  properties?: { clientId?: string; principalId?: string; tenantId?: string };
}

interface ArmFederatedCredential {
  name: string;
  properties?: { issuer?: string; subject?: string; audiences?: string[] };
}

interface ManagedCluster {
  id: string;
  name: string;
  properties?: {
    nodeResourceGroup?: string;
    oidcIssuerProfile?: { enabled?: boolean; issuerURL?: string };
    securityProfile?: { workloadIdentity?: { enabled?: boolean } };
  };
}

class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class AzureIdentitySource {
  private readonly base: string;
  private credential: TokenCredential | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: AzureIdentityOptions = {}) {
    this.base = (opts.armEndpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
    this.credential = opts.credential;
    this.fetchFn = opts.fetch ?? fetch;
  }

  private async token(signal: AbortSignal): Promise<string> {
    if (!this.credential) {
      // DefaultAzureCredential may reach Entra ID or IMDS: only on a run that may use the network.
      if ((this.opts.network ?? 'all') !== 'all') throw new Error('Azure credentials need the network, which this run may not use');
      const { DefaultAzureCredential } = await import('@azure/identity');
      this.credential = new DefaultAzureCredential();
    }
    const scope = this.opts.scope ?? `${this.opts.armEndpoint ? this.base : DEFAULT_ARM_ENDPOINT}/.default`;
    const t = await this.credential.getToken(scope, { abortSignal: signal });
    if (!t) throw new Error(`no Azure token for ${scope}`);
    return t.token;
  }

  private async get<T>(pathOrUrl: string, signal: AbortSignal): Promise<T> {
    const url = pathOrUrl.startsWith('http') ? new URL(pathOrUrl) : new URL(`${this.base}${pathOrUrl}`);
    // Never send the ARM token anywhere but the ARM host (nextLink comes from the response).
    if (url.origin !== new URL(this.base).origin) throw new ArmError(0, 'UnexpectedHost', `refusing to follow a link to ${url.origin}`);
    const allowed = hostAllowed(url.hostname, this.opts.network ?? 'all');
    if (!allowed.ok) throw new Error(allowed.reason);
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 15_000);
    const res = await this.fetchFn(url, {
      headers: { authorization: `Bearer ${await this.token(signal)}`, accept: 'application/json' },
      signal: AbortSignal.any([signal, timeout]),
    });
    const body = await res.text();
    if (!res.ok) {
      let code = `HTTP ${res.status}`;
      let message = '';
      try {
        const e = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
        code = e?.code ?? code;
        message = e?.message ?? '';
      } catch {
        /* non-JSON error body */
      }
      throw new ArmError(res.status, code, message);
    }
    return JSON.parse(body) as T;
  }

  private async *all<T>(path: string, signal: AbortSignal): AsyncGenerator<T> {
    let next: string | undefined = path;
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const r: ArmList<T> = await this.get<ArmList<T>>(next, signal);
      yield* r.value ?? [];
      next = r.nextLink;
    }
  }

  async federatedCredentials(subscriptionId: string, clientId: string, signal: AbortSignal): Promise<CloudAnswer<ManagedIdentityCredentials>> {
    const via = `ARM Microsoft.ManagedIdentity (${new URL(this.base).host})`;
    return this.guard(via, signal, async () => {
      let identity: UserAssignedIdentity | undefined;
      const want = clientId.toLowerCase();
      for await (const id of this.all<UserAssignedIdentity>(
        `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=${MSI_API_VERSION}`,
        signal,
      )) {
        if (id.properties?.clientId?.toLowerCase() === want) {
          identity = id;
          break;
        }
      }
      if (!identity) return { state: 'not-found', via, detail: `no user-assigned managed identity with client id ${clientId} in subscription ${subscriptionId}` };
      const credentials: FederatedCredential[] = [];
      for await (const c of this.all<ArmFederatedCredential>(`${identity.id}/federatedIdentityCredentials?api-version=${MSI_API_VERSION}`, signal)) {
        credentials.push({ name: c.name, issuer: c.properties?.issuer ?? '', subject: c.properties?.subject ?? '', audiences: c.properties?.audiences ?? [] });
      }
      return { state: 'found', via, value: { identityId: identity.id, name: identity.name, credentials } };
    });
  }

  async aksCluster(subscriptionId: string, nodeResourceGroup: string, signal: AbortSignal): Promise<CloudAnswer<AksCluster>> {
    const via = `ARM Microsoft.ContainerService (${new URL(this.base).host})`;
    return this.guard(via, signal, async () => {
      const want = nodeResourceGroup.toLowerCase();
      for await (const c of this.all<ManagedCluster>(
        `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.ContainerService/managedClusters?api-version=${AKS_API_VERSION}`,
        signal,
      )) {
        if (c.properties?.nodeResourceGroup?.toLowerCase() !== want) continue;
        const p = c.properties;
        return {
          state: 'found',
          via,
          value: {
            id: c.id,
            name: c.name,
            ...(p.oidcIssuerProfile?.enabled && p.oidcIssuerProfile.issuerURL ? { issuerUrl: p.oidcIssuerProfile.issuerURL } : {}),
            ...(p.securityProfile?.workloadIdentity?.enabled !== undefined ? { workloadIdentityEnabled: p.securityProfile.workloadIdentity.enabled } : {}),
          },
        };
      }
      return { state: 'not-found', via, detail: `no AKS cluster with node resource group ${nodeResourceGroup} in subscription ${subscriptionId}` };
    });
  }

  private guard<T>(via: string, signal: AbortSignal, fn: () => Promise<CloudAnswer<T>>): Promise<CloudAnswer<T>> {
    return guardLookup(via, signal, fn, (err) => {
      if (!(err instanceof ArmError)) return undefined;
      const detail = `${err.code}${err.message ? `: ${err.message.split('\n')[0]}` : ''}`;
      return err.status === 404 ? { state: 'not-found', via, detail } : { state: 'unavailable', via, detail };
    });
  }
}
