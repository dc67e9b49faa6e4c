/**
 * Cloud registry logins (ECR GetAuthorizationToken, an Entra token for ACR's /oauth2/exchange, a Google ADC
 * access token for Artifact Registry / GCR) and, with `--cloud-api`, the registries' own APIs that tell a
 * missing repository from a missing tag and list the tags that exist. SDKs load lazily: a run that never meets
 * a cloud registry never loads them. Endpoints come from the SDKs' own settings (AWS_ENDPOINT_URL_ECR,
 * IDENTITY_ENDPOINT / AZURE_POD_IDENTITY_AUTHORITY_HOST (IMDS) / AZURE_AUTHORITY_HOST, GCE_METADATA_HOST, …),
 * which is also how the tests keep to loopback.
 */

export interface EcrHost {
  registryId: string;
  region: string;
}

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`. */
export function parseEcrHost(host: string): EcrHost | undefined {
  const m = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  return m ? { registryId: m[1]!, region: m[2]! } : undefined;
}

export const isAcrHost = (host: string) => /\.azurecr\.(io|cn|us)$/.test(host);
export const isGoogleHost = (host: string) => /-docker\.pkg\.dev$/.test(host) || /(^|\.)gcr\.io$/.test(host);

/** `<location>-docker.pkg.dev/<project>/<repository>/<package…>`. */
export function parseGarRepository(host: string, repository: string): { location: string; project: string; repository: string; pkg: string } | undefined {
  const m = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host);
  const parts = repository.split('/');
  if (!m || parts.length < 3) return undefined;
  return { location: m[1]!, project: parts[0]!, repository: parts[1]!, pkg: parts.slice(2).join('/') };
}

export interface CloudLogins {
  /** ECR basic credentials (`AWS` + token) from GetAuthorizationToken. */
  ecr(host: EcrHost, signal: AbortSignal): Promise<{ username: string; password: string; expiresAt?: Date }>;
  /** An Entra access token for ACR's /oauth2/exchange, for `scope` (the registry audience, or ARM's). */
  azureToken(scope: string, signal: AbortSignal): Promise<string>;
  /** A Google access token (ADC) used as the password of `oauth2accesstoken`. */
  googleToken(signal: AbortSignal): Promise<string>;
}

export interface CloudLookup {
  status: 'exists' | 'missing-tag' | 'missing-repository';
  tags?: string[];
  via: string;
}

export interface CloudApis {
  ecr(host: EcrHost, repository: string, tag: string, signal: AbortSignal): Promise<CloudLookup>;
  gar(gar: NonNullable<ReturnType<typeof parseGarRepository>>, tag: string, signal: AbortSignal): Promise<CloudLookup>;
}

/** The audience ACR's token exchange always accepts; with `azureADAuthenticationAsArmPolicy` disabled, the only one. */
export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
export const ARM_SCOPE = 'https://management.azure.com/.default';
const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * Whether a Google client error means NOT_FOUND: gRPC code 5, or — over the REST fallback transport, where the
 * HTTP error comes back as it is — HTTP 404.
 */
export function googleNotFound(e: unknown): boolean {
  const err = e as { code?: unknown; status?: unknown };
  return err?.code === 5 || err?.code === 404 || err?.status === 404 || err?.status === 'NOT_FOUND';
}

function errName(e: unknown): string {
  return (e as { name?: string; code?: unknown })?.name ?? '';
}

/** The default logins through the SDKs' default credential chains. */
export function defaultCloudLogins(): CloudLogins {
  // One credential for both ACR audiences, so a login (e.g. the Azure CLI) is looked up once.
  let azure: import('@azure/core-auth').TokenCredential | undefined;
  return {
    async ecr(host, signal) {
      const { ECRClient, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
      const client = new ECRClient({ region: host.region, maxAttempts: 1 });
      try {
        const out = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
        const data = out.authorizationData?.[0];
        if (!data?.authorizationToken) throw new Error('GetAuthorizationToken returned no token');
        const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        return { username: decoded.slice(0, i), password: decoded.slice(i + 1), ...(data.expiresAt ? { expiresAt: new Date(data.expiresAt) } : {}) };
      } finally {
        client.destroy();
      }
    },
    async azureToken(scope, signal) {
      const { DefaultAzureCredential } = await import('@azure/identity');
      azure ??= new DefaultAzureCredential();
      const token = await azure.getToken(scope, { abortSignal: signal });
      if (!token?.token) throw new Error(`no Entra token for ${scope}`);
      return token.token;
    },
    async googleToken() {
      const { GoogleAuth } = await import('google-auth-library');
      const token = await new GoogleAuth({ scopes: [GOOGLE_SCOPE] }).getAccessToken();
      if (!token) throw new Error('Application Default Credentials gave no access token');
      return token;
    },
  };
}

export interface CloudApiOptions {
  /**
   * Artifact Registry API base URL (`MED_GCP_ARTIFACT_REGISTRY_ENDPOINT`, e.g. `http://127.0.0.1:8080`): the client
   * then speaks its REST fallback transport to that host, port and protocol.
   */
  artifactRegistryEndpoint?: string;
}

