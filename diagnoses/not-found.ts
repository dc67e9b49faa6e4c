import type { Evidence } from '../src/engine/index.js';
import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { builderContext } from './lib/builder.js';
import { note, verdict } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'NOT_FOUND',
    title: 'Nothing in the endpoint namespace has that id or name',
    rank: 160,
    docs: 'docs/endpoint.md#not-found',
    reads: ['deployments', 'leaderWorkerSets', 'pods', 'builder', 'api'],
  },
  match(v) {
    if (v.situation !== 'absent') return undefined;
    const s = v.subject;
    const f = v.facts;
    const api = f.api;
    const b = builderContext(v);
    const apiNote: Evidence[] = api?.state === 'not-found' ? [{ type: 'probe', target: api.url, detail: `not found: ${api.detail}` }] : api?.state === 'unavailable' ? [note(`the API could not be asked: ${api.detail}`)] : [];
    return verdict(
      'NOT_FOUND',
      'endpoint',
      `No endpoint ${f.query} in namespace ${s.namespace}: no Deployment, LeaderWorkerSet or pod is labelled ${s.selector}${s.k8sName !== f.query ? ` or named ${s.k8sName}` : ''}${api?.state === 'not-found' ? ', and the API does not know it either' : ''}.`,
      [...apiNote, note(`no objects labelled ${s.selector} in ${s.namespace}`), ...(f.builder?.log && !v.build ? [note(`the builder's recent log does not mention ${b.who}`)] : [])],
      {
        summary: `Check the id or name (ids look like end_ plus 20 characters) and the endpoint namespace; list the endpoints there.`,
        commands: [`kubectl -n ${s.namespace} get deploy -l managed-by=model-engine -L endpoint_id,endpoint_name`, `kubectl get deploy -A -l ${s.selector}`],
      },
      b.look,
    );
  },
});
