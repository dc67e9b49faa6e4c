import type { KubeObject, ListOptions } from '../../engine/types.js';
import { BUILTIN_GROUPS, KNOWN_RESOURCES, lookupResource, type ResourceInfo, qualifiedName } from '../kube/resources.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from '../kube/selectors.js';
import type { Snapshot } from './load.js';

/** Find a resource the snapshot serves, by kubectl name (`deployments.apps`, `pods`, `so`). */
export function snapshotResource(snapshot: Snapshot, name: string): ResourceInfo | undefined {
  return lookupResource(name, snapshot.resources);
}

/** The snapshot's objects of one resource, filtered like the API server filters (namespace, selectors). */
export function queryObjects(snapshot: Snapshot, info: ResourceInfo, opts: ListOptions = {}): KubeObject[] {
  const labels = parseLabelSelector(opts.labelSelector);
  const fields = parseFieldSelector(opts.fieldSelector, info.kind);
  const group = info.group;
  return snapshot.objects
    .filter((o) => {
      if (o.kind !== info.kind) return false;
      const g = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '';
      if (g !== group) return false;
      if (info.namespaced && opts.namespace && o.metadata.namespace !== opts.namespace) return false;
      return matchLabels(o.metadata.labels, labels) && matchFields(o, fields);
    })
    .sort((a, b) => compareKeys(objectKey(a), objectKey(b)));
}

/** `namespace/name` (or `name`): the order the API server lists in (etcd keys, byte order), used for paging. */
export const objectKey = (o: KubeObject): string =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;

// Byte order, not localeCompare: the API server lists in etcd key order, and continue tokens compare keys.
export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The resources an API server over this snapshot serves: the built-in groups' table (a real cluster serves
 * those even when empty) plus whatever the snapshot holds or defines with CRDs, snapshot versions first.
 */
export function servedResources(snapshot: Snapshot): ResourceInfo[] {
  const out = new Map<string, ResourceInfo>();
  const key = (r: ResourceInfo) => `${r.group}/${r.version}/${r.plural}`;
  for (const r of snapshot.resources) out.set(key(r), r);
  for (const r of KNOWN_RESOURCES) if (BUILTIN_GROUPS.has(r.group) && !out.has(key(r))) out.set(key(r), r);
  return [...out.values()];
}

export const resourceKey = qualifiedName;
