/**
 * The endpoint-<cause> snapshots are internally consistent, as a real cluster is: owners exist with the uids their
 * children name, events and logs belong to real objects and containers, pods run on listed nodes, and nothing is
 * newer than the snapshot's collection time.
 */
import { describe, expect, it } from '@jest/globals';
import type { KubeEvent, KubeObject, Pod } from '../../src/engine/index.js';
import { CAUSE_CASES, snapshotOf } from './cases.js';

const FIXTURES = [...new Set(CAUSE_CASES.map((c) => c.fixture).filter((f) => f.startsWith('endpoint-')))];

function timestamps(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') {
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(x)) out.push(x);
  } else if (Array.isArray(x)) x.forEach((v) => timestamps(v, out));
  else if (x && typeof x === 'object') Object.values(x).forEach((v) => timestamps(v, out));
  return out;
}

/** App containers and init containers (a native sidecar such as istio-proxy is one). */
const containerNames = (p: Pod) => [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c) => c.name);

describe.each(FIXTURES)('%s', (name) => {
  it('is consistent', async () => {
    const s = await snapshotOf(name);
    expect(s.info?.collectedAt).toBe(s.now.toISOString().replace('.000Z', 'Z'));
    const byKind = (kind: string) => s.objects.filter((o) => o.kind === kind);
    const find = (kind: string, ns: string | undefined, n: string) => s.objects.find((o) => o.kind === kind && o.metadata.name === n && (ns === undefined || o.metadata.namespace === ns));
    for (const o of s.objects) {
      for (const ref of o.metadata.ownerReferences ?? []) {
        const owner = find(ref.kind, o.metadata.namespace, ref.name);
        // Control-plane and infrastructure (KEDA, …) pods' ReplicaSets are not part of these small snapshots.
        if (!owner && o.metadata.namespace !== 'llm-engine') continue;
        expect(owner?.metadata.uid).toBe(ref.uid);
      }
      for (const t of timestamps(o)) expect(Date.parse(t)).toBeLessThanOrEqual(s.now.getTime());
    }
    const nodes = new Set(byKind('Node').map((n) => n.metadata.name));
    for (const p of byKind('Pod') as Pod[]) if (p.spec.nodeName) expect(nodes.has(p.spec.nodeName)).toBe(true);
    for (const e of byKind('Event') as KubeEvent[]) {
      const obj = find(e.involvedObject.kind!, e.involvedObject.namespace, e.involvedObject.name!) as KubeObject | undefined;
      expect(obj?.metadata.uid).toBe(e.involvedObject.uid);
      const container = /spec\.(?:initC|c)ontainers\{(.+)\}/.exec(e.involvedObject.fieldPath ?? '')?.[1];
      if (container) expect(containerNames(obj as Pod)).toContain(container);
    }
    for (const key of s.logs.keys()) {
      const [ns, pod, container] = key.replace(/#previous$/, '').split('/');
      const p = find('Pod', ns, pod!) as Pod | undefined;
      expect(containerNames(p!)).toContain(container);
      if (key.endsWith('#previous')) expect([...(p?.status?.initContainerStatuses ?? []), ...(p?.status?.containerStatuses ?? [])].find((c) => c.name === container)?.restartCount).toBeGreaterThan(0);
    }
    // Every endpoint object carries the labels model-engine puts on it (facts §6.3).
    for (const o of s.objects.filter((x) => x.metadata.name.startsWith('launch-endpoint-id-') && x.kind !== 'Event')) {
      expect(o.metadata.labels).toMatchObject({ 'managed-by': 'model-engine', endpoint_id: expect.stringMatching(/^end_[0-9a-v]{20}$/), endpoint_name: expect.any(String) });
    }
  });
});
