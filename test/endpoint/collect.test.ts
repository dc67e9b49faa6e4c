/**
 * What the endpoint collector reads beyond the cluster (the registry probe, the builder queue through the cloud
 * port), what it does when RBAC denies a list, and that secrets in logs never reach the diagnosis.
 */
import { describe, expect, it } from '@jest/globals';
import { diagnose } from '../../diagnoses/index.js';
import { collectEndpointFacts, endpointSelector, k8sNameOf, type CollectInput } from '../../src/model-engine/endpoint-facts.js';
import type { CloudPort } from '../../src/engine/ports/cloud.js';
import type { ImageProbe, ImageProbeRequest, RegistryPort } from '../../src/engine/ports/registry.js';
import { SnapshotKube, type Denial } from '../../src/sources/kube/snapshot-kube.js';
import type { Snapshot } from '../../src/sources/snapshot/load.js';
import { snapshotOf } from './cases.js';

async function collect(name: string, query: string, extra: Partial<CollectInput> = {}, denials: Denial[] = [], edit?: (s: Snapshot) => Snapshot) {
  const base = await snapshotOf(name);
  const snap = edit ? edit(base) : base;
  const kube = new SnapshotKube(snap, denials);
  const facts = await collectEndpointFacts({ kube, query, namespace: 'llm-engine', controlPlaneNamespace: 'model-engine', now: snap.now, signal: new AbortController().signal, hints: { cloud: 'aws' }, ...extra });
  return { facts, kube, diagnosis: diagnose(facts) };
}

describe('endpointSelector', () => {
  it.each([
    ['end_ct4p8uhn2ojg00a4qkgg', { labelSelector: 'endpoint_id=end_ct4p8uhn2ojg00a4qkgg', k8sName: 'launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg', id: 'end_ct4p8uhn2ojg00a4qkgg' }],
    ['launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg', { labelSelector: 'endpoint_id=end_ct4p8uhn2ojg00a4qkgg', k8sName: 'launch-endpoint-id-end-ct4p8uhn2ojg00a4qkgg', id: 'end_ct4p8uhn2ojg00a4qkgg' }],
    ['mixtral-8x7b', { labelSelector: 'endpoint_name=mixtral-8x7b', name: 'mixtral-8x7b' }],
  ])('%s', (q, want) => expect(endpointSelector(q)).toEqual(want));
  it('names objects as model-engine does (facts §6.1)', () => expect(k8sNameOf('end_abc')).toBe('launch-endpoint-id-end-abc'));
});

describe('the registry probe for an image that fails to pull', () => {
  it('asks once per failing image, with the nodes\' architectures, and shows the answer', async () => {
    const asked: ImageProbeRequest[] = [];
    const registry: RegistryPort = {
      async probe(req): Promise<ImageProbe> {
        asked.push(req);
        return { ref: req.ref, registry: '307185671274.dkr.ecr.us-west-2.amazonaws.com', repository: 'vllm', reference: '0.6.3.post1', status: 'denied', detail: '403 Forbidden from ECR: not authorized to perform ecr:BatchGetImage', checkedWith: [{ label: 'anonymous', outcome: 'forbidden' }] };
      },
    };
    const { diagnosis } = await collect('endpoint-image-pull', 'end_ct5a0c9n2ojg00a4qm10', { registry });
    expect(asked).toEqual([{ ref: '307185671274.dkr.ecr.us-west-2.amazonaws.com/vllm:0.6.3.post1', architectures: ['amd64'] }]);
    expect(diagnosis.evidence).toContainEqual({ type: 'probe', target: '307185671274.dkr.ecr.us-west-2.amazonaws.com/vllm:0.6.3.post1', detail: 'denied: 403 Forbidden from ECR: not authorized to perform ecr:BatchGetImage' });
  });

  it('decides the kind from the probe when the kubelet message says nothing useful', async () => {
    const registry: RegistryPort = {
      async probe(req) {
        return { ref: req.ref, registry: 'r', repository: 'vllm', reference: '0.6.3.post1', status: 'missing-tag', detail: 'manifest unknown', checkedWith: [], tags: ['0.6.1.post2', '0.6.3'] };
      },
    };
    // Only the waiting message remains (events expired): "Back-off pulling image …" names no reason.
    const { diagnosis } = await collect('endpoint-image-pull', 'end_ct5a0c9n2ojg00a4qm10', { registry }, [], (s) => ({ ...s, objects: s.objects.filter((o) => o.kind !== 'Event') }));
    expect(diagnosis.cause).toBe('IMAGE_PULL');
    expect(diagnosis.summary).toContain('the repository or tag does not exist');
    expect(JSON.stringify(diagnosis.evidence)).toContain('tags nearby: 0.6.1.post2, 0.6.3');
  });
});

describe('the builder queue through the cloud port (--cloud-api)', () => {
  it('says how many build tasks wait', async () => {
    const asked: string[] = [];
    const cloud = {
      async sqsQueue(queue: string) {
        asked.push(queue);
        return { name: queue, exists: true, visible: 3, notVisible: 0 };
      },
    } as unknown as CloudPort;
    const { diagnosis } = await collect('endpoint-build-pending', 'end_ct5ndpen2ojg00a4qme0', { cloud });
    expect(asked).toEqual(['model-engine-service-builder']);
    expect(diagnosis.cause).toBe('BUILD_PENDING');
    expect(diagnosis.summary).toContain('3 build task(s) wait in queue model-engine-service-builder');
    expect(diagnosis.evidence).toContainEqual({ type: 'probe', target: 'sqs queue model-engine-service-builder', detail: '3 waiting, 0 taken by a worker' });
  });
});

describe('RBAC gaps', () => {
  it('a denied event list still gives a diagnosis, and says what it could not read', async () => {
    const { diagnosis } = await collect('endpoint-crash-loop', 'end_ct5j9lan2ojg00a4qma0', {}, [{ verb: 'list', resource: 'events', namespace: 'llm-engine' }]);
    expect(diagnosis.cause).toBe('CRASH_LOOP');
    expect(diagnosis.evidence.at(-1)).toMatchObject({ type: 'note', text: expect.stringContaining('forbidden: cannot list events in namespace llm-engine') });
  });

  it('a denied log read falls back to the restart count and termination', async () => {
    const { diagnosis } = await collect('endpoint-crash-loop', 'end_ct5j9lan2ojg00a4qma0', {}, [{ verb: 'get', resource: 'pods/log' }]);
    expect(diagnosis.cause).toBe('CRASH_LOOP');
    expect(diagnosis.summary).toContain('exits with Error (exit code 1); its previous log could not be read');
  });
});

describe('redaction', () => {
  it('masks credentials in log lines, events and summaries', async () => {
    const pod = 'launch-endpoint-id-end-ct5j9lan2ojg00a4qma0-n6m8p2q4r7-b8xzn';
    const { diagnosis } = await collect('endpoint-crash-loop', 'end_ct5j9lan2ojg00a4qma0', {}, [], (s) => {
      const logs = new Map(s.logs);
      logs.set(`llm-engine/${pod}/main#previous`, 'Connecting to rediss://:hunter2-very-secret@master.cache.amazonaws.com:6379/0\nredis.exceptions.AuthenticationError: invalid username-password pair or user is disabled.\n');
      return { ...s, logs };
    });
    expect(diagnosis.summary).toContain('Redis authentication failed');
    expect(JSON.stringify(diagnosis)).not.toContain('hunter2');
    expect(JSON.stringify(diagnosis.evidence)).toContain('rediss://:REDACTED@master.cache.amazonaws.com');
  });
});
