/** A check context for engine tests: AWS, the usual namespaces, no cluster or values, a fixed clock. */
import type { BaseContext } from '../../src/engine/runner.js';
import { profileFor } from '../../src/matrix/index.js';

export const baseContext = (over: Partial<BaseContext> = {}): BaseContext => ({
  cloud: 'aws',
  matrix: profileFor('aws'),
  namespaces: { controlPlane: 'model-engine', endpoint: 'llm-engine' },
  kube: undefined,
  values: undefined,
  options: { canary: false, exec: false, cloudApi: false, network: 'loopback', extra: {} },
  now: new Date('2026-11-20T09:30:00Z'),
  ports: {},
  ...over,
});
