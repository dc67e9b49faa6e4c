/**
 * What Kubernetes controllers' and the kubelet's messages mean, for the endpoint doctor: a ReplicaSet's
 * `FailedCreate` (the API server refused to create a pod) and the kubelet's "not found" for a ConfigMap, Secret or
 * key a container needs. Pure parsing; the causes under `diagnoses/` decide what each kind means for the endpoint.
 */
import { oneLine } from './format.js';

export type FailedCreateKind =
  | 'priority-class'
  | 'service-account'
  | 'quota'
  /** Pod Security Admission: `violates PodSecurity "restricted:latest": …`. */
  | 'pod-security'
  /** A ValidatingAdmissionPolicy (in-tree CEL policy) denied the pod. */
  | 'policy'
  /** An admission webhook answered and denied the pod (Kyverno, Gatekeeper, …). */
  | 'webhook-denied'
  /** An admission webhook could not be called and fails closed (`failurePolicy: Fail`). */
  | 'webhook-unavailable'
  | 'other';

export interface FailedCreate {
  kind: FailedCreateKind;
  /**
   * The object the message names: the PriorityClass, ServiceAccount or ResourceQuota (absent for a LimitRange), the
   * PodSecurity level (`restricted:latest`), the ValidatingAdmissionPolicy, or the webhook.
   */
  name?: string;
  /** The clause of the message that decided it. */
  detail: string;
  /** A ValidatingAdmissionPolicy's binding. */
  binding?: string;
  /** A webhook's service, from the URL the API server called (`https://<service>.<namespace>.svc:443/…`). */
  service?: { namespace: string; name: string };
}

/**
 * Classify a ReplicaSet `FailedCreate` message, as kube-controller-manager writes it: `Error creating: <the API
 * server's error>`. In-tree admission plugins answer `pods "<pod>" is forbidden: <why>` (`no PriorityClass with name
 * X was found`, `error looking up service account ns/sa: serviceaccount "sa" not found`, `exceeded quota: q,
 * requested: …, used: …, limited: …`, a LimitRange's `maximum … per Container is …`, `violates PodSecurity
 * "restricted:latest": …`, `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: …`); webhooks answer
 * `admission webhook "<name>" denied the request: …`, or, when they cannot be called and fail closed, `Internal error
 * occurred: failed calling webhook "<name>": failed to call webhook: Post "https://<svc>.<ns>.svc:443/…": …`.
 */
export function classifyFailedCreate(message: string): FailedCreate {
  const pc = /no PriorityClass with name (\S+) was found/.exec(message);
  if (pc) return { kind: 'priority-class', name: pc[1]!, detail: pc[0] };
  const sa = /serviceaccount "([^"]+)" not found/.exec(message) ?? /error looking up service account [^/\s]+\/(\S+?):/.exec(message);
  if (sa) return { kind: 'service-account', name: sa[1]!, detail: oneLine(/error looking up service account[^\n]*|serviceaccount "[^"]+" not found/.exec(message)?.[0] ?? message) };
  const quota = /exceeded quota: ([^,\s]+)[^\n]*/.exec(message);
  if (quota) return { kind: 'quota', name: quota[1]!, detail: quota[0] };
  const limit = /maximum [^\n]* per (?:Container|Pod) is [^\n]*|minimum [^\n]* per (?:Container|Pod) is [^\n]*/.exec(message);
  if (limit) return { kind: 'quota', detail: `LimitRange: ${limit[0]}` };
  const psa = /violates PodSecurity "([^"]+)": ([\s\S]*)/.exec(message);
  if (psa) return { kind: 'pod-security', name: psa[1]!, detail: oneLine(psa[2]) };
  const vap = /ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)' denied request: ([\s\S]*)/.exec(message);
  if (vap) return { kind: 'policy', name: vap[1]!, binding: vap[2]!, detail: oneLine(vap[3]) };
  // apiserver webhook dispatcher: ErrCallingWebhook wrapped in an InternalError (fail-closed webhooks only).
  const down = /failed calling webhook "([^"]+)": ([\s\S]*)/.exec(message);
  if (down) {
    const svc = /https:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?(?::\d+)?\//.exec(down[2]!) ?? /service "([a-z0-9-]+)"/.exec(down[2]!);
    const service = svc && svc[2] ? { namespace: svc[2], name: svc[1]! } : undefined;
    return { kind: 'webhook-unavailable', name: down[1]!, detail: oneLine(down[2]), ...(service ? { service } : {}) };
  }
  const denied = /admission webhook "([^"]+)" denied the request:?([\s\S]*)/.exec(message);
  if (denied) return { kind: 'webhook-denied', name: denied[1]!, detail: oneLine(denied[2]) || 'denied' };
  return { kind: 'other', detail: oneLine(message.replace(/^Error creating: /, '')) };
}

export interface MissingConfigRef {
  kind: 'ConfigMap' | 'Secret' | 'key';
  name: string;
  key?: string;
}

/** The ConfigMap, Secret or key a kubelet message says is missing (`configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`). */
export function missingConfigRef(message: string): MissingConfigRef | undefined {
  const key = /couldn't find key (\S+) in (ConfigMap|Secret) ([^/\s]+)\/(\S+)/.exec(message);
  if (key) return { kind: 'key', name: key[4]!, key: key[1]! };
  const cm = /configmaps? "([^"]+)" not found|configmap "([^"]+)" not found/i.exec(message);
  if (cm) return { kind: 'ConfigMap', name: (cm[1] ?? cm[2])! };
  const sec = /secrets? "([^"]+)" not found/i.exec(message);
  if (sec) return { kind: 'Secret', name: sec[1]! };
  return undefined;
}

export type SandboxFailureKind =
  /** The CNI has no IP address left for the pod (VPC CNI, Azure CNI, any IPAM). */
  | 'ip-exhausted'
  /** The node's network plugin is not initialised or not installed. */
  | 'cni-not-ready'
  /** The CNI plugin ran and failed (Calico unauthorized, a plugin error). */
  | 'cni-error'
  /** The runtime cannot get the pause (sandbox) image: air-gapped nodes without a mirror of it. */
  | 'pause-image'
  /** The pod asks for a RuntimeClass handler the node's runtime does not have (`nvidia`). */
  | 'runtime-handler'
  | 'other';

/** What a kubelet `FailedCreatePodSandBox` message means (`Failed to create pod sandbox: rpc error: … desc = …`). */
export function classifySandboxFailure(message: string): { kind: SandboxFailureKind; detail: string } {
  const detail = oneLine(/desc = ([\s\S]*)/.exec(message)?.[1] ?? message.replace(/^Failed to create pod sandbox: /, ''));
  const rules: [SandboxFailureKind, RegExp][] = [
    ['ip-exhausted', /failed to assign an IP address|no IP addresses available|InsufficientFreeAddressesInSubnet|failed to allocate for range|ipamd.*(?:no available|out of)|IP address (?:pool )?exhausted/i],
    ['pause-image', /failed to (?:get|pull) sandbox image|pause:[\w.-]+["']?: failed to pull/i],
    ['runtime-handler', /no runtime for "[^"]+" is configured|RuntimeHandler "[^"]+" not supported|runtime handler "[^"]+"/i],
    ['cni-not-ready', /cni config uninitialized|network plugin is not ready|failed to find plugin "[^"]+" in path|no networks found in/i],
    ['cni-error', /failed to setup network for sandbox|plugin type="[^"]+"[^\n]*failed \(add\)|networkPlugin cni failed/i],
  ];
  for (const [kind, re] of rules) if (re.test(message)) return { kind, detail };
  return { kind: 'other', detail };
}
