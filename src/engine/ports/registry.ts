/**
 * The registry port: does an image exist, at its tag, for the nodes' platforms, with the credentials the cluster
 * (or the user) has? Answered from the registry's OCI distribution API, plus the cloud registry APIs with
 * `--cloud-api`. Checks reach it as `ctx.ports.registry` and declare `needs: ['registry']`; it is created in
 * `src/run/ports.ts` and implemented in `src/sources/registry/`.
 */

export type ImageProbeStatus =
  | 'exists'
  | 'missing-tag'
  | 'missing-repository'
  | 'unauthorized'
  | 'denied'
  | 'platform-missing'
  | 'unreachable'
  | 'tls-error'
  /** The registry or its token service answered 429 to every credential tried (Docker Hub's pull limit …). */
  | 'rate-limited'
  /** The registry or its token service answered 5xx to every credential tried. */
  | 'registry-error'
  /** The run's network policy (`--no-probes`, demo, tests) forbids contacting the registry. */
  | 'not-probed';

/** What one credential got from the registry. Never carries the secret itself. */
export interface CredentialUse {
  /** `anonymous`, `docker config ~/.docker/config.json`, `pull secret llm-engine/egp-ecr-regcred`, `ECR GetAuthorizationToken`, … */
  label: string;
  outcome: 'answered' | 'rejected' | 'forbidden' | 'redacted' | 'expired' | 'unavailable' | 'error' | 'rate-limited' | 'registry-error';
  /** One line: why it was not usable, or what it answered. */
  detail?: string;
  /** When a short-lived token (ECR login) expires or expired, ISO 8601. */
  expiresAt?: string;
}

export interface ImageProbeRequest {
  ref: string;
  /** `kubernetes.io/arch` values of the nodes that will pull it (e.g. `['amd64']`); empty: not checked. */
  architectures?: readonly string[];
  /** Pull secrets of the service accounts that pull it; the port reads them from the cluster itself. */
  pullSecrets?: readonly { namespace: string; name: string }[];
}

export interface ImageProbe {
  ref: string;
  registry: string;
  repository: string;
  /** The tag or digest looked up. */
  reference: string;
  status: ImageProbeStatus;
  /** One line, no secrets. */
  detail: string;
  /** Every credential tried, in order: "checked with …". */
  checkedWith: CredentialUse[];
  /** The label of the credential whose answer is reported. */
  answeredBy?: string;
  digest?: string;
  mediaType?: string;
  /** `os/arch[/variant]` the image provides (index entries, or a single image's config). */
  platforms?: string[];
  /** `linux/<arch>` the nodes need and the image lacks. */
  missingPlatforms?: string[];
  httpStatus?: number;
  /** Registry error code (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, …) or network error code. */
  errorCode?: string;
  /** Existing tags of the repository when the tag is missing (capped), newest or nearest first when known. */
  tags?: string[];
  /** Answered (or refined) by a cloud API: `ecr DescribeImages`, `artifactregistry tags`. */
  cloudApi?: string;
  /** For `rate-limited`: what the registry said about its limit (`Retry-After`, `ratelimit-*` headers). */
  rateLimit?: { retryAfter?: string; limit?: string; remaining?: string; source?: string };
}

export interface RegistryPort {
  /** Memoised per run on (ref, architectures, pull secrets). Honors the signal; every request has a timeout. */
  probe(request: ImageProbeRequest, signal: AbortSignal): Promise<ImageProbe>;
}