export function cloudApiOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CloudApiOptions {
  return env.MED_GCP_ARTIFACT_REGISTRY_ENDPOINT ? { artifactRegistryEndpoint: env.MED_GCP_ARTIFACT_REGISTRY_ENDPOINT } : {};
}

/** Client options for `@google-cloud/artifact-registry`: REST (HTTP/1.1) fallback transport, at an endpoint when given. */
export function artifactRegistryClientOptions(endpoint: string | undefined): { fallback: true; apiEndpoint?: string; port?: number; protocol?: string } {
  if (!endpoint) return { fallback: true };
  const u = new URL(endpoint);
  const protocol = u.protocol.replace(/:$/, '');
  return { fallback: true, apiEndpoint: u.hostname, port: Number(u.port || (protocol === 'http' ? 80 : 443)), protocol };
}

/** The default cloud registry APIs (`--cloud-api` only). */
export function defaultCloudApis(opts: CloudApiOptions = cloudApiOptionsFromEnv()): CloudApis {
  return {
    async ecr(host, repository, tag, signal) {
      const { ECRClient, DescribeImagesCommand } = await import('@aws-sdk/client-ecr');
      const client = new ECRClient({ region: host.region, maxAttempts: 1 });
      const via = 'ECR DescribeImages';
      try {
        try {
          await client.send(new DescribeImagesCommand({ registryId: host.registryId, repositoryName: repository, imageIds: [{ imageTag: tag }] }), { abortSignal: signal });
          return { status: 'exists', via };
        } catch (e) {
          if (errName(e) === 'RepositoryNotFoundException') return { status: 'missing-repository', via };
          if (errName(e) !== 'ImageNotFoundException') throw e;
        }
        const page = await client.send(new DescribeImagesCommand({ registryId: host.registryId, repositoryName: repository, maxResults: 100, filter: { tagStatus: 'TAGGED' } }), {
          abortSignal: signal,
        });
        const tags = (page.imageDetails ?? [])
          .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
          .flatMap((d) => d.imageTags ?? []);
        return { status: 'missing-tag', tags, via };
      } finally {
        client.destroy();
      }
    },
    async gar(gar, tag, signal) {
      const { ArtifactRegistryClient } = await import('@google-cloud/artifact-registry');
      // `protocol` is google-gax's fallback-transport option; the generated client passes it through.
      const client = new ArtifactRegistryClient(artifactRegistryClientOptions(opts.artifactRegistryEndpoint) as ConstructorParameters<typeof ArtifactRegistryClient>[0]);
      const via = 'Artifact Registry tags';
      const pkgName = `projects/${gar.project}/locations/${gar.location}/repositories/${gar.repository}/packages/${encodeURIComponent(gar.pkg)}`;
      const abort = () => void client.close();
      signal.addEventListener('abort', abort, { once: true });
      try {
        try {
          await client.getTag({ name: `${pkgName}/tags/${tag}` });
          return { status: 'exists', via };
        } catch (e) {
          if (!googleNotFound(e)) throw e;
        }
        try {
          const [tags] = await client.listTags({ parent: pkgName, pageSize: 100 }, { autoPaginate: false });
          return { status: 'missing-tag', tags: tags.map((t) => (t.name ?? '').split('/').pop() ?? '').filter(Boolean), via };
        } catch (e) {
          if (googleNotFound(e)) return { status: 'missing-repository', via };
          throw e;
        }
      } finally {
        signal.removeEventListener('abort', abort);
        await client.close();
      }
    },
  };
}
