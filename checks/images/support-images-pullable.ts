import { defineCheck } from '../../src/engine/index.js';
import { SUPPORT_MESSAGES, probeGroup } from './support/pullable.js';

export default defineCheck({
  meta: {
    id: 'images/support-images-pullable',
    title: 'Utility and add-on images pullable',
    description:
      'The utility images (busybox, curl, ubuntu), the kaniko executor (ECR builds), the proportional autoscaler (prewarming), the image-cache extras (istio proxyv2, old vLLM/TGI tags) and Triton exist in their registries.',
    clouds: 'all',
    severity: 'medium',
    needs: ['registry'],
    scopes: ['preflight', 'triage'],
    timeoutMs: 60_000,
    messages: SUPPORT_MESSAGES,
  },
  run: (ctx) => probeGroup(ctx, 'support', 'utility and add-on'),
});
