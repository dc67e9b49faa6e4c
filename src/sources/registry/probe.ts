/**
 * The OCI distribution probe: `HEAD /v2/<name>/manifests/<tag>` with the index/manifest Accept headers, the
 * Bearer/Basic challenge dance, platform checks against the nodes' architectures, and "which credential answered".
 * A manifest GET is made only when the nodes' platforms must be read from it (or the registry refuses HEAD):
 * Docker Hub counts manifest GETs against its pull rate limit, HEADs it does not. A 429 or a 5xx (from the
 * registry or its token service) is "rate-limited" / "registry-error" for that credential, and the others are still
 * tried. Concurrency is bounded per registry; every request times out.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { ForbiddenError } from '../../engine/errors.js';
import { parseImageRef } from '../../engine/kube-types.js';
import { get, records, str, strings } from '../../engine/safe.js';
import type { CredentialUse, ImageProbe, ImageProbeRequest, ImageProbeStatus, RegistryPort } from '../../engine/ports/registry.js';
import type { KubePort } from '../../engine/types.js';
import { ACR_SCOPE, ARM_SCOPE, defaultCloudApis, defaultCloudLogins, isAcrHost, isGoogleHost, parseEcrHost, parseGarRepository, type CloudApis, type CloudLogins } from './cloud.js';
import { runCredentialHelper } from './cred-helper.js';
import {
  credentialsForHost,
  dockerConfigCredentialsForHost,
  dockerConfigFromSecret,
  dockerConfigPath,
  parseChallenge,
  readDockerConfig,
  type Credential,
  type DockerConfigJson,
} from './credentials.js';
import { NetworkError, request, type HttpResponse } from './http.js';
import { hostAllowed, isLoopbackHost, policyFromEnv, type NetworkPolicy } from '../net-policy.js';

/** The network policy refused a host: reported, never contacted. */
class NotProbedError extends Error {}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

export interface RegistryPortOptions {
  /** Cluster access, for the pull secrets of service accounts. */
  kube?: KubePort;
  /** Allow the registries' own cloud APIs (ECR DescribeImages, Artifact Registry tags). */
  cloudApi?: boolean;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Requests in flight per registry host. */
  perRegistryConcurrency?: number;
  /** docker config path; default `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
  dockerConfig?: string;
  /** Extra CA certificates per registry host; plus `<certsDir>/<host>/ca.crt` as docker reads them. */
  ca?: Readonly<Record<string, readonly string[]>>;
  certsDir?: string;
  /** Reach a registry host at another address (a proxy, or the tests' loopback registry). */
  connectTo?: Readonly<Record<string, { host: string; port: number }>>;
  logins?: Partial<CloudLogins>;
  cloudApis?: Partial<CloudApis>;
  now?: () => Date;
  /** Where probes may connect (default: `MED_NETWORK`, else all). */
  network?: NetworkPolicy;
}

type RateLimit = NonNullable<ImageProbe['rateLimit']>;

type Attempt =
  | { kind: 'answer'; status: 'exists' | 'missing-tag' | 'missing-repository' | 'platform-missing'; probe: Partial<ImageProbe> }
  | { kind: 'rejected'; httpStatus: number; detail: string }
  /** 429 (rate-limited) or 5xx from the registry or its token service: this credential got no answer. */
  | { kind: 'throttled'; httpStatus: number; detail: string; rateLimit: RateLimit }
  | { kind: 'server-error'; httpStatus: number; detail: string }
  | { kind: 'forbidden'; httpStatus: number; detail: string }
  | { kind: 'network'; tls: boolean; code: string; detail: string }
  | { kind: 'not-probed'; detail: string }
  | { kind: 'error'; httpStatus?: number; detail: string; code?: string };

interface Target {
  host: string;
  repository: string;
  reference: string;
  base: string;
}

type SecretRead = { cfg?: DockerConfigJson; problem?: 'unavailable' | 'error'; detail?: string };

const RANK: Record<string, number> = { exists: 4, 'platform-missing': 3, 'missing-tag': 2, 'missing-repository': 1 };

/** `linux/amd64` for a kubernetes.io/arch value. */
export const platformFor = (arch: string) => `linux/${arch}`;

