import { defineCheck } from '../../src/engine/index.js';
import { PULLABLE_MESSAGES, probeGroup } from './support/pullable.js';

export default defineCheck({
  meta: {
    id: 'images/control-plane-pullable',
    title: 'Control-plane images pullable',
    description:
      'The gateway, builder and forwarder images (values `image.*Repository:tag`, and what the control-plane and endpoint pods run) exist in their registry at their tag, for the nodes\' architectures, with the credentials the cluster has.',
    clouds: 'all',
    severity: 'critical',
    needs: ['registry'],
    scopes: ['preflight', 'triage', 'endpoint'],
    timeoutMs: 60_000,
    messages: PULLABLE_MESSAGES,
  },
  run: (ctx) => probeGroup(ctx, 'control-plane', 'control-plane'),
});
