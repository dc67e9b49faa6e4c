import { defineCheck } from '../../src/engine/index.js';
import { PULLABLE_MESSAGES, probeGroup } from './support/pullable.js';

export default defineCheck({
  meta: {
    id: 'images/framework-pullable',
    title: 'Framework images pullable',
    description:
      'The LLM framework images (vllm, batch-infer-vllm, TGI, LightLLM, TensorRT-LLM, DeepSpeed, SGLang under docker_repo_prefix, at the inference-framework tags) and the endpoint containers that run exist in their registry for the GPU nodes\' architecture.',
    clouds: 'all',
    severity: 'high',
    needs: ['registry'],
    scopes: ['preflight', 'triage', 'endpoint'],
    timeoutMs: 60_000,
    messages: PULLABLE_MESSAGES,
  },
  run: (ctx) => probeGroup(ctx, 'framework', 'framework'),
});
