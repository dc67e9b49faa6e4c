/**
 * Every endpoint of the endpoint namespace diagnosed from one collection (nine lists, plus one pod list when some
 * pod is unscheduled, plus at most {@link TRIAGE_LOG_BUDGET} log reads), memoised per kube port and namespace so
 * the `endpoints/serving` check and triage's `endpoints` report table share it.
 */
import type { Diagnosis, EndpointRow } from './diagnosis.js';
import { diagnose, endpointRow } from './endpoint-diagnosis.js';
import { collectNamespaceFacts, groupEndpointFacts, TRIAGE_LOG_BUDGET, type EndpointFacts } from './endpoint-facts.js';
import { controlPlaneForText } from './runner.js';
import type { CheckContext, KubePort } from './types.js';

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

type TriageContext = Pick<CheckContext, 'kube' | 'namespaces' | 'now' | 'cloud' | 'matrix' | 'cluster'>;

const memo = new WeakMap<KubePort, Map<string, Promise<EndpointTriage>>>();

/** Diagnose every endpoint in `ctx.namespaces.endpoint`. Memoised per kube port, namespace and time. */
export function triageEndpoints(ctx: TriageContext): Promise<EndpointTriage> {
  const kube = ctx.kube;
  if (!kube) return Promise.resolve({ namespace: ctx.namespaces.endpoint, endpoints: [], gaps: ['no cluster'] });
  let byKey = memo.get(kube);
  if (!byKey) memo.set(kube, (byKey = new Map()));
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
        const diagnosis = diagnose(facts);
        return { facts, diagnosis, row: endpointRow(facts, diagnosis) };
      });
      return { namespace: nf.namespace, endpoints, gaps: nf.gaps, ...(nf.unread ? { unread: nf.unread } : {}) };
    })();
    byKey.set(key, p);
    // A failed collection is not memoised: a later caller may succeed.
    p.catch(() => byKey!.delete(key));
  }
  return p;
}
