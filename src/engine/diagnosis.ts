/**
 * The endpoint diagnosis: the root cause of an endpoint that is not serving, with the causal chain it rests on.
 * Carried in the JSON report as `diagnosis` (command `endpoint`) and, per endpoint, in `endpoints` (command `triage`).
 */
import type { Evidence, Remediation } from './types.js';

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
  /** The root cause's code: the `meta.code` of a registered cause (`CauseCode` in `diagnoses/index.ts`). */
  cause: string;
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
  /** As {@link Diagnosis.cause}. */
  cause: string;
  summary: string;
}