/** The `linux/<arch>` platforms the nodes need that an image does not provide. */
export function missingPlatforms(available: readonly string[], architectures: readonly string[]): string[] {
  return [...new Set(architectures)]
    .map(platformFor)
    .filter((need) => !available.some((p) => p === need || p.startsWith(`${need}/`) || (need === 'linux/arm64' && p === 'linux/arm64/v8')));
}

/** What a 429 says about the limit: `Retry-After`, Docker Hub's `ratelimit-limit` / `ratelimit-remaining` / `docker-ratelimit-source`. */
export function rateLimitOf(headers: Record<string, string | undefined>): RateLimit {
  const h = (k: string) => headers[k]?.trim() || undefined;
  const out: RateLimit = {};
  const retryAfter = h('retry-after');
  const limit = h('ratelimit-limit') ?? h('x-ratelimit-limit');
  const remaining = h('ratelimit-remaining') ?? h('x-ratelimit-remaining');
  const source = h('docker-ratelimit-source');
  if (retryAfter) out.retryAfter = retryAfter;
  if (limit) out.limit = limit;
  if (remaining) out.remaining = remaining;
  if (source) out.source = source;
  return out;
}

/** `100 pulls per 21600 s window, 0 left, retry after 3600 s` from the headers, for people. */
export function describeRateLimit(r: RateLimit): string {
  const parts: string[] = [];
  const window = (v: string) => {
    const m = /^(\d+)(?:;w=(\d+))?/.exec(v);
    return m ? `${m[1]}${m[2] ? ` per ${m[2]} s` : ''}` : v;
  };
  if (r.limit) parts.push(`limit ${window(r.limit)}`);
  if (r.remaining) parts.push(`${window(r.remaining).split(' ')[0]} left`);
  if (r.retryAfter) parts.push(`retry after ${/^\d+$/.test(r.retryAfter) ? `${r.retryAfter} s` : r.retryAfter}`);
  if (r.source) parts.push(`counted against ${r.source}`);
  return parts.join(', ');
}

/** A token service that could not answer (429 or 5xx), as opposed to one that refused the credential. */
class TokenServiceError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | undefined>,
    readonly host: string,
  ) {
    super(`the token service ${host} answered HTTP ${status}`);
  }
}

