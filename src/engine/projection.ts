/**
 * Lean projections of the lists a cluster holds by the hundred thousand. A cluster-wide pod list is read for one
 * purpose: where pods run and what they hold (GPU capacity, the room left on the nodes a Pending pod could use).
 * Kept whole, 100,000 pods are gigabytes; projected as they arrive, page by page, they are a tenth of that.
 *
 * Every port applies the same projection (live, snapshot), so a check that reads a field the projection drops
 * reads `undefined` in the tests too: the projection is what the checks see everywhere.
 */
import type { KubeObject } from './types.js';

/**
 * The kinds whose items repeat one another (the replicas of one template, the nodes of one pool): the ports intern
 * them (src/engine/intern.ts), so their repeated subtrees and strings are held once. Events are nearly all unique;
 * pooling them costs more than it saves.
 */
export const REPEATED_KINDS: ReadonlySet<string> = new Set(['Pod', 'Node', 'ReplicaSet']);

/** The projections a list may ask for. */
export type Projection = 'placement';

type Rec = Record<string, unknown>;
const isRec = (x: unknown): x is Rec => typeof x === 'object' && x !== null && !Array.isArray(x);

function pick(from: unknown, keys: readonly string[]): Rec | undefined {
  if (!isRec(from)) return undefined;
  const out: Rec = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

const CONTAINER_KEYS = ['name', 'image', 'resources', 'restartPolicy'] as const;
type Containers = (list: unknown) => Rec[] | undefined;
const containers: Containers = (list) => (Array.isArray(list) ? list.map((c) => pick(c, CONTAINER_KEYS) ?? {}) : undefined);

/**
 * A pod as placement reads it: identity and owners; the node it is bound to, what steers it there (selectors,
 * affinity, tolerations, priority) and what it requests (containers' resources, pod-level resources, overhead);
 * its phase and conditions. Not kept: env, volumes, probes, commands, container statuses, managedFields.
 */
export function placementOf(pod: KubeObject): KubeObject {
  return placement(pod, containers);
}

/**
 * {@link placementOf} for many pods whose parts are already held once (a list the ports interned): the replicas of a
 * template share one containers array, and their projections then share one projected containers array, made once
 * per source array. Equal, field for field, to `placementOf` of each; it costs no pool of its own.
 */
export function placementProjector(): (pod: KubeObject) => KubeObject {
  const made = new WeakMap<object, Rec[]>();
  const shared: Containers = (list) => {
    if (!Array.isArray(list)) return undefined;
    let out = made.get(list);
    if (!out) made.set(list, (out = containers(list)!));
    return out;
  };
  return (pod) => (pod.kind === 'Pod' ? placement(pod, shared) : pod);
}

function placement(pod: KubeObject, containers: Containers): KubeObject {
  const md = pod.metadata;
  const spec = isRec(pod.spec) ? pod.spec : {};
  const status = isRec(pod.status) ? pod.status : undefined;
  const metadata = pick(md, ['name', 'namespace', 'uid', 'labels', 'ownerReferences', 'creationTimestamp', 'deletionTimestamp']) as KubeObject['metadata'];
  const out: KubeObject = {
    ...(pod.apiVersion ? { apiVersion: pod.apiVersion } : {}),
    ...(pod.kind ? { kind: pod.kind } : {}),
    metadata,
    spec: {
      ...pick(spec, ['nodeName', 'nodeSelector', 'affinity', 'tolerations', 'priorityClassName', 'priority', 'schedulerName', 'resources', 'overhead']),
      containers: containers(spec.containers) ?? [],
      ...(Array.isArray(spec.initContainers) ? { initContainers: containers(spec.initContainers) } : {}),
    },
  };
  if (status) out.status = pick(status, ['phase', 'reason', 'message', 'conditions', 'nominatedNodeName', 'startTime']);
  return out;
}

/** `obj` as `projection` keeps it (objects of other kinds pass unchanged). */
export function project(obj: KubeObject, projection: Projection | undefined): KubeObject {
  if (projection === 'placement' && obj.kind === 'Pod') return placementOf(obj);
  return obj;
}

/**
 * `items` (a list a port read and holds once, its repeated parts interned) as `projection` keeps them; `items` when
 * none. The projection reuses their parts and shares what it makes for parts they share (the replicas' containers),
 * with no pool of its own (whose index would be most of what it makes). Both ports project their lists so.
 */
export function projectAll(items: KubeObject[], projection: Projection | undefined): KubeObject[] {
  if (!projection) return items;
  return items.map(placementProjector());
}
