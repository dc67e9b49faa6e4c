/**
 * Run a check against a named fixture changed in memory: for the one-field variants (a degraded Deployment, a
 * hand-edited ConfigMap) that do not deserve a fixture folder of their own.
 */
import type { Check, CheckResult, KubeObject } from '../../../src/engine/index.js';
import { runCheck } from '../../../src/engine/runner.js';
import { resolveContext } from '../../../src/run/context.js';
import { SnapshotKube, type Denial } from '../../../src/sources/kube/snapshot-kube.js';
import { loadSnapshot, resourcesOf, type Snapshot } from '../../../src/sources/snapshot/load.js';
import { fixture } from '../../support/check-tester.js';

const loaded = new Map<string, Promise<Snapshot>>();

export async function runMutated(
  check: Check,
  snapshot: string,
  mutate: (objects: KubeObject[]) => KubeObject[] | void,
  denials: Denial[] = [],
): Promise<CheckResult[]> {
  let loading = loaded.get(snapshot);
  if (!loading) loaded.set(snapshot, (loading = loadSnapshot(fixture(snapshot))));
  const base = await loading;
  let objects = structuredClone(base.objects);
  objects = mutate(objects) ?? objects;
  const kube = new SnapshotKube({ ...base, objects, resources: resourcesOf(objects) }, denials);
  const { context } = await resolveContext({ kube, now: base.now });
  return runCheck(check, context, { timeoutMs: 10_000 });
}

export const byName = (objects: KubeObject[], kind: string, namespace: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name)!;
