/**
 * groupEndpointFacts splits a namespace's facts into one set per endpoint. It used to filter every list once per
 * endpoint (3,000 endpoints × 100,000 pods at full size); it now groups each list once. The reference below is that
 * old per-endpoint filter, kept as the specification: on random namespaces — endpoints whose Kubernetes names prefix
 * one another, events named after objects, after an endpoint's name, after a name and a suffix, or after nothing —
 * both must give the same facts, in the same order.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { KubeEvent } from '../../src/engine/kube-types.js';
import type { KubeObject } from '../../src/engine/types.js';
import { ENDPOINT_OBJECTS, groupEndpointFacts, type EndpointFacts, type NamespaceFacts } from '../../src/model-engine/endpoint-facts.js';
import { k8sNameOf } from '../../src/model-engine/naming.js';
import { fuzzParams } from '../security/support.js';

/** The old grouping, verbatim in what it selects: a filter per endpoint and list. */
function reference(nf: NamespaceFacts): Map<string, Pick<EndpointFacts, 'pods' | 'replicaSets' | 'pvcs' | 'deployments' | 'hpas' | 'events'>> {
  const ids = new Set<string>();
  const idOf = (o: KubeObject) => o.metadata.labels?.[ENDPOINT_OBJECTS];
  for (const o of [...nf.deployments, ...nf.leaderWorkerSets, ...nf.pods]) {
    const id = idOf(o);
    if (id) ids.add(id);
  }
  const pick = <T extends KubeObject>(list: readonly T[], id: string) => list.filter((o) => idOf(o) === id);
  const out = new Map<string, Pick<EndpointFacts, 'pods' | 'replicaSets' | 'pvcs' | 'deployments' | 'hpas' | 'events'>>();
  for (const id of ids) {
    const pods = pick(nf.pods, id);
    const replicaSets = pick(nf.replicaSets, id);
    const pvcs = pick(nf.pvcs, id);
    const deployments = pick(nf.deployments, id);
    const leaderWorkerSets = pick(nf.leaderWorkerSets, id);
    const names = new Set([...deployments, ...leaderWorkerSets, ...replicaSets, ...pods, ...pvcs].map((o) => o.metadata.name));
    const prefix = k8sNameOf(id);
    const events = nf.events.filter((e) => {
      const n = e.involvedObject?.name ?? '';
      return names.has(n) || n === prefix || n.startsWith(`${prefix}-`);
    });
    out.set(id, { pods, replicaSets, pvcs, deployments, hpas: pick(nf.hpas, id), events });
  }
  return out;
}

// Ids whose Kubernetes names prefix one another (end_a, end_a_b → launch-endpoint-id-end-a, …-end-a-b).
const ID = fc.constantFrom('end_a', 'end_a_b', 'end_ab', 'end_b', 'end_a_b_c');
const obj = (kind: string) =>
  fc.record({ id: fc.option(ID, { nil: undefined }), name: fc.oneof(ID.map(k8sNameOf), fc.tuple(ID, fc.constantFrom('5d8f', 'x', 'a-b')).map(([i, s]) => `${k8sNameOf(i)}-${s}`), fc.string({ maxLength: 6 })) }).map(
    ({ id, name }) => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'llm-engine', labels: id ? { [ENDPOINT_OBJECTS]: id } : { app: 'other' } } }) as KubeObject,
  );
const event = fc
  .oneof(
    ID.map(k8sNameOf),
    fc.tuple(ID, fc.constantFrom('', '-', '-5d8f-r1', 'x', '-b', '-b-c')).map(([i, s]) => `${k8sNameOf(i)}${s}`),
    fc.string({ maxLength: 8 }),
    fc.constant('launch-endpoint-id-end'),
  )
  .map((name) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: `${name}.1`, namespace: 'llm-engine' }, involvedObject: { kind: 'Pod', name } }) as unknown as KubeEvent);

const namespaceFacts = fc
  .record({
    deployments: fc.array(obj('Deployment'), { maxLength: 6 }),
    replicaSets: fc.array(obj('ReplicaSet'), { maxLength: 8 }),
    pods: fc.array(obj('Pod'), { maxLength: 20 }),
    pvcs: fc.array(obj('PersistentVolumeClaim'), { maxLength: 3 }),
    hpas: fc.array(obj('HorizontalPodAutoscaler'), { maxLength: 3 }),
    events: fc.array(event, { maxLength: 30 }),
  })
  .map(
    (r) =>
      ({
        namespace: 'llm-engine',
        controlPlaneNamespace: 'model-engine',
        now: '2026-11-20T09:30:00Z',
        deployments: r.deployments,
        leaderWorkerSets: [],
        replicaSets: r.replicaSets,
        pods: r.pods,
        hpas: r.hpas,
        scaledObjects: [],
        pvcs: r.pvcs,
        events: r.events,
        nodes: [],
        logs: [],
        gaps: [],
      }) as unknown as NamespaceFacts,
  );

describe('groupEndpointFacts', () => {
  it('gives each endpoint what a filter per endpoint gives, in the same order (property)', () => {
    fc.assert(
      fc.property(namespaceFacts, (nf) => {
        const want = reference(nf);
        const got = groupEndpointFacts(nf);
        expect(got.map((f) => f.query).sort()).toEqual([...want.keys()].sort());
        for (const f of got) {
          const w = want.get(f.query)!;
          // Same objects (identity), same order.
          for (const k of ['pods', 'replicaSets', 'pvcs', 'deployments', 'hpas', 'events'] as const) {
            expect(f[k].length).toBe(w[k].length);
            (f[k] as readonly unknown[]).forEach((o, i) => expect(o).toBe(w[k][i]));
          }
        }
      }),
      fuzzParams(400),
    );
  });

});
