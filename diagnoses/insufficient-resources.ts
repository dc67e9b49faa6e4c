import { defineEndpointCause } from '../src/model-engine/endpoint-view.js';
import { formatResource, podRequests } from '../src/model-engine/scheduling.js';
import { apiUpdate } from './lib/commands.js';
import { unscheduledAs, unscheduledContext } from './lib/unscheduled.js';
import { forFirstPod, note, verdict } from './lib/verdict.js';

export default defineEndpointCause({
  meta: {
    code: 'INSUFFICIENT_RESOURCES',
    title: 'The matching nodes lack cpu, memory or ephemeral storage',
    rank: 90,
    docs: 'docs/endpoint.md#insufficient-resources',
    reads: ['pods', 'events', 'nodes', 'nodePods'],
  },
  match(v) {
    return forFirstPod(
      v,
      (p) => unscheduledAs(v, p, 'INSUFFICIENT_RESOURCES'),
      (p) => {
        const u = unscheduledContext(v, p, 'INSUFFICIENT_RESOURCES');
        const r = u.verdict;
        const want = podRequests(p.pod);
        const body: Record<string, unknown> = {};
        if (r.resources.includes('cpu')) body.cpus = '<fewer>';
        if (r.resources.includes('memory')) body.memory = '<less>';
        if (r.resources.includes('ephemeral-storage')) body.storage = '<less>';
        return verdict(
          'INSUFFICIENT_RESOURCES',
          'pod',
          `${u.pending}: ${r.detail}.`,
          [...u.evidence, u.cross, note(`requests: ${Object.entries(want).map(([k, q]) => `${k}=${formatResource(k, q)}`).join(', ')}`)],
          {
            summary: r.never
              ? `Lower the endpoint's ${r.resources.join('/')} request below what one node allocates (model-engine adds the forwarder's request on top), or use larger nodes.`
              : `Free ${r.resources.join('/')} on the matching nodes, add nodes, or lower the endpoint's request.`,
            commands: [apiUpdate(v.subject, body), ...u.next.slice(1)],
          },
          u.next,
        );
      },
    );
  },
});
