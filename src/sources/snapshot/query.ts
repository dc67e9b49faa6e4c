import type { KubeObject, ListOptions } from '../../engine/types.js';
import { lookupResource, type ResourceInfo, qualifiedName } from '../kube/resources.js';
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
    .sort((a, b) =>
      (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name),
    );
}

export const resourceKey = qualifiedName;
