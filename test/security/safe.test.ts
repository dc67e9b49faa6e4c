/** The safe accessors and the typed reader for Kubernetes objects (src/engine/safe.ts). */
import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../src/engine/types.js';
import { conformAs, conformObject, conformPodSpec, get, list, num, records, str, strMap, strings } from '../../src/engine/safe.js';

describe('accessors answer undefined or empty for a missing field or a wrong type', () => {
  const o = { spec: { replicas: 3, containers: [{ name: 'a' }, 'x', null], labels: { a: 'b', n: 1, l: [1] }, name: 5 } };
  it.each([
    [get(o, 'spec', 'containers', 0, 'name'), 'a'],
    [get(o, 'spec', 'containers', 9, 'name'), undefined],
    [get(o, 'spec', 'replicas', 'x'), undefined],
    [get('not an object', 'spec'), undefined],
    [get(o, 'constructor'), undefined],
    [str(o, 'spec', 'name'), undefined],
    [num(o, 'spec', 'replicas'), 3],
    [num({ n: Number.NaN }, 'n'), undefined],
  ])('%#', (got, want) => expect(got).toEqual(want));

  it('lists, maps and strings', () => {
    expect(list(o, 'spec', 'replicas')).toEqual([]);
    expect(records(o, 'spec', 'containers')).toEqual([{ name: 'a' }]);
    expect(strings({ a: ['x', 1, 'y'] }, 'a')).toEqual(['x', 'y']);
    expect(strMap(o, 'spec', 'labels')).toEqual({ a: 'b', n: '1' });
    expect(strMap(o, 'spec', 'nope')).toEqual({});
  });
});

describe('conformObject makes the narrow views true', () => {
  it('drops fields of the wrong type and names each', () => {
    const problems: string[] = [];
    const pod = conformObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 1, b: ['x'] } }, spec: { containers: 'x', nodeSelector: 5 }, status: { phase: 1, containerStatuses: [{ name: 'c', restartCount: 'many' }] } }, problems);
    expect(pod).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [] }, status: { containerStatuses: [{ name: 'c' }] } });
    expect(problems).toEqual([
      'metadata.labels.b is a list, not a string',
      'spec.containers is a string, not a list',
      'spec.nodeSelector is a number, not a map of strings',
      'status.phase is a number, not a string',
      'status.containerStatuses[0].restartCount is a string, not a number',
    ]);
  });

  it('fills the parts a view requires, and leaves out list items without the field they cannot do without', () => {
    const problems: string[] = [];
    const d = conformObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, status: { conditions: [{ type: 'Available', status: 'True' }, { status: 'False' }] } }, problems);
    expect(d.spec).toEqual({ template: { spec: { containers: [] } } });
    expect(d.status).toEqual({ conditions: [{ type: 'Available', status: 'True' }] });
    expect(problems).toEqual(['spec is missing', 'status.conditions[1] has no type; left out']);
  });

  it('reads quantities given as numbers as their text, and keeps fields it does not know', () => {
    const pod = conformObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': 1 } }, futureField: { a: 1 } }] } });
    expect(pod.spec).toEqual({ containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': '1' } }, futureField: { a: 1 } }] });
  });

  it('leaves kinds it has no view of alone, but for metadata', () => {
    const w = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', annotations: { a: true } }, spec: 5 };
    expect(conformObject(w)).toEqual({ ...w, metadata: { name: 'w', annotations: { a: 'true' } } });
  });
});

describe('conformAs and conformPodSpec: objects and pod specs read where nothing validated them', () => {
  it('a custom resource served live reads a field of the wrong type as absent', () => {
    const so = conformAs<KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> }>('ScaledObject', {
      metadata: { name: 'so' },
      spec: { minReplicaCount: '0', scaleTargetRef: 'x', fallback: { replicas: 'two', failureThreshold: 3 }, triggers: [{ type: 'redis', metadata: { address: 6379, bad: [1] } }, { metadata: {} }, 'x'] },
      status: { conditions: { type: 'Ready' }, lastActiveTime: 5 },
    });
    expect(so).toEqual({
      kind: 'ScaledObject',
      metadata: { name: 'so' },
      spec: { fallback: { failureThreshold: 3 }, triggers: [{ type: 'redis', metadata: { address: '6379' } }] },
      status: {},
    });
  });

  it('something that is not an object at all is an object of the kind with nothing in it', () => {
    expect(conformAs('APIService', 5)).toEqual({ kind: 'APIService', metadata: {} });
    expect(conformAs('LeaderWorkerSet', { metadata: { name: 'l' }, spec: { template: { spec: { containers: 'x' } } } })).toEqual({ kind: 'LeaderWorkerSet', metadata: { name: 'l' }, spec: { template: { spec: { containers: [] } } } });
  });

  it('a rendered pod spec becomes the PodSpec view, naming what it dropped', () => {
    const problems: string[] = [];
    expect(conformPodSpec({ containers: [{ name: 'c', envFrom: 'x' }, { image: 'i' }], nodeSelector: { gpu: 1 }, volumes: {} }, problems)).toEqual({ containers: [{ name: 'c' }], nodeSelector: { gpu: '1' } });
    expect(problems).toEqual(['spec.containers[0].envFrom is a string, not a list', 'spec.containers[1] has no name; left out', 'spec.volumes is a map, not a list']);
    expect(conformPodSpec('x')).toEqual({ containers: [] });
  });
});
