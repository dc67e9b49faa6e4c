/**
 * The objects a snapshot server answers from, indexed so that a cluster of 100,000 pods costs no scan per request:
 * by name for GETs, and per resource in the API server's list order (etcd key order) for lists and their pages.
 */
import type { KubeObject } from '../../engine/types.js';
import type { ResourceInfo } from '../kube/resources.js';
import { compareKeys, objectKey } from '../snapshot/query.js';

const groupOf = (o: KubeObject) => (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0]! : '');

/** Whether an object is one of a resource's (same kind and group, whatever the version). */
export const sameResource = (o: KubeObject, info: ResourceInfo) => o.kind === info.kind && groupOf(o) === info.group;

const kindKey = (group: string, kind: string | undefined) => `${group}|${kind ?? ''}`;

export class ObjectStore {
  /** In the order they were read or created: what `objects()` and a watch's initial ADDED events follow. */
  private readonly all: KubeObject[];
  /** `group|kind|name` → the objects of that name (one per namespace). */
  private readonly byName = new Map<string, KubeObject[]>();
  /** `group|kind` → that resource's objects in key order; built on first list, dropped on a write. */
  private readonly sorted = new Map<string, KubeObject[]>();
  private rv: number;

  constructor(objects: KubeObject[]) {
    this.all = objects;
    // A loop, not Math.max(...objects): a spread of 100,000 arguments overflows the stack.
    let rv = 1000;
    for (const o of objects) {
      rv = Math.max(rv, Number(o.metadata.resourceVersion) || 0);
      this.index(o);
    }
    this.rv = rv;
  }

  private nameKey(o: KubeObject): string {
    return `${kindKey(groupOf(o), o.kind)}|${o.metadata.name}`;
  }

  private index(o: KubeObject): void {
    const k = this.nameKey(o);
    const same = this.byName.get(k);
    if (same) same.push(o);
    else this.byName.set(k, [o]);
  }

  private unindex(o: KubeObject): void {
    const k = this.nameKey(o);
    const same = (this.byName.get(k) ?? []).filter((x) => x !== o);
    if (same.length) this.byName.set(k, same);
    else this.byName.delete(k);
  }

  /** The current resourceVersion (as the last write left it). */
  get resourceVersion(): string {
    return String(this.rv);
  }

  nextResourceVersion(): string {
    return String(++this.rv);
  }

  objects(): readonly KubeObject[] {
    return this.all;
  }

  /** The first object of a resource with this name (and namespace, for a namespaced resource). */
  find(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byName
      .get(`${kindKey(info.group, info.kind)}|${name}`)
      ?.find((o) => !info.namespaced || (o.metadata.namespace ?? '') === (namespace ?? ''));
  }

  /** Any object matching a predicate (rare lookups: a CRD by its names, a pod for exec). */
  findWhere(pred: (o: KubeObject) => boolean): KubeObject | undefined {
    return this.all.find(pred);
  }

  /** A resource's objects in the API server's list order (`namespace/name`, byte order); ties keep store order. */
  ofResource(info: ResourceInfo): readonly KubeObject[] {
    const k = kindKey(info.group, info.kind);
    let list = this.sorted.get(k);
    if (!list) {
      const keyed = this.all.filter((o) => sameResource(o, info)).map((o, i) => ({ o, key: objectKey(o), i }));
      keyed.sort((a, b) => compareKeys(a.key, b.key) || a.i - b.i);
      list = keyed.map((x) => x.o);
      this.sorted.set(k, list);
    }
    return list;
  }

  insert(obj: KubeObject): void {
    this.all.push(obj);
    this.index(obj);
    this.sorted.clear();
  }

  replace(old: KubeObject, next: KubeObject): void {
    const at = this.all.indexOf(old);
    if (at >= 0) this.all[at] = next;
    this.unindex(old);
    this.index(next);
    this.sorted.clear();
  }

  remove(old: KubeObject): void {
    const at = this.all.indexOf(old);
    if (at >= 0) this.all.splice(at, 1);
    this.unindex(old);
    this.sorted.clear();
  }
}

/** The first index in a key-sorted list whose key is greater than `after` (a continue token's start). */
export function indexAfter(list: readonly KubeObject[], after: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(objectKey(list[mid]!), after) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index in a key-sorted list whose key is at least `from`. */
export function indexFrom(list: readonly KubeObject[], from: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(objectKey(list[mid]!), from) >= 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
