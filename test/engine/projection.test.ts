/**
 * The placement projection keeps what placement reads: on every cluster fixture, GPU capacity and the room on each
 * node come out the same from projected pods as from whole ones, and what it drops is gone.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, Pod } from '../../src/engine/kube-types.js';
import { placementOf, placementProjector, project } from '../../src/engine/projection.js';
import { gpuCapacity } from '../../src/model-engine/gpu.js';
import { nodeFits } from '../../src/model-engine/scheduling.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import { fixture } from '../support/check-tester.js';

const CLUSTERS = fixture('fixtures/clusters');
const clusters = readdirSync(CLUSTERS).filter((f) => statSync(join(CLUSTERS, f)).isDirectory());

describe('placement projection', () => {
  it.each(clusters)('%s: GPU capacity and node fit are the same from projected pods', async (name) => {
    const snapshot = await loadSnapshot(join(CLUSTERS, name));
    const nodes = snapshot.objects.filter((o) => o.kind === 'Node') as unknown as Node[];
    const pods = snapshot.objects.filter((o) => o.kind === 'Pod') as unknown as Pod[];
    const projected = pods.map((p) => placementOf(p as never) as unknown as Pod);
    expect(gpuCapacity(nodes, projected)).toEqual(gpuCapacity(nodes, pods));
    for (const pending of pods.filter((p) => !p.spec.nodeName)) expect(nodeFits(pending, nodes, projected)).toEqual(nodeFits(pending, nodes, pods));
  });

  it('drops env, volumes, probes, statuses and managedFields; keeps requests, placement and phase', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'n', uid: 'u', labels: { a: 'b' }, annotations: { big: 'x' }, managedFields: [{}] },
      spec: {
        nodeName: 'gpu-1',
        nodeSelector: { 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
        volumes: [{ name: 'v' }],
        containers: [{ name: 'main', image: 'i', env: [{ name: 'SECRET', value: 's' }], readinessProbe: {}, resources: { requests: { 'nvidia.com/gpu': '1' } } }],
        initContainers: [{ name: 'side', image: 'j', restartPolicy: 'Always', resources: { requests: { cpu: '1' } } }],
      },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'main' }] },
    };
    expect(placementOf(pod)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'n', uid: 'u', labels: { a: 'b' } },
      spec: {
        nodeName: 'gpu-1',
        nodeSelector: { 'k8s.amazonaws.com/accelerator': 'nvidia-ampere-a10' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
        containers: [{ name: 'main', image: 'i', resources: { requests: { 'nvidia.com/gpu': '1' } } }],
        initContainers: [{ name: 'side', image: 'j', restartPolicy: 'Always', resources: { requests: { cpu: '1' } } }],
      },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', managedFields: [] } };
    expect(project(node, 'placement')).toBe(node);
    expect(project(pod, undefined)).toBe(pod);
  });
});

describe('placementProjector: the projection of pods already held once', () => {
  it('is placementOf for every pod of every cluster fixture, key order and all; other kinds pass through', async () => {
    let pods = 0;
    for (const name of clusters) {
      const snapshot = await loadSnapshot(join(CLUSTERS, name));
      const place = placementProjector();
      for (const o of snapshot.objects) {
        expect(JSON.stringify(place(o))).toBe(JSON.stringify(project(o, 'placement')));
        if (o.kind !== 'Pod') expect(place(o)).toBe(o);
        else pods++;
      }
    }
    expect(pods).toBeGreaterThan(100);
  });

  it('makes one projected containers array for pods that share their containers array, and separate ones otherwise', () => {
    const containers = [{ name: 'main', image: 'i', env: [{ name: 'A', value: 'b' }], resources: { requests: { 'nvidia.com/gpu': '1' } } }];
    const pod = (name: string, list: unknown[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'n' }, spec: { nodeName: 'x', containers: list } });
    const place = placementProjector();
    type Placed = { spec: { containers: unknown[] } };
    const [a, b, c] = [pod('a', containers), pod('b', containers), pod('c', structuredClone(containers))].map((p) => place(p) as unknown as Placed);
    expect(a!.spec.containers).toBe(b!.spec.containers);
    expect(c!.spec.containers).not.toBe(a!.spec.containers);
    expect(c!.spec.containers).toEqual(a!.spec.containers);
    expect(a!.spec.containers).toEqual([{ name: 'main', image: 'i', resources: { requests: { 'nvidia.com/gpu': '1' } } }]);
    // A projector of its own shares nothing with another's.
    expect((placementProjector()(pod('d', containers)) as unknown as Placed).spec.containers).not.toBe(a!.spec.containers);
  });
});
