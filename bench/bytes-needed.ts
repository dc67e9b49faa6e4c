/**
 * What a run's reads were worth: for each request in a `-v=6` log (continued pages folded into their list), the
 * objects the server answered, found again in the snapshot it served with the server's own selection
 * (src/sources/snapshot/query.ts), each object counted once, at the size the doctor keeps it — whole, or projected
 * where the doctor projects the list (cluster-wide pod lists: placement). Bytes read over this is issue 16's "bytes
 * read ≤ 2× what the checks need": above 1 only for what is read twice, read and not kept, or the JSON envelopes.
 */
import { placementOf } from '../src/engine/projection.js';
import type { KubeObject } from '../src/engine/types.js';
import { LEAN_KINDS, leanItem } from '../src/sources/kube/live-kube.js';
import { lookupResource, type ResourceInfo } from '../src/sources/kube/resources.js';
import type { Snapshot } from '../src/sources/snapshot/load.js';
import { queryObjects } from '../src/sources/snapshot/query.js';

interface Asked {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** A request path as the resource it reads (undefined for discovery, /version, logs). */
function parse(url: URL, snapshot: Snapshot): Asked | undefined {
  const seg = url.pathname.split('/').filter(Boolean);
  let rest: string[];
  let group = '';
  if (seg[0] === 'api' && seg[1]) rest = seg.slice(2);
  else if (seg[0] === 'apis' && seg[2]) {
    group = seg[1]!;
    rest = seg.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, sub] = rest;
  if (!plural || sub) return undefined;
  const info = lookupResource(group ? `${plural}.${group}` : plural, snapshot.resources);
  if (!info) return undefined;
  const q = url.searchParams;
  return { info, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}), ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector')! } : {}), ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector')! } : {}) };
}

/** Its JSON size as the live port keeps it (src/sources/kube/live-kube.ts: big kinds without managedFields). */
const size = (o: KubeObject): number => Buffer.byteLength(JSON.stringify(LEAN_KINDS.has(o.kind ?? '') ? leanItem(o) : o));

/** Bytes of the distinct objects the logged requests read, at the size the run keeps them. */
export function bytesNeeded(log: string, snapshot: Snapshot): { bytes: number; objects: number } {
  const kept = new Map<KubeObject, number>();
  for (const line of log.split('\n')) {
    const m = /^GET (\S+) 200 /.exec(line);
    if (!m) continue;
    const url = new URL(m[1]!);
    if (url.searchParams.has('continue')) continue; // a page of a list counted below as a whole
    const asked = parse(url, snapshot);
    if (!asked) continue;
    const found = queryObjects(snapshot, asked.info, {
      ...(asked.namespace ? { namespace: asked.namespace } : {}),
      ...(asked.labelSelector ? { labelSelector: asked.labelSelector } : {}),
      ...(asked.fieldSelector ? { fieldSelector: asked.fieldSelector } : {}),
    }).filter((o) => !asked.name || o.metadata.name === asked.name);
    // The doctor projects every cluster-wide, unlabelled pod list to placement (src/engine/projection.ts).
    const projected = asked.info.kind === 'Pod' && !asked.namespace && !asked.labelSelector;
    for (const o of found) kept.set(o, Math.max(kept.get(o) ?? 0, projected ? size(placementOf(o)) : size(o)));
  }
  let bytes = 0;
  for (const b of kept.values()) bytes += b;
  return { bytes, objects: kept.size };
}
