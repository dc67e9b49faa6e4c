/**
 * How long "on its way" may last (documented in docs/endpoint.md#starting). A pod inside its grace is `STARTING`;
 * past it, the cause its state names. `STARTING` and the fault causes ask the same question, so exactly one of them
 * claims each pod.
 */
import type { EndpointView, PodView } from '../../src/model-engine/endpoint-view.js';
import { eventLast } from '../../src/model-engine/endpoint-view.js';
import { ms } from '../../src/model-engine/format.js';

/** Pulling an image for less than this is normal (LLM images are 10–30 GB). */
export const PULL_GRACE_MS = 15 * 60_000;
/** A GPU (LLM) container loading weights for less than this is normal. */
export const LLM_START_GRACE_MS = 20 * 60_000;
/** A CPU container not ready after this is a fault. */
export const CPU_START_GRACE_MS = 10 * 60_000;
/** An unscheduled pod younger than this may simply not have been tried yet. */
export const SCHEDULE_GRACE_MS = 2 * 60_000;
/** A cluster-autoscaler scale-up is expected to bring a node within this. */
export const SCALE_UP_GRACE_MS = 15 * 60_000;
/** A pod waiting (`ContainerCreating`) without a sandbox error for less than this is normal. */
export const CREATE_GRACE_MS = 5 * 60_000;
/** `UPDATE_PENDING` for longer than this means the builder is not consuming. */
export const BUILD_PENDING_GRACE_MS = 5 * 60_000;

export const isLlm = (v: EndpointView): boolean => v.subject.gpus > 0;

/** How long a container may run before it must be ready. */
export const readinessGraceMs = (v: EndpointView): number => (isLlm(v) ? LLM_START_GRACE_MS : CPU_START_GRACE_MS);

/** Milliseconds the container has been running (NaN when unknown). */
export function runningForMs(v: EndpointView, p: PodView): number {
  if (p.state.kind !== 'not-ready') return NaN;
  const started = ms(p.state.container.state?.running?.startedAt);
  return Number.isFinite(started) ? v.now - started : NaN;
}

/** A cluster-autoscaler scale-up for this pod less than {@link SCALE_UP_GRACE_MS} ago. */
export function recentScaleUp(v: EndpointView, p: PodView): boolean {
  return p.state.kind === 'unscheduled' && !!p.state.scaleUp && v.now - (ms(eventLast(p.state.scaleUp)) || 0) < SCALE_UP_GRACE_MS;
}

/** Whether a pod is still inside the grace its state allows. */
export function isStarting(v: EndpointView, p: PodView): boolean {
  const st = p.state;
  switch (st.kind) {
    case 'unscheduled':
      return recentScaleUp(v, p) || (!st.scheduler && p.ageMs < SCHEDULE_GRACE_MS);
    case 'pulling':
      return st.sinceMs < PULL_GRACE_MS;
    case 'waiting':
      return !st.sandbox && p.ageMs < CREATE_GRACE_MS;
    case 'not-ready': {
      const running = runningForMs(v, p);
      return Number.isFinite(running) && running < readinessGraceMs(v);
    }
    case 'sidecar':
      // A proxy is ready in seconds; one that restarted, or is not ready minutes after the pod started, is stuck.
      return (st.container.restartCount ?? 0) === 0 && p.ageMs < CREATE_GRACE_MS;
    case 'image-pull':
    case 'config':
    case 'crash':
    case 'mount-failed':
    case 'ready':
    case 'other':
      return false;
  }
}
