import { describe, expect, it } from '@jest/globals';
import { syntheticCluster } from '../../../bench/synthetic.js';
import check, { causeMessageId, endpointSeverity, ENDPOINT_COMMAND_ONLY } from '../../../checks/endpoints/serving.js';
import { TRIAGE_COMMAND } from '../../../src/commands/triage.js';
import type { CheckResult, EndpointRow } from '../../../src/engine/index.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube } from '../../../src/sources/kube/snapshot-kube.js';
import { resourcesOf, type Snapshot } from '../../../src/sources/snapshot/load.js';
import { runCase, testCheck } from '../../support/check-tester.js';

testCheck(check, {
  valid: [{ name: 'healthy install: its one endpoint serves', snapshot: 'fixtures/clusters/healthy-aws' }],
  invalid: [
    {
      name: 'demo: mixtral cannot pull its image, llama-3-70b has no H100 node',
      snapshot: 'fixtures/clusters/demo-aws',
      errors: [
        { messageId: 'imagePull', status: 'fail', object: { kind: 'Deployment', namespace: 'llm-engine', name: 'launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg' } },
        { messageId: 'noMatchingNodes', status: 'fail', object: { kind: 'Deployment', namespace: 'llm-engine', name: 'launch-endpoint-id-end-ct4pe5pn2ojg00a4qkh0' } },
      ],
    },
    { name: 'a GPU held by a balloon', snapshot: 'fixtures/clusters/endpoint-insufficient-gpu', errors: [{ messageId: 'insufficientGpu', status: 'fail' }] },
    { name: 'a crash loop on AccessDenied', snapshot: 'fixtures/clusters/endpoint-crash-loop', errors: [{ messageId: 'crashLoop', status: 'fail' }] },
    { name: 'pods that cannot be created', snapshot: 'fixtures/clusters/endpoint-missing-priority-class', errors: [{ messageId: 'missingPriorityClass', status: 'fail' }] },
    { name: 'an LLM still loading', snapshot: 'fixtures/clusters/endpoint-starting', errors: [{ messageId: 'starting', status: 'warn' }] },
  ],
});

describe('endpoints/serving on the demo', () => {
  it('fails each broken endpoint once, with its cause, and summarises the healthy ones in one pass', async () => {
    const results = await runCase(check, { name: 'demo', snapshot: 'fixtures/clusters/demo-aws' });
    expect(results.map((r) => [r.status, r.messageId, r.severity])).toEqual([
      ['fail', 'noMatchingNodes', 'high'],
      ['fail', 'imagePull', 'high'],
      ['pass', 'healthy', 'high'],
    ]);
    const [, pull, healthy] = results as [CheckResult, CheckResult, CheckResult];
    expect(pull.message).toMatch(/^Endpoint mixtral-8x7b \(0\/1 workers\) is not serving — IMAGE_PULL: The main container of pod /);
    expect(pull.evidence.some((e) => e.type === 'event' && e.message.includes('not found'))).toBe(true);
    expect(pull.remediation?.commands).toContain('model-engine-doctor endpoint end_ct4p8uhn2ojg00a4qkgg');
    expect(healthy.message).toBe('2 endpoint(s) in llm-engine serving or idle: embeddings-cpu (1/1), llama-3-8b-instruct (1/1)');
  });

  it('passes an idle (scaled-to-zero) endpoint', async () => {
    const results = await runCase(check, { name: 'keda', snapshot: 'fixtures/clusters/endpoint-scaled-to-zero' });
    expect(results.map((r) => [r.status, r.messageId])).toEqual([['pass', 'healthy']]);
    expect(results[0]!.message).toContain('sdxl-turbo (scaled to zero)');
  });

  it('the causes only the endpoint command reaches are not triage messages: a stale status needs the API, which triage does not ask', async () => {
    expect(ENDPOINT_COMMAND_ONLY.map(causeMessageId)).toEqual(['buildPending', 'notFound', 'statusStale']);
    for (const id of ['buildPending', 'notFound', 'statusStale']) expect(check.meta.messages).not.toHaveProperty(id);
    // endpoint-status-stale: the API (not read here) says 0 workers while the Deployment has 1 available.
    const results = await runCase(check, { name: 'stale', snapshot: 'fixtures/clusters/endpoint-status-stale' });
    expect(results.map((r) => r.messageId)).not.toContain('statusStale');
  });

  it('says so when the namespace has no endpoints', async () => {
    const results = await runCase(check, { name: 'none', snapshot: 'fixtures/clusters/endpoint-build-pending' });
    expect(results.map((r) => [r.status, r.messageId, r.message])).toEqual([['pass', 'none', 'No model-engine endpoints in namespace llm-engine']]);
  });
});

describe('severity and ids', () => {
  it.each([
    ['IMAGE_PULL', 1, 3, 'high'],
    ['IMAGE_PULL', 3, 3, 'critical'],
    ['UNKNOWN', 1, 4, 'medium'],
    ['STARTING', 1, 1, 'low'],
    ['CRASH_LOOP', 1, 1, 'high'],
  ] as const)('%s with %s of %s endpoints failing → %s', (cause, failing, total, sev) => expect(endpointSeverity(cause, failing, total)).toBe(sev));

  it.each([
    ['IMAGE_PULL', 'imagePull'],
    ['MISSING_SERVICE_ACCOUNT', 'missingServiceAccount'],
    ['NO_MATCHING_NODES', 'noMatchingNodes'],
  ] as const)('%s → %s', (c, id) => expect(causeMessageId(c)).toBe(id));
});

describe('triage makes a bounded number of API calls', () => {
  const NOW = new Date('2026-11-20T09:30:00Z');
  async function callsFor(endpoints: number): Promise<{ calls: number; rows: EndpointRow[]; results: CheckResult[] }> {
    const objects = syntheticCluster({ endpoints, nodes: 20, brokenFraction: 0.1, now: NOW });
    const snapshot: Snapshot = { path: `synthetic-${endpoints}`, objects, resources: resourcesOf(objects), logs: new Map(), info: undefined, now: NOW };
    const kube = new SnapshotKube(snapshot);
    const { context } = await resolveContext({ kube, namespace: 'model-engine', endpointNamespace: 'llm-engine', now: NOW });
    const before = kube.requestCount;
    const results = await runCheck(check, context, { timeoutMs: 60_000 });
    const ext = (await TRIAGE_COMMAND.extensions!(context)) as { endpoints: EndpointRow[] };
    return { calls: kube.requestCount - before, rows: ext.endpoints, results };
  }

  it('the same count for 50 and for 500 endpoints, and the report table costs nothing extra', async () => {
    const small = await callsFor(50);
    const large = await callsFor(500);
    expect(small.rows).toHaveLength(50);
    expect(large.rows).toHaveLength(500);
    expect(small.results.filter((r) => r.status === 'fail')).toHaveLength(5);
    expect(large.results.filter((r) => r.status === 'fail')).toHaveLength(50);
    expect(large.results.filter((r) => r.status === 'fail').every((r) => r.messageId === 'imagePull')).toBe(true);
    expect(large.calls).toBe(small.calls);
    // Nine lists (deployments, leaderworkersets, replicasets, pods, hpa, scaledobjects, pvcs, Warning events, nodes),
    // and, because some endpoints do not serve, the builder once: its Deployment and its pods (this cluster has none,
    // so no log read).
    expect(small.calls).toBe(11);
  });
});
