/** Building verdicts and their evidence: what every cause file shares. */
import { causeDocs, type Evidence, type Remediation, type Verdict, type VerdictLevel } from '../../src/engine/index.js';
import type { EndpointView, PodView } from '../../src/model-engine/endpoint-view.js';

export { eventEvidence, field, logEvidence, note, waitingField, workloadEvidence } from '../../src/model-engine/endpoint-evidence.js';

/** A verdict of the cause whose code is `cause` (the engine's `judge` holds it to the cause's `meta.code`). */
export function verdict(cause: string, level: VerdictLevel, summary: string, evidence: Evidence[], remediation: Omit<Remediation, 'docs'>, next: string[] = []): Verdict {
  return { cause, level, summary, evidence, remediation: { ...remediation, docs: causeDocs(cause) }, next };
}

/**
 * A pod-level cause: the verdict for the first pod it applies to (pods come in the view's order), naming every pod
 * it applies to so the diagnosis can say "Also: <pod>: <cause>" for the others.
 */
export function forFirstPod(v: EndpointView, applies: (p: PodView) => boolean, judge: (p: PodView) => Verdict): Verdict | undefined {
  const hits = v.pods.filter(applies);
  if (hits.length === 0) return undefined;
  return { ...judge(hits[0]!), pods: hits.map((p) => p.name) };
}
