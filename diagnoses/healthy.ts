import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { verdict, workloadEvidence } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'HEALTHY',
    title: 'Every desired worker is available',
    rank: 170,
    benign: true,
    docs: 'docs/endpoint.md#healthy',
    reads: ['deployments', 'leaderWorkerSets'],
  },
  match(v) {
    if (v.situation !== 'serving') return undefined;
    return verdict('HEALTHY', 'endpoint', `${v.available}/${v.desired} worker(s) available; the endpoint is serving.`, workloadEvidence(v), { summary: 'Nothing to do.' });
  },
});
