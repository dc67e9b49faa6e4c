/**
 * The endpoint doctor's causes, one file each, in rank order: the explicit registry (as `checks/index.ts` is for
 * checks). `diagnose` and `triageEndpoints` are the endpoint doctor bound to it; commands, the `endpoints/serving`
 * check and tests use these.
 */
import { benignCodes, validateCauses } from '../src/engine/index.js';
import { diagnoseWith } from '../src/model-engine/endpoint-diagnosis.js';
import type { EndpointFacts } from '../src/model-engine/endpoint-facts.js';
import { triageWith, type EndpointTriage, type TriageContext } from '../src/model-engine/endpoint-triage.js';
import type { EndpointCause } from '../src/model-engine/endpoint-view.js';
import admissionDenied from './admission-denied.js';
import asyncNotConsuming from './async-not-consuming.js';
import buildFailed from './build-failed.js';
import buildPending from './build-pending.js';
import configError from './config-error.js';
import crashLoop from './crash-loop.js';
import healthy from './healthy.js';
import imagePull from './image-pull.js';
import insufficientGpu from './insufficient-gpu.js';
import insufficientResources from './insufficient-resources.js';
import missingPriorityClass from './missing-priority-class.js';
import missingServiceAccount from './missing-service-account.js';
import noMatchingNodes from './no-matching-nodes.js';
import notFound from './not-found.js';
import quotaExceeded from './quota-exceeded.js';
import readinessFailing from './readiness-failing.js';
import sandboxFailed from './sandbox-failed.js';
import scaleFromZeroBlocked from './scale-from-zero-blocked.js';
import scaledToZero from './scaled-to-zero.js';
import sidecarNotReady from './sidecar-not-ready.js';
import starting from './starting.js';
import statusStale from './status-stale.js';
import unknown from './unknown.js';
import untoleratedTaint from './untolerated-taint.js';
import volume from './volume.js';
import webhookUnavailable from './webhook-unavailable.js';

/**
 * Every cause, most specific first: the pod cannot be created, then placed, then started, then run; then what the
 * builder and the API say; then the fallbacks and the causes that are not faults.
 */
const CAUSES = [
  missingPriorityClass,
  missingServiceAccount,
  quotaExceeded,
  admissionDenied,
  webhookUnavailable,
  volume,
  configError,
  noMatchingNodes,
  untoleratedTaint,
  insufficientGpu,
  insufficientResources,
  sandboxFailed,
  imagePull,
  sidecarNotReady,
  crashLoop,
  readinessFailing,
  buildFailed,
  scaleFromZeroBlocked,
  asyncNotConsuming,
  statusStale,
  buildPending,
  unknown,
  notFound,
  healthy,
  scaledToZero,
  starting,
] as const;

/**
 * A cause code: the union of the codes the registered causes declare (`meta.code`). The registry is the contract;
 * docs/output-schema.md lists the same codes and test/parity.test.ts holds the two together.
 */
export type CauseCode = (typeof CAUSES)[number]['meta']['code'];

export const DIAGNOSES: readonly EndpointCause<CauseCode>[] = validateCauses(CAUSES);

/** Every code a diagnosis can carry, in rank order. */
export const CAUSE_CODES: readonly CauseCode[] = DIAGNOSES.map((c) => c.meta.code);

const BENIGN = benignCodes(DIAGNOSES);
/** The codes that are not faults (`meta.benign`): the endpoint is fine or on its way. */
export const BENIGN_CAUSES: readonly CauseCode[] = CAUSE_CODES.filter((c) => BENIGN.has(c));

/** A fault: any code that is not benign, including one this registry does not know (a newer report's). */
export const isFault = (code: string): boolean => !BENIGN.has(code);

/** Diagnose one endpoint from its collected facts with every registered cause. Pure. */
export const diagnose = (facts: EndpointFacts) => diagnoseWith(DIAGNOSES, facts);

/** Every endpoint of the endpoint namespace, diagnosed with every registered cause (memoised per run). */
export const triageEndpoints = (ctx: TriageContext): Promise<EndpointTriage> => triageWith(DIAGNOSES, ctx);
