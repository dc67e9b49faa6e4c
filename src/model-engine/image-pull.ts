/**
 * What a kubelet's image-pull error message means. Kubelet and containerd wrap the registry's answer in several
 * layers ("rpc error: code = … desc = failed to pull and unpack image …: failed to resolve reference …: …");
 * the innermost clause decides the cause. Shared by the `images` checks and the endpoint doctor.
 */

export type PullErrorKind = 'not-found' | 'unauthorized' | 'platform' | 'timeout' | 'tls' | 'rate-limited' | 'dns' | 'unknown';

export interface PullErrorClass {
  kind: PullErrorKind;
  /** The clause of the message that decided it (or the whole first line when unknown). */
  detail: string;
}

/**
 * Ordered: the first rule that matches wins. Order matters because the messages nest: "no match for platform in
 * manifest: not found" is a platform problem, "lookup … i/o timeout" is DNS, "pull access denied, repository does
 * not exist or may require authorization" is (in practice) missing credentials.
 */
const RULES: readonly { kind: Exclude<PullErrorKind, 'unknown'>; re: RegExp }[] = [
  { kind: 'platform', re: /no match for platform in manifest[^"\n]*|does not match the specified platform[^"\n]*|no matching manifest for [^"\n]*/i },
  { kind: 'dns', re: /lookup [^\s:]+(?: on [^\s]+)?: (?:no such host|server misbehaving|[^"\n]*i\/o timeout)|temporary failure in name resolution|name or service not known/i },
  {
    kind: 'tls',
    re: /x509: [^"\n]*|tls: failed to verify certificate[^"\n]*|tls: [^"\n]*certificate[^"\n]*|server gave HTTP response to HTTPS client|certificate signed by unknown authority/i,
  },
  { kind: 'rate-limited', re: /toomanyrequests[^"\n]*|429 Too Many Requests|pull rate limit[^"\n]*/i },
  {
    kind: 'unauthorized',
    re: /401 Unauthorized|403 Forbidden|unauthorized: [^"\n]*|no basic auth credentials|pull access denied[^"\n]*|denied: [^"\n]*|failed to authorize[^"\n]*|failed to fetch (?:anonymous|oauth) token[^"\n]*|authentication required|requested access to the resource is denied|UNAUTHORIZED/i,
  },
  {
    kind: 'not-found',
    re: /manifest unknown[^"\n]*|manifest for [^\s]+ not found[^"\n]*|name unknown[^"\n]*|repository [^\s]+ not found[^"\n]*|code = NotFound|: not found\b|not found: manifest unknown|failed to resolve reference [^"\n]*not found/i,
  },
  {
    kind: 'timeout',
    re: /i\/o timeout|context deadline exceeded|TLS handshake timeout|request canceled while waiting for connection|Client\.Timeout exceeded[^"\n]*|connection refused|connection reset by peer|network is unreachable|no route to host/i,
  },
];

/** Classify a kubelet/containerd image-pull message (event message or container `waiting.message`). */
export function classifyPullError(message: string): PullErrorClass {
  for (const { kind, re } of RULES) {
    const m = re.exec(message);
    if (m) return { kind, detail: m[0].trim() };
  }
  return { kind: 'unknown', detail: (message.split('\n')[0] ?? '').trim().slice(0, 300) };
}

/** The image named in a kubelet message (`Failed to pull image "x": …`, `Back-off pulling image "x"`), if any. */
export function imageInPullMessage(message: string): string | undefined {
  return /(?:pull(?:ing)? image|image) "([^"]+)"/i.exec(message)?.[1];
}

/** One-line explanation of each kind, for results and the endpoint doctor. */
export const PULL_ERROR_MEANING: Readonly<Record<PullErrorKind, string>> = {
  'not-found': 'the repository or tag does not exist in the registry (the image was not mirrored, or the tag is wrong)',
  unauthorized: 'the registry refused the node\'s credentials (no imagePullSecret on the service account, or the node role cannot read the registry)',
  platform: 'the image has no variant for the node\'s CPU architecture',
  timeout: 'the node could not reach the registry in time (egress blocked, proxy or firewall)',
  tls: 'the node does not trust the registry\'s TLS certificate',
  'rate-limited': 'the registry is rate-limiting pulls (Docker Hub anonymous limits, typically)',
  dns: 'the node could not resolve the registry\'s host name',
  unknown: 'the pull failed for a reason the doctor does not recognise; read the message',
};
