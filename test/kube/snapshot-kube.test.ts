/**
 * SnapshotKube hands every check one frozen copy of each snapshot object (issue 16: no per-check copy), made the
 * first time it is asked for; the loaded snapshot itself is never handed out.
 */
import { describe, expect, it } from '@jest/globals';
import { SnapshotKube } from '../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';
import type { Pod } from '../../src/engine/kube-types.js';
import { fixture } from '../support/check-tester.js';

describe('SnapshotKube objects', () => {
  it('are shared between lists and gets, frozen, and copies of the snapshot (which stays as loaded)', async () => {
    const snapshot = await loadSnapshot(fixture('fixtures/clusters/demo-aws'));
    const kube = new SnapshotKube(snapshot);
    const a = await kube.list<Pod>('pods', { namespace: 'model-engine' });
    const b = await kube.list<Pod>('pods', { namespace: 'model-engine' });
    expect(a.length).toBeGreaterThan(0);
    expect(b[0]).toBe(a[0]);
    expect(await kube.get<Pod>('pods', a[0]!.metadata.name, 'model-engine')).toBe(a[0]);
    expect(Object.isFrozen(a[0]!.spec.containers[0])).toBe(true);
    expect(() => {
      a[0]!.metadata.name = 'changed';
    }).toThrow(TypeError);
    // Not the snapshot's own object: serve and the next run read the snapshot as loaded.
    const loaded = snapshot.objects.find((o) => o.kind === 'Pod' && o.metadata.name === a[0]!.metadata.name)!;
    expect(loaded).not.toBe(a[0]);
    expect(Object.isFrozen(loaded)).toBe(false);
    // Each caller's array is its own.
    a.reverse();
    expect(b[0]).not.toBe(a[0]);
    expect((await kube.list<Pod>('pods', { namespace: 'model-engine' }))[0]).toBe(b[0]);
  });

  it('a projected list is made from the shared copies, frozen too', async () => {
    const kube = new SnapshotKube(await loadSnapshot(fixture('fixtures/clusters/demo-aws')));
    const placed = await kube.list<Pod>('pods', { project: 'placement' });
    expect(placed.length).toBeGreaterThan(0);
    expect(Object.isFrozen(placed[0])).toBe(true);
  });
});
