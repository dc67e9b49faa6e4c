/**
 * The endpoint diagnosis: the root cause of an endpoint that is not serving, with the causal chain it rests on.
 * Carried in the JSON report as `diagnosis` (command `endpoint`) and, per endpoint, in `endpoints` (command `triage`).
 */
import type { Evidence, Remediation } from './types.js';

export const CAUSE_CODES = [
  'IMAGE_PULL',
  /** The node cannot create the pod's sandbox: no IP address, the network plugin, the pause image, a runtime handler. */
  'SANDBOX_FAILED',
  /** The Istio sidecar never gets ready, and the app containers wait for it. */
  'SIDECAR_NOT_READY',
  'INSUFFICIENT_GPU',
  /** Not enough cpu, memory or ephemeral storage on the nodes that match (GPUs are fine or not asked for). */
  'INSUFFICIENT_RESOURCES',
  'NO_MATCHING_NODES',
  'UNTOLERATED_TAINT',
  'MISSING_PRIORITY_CLASS',
  'MISSING_SERVICE_ACCOUNT',
  'QUOTA_EXCEEDED',
  /** An admission policy (Pod Security, ValidatingAdmissionPolicy, Kyverno, Gatekeeper, …) denies the pods. */
  'ADMISSION_DENIED',
  /** An admission webhook that fails closed cannot be called, so no pod it selects can be created. */
  'WEBHOOK_UNAVAILABLE',
  'CONFIG_ERROR',
  'VOLUME',
  'CRASH_LOOP',
  'READINESS_FAILING',
  'STARTING',
  'SCALED_TO_ZERO',
  'BUILD_PENDING',
  'BUILD_FAILED',
  /** At zero replicas with a KEDA ScaledObject that will not scale it up (operator down, trigger failing). */
  'SCALE_FROM_ZERO_BLOCKED',
  /** An async endpoint's tasks are never taken: the celery autoscaler skips it, or its Ready workers cannot consume. */
  'ASYNC_NOT_CONSUMING',
  /** model-engine's API and the cluster disagree about the endpoint's workers because the cacher does not update it. */
  'STATUS_STALE',
  'NOT_FOUND',
  'HEALTHY',
  'UNKNOWN',
] as const;
export type CauseCode = (typeof CAUSE_CODES)[number];

/** Causes that are not faults (the endpoint is fine or on its way). */
export const BENIGN_CAUSES: readonly CauseCode[] = ['HEALTHY', 'STARTING', 'SCALED_TO_ZERO'];

/** One link of the causal chain: Deployment → ReplicaSet → Pod → container → event → node. */
export interface ChainNode {
  kind: 'Deployment' | 'LeaderWorkerSet' | 'ReplicaSet' | 'Pod' | 'Container' | 'Event' | 'Node' | 'ScaledObject' | 'HorizontalPodAutoscaler' | 'Queue' | 'Endpoint' | string;
  name: string;
  namespace?: string;
  state: 'ok' | 'warn' | 'fail' | 'info';
  /** One line: what this object says (e.g. "0/1 available", "ImagePullBackOff", "FailedScheduling ×14"). */
  summary: string;
  children: ChainNode[];
}

export interface EndpointRef {
  id?: string;
  name?: string;
  namespace: string;
}

export interface Diagnosis {
  endpoint: EndpointRef;
  cause: CauseCode;
  summary: string;
  evidence: Evidence[];
  remediation: Remediation;
  /** Commands to see more, with the real object names. */
  next: string[];
  chain: ChainNode[];
  /** What model-engine's API says about the endpoint, when `--gateway-url` was given. */
  api?: { status?: string; statusReason?: string; availableWorkers?: number; unavailableWorkers?: number; error?: string };
}

/** A row of triage's endpoint table. */
export interface EndpointRow {
  id?: string;
  name?: string;
  namespace: string;
  type: 'sync' | 'streaming' | 'async' | 'unknown';
  gpuType?: string;
  desired: number;
  ready: number;
  cause: CauseCode;
  summary: string;
}
