import cause from '../../diagnoses/status-stale.js';
import type { GatewayEndpointRecord } from '../../src/engine/ports/gateway.js';
import { gatewayAnswering, testCause } from '../support/cause-tester.js';

const ID = 'end_cv0e3iin2ojg00b1q3ah';
const record = (available: number | null, extra: Partial<GatewayEndpointRecord> = {}): GatewayEndpointRecord => ({
  id: ID,
  name: 'llama-3-8b-batch',
  endpoint_type: 'async',
  status: 'READY',
  last_updated_at: '2026-03-01T09:00:00',
  deployment_state: { min_workers: 1, max_workers: 2, per_worker: 1, available_workers: available, unavailable_workers: available === null ? null : 1 - available },
  ...extra,
});
const AZURE = { cloud: 'azure' as const, context: 'ml-prod-aks' };

testCause(cause, {
  matches: [
    {
      name: 'the API says 0 workers while 1 serves; the cacher on Azure gets WRONGPASS with its expired Entra token (API answer stubbed)',
      snapshot: 'endpoint-status-stale',
      endpoint: ID,
      collect: { gateway: gatewayAnswering(record(0)), hints: AZURE },
      level: 'endpoint',
      summary: ["model-engine's API reports 0 available worker(s)", '1/1 available in the cluster', 'the cacher cannot write the cache', 'Entra token it fetched when it started (3h 59m ago) and never refreshes'],
      commands: ['kubectl -n model-engine rollout restart deploy/model-engine-cacher'],
      evidence: ['AuthenticationError: invalid username-password pair'],
    },
    {
      name: 'the API has no worker counts at all (deployment_state empty; API answer stubbed)',
      snapshot: 'endpoint-status-stale',
      endpoint: ID,
      collect: { gateway: gatewayAnswering(record(null, { deployment_state: null })), hints: AZURE },
      summary: ['no worker counts at all'],
    },
  ],
  misses: [
    { name: 'the API agrees with the cluster (API answer stubbed)', snapshot: 'endpoint-status-stale', endpoint: ID, collect: { gateway: gatewayAnswering(record(1)), hints: AZURE } },
    { name: 'without --gateway-url there is nothing to compare', snapshot: 'endpoint-status-stale', endpoint: ID, collect: { hints: AZURE } },
    { name: 'a disagreement while the cacher is healthy is a moment, not a cause (API answer stubbed)', snapshot: 'healthy-aws', endpoint: 'llama-3-8b-instruct', collect: { gateway: gatewayAnswering({ ...record(0), id: 'end_ct3lsbpn2ojg00a4qke0', name: 'llama-3-8b-instruct' }) } },
    {
      name: "nor while the cacher's Deployment cannot be read (RBAC) and its pods are ready: not read is not missing (API answer stubbed)",
      snapshot: 'healthy-aws',
      endpoint: 'llama-3-8b-instruct',
      collect: { gateway: gatewayAnswering({ ...record(0), id: 'end_ct3lsbpn2ojg00a4qke0', name: 'llama-3-8b-instruct' }) },
      deny: [{ verb: 'list', resource: 'deployments.apps', namespace: 'model-engine' }],
    },
  ],
});