/** A registry's body as JSON, or undefined when it is not JSON (read with the accessors of src/engine/safe.ts). */
function jsonOf(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function registryErrorCode(body: Buffer): { code?: string; message?: string } {
  const j = jsonOf(body);
  const code = str(j, 'errors', 0, 'code');
  const message = str(j, 'errors', 0, 'message');
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

export class OciRegistryPort implements RegistryPort {
  private readonly memo = new Map<string, Promise<ImageProbe>>();
  private readonly limits = new Map<string, LimitFunction>();
  private readonly tokens = new Map<string, Promise<string | undefined>>();
  private readonly secrets = new Map<string, Promise<SecretRead>>();
  private readonly helperAnswers = new Map<string, ReturnType<typeof runCredentialHelper>>();
  private dockerCfg?: Promise<DockerConfigJson | undefined>;
  private readonly logins: CloudLogins;
  private readonly apis: CloudApis;
  private readonly now: () => Date;

  constructor(private readonly opts: RegistryPortOptions = {}) {
    this.logins = { ...defaultCloudLogins(), ...opts.logins };
    this.apis = { ...defaultCloudApis(), ...opts.cloudApis };
    this.now = opts.now ?? (() => new Date());
  }

  probe(req: ImageProbeRequest, signal: AbortSignal): Promise<ImageProbe> {
    const key = JSON.stringify([
      req.ref,
      [...(req.architectures ?? [])].sort(),
      [...(req.pullSecrets ?? [])].map((s) => `${s.namespace}/${s.name}`).sort(),
    ]);
    let p = this.memo.get(key);
    if (!p) {
      p = this.probeUncached(req, signal);
      this.memo.set(key, p);
    }
    return p;
  }

  private limit(host: string): LimitFunction {
    let l = this.limits.get(host);
    if (!l) this.limits.set(host, (l = pLimit(this.opts.perRegistryConcurrency ?? 4)));
    return l;
  }

  private async caFor(host: string): Promise<string[]> {
    const out = [...(this.opts.ca?.[host] ?? [])];
    try {
      out.push(await readFile(join(this.opts.certsDir ?? '/etc/docker/certs.d', host, 'ca.crt'), 'utf8'));
    } catch {
      // No per-registry CA: the system trust store applies.
    }
    return out;
  }

  /** Any request on behalf of a registry: its CA bundle and address override apply to whichever host the URL names. */
  private async send(limitHost: string, r: { method: 'GET' | 'HEAD' | 'POST'; url: string; headers: Record<string, string>; body?: string }, signal: AbortSignal): Promise<HttpResponse> {
    const url = new URL(r.url);
    const host = url.host;
    const ca = await this.caFor(host);
    const connectTo = this.opts.connectTo?.[host];
    const allowed = hostAllowed(connectTo?.host ?? url.hostname, this.opts.network ?? policyFromEnv());
    if (!allowed.ok) throw new NotProbedError(allowed.reason);
    return this.limit(limitHost)(() =>
      request({
        ...r,
        timeoutMs: this.opts.timeoutMs ?? 10_000,
        signal,
        ...(ca.length ? { ca } : {}),
        ...(connectTo ? { connectTo } : {}),
      }),
    );
  }

  private http(t: Target, method: 'GET' | 'HEAD', path: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpResponse> {
    return this.send(t.host, { method, url: `${t.base}${path}`, headers }, signal);
  }

  private async probeUncached(req: ImageProbeRequest, signal: AbortSignal): Promise<ImageProbe> {
    const parsed = parseImageRef(req.ref);
    const host = parsed.registry === 'docker.io' ? 'registry-1.docker.io' : parsed.registry;
    const target: Target = { host, repository: parsed.repository, reference: parsed.digest ?? parsed.tag ?? 'latest', base: `https://${host}` };
    const archs = req.architectures ?? [];
    const base: ImageProbe = {
      ref: req.ref,
      registry: parsed.registry,
      repository: parsed.repository,
      reference: target.reference,
      status: 'unauthorized',
      detail: '',
      checkedWith: [],
    };

    let best: { attempt: Extract<Attempt, { kind: 'answer' }>; label: string } | undefined;
    let sawForbidden: Extract<Attempt, { kind: 'forbidden' }> | undefined;
    let lastRejected: Extract<Attempt, { kind: 'rejected' }> | undefined;
    let throttled: Extract<Attempt, { kind: 'throttled' }> | undefined;
    let serverError: Extract<Attempt, { kind: 'server-error' }> | undefined;
    const configHost = parsed.registry;

    const candidates: (() => Promise<Credential[]>)[] = [
      async () => [{ kind: 'anonymous', label: 'anonymous' }],
      () => this.pullSecretCredentials(configHost, req.pullSecrets ?? []),
      () => this.dockerConfigCredentials(configHost, signal),
      () => this.cloudCredentials(host, signal, 'primary'),
      // ACR: a token for the ARM audience, only when the registry audience's did not get an answer.
      () => this.cloudCredentials(host, signal, 'fallback'),
    ];

    for (const next of candidates) {
      if (best?.attempt.status === 'exists') break;
      const creds = await next();
      for (const cred of creds) {
        if (best?.attempt.status === 'exists') break;
        if (cred.kind === 'unusable') {
          base.checkedWith.push({ label: cred.label, outcome: cred.outcome, detail: cred.detail, ...(cred.expiresAt ? { expiresAt: cred.expiresAt.toISOString() } : {}) });
          continue;
        }
        signal.throwIfAborted();
        const a = await this.attempt(target, cred, archs, signal);
        if (a.kind === 'not-probed') return { ...base, status: 'not-probed', detail: a.detail };
        const use: CredentialUse = {
          label: cred.label,
          outcome:
            a.kind === 'answer'
              ? 'answered'
              : a.kind === 'rejected'
                ? 'rejected'
                : a.kind === 'forbidden'
                  ? 'forbidden'
                  : a.kind === 'throttled'
                    ? 'rate-limited'
                    : a.kind === 'server-error'
                      ? 'registry-error'
                      : 'error',
          detail: a.kind === 'answer' ? (a.probe.detail ?? a.status) : a.detail,
          ...(cred.kind === 'basic' && cred.expiresAt ? { expiresAt: cred.expiresAt.toISOString() } : {}),
        };
        base.checkedWith.push(use);
        if (a.kind === 'network') {
          // The registry cannot be reached at all: no other credential will change that.
          return {
            ...base,
            status: a.tls ? 'tls-error' : 'unreachable',
            errorCode: a.code,
            detail: a.detail,
          };
        }
        if (a.kind === 'answer' && (!best || RANK[a.status]! > RANK[best.attempt.status]!)) best = { attempt: a, label: cred.label };
        if (a.kind === 'forbidden') sawForbidden = a;
        if (a.kind === 'rejected') lastRejected = a;
        // Rate-limited or failing for this credential: another one may still get an answer (Docker Hub limits
        // anonymous pulls per IP, authenticated ones per account).
        if (a.kind === 'throttled') throttled = a;
        if (a.kind === 'server-error') serverError = a;
        if (a.kind === 'error') {
          return { ...base, status: 'unreachable', ...(a.httpStatus ? { httpStatus: a.httpStatus } : {}), ...(a.code ? { errorCode: a.code } : {}), detail: a.detail };
        }
      }
    }

    let result: ImageProbe;
    if (best) {
      result = { ...base, ...best.attempt.probe, status: best.attempt.status, answeredBy: best.label, detail: best.attempt.probe.detail ?? best.attempt.status };
    } else if (sawForbidden) {
      result = { ...base, status: 'denied', httpStatus: sawForbidden.httpStatus, detail: sawForbidden.detail };
    } else if (throttled) {
      const limits = describeRateLimit(throttled.rateLimit);
      result = { ...base, status: 'rate-limited', httpStatus: throttled.httpStatus, errorCode: 'TOOMANYREQUESTS', rateLimit: throttled.rateLimit, detail: `${throttled.detail}${limits ? ` (${limits})` : ''}` };
    } else if (serverError) {
      result = { ...base, status: 'registry-error', httpStatus: serverError.httpStatus, detail: serverError.detail };
    } else {
      result = { ...base, status: 'unauthorized', ...(lastRejected ? { httpStatus: lastRejected.httpStatus } : {}), detail: lastRejected?.detail ?? 'no credential was accepted' };
    }
    if (this.opts.cloudApi && result.status !== 'exists' && result.status !== 'platform-missing' && parsed.tag && !parsed.digest) {
      result = await this.refineWithCloudApi(result, host, parsed.repository, parsed.tag, signal);
    }
    return result;
  }

  private async refineWithCloudApi(result: ImageProbe, host: string, repository: string, tag: string, signal: AbortSignal): Promise<ImageProbe> {
    const ecr = parseEcrHost(host);
    const gar = parseGarRepository(host, repository);
    if ((ecr && this.cloudLoginRefused('ecr')) || (gar && this.cloudLoginRefused('google'))) return result;
    try {
      const lookup = ecr ? await this.apis.ecr(ecr, repository, tag, signal) : gar ? await this.apis.gar(gar, tag, signal) : undefined;
      if (!lookup) return result;
      if (lookup.status === 'exists') {
        // The API sees it, the registry refused every credential: an access problem, not a missing image.
        return { ...result, cloudApi: lookup.via, detail: `${result.detail}; ${lookup.via} shows the tag exists, so the pull credentials are the problem` };
      }
      const status: ImageProbeStatus = lookup.status;
      return {
        ...result,
        status: result.status === 'unauthorized' || result.status === 'denied' || result.status === 'missing-tag' || result.status === 'missing-repository' ? status : result.status,
        ...(lookup.tags ? { tags: lookup.tags.slice(0, 50) } : {}),
        cloudApi: lookup.via,
        detail: status === 'missing-repository' ? `repository ${repository} does not exist (${lookup.via})` : `tag ${tag} does not exist in ${repository} (${lookup.via})`,
      };
    } catch (e) {
      return { ...result, detail: `${result.detail}; cloud API lookup failed: ${cloudErrorText(e)}` };
    }
  }

  // --- credentials ---------------------------------------------------------------------------

  /** The user's docker config, credential helpers included (run as the docker CLI runs them). */
  private async dockerConfigCredentials(host: string, signal: AbortSignal): Promise<Credential[]> {
    const path = this.opts.dockerConfig ?? dockerConfigPath();
    this.dockerCfg ??= readDockerConfig(path);
    const cfg = await this.dockerCfg;
    if (!cfg) return [];
    return dockerConfigCredentialsForHost(cfg, host, `docker config ${path}`, this.now(), (helper, serverUrl) => {
      const key = `${helper}\0${serverUrl}`;
      let p = this.helperAnswers.get(key);
      if (!p) this.helperAnswers.set(key, (p = runCredentialHelper(helper, serverUrl, { timeoutMs: this.opts.timeoutMs ?? 10_000, signal })));
      return p;
    });
  }

  private readSecret(namespace: string, name: string): Promise<SecretRead> {
    const key = `${namespace}/${name}`;
    let p = this.secrets.get(key);
    if (!p) {
      p = (async () => {
        const kube = this.opts.kube;
        if (!kube) return { problem: 'unavailable' as const, detail: 'no cluster to read it from' };
        try {
          const s = await kube.get<{ metadata: { name: string }; type?: string; data?: Record<string, string> }>('secrets', name, namespace);
          if (!s) return { problem: 'unavailable' as const, detail: `Secret ${name} does not exist in namespace ${namespace}: the kubelet cannot use it` };
          const cfg = dockerConfigFromSecret(s);
          if (!cfg) return { problem: 'error' as const, detail: `Secret ${name} is not a docker config (type ${s.type ?? 'unknown'})` };
          return { cfg };
        } catch (e) {
          if (e instanceof ForbiddenError) return { problem: 'unavailable' as const, detail: `${e.message} (the doctor cannot read it)` };
          throw e;
        }
      })();
      this.secrets.set(key, p);
    }
    return p;
  }

  private async pullSecretCredentials(host: string, secrets: readonly { namespace: string; name: string }[]): Promise<Credential[]> {
    const out: Credential[] = [];
    for (const s of secrets) {
      const label = `pull secret ${s.namespace}/${s.name}`;
      const { cfg, problem, detail } = await this.readSecret(s.namespace, s.name);
      if (!cfg) {
        out.push({ kind: 'unusable', label, outcome: problem ?? 'error', detail: detail ?? 'unreadable' });
        continue;
      }
      const creds = credentialsForHost(cfg, host, label, this.now());
      if (creds.length === 0) out.push({ kind: 'unusable', label, outcome: 'unavailable', detail: `has no credentials for ${host}` });
      out.push(...creds);
    }
    return out;
  }

  /**
   * This machine's cloud login for a cloud registry. ACR gets two tries, in order: an Entra token for the registry's
   * own audience (`https://containerregistry.azure.net`), which every registry accepts — registries with
   * `azureADAuthenticationAsArmPolicy` disabled (a built-in Azure Policy) accept nothing else — then (`fallback`) one
   * for ARM, which older setups expect.
   */
  private async cloudCredentials(host: string, signal: AbortSignal, which: 'primary' | 'fallback'): Promise<Credential[]> {
    const ecr = parseEcrHost(host);
    const kind = ecr ? 'ecr' : isAcrHost(host) ? 'acr' : isGoogleHost(host) ? 'google' : undefined;
    if (!kind || (which === 'fallback' && kind !== 'acr')) return [];
    const acrScope = which === 'primary' ? ACR_SCOPE : ARM_SCOPE;
    const acrLabel = `Entra token for ${acrScope.replace(/\/\.default$/, '')} (your Azure identity), exchanged at ACR /oauth2/exchange`;
    const label = kind === 'ecr' ? 'ECR GetAuthorizationToken' : kind === 'acr' ? acrLabel : 'Google ADC';
    const why = this.cloudLoginRefused(kind);
    if (why) return which === 'primary' ? [{ kind: 'unusable', label, outcome: 'unavailable', detail: why }] : [];
    try {
      if (ecr) {
        const c = await this.logins.ecr(ecr, signal);
        return [{ kind: 'basic', label: 'ECR GetAuthorizationToken (your AWS credentials)', username: c.username, password: c.password, ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}) }];
      }
      if (kind === 'acr') {
        const token = await this.logins.azureToken(acrScope, signal);
        return [{ kind: 'refresh-token', label: acrLabel, refreshToken: `entra:${token}` }];
      }
      const token = await this.logins.googleToken(signal);
      return [{ kind: 'basic', label: 'Google ADC access token (your Google identity)', username: 'oauth2accesstoken', password: token }];
    } catch (e) {
      if (signal.aborted) throw e;
      return [{ kind: 'unusable', label, outcome: 'unavailable', detail: `no cloud credentials: ${(e as Error).message.split('\n')[0]}` }];
    }
  }

  /**
   * Cloud logins go through the SDKs, whose endpoints the policy cannot see per request: under `loopback` they run
   * only when their endpoint is configured to loopback (AWS_ENDPOINT_URL_ECR; IDENTITY_ENDPOINT, or else the IMDS
   * host AZURE_POD_IDENTITY_AUTHORITY_HOST; GCE_METADATA_HOST), unless the logins were injected.
   */
  private cloudLoginRefused(kind: 'ecr' | 'acr' | 'google'): string | undefined {
    const policy = this.opts.network ?? policyFromEnv();
    if (policy === 'all') return undefined;
    const injected = kind === 'ecr' ? this.opts.logins?.ecr : kind === 'acr' ? this.opts.logins?.azureToken : this.opts.logins?.googleToken;
    if (injected) return undefined;
    if (policy === 'none') return 'network probes are disabled; no cloud login was attempted';
    const env = process.env;
    const endpoint = kind === 'ecr' ? (env.AWS_ENDPOINT_URL_ECR ?? env.AWS_ENDPOINT_URL) : kind === 'acr' ? (env.IDENTITY_ENDPOINT ?? env.AZURE_POD_IDENTITY_AUTHORITY_HOST) : env.GCE_METADATA_HOST ? `http://${env.GCE_METADATA_HOST}` : undefined;
    let h: string | undefined;
    try {
      h = endpoint ? new URL(endpoint).hostname : undefined;
    } catch {
      h = undefined;
    }
    return h && isLoopbackHost(h) ? undefined : 'this run may reach loopback addresses only; no cloud login was attempted';
  }

  // --- one credential against the registry ---------------------------------------------------

  /** Get a Bearer token for a challenge with a credential; undefined when the token service refused it. */
  private bearerToken(t: Target, cred: Exclude<Credential, { kind: 'unusable' }>, params: Record<string, string>, signal: AbortSignal): Promise<string | undefined> {
    const scope = params.scope ?? `repository:${t.repository}:pull`;
    const key = JSON.stringify([params.realm, params.service, scope, cred.label]);
    let p = this.tokens.get(key);
    if (!p) {
      p = this.fetchToken(t, cred, params.realm ?? '', params.service ?? '', scope, signal);
      this.tokens.set(key, p);
    }
    return p;
  }

  private async fetchToken(t: Target, cred: Exclude<Credential, { kind: 'unusable' }>, realm: string, service: string, scope: string, signal: AbortSignal): Promise<string | undefined> {
    const realmUrl = new URL(realm);
    const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
    const post = (url: string, body: string) =>
      this.send(t.host, { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, signal);
    if (cred.kind === 'refresh-token') {
      let refreshToken = cred.refreshToken;
      if (refreshToken.startsWith('entra:')) {
        // ACR: exchange the Entra access token for an ACR refresh token at the realm's origin.
        const ex = await post(`${realmUrl.origin}/oauth2/exchange`, form({ grant_type: 'access_token', service, access_token: refreshToken.slice(6) }));
        unavailableTokenService(ex, realmUrl.host);
        if (ex.status !== 200) return undefined;
        refreshToken = (JSON.parse(ex.body.toString('utf8')) as { refresh_token?: string }).refresh_token ?? '';
        if (!refreshToken) return undefined;
      }
      const res = await post(realm, form({ grant_type: 'refresh_token', service, scope, refresh_token: refreshToken, client_id: 'model-engine-doctor' }));
      unavailableTokenService(res, realmUrl.host);
      if (res.status !== 200) return undefined;
      const j = JSON.parse(res.body.toString('utf8')) as { access_token?: string; token?: string };
      return j.access_token ?? j.token;
    }
    realmUrl.searchParams.set('service', service);
    realmUrl.searchParams.set('scope', scope);
    const headers: Record<string, string> =
      cred.kind === 'basic' ? { authorization: `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}` } : {};
    const res = await this.send(t.host, { method: 'GET', url: realmUrl.toString(), headers }, signal);
    unavailableTokenService(res, realmUrl.host);
    if (res.status !== 200) return undefined;
    const j = JSON.parse(res.body.toString('utf8')) as { access_token?: string; token?: string };
    return j.token ?? j.access_token;
  }

  private async attempt(t: Target, cred: Exclude<Credential, { kind: 'unusable' }>, archs: readonly string[], signal: AbortSignal): Promise<Attempt> {
    try {
      return await this.attemptInner(t, cred, archs, signal);
    } catch (e) {
      if (e instanceof NotProbedError) return { kind: 'not-probed', detail: e.message };
      if (e instanceof TokenServiceError) {
        // Not "credentials rejected": the token service could not answer (rate limit, outage).
        return e.status === 429
          ? { kind: 'throttled', httpStatus: 429, detail: `the token service ${e.host} is rate-limiting requests (429) with ${cred.label}`, rateLimit: rateLimitOf(e.headers) }
          : { kind: 'server-error', httpStatus: e.status, detail: `the token service ${e.host} answered HTTP ${e.status} with ${cred.label}` };
      }
      if (e instanceof NetworkError) {
        if (e.code === 'ABORTED') throw e;
        return { kind: 'network', tls: e.tls, code: e.code, detail: `${t.host}: ${e.message}` };
      }
      if (e instanceof SyntaxError) return { kind: 'error', detail: `${t.host} answered with something that is not JSON` };
      throw e;
    }
  }

  private async attemptInner(t: Target, cred: Exclude<Credential, { kind: 'unusable' }>, archs: readonly string[], signal: AbortSignal): Promise<Attempt> {
    let auth: string | undefined = cred.kind === 'basic' ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}` : undefined;
    let authorized = false;

    /** A registry request that answers a challenge once with this credential. */
    const call = async (method: 'GET' | 'HEAD', path: string, accept?: string): Promise<HttpResponse | Attempt> => {
      const headers = (): Record<string, string> => ({ ...(accept ? { accept } : {}), ...(auth ? { authorization: auth } : {}) });
      let res = await this.http(t, method, path, headers(), signal);
      if (res.status === 401 && !authorized) {
        authorized = true;
        const ch = parseChallenge(res.headers['www-authenticate']);
        if (ch?.scheme === 'bearer' && ch.params.realm) {
          const token = await this.bearerToken(t, cred, ch.params, signal);
          if (!token) return { kind: 'rejected', httpStatus: 401, detail: `the token service ${new URL(ch.params.realm).host} refused ${cred.label}` };
          auth = `Bearer ${token}`;
          res = await this.http(t, method, path, headers(), signal);
        } else if (ch?.scheme === 'basic' && cred.kind === 'basic' && !auth) {
          auth = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
          res = await this.http(t, method, path, headers(), signal);
        }
      }
      if (res.status === 401) {
        const { code, message } = registryErrorCode(res.body);
        return { kind: 'rejected', httpStatus: 401, detail: `401 ${code ?? 'Unauthorized'}${message ? `: ${message}` : ''} with ${cred.label}` };
      }
      if (res.status === 403) {
        const { code, message } = registryErrorCode(res.body);
        return { kind: 'forbidden', httpStatus: 403, detail: `403 ${code ?? 'Forbidden'}${message ? `: ${message}` : ''} with ${cred.label}` };
      }
      if (res.status === 429) {
        const { message } = registryErrorCode(res.body);
        return { kind: 'throttled', httpStatus: 429, detail: `${t.host} is rate-limiting ${method} requests (429) with ${cred.label}${message ? `: ${message}` : ''}`, rateLimit: rateLimitOf(res.headers) };
      }
      if (res.status >= 500) return { kind: 'server-error', httpStatus: res.status, detail: `${t.host} answered HTTP ${res.status} with ${cred.label}` };
      return res;
    };
    const isRes = (x: HttpResponse | Attempt): x is HttpResponse => 'status' in x && 'headers' in x;

    const manifestPath = `/v2/${t.repository}/manifests/${t.reference}`;
    let res = await call('HEAD', manifestPath, MANIFEST_ACCEPT);
    if (!isRes(res)) return res;
    // GET only for a registry that does not do HEAD: a 200 without a digest header still says the tag exists.
    if (res.status === 405 || res.status === 501) {
      res = await call('GET', manifestPath, MANIFEST_ACCEPT);
      if (!isRes(res)) return res;
    }
    if (res.status === 404) {
      // Tell a missing repository from a missing tag: the tag list of a missing repository is NAME_UNKNOWN.
      const tagsRes = await call('GET', `/v2/${t.repository}/tags/list?n=1000`);
      if (isRes(tagsRes) && tagsRes.status === 200) {
        // A registry's answer is someone else's JSON: a body that is not JSON, or tags that are not strings, mean none.
        const tags = strings(jsonOf(tagsRes.body), 'tags').slice(0, 1000);
        return {
          kind: 'answer',
          status: 'missing-tag',
          probe: { httpStatus: 404, errorCode: 'MANIFEST_UNKNOWN', tags, detail: `tag ${t.reference} does not exist in ${t.host}/${t.repository} (${tags.length} other tags)` },
        };
      }
      if (isRes(tagsRes) && tagsRes.status === 404) {
        const { code } = registryErrorCode(tagsRes.body);
        return {
          kind: 'answer',
          status: 'missing-repository',
          probe: { httpStatus: 404, errorCode: code ?? 'NAME_UNKNOWN', detail: `repository ${t.repository} does not exist in ${t.host}` },
        };
      }
      return { kind: 'answer', status: 'missing-tag', probe: { httpStatus: 404, detail: `${t.repository}:${t.reference} does not exist in ${t.host} (the repository's tags could not be listed)` } };
    }
    if (res.status !== 200) return { kind: 'error', httpStatus: res.status, detail: `${t.host} answered HTTP ${res.status} for the manifest` };

    const digest = res.headers['docker-content-digest'];
    const mediaType = (res.headers['content-type'] ?? '').split(';')[0]!.trim();
    const found: Partial<ImageProbe> = { httpStatus: 200, ...(digest ? { digest } : {}), ...(mediaType ? { mediaType } : {}) };
    if (archs.length === 0) return { kind: 'answer', status: 'exists', probe: { ...found, detail: `exists${digest ? ` (${digest})` : ''}` } };

    // Platforms: an index lists them; a single image says it in its config blob.
    let body = res.body;
    if (res.headers['content-length'] === undefined || body.length === 0) {
      const full = await call('GET', manifestPath, MANIFEST_ACCEPT);
      if (!isRes(full)) return full;
      body = full.body;
    }
    const manifest = jsonOf(body);
    const platformOf = (p: unknown) => ({ os: str(p, 'os'), architecture: str(p, 'architecture'), variant: str(p, 'variant') });
    const named = (p: { os?: string | undefined; architecture?: string | undefined; variant?: string | undefined }) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');
    let platforms: string[];
    const configDigest = str(manifest, 'config', 'digest');
    if (INDEX_TYPES.includes(mediaType) || INDEX_TYPES.includes(str(manifest, 'mediaType') ?? '') || Array.isArray(get(manifest, 'manifests'))) {
      platforms = records(manifest, 'manifests')
        .map((m) => platformOf(m.platform))
        .filter((p) => !!p.os && !!p.architecture && p.os !== 'unknown')
        .map(named);
    } else if (configDigest) {
      const blob = await call('GET', `/v2/${t.repository}/blobs/${configDigest}`);
      if (!isRes(blob)) return blob;
      if (blob.status !== 200) return { kind: 'error', httpStatus: blob.status, detail: `could not read the image config (HTTP ${blob.status})` };
      const cfg = platformOf(jsonOf(blob.body));
      platforms = cfg.os && cfg.architecture ? [named(cfg)] : [];
    } else {
      platforms = [];
    }
    const missing = platforms.length > 0 ? missingPlatforms(platforms, archs) : [];
    if (missing.length > 0) {
      return {
        kind: 'answer',
        status: 'platform-missing',
        probe: { ...found, platforms, missingPlatforms: missing, detail: `exists but has no ${missing.join(', ')} variant (has ${platforms.join(', ')})` },
      };
    }
    return { kind: 'answer', status: 'exists', probe: { ...found, platforms, detail: `exists for ${platforms.join(', ') || 'unknown platform'}${digest ? ` (${digest})` : ''}` } };
  }
}

/** One line for a cloud API error; Google's REST errors carry the API's JSON error as their message. */
function cloudErrorText(e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  try {
    const j = JSON.parse(message) as { error?: { status?: string; message?: string } };
    if (j.error) return `${j.error.status ?? ''}${j.error.status && j.error.message ? ': ' : ''}${j.error.message ?? ''}`;
  } catch {
    /* not JSON */
  }
  return message.split('\n')[0] ?? message;
}

/** Throw for a token service that could not answer (429, 5xx): not the same as refusing the credential. */
function unavailableTokenService(res: HttpResponse, host: string): void {
  if (res.status === 429 || res.status >= 500) throw new TokenServiceError(res.status, res.headers, host);
}

export function createRegistryPort(opts: RegistryPortOptions = {}): RegistryPort {
  return new OciRegistryPort(opts);
}
