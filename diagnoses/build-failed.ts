import type { Verdict } from '../src/engine/index.js';
import { errorGist } from '../src/model-engine/builder-log.js';
import { BUILDER_DEPLOYMENT } from '../src/model-engine/endpoint-facts.js';
import { defineEndpointCause, type EndpointView } from '../src/model-engine/endpoint-view.js';
import { apiUpdate } from './lib/commands.js';
import { buildLogEvidence, builderContext } from './lib/builder.js';
import { note, verdict, workloadEvidence } from './lib/verdict.js';

/** No objects: the builder's record of the failed task (status_reason is often the generic "internal error"). */
function failedWithoutObjects(v: EndpointView): Verdict {
  const s = v.subject;
  const b = builderContext(v);
  const outcome = v.build;
  const errorRecord = outcome ? ([...outcome.lines].reverse().find((l) => l.line.startsWith('{') && /"level":"ERROR"/.test(l.line)) ?? outcome.lines.at(-1)) : undefined;
  const reason = [v.record?.status_reason, errorRecord ? errorGist(errorRecord.line) : undefined].filter(Boolean).join('; builder log: ') || undefined;
  return verdict(
    'BUILD_FAILED',
    'endpoint',
    `The endpoint builder failed to create ${b.who}${reason ? `: ${reason}` : ''}; no Kubernetes objects exist in ${s.namespace}.`,
    [...b.apiEvidence, ...(outcome ? buildLogEvidence(v, outcome) : []), note(`no objects labelled ${s.selector} in ${s.namespace}`)],
    { summary: 'Read the builder log for the failed task, fix what it reports, then update (or delete and recreate) the endpoint so the builder tries again.', commands: [b.builderLogs, apiUpdate(s, {})] },
    b.look,
  );
}

export default defineEndpointCause({
  meta: {
    code: 'BUILD_FAILED',
    title: 'The endpoint builder tried and failed',
    rank: 130,
    docs: 'docs/endpoint.md#build-failed',
    reads: ['deployments', 'builder', 'api'],
  },
  match(v) {
    if (v.situation === 'absent') {
      return v.record?.status === 'UPDATE_FAILED' || v.build?.state === 'failed' ? failedWithoutObjects(v) : undefined;
    }
    if (v.situation === 'serving' && v.record?.status === 'UPDATE_FAILED') {
      return verdict(
        'BUILD_FAILED',
        'endpoint',
        `The last update of the endpoint failed${v.record.status_reason ? `: ${v.record.status_reason}` : ''}; it still serves ${v.available}/${v.desired} worker(s) from its previous version.`,
        workloadEvidence(v),
        { summary: 'Fix what status_reason names and update the endpoint again.', commands: [`kubectl -n ${v.subject.cpNamespace} logs deploy/${BUILDER_DEPLOYMENT} --tail=500`] },
      );
    }
    return undefined;
  },
});
