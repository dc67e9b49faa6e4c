/**
 * Every endpoint of the endpoint namespace diagnosed from one collection (nine lists, plus one pod list when some
 * pod is unscheduled, plus at most {@link TRIAGE_LOG_BUDGET} log reads), memoised per cause registry, kube port and
 * namespace so the `endpoints/serving` check and triage's `endpoints` report table share it.
 */
import type { Diagnosis, EndpointRow } from '../engine/diagnosis.js';
import { controlPlaneForText } from '../engine/runner.js';
import type { CheckContext, KubePort } from '../engine/types.js';
import { diagnoseWith, endpointRow } from './endpoint-diagnosis.js';
import { collectNamespaceFacts, groupEndpointFacts, TRIAGE_LOG_BUDGET, type EndpointFacts } from './endpoint-facts.js';
import type { EndpointCause } from './endpoint-view.js';

export { TRIAGE_LOG_BUDGET };

export interface TriagedEndpoint {
  facts: EndpointFacts;
  diagnosis: Diagnosis;
  row: EndpointRow;
}

export interface EndpointTriage {
  namespace: string;
  endpoints: TriagedEndpoint[];
  /** What could not be read (RBAC, or the API failing). */
  gaps: string[];
  /** Why the endpoints' own objects could not be read, if they could not: then "no endpoints" is not known. */
  unread?: EndpointFacts['unread'];
}

export type TriageContext = Pick<CheckContext, 'kube' | 'namespaces' | 'now' | 'cloud' | 'matrix' | 'cluster'>;

const memo = new WeakMap<readonly EndpointCause[], WeakMap<KubePort, Map<string, Promise<EndpointTriage>>>>();

/** Diagnose every endpoint in `ctx.namespaces.endpoint` with these causes. Memoised per causes, kube port, namespace and time. */
export function triageWith(causes: readonly EndpointCause[], ctx: TriageContext): Promise<EndpointTriage> {
  const kube = ctx.kube;
  if (!kube) return Promise.resolve({ namespace: ctx.namespaces.endpoint, endpoints: [], gaps: ['no cluster'] });
  let byKube = memo.get(causes);
  if (!byKube) memo.set(causes, (byKube = new WeakMap()));
  let byKey = byKube.get(kube);
  if (!byKey) byKube.set(kube, (byKey = new Map()));
  // Triage reads the endpoint namespace only; the control plane's is for remediation text, a placeholder if unknown.
  const controlPlane = controlPlaneForText(ctx.namespaces);
  const key = `${ctx.namespaces.endpoint}|${controlPlane}|${ctx.now.toISOString()}`;
  let p = byKey.get(key);
  if (!p) {
    p = (async () => {
      const nf = await collectNamespaceFacts({
        kube,
        namespace: ctx.namespaces.endpoint,
        controlPlaneNamespace: controlPlane,
        now: ctx.now,
        hints: { ...(ctx.cloud ? { cloud: ctx.cloud } : {}), ...(ctx.matrix?.nodePool ? { nodePool: ctx.matrix.nodePool } : {}), context: ctx.cluster?.context ?? kube.target },
      });
      const endpoints = groupEndpointFacts(nf).map((facts) => {
        const diagnosis = diagnoseWith(causes, facts);
        return { facts, diagnosis, row: endpointRow(facts, diagnosis) };
      });
      return { namespace: nf.namespace, endpoints, gaps: nf.gaps, ...(nf.unread ? { unread: nf.unread } : {}) };
    })();
    byKey.set(key, p);
    // A failed collection is not memoised: a later caller may succeed.
    const entries = byKey;
    p.catch(() => entries.delete(key));
  }
  return p;
}
