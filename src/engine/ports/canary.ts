/**
 * The canary port (`--canary` only): a short-lived pod that proves the cluster itself can pull an image, with
 * the endpoint's service account, node selector and tolerations. The only write the doctor makes to a cluster:
 * create, watch and delete its own pods. Created in `src/run/ports.ts` when `options.canary`; implemented in
 * `src/sources/kube/canary.ts`.
 */

/** Labels every canary pod carries, so leftovers are findable (`kubectl get pods -l model-engine-doctor/canary=true -A`). */
export const CANARY_LABELS = {
  'app.kubernetes.io/managed-by': 'model-engine-doctor',
  'model-engine-doctor/canary': 'true',
} as const;
export const CANARY_SELECTOR = 'app.kubernetes.io/managed-by=model-engine-doctor,model-engine-doctor/canary=true';
/** Leftover canaries older than this are deleted by a later run. */
export const CANARY_LEFTOVER_MS = 10 * 60_000;

export interface CanaryRequest {
  namespace: string;
  image: string;
  serviceAccountName: string;
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  /** How long to wait for the pull to succeed or fail. */
  timeoutMs: number;
}

export type CanaryOutcome =
  | { state: 'pulled'; pod: string; detail: string }
  | { state: 'pull-failed'; pod: string; reason: string; message: string }
  | { state: 'unschedulable'; pod: string; message: string }
  | { state: 'timeout'; pod: string; detail: string }
  | { state: 'forbidden'; detail: string };

export interface CanaryPort {
  /** Create the pod, watch it until pulled or failed, delete it (also on abort and error). */
  run(request: CanaryRequest, signal: AbortSignal): Promise<CanaryOutcome>;
  /** Delete canary pods older than `olderThanMs` in a namespace; returns their names. */
  cleanupLeftovers(namespace: string, olderThanMs: number, now: Date): Promise<string[]>;
}

/** `med-canary-<hash>` of the image and a nonce: DNS-1123 and unique per run. */
export function canaryPodName(image: string, nonce: string, hash: (s: string) => string): string {
  return `med-canary-${hash(`${image}\n${nonce}`).slice(0, 10)}`;
}
