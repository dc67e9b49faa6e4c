/**
 * What Kubernetes controllers' and the kubelet's messages mean, for the endpoint doctor: a ReplicaSet's
 * `FailedCreate` (the API server refused to create a pod) and the kubelet's "not found" for a ConfigMap, Secret or
 * key a container needs. Pure parsing; the causes under `diagnoses/` decide what each kind means for the endpoint.
 */
import { oneLine } from './format.js';

export type FailedCreateKind = 'priority-class' | 'service-account' | 'quota' | 'other';

export interface FailedCreate {
  kind: FailedCreateKind;
  /** The object the message names (PriorityClass, ServiceAccount, ResourceQuota); absent for a LimitRange. */
  name?: string;
  /** The clause of the message that decided it. */
  detail: string;
}

/**
 * Classify a ReplicaSet `FailedCreate` message, as kube-controller-manager writes it:
 * `Error creating: pods "<pod>" is forbidden: <why>` (`no PriorityClass with name X was found`, `error looking up
 * service account ns/sa: serviceaccount "sa" not found`, `exceeded quota: q, requested: …, used: …, limited: …`,
 * a LimitRange's `maximum … per Container is …`).
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
