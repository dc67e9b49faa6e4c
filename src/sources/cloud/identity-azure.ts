/**
 * Azure side of workload identity: the identity a client id names and its federated identity credentials — a
 * user-assigned managed identity (ARM, Microsoft.ManagedIdentity) or, when no managed identity has that client id,
 * an app registration (Microsoft Graph, `applications(appId='…')/federatedIdentityCredentials`) — and the AKS
 * cluster's OIDC issuer (ARM). Listings follow every `nextLink` / `@odata.nextLink` page: an identity on page 30 is
 * found, never reported missing. Tokens come from `@azure/identity` (DefaultAzureCredential unless one is given);
 * requests go to configurable ARM and Graph endpoints with `fetch`.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { DefaultAzureCredentialOptions } from '@azure/identity';
import type { FederatedCredential } from '../../model-engine/identity.js';
import type { AksCluster, CloudAnswer, ManagedIdentityCredentials } from '../../engine/ports/identity-cloud.js';
import { hostAllowed, type NetworkPolicy } from '../net-policy.js';
import { guardLookup } from './lookup.js';

export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
export const DEFAULT_GRAPH_ENDPOINT = 'https://graph.microsoft.com';
export const MSI_API_VERSION = '2023-01-31';
export const AKS_API_VERSION = '2024-05-01';
/**
 * A listing longer than this many pages is reported as "could not finish", not as "not found". No subscription
 * has that many identities; the bound only stops a service that keeps answering the same nextLink.
 */
const PAGE_GUARD = 1000;

export interface AzureIdentityOptions {
  credential?: TokenCredential;
  /** Options for the DefaultAzureCredential made when no credential is given (e.g. `tlsOptions` for a private CA). */
  credentialOptions?: DefaultAzureCredentialOptions;
  /** ARM base URL (`MED_AZURE_ARM_ENDPOINT`); sovereign clouds use their own. */
  armEndpoint?: string;
  /** Microsoft Graph base URL (`MED_AZURE_GRAPH_ENDPOINT`), for app registrations' federated credentials. */
  graphEndpoint?: string;
  /** ARM token scope; default `https://management.azure.com/.default` (`<armEndpoint>/.default` for a sovereign ARM endpoint). */
  scope?: string;
  /** Graph token scope; default `https://graph.microsoft.com/.default`. */
  graphScope?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  network?: NetworkPolicy;
}

export function azureEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<AzureIdentityOptions, 'armEndpoint' | 'graphEndpoint'> {
  return { ...(env.MED_AZURE_ARM_ENDPOINT ? { armEndpoint: env.MED_AZURE_ARM_ENDPOINT } : {}), ...(env.MED_AZURE_GRAPH_ENDPOINT ? { graphEndpoint: env.MED_AZURE_GRAPH_ENDPOINT } : {}) };
}

interface ArmList<T> {
  value?: T[];
  nextLink?: string;
  /** Microsoft Graph's spelling. */
  '@odata.nextLink'?: string;
}

interface GraphApplication {
  id: string;
  appId: string;
  displayName?: string;
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

type Api = 'arm' | 'graph';

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
  private readonly arm: string;
  private readonly graph: string;
  private credential: TokenCredential | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: AzureIdentityOptions = {}) {
    this.arm = (opts.armEndpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, '');
    this.graph = (opts.graphEndpoint ?? DEFAULT_GRAPH_ENDPOINT).replace(/\/+$/, '');
    this.credential = opts.credential;
    this.fetchFn = opts.fetch ?? fetch;
  }

  private async token(scope: string, signal: AbortSignal): Promise<string> {
    if (!this.credential) {
      // DefaultAzureCredential may reach Entra ID or IMDS: only on a run that may use the network.
      if ((this.opts.network ?? 'all') !== 'all') throw new Error('Azure credentials need the network, which this run may not use');
      const { DefaultAzureCredential } = await import('@azure/identity');
      this.credential = new DefaultAzureCredential(this.opts.credentialOptions ?? {});
    }
    const t = await this.credential.getToken(scope, { abortSignal: signal });
    if (!t) throw new Error(`no Azure token for ${scope}`);
    return t.token;
  }

  private scopeFor(api: Api): string {
    if (api === 'graph') return this.opts.graphScope ?? `${DEFAULT_GRAPH_ENDPOINT}/.default`;
    return this.opts.scope ?? `${this.opts.armEndpoint ? this.arm : DEFAULT_ARM_ENDPOINT}/.default`;
  }

  /** GET from ARM or Graph, with that API's token; a link from a response must stay on the API's origin. */
  private async get<T>(kind: Api, pathOrUrl: string, signal: AbortSignal): Promise<T> {
    const api = kind === 'graph' ? this.graph : this.arm;
    const url = pathOrUrl.startsWith('http') ? new URL(pathOrUrl) : new URL(`${api}${pathOrUrl}`);
    // Never send a token anywhere but the host it is for (nextLink comes from the response).
    if (url.origin !== new URL(api).origin) throw new ArmError(0, 'UnexpectedHost', `refusing to follow a link to ${url.origin}`);
    const allowed = hostAllowed(url.hostname, this.opts.network ?? 'all');
    if (!allowed.ok) throw new Error(allowed.reason);
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 15_000);
    const res = await this.fetchFn(url, {
      headers: { authorization: `Bearer ${await this.token(this.scopeFor(kind), signal)}`, accept: 'application/json' },
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

  /** Every item of a listing, following each next link until there is none. */
  private async *all<T>(api: Api, path: string, signal: AbortSignal): AsyncGenerator<T> {
    let next: string | undefined = path;
    const seen = new Set<string>();
    for (let page = 0; next; page++) {
      if (seen.has(next) || page >= PAGE_GUARD) throw new ArmError(0, 'PagingStopped', `stopped after ${page} pages of ${path.split('?')[0]} (the service kept answering with more)`);
      seen.add(next);
      const r: ArmList<T> = await this.get<ArmList<T>>(api, next, signal);
      yield* r.value ?? [];
      next = r.nextLink ?? r['@odata.nextLink'];
    }
  }

  async federatedCredentials(subscriptionId: string, clientId: string, signal: AbortSignal): Promise<CloudAnswer<ManagedIdentityCredentials>> {
    const via = `ARM Microsoft.ManagedIdentity (${new URL(this.arm).host})`;
    const answer = await this.guard(via, signal, async (): Promise<CloudAnswer<ManagedIdentityCredentials>> => {
      let identity: UserAssignedIdentity | undefined;
      const want = clientId.toLowerCase();
      for await (const id of this.all<UserAssignedIdentity>(
        'arm',
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
      for await (const c of this.all<ArmFederatedCredential>('arm', `${identity.id}/federatedIdentityCredentials?api-version=${MSI_API_VERSION}`, signal)) {
        credentials.push({ name: c.name, issuer: c.properties?.issuer ?? '', subject: c.properties?.subject ?? '', audiences: c.properties?.audiences ?? [] });
      }
      return { state: 'found', via, value: { kind: 'managed-identity', identityId: identity.id, name: identity.name, credentials } };
    });
    if (answer.state !== 'not-found') return answer;
    // Not a managed identity of this subscription: an app registration keeps its credentials in Microsoft Graph.
    const app = await this.appRegistration(clientId, signal);
    if (app.state === 'not-found') return { state: 'not-found', via: `${via}; ${app.via}`, detail: `${answer.detail ?? 'not found'}, and ${app.detail ?? 'no app registration has it'}` };
    return app;
  }

  private appRegistration(clientId: string, signal: AbortSignal): Promise<CloudAnswer<ManagedIdentityCredentials>> {
    const via = `Microsoft Graph applications (${new URL(this.graph).host})`;
    return this.guard(via, signal, async () => {
      let app: GraphApplication;
      try {
        app = await this.get<GraphApplication>('graph', `/v1.0/applications(appId='${encodeURIComponent(clientId)}')?$select=id,appId,displayName`, signal);
      } catch (e) {
        if (e instanceof ArmError && e.status === 404) return { state: 'not-found', via, detail: `no app registration with client id ${clientId} in this tenant (${e.code})` };
        throw e;
      }
      const credentials: FederatedCredential[] = [];
      for await (const c of this.all<{ name: string; issuer?: string; subject?: string; audiences?: string[] }>('graph', `/v1.0/applications/${encodeURIComponent(app.id)}/federatedIdentityCredentials`, signal)) {
        credentials.push({ name: c.name, issuer: c.issuer ?? '', subject: c.subject ?? '', audiences: c.audiences ?? [] });
      }
      return { state: 'found', via, value: { kind: 'app-registration', identityId: app.id, name: app.displayName ?? app.appId, credentials } };
    });
  }

  async aksCluster(subscriptionId: string, nodeResourceGroup: string, signal: AbortSignal): Promise<CloudAnswer<AksCluster>> {
    const via = `ARM Microsoft.ContainerService (${new URL(this.arm).host})`;
    return this.guard(via, signal, async () => {
      const want = nodeResourceGroup.toLowerCase();
      for await (const c of this.all<ManagedCluster>(
        'arm',
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
