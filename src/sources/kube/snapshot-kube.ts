import { ForbiddenError } from '../../engine/errors.js';
import { projectAll, REPEATED_KINDS } from '../../engine/projection.js';
import { deepFreeze, sharedList } from '../../engine/frozen.js';
import { Interner } from '../../engine/intern.js';
import type { KubeObject, KubePort, ListOptions, LogOptions } from '../../engine/types.js';
import type { Snapshot } from '../snapshot/load.js';
import { queryObjects, servedResources, snapshotResource } from '../snapshot/query.js';
import { hasServed, qualifiedName } from './resources.js';

/** A denial to simulate, as the API server would answer it (tests, `serve --deny`). */
export interface Denial {
  verb: 'list' | 'get' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | '*';
  /** Qualified resource name (`pods`, `deployments.apps`, `pods/log`) or `*`. */
  resource: string;
  /** Namespace; omitted: every namespace and cluster scope. */
  namespace?: string;
}

export function isDenied(denials: readonly Denial[], verb: string, resource: string, namespace: string | undefined): boolean {
  return denials.some(
    (d) =>
      (d.verb === '*' || d.verb === verb) &&
      (d.resource === '*' || d.resource === resource) &&
      // A request across all namespaces needs the permission everywhere, so a denial in any one namespace denies it.
      (d.namespace === undefined || namespace === undefined || d.namespace === namespace),
  );
}

/** KubePort over an in-memory snapshot: the offline twin of the live port. */
export class SnapshotKube implements KubePort {
  requestCount = 0;
  readonly target: string;
  constructor(
    private readonly snapshot: Snapshot,
    private readonly denials: readonly Denial[] = [],
  ) {
    this.target = `snapshot ${snapshot.path}`;
  }

  /** The run's frozen copy of a snapshot object, made the first time a caller asks for it. */
  private readonly copies = new WeakMap<KubeObject, KubeObject>();
  /** Repeated subtrees and strings of the kinds held by the ten thousand, held once (as the live port does). */
  private readonly pool = new Interner();
  private shared(o: KubeObject): KubeObject {
    let copy = this.copies.get(o);
    if (!copy) {
      const clone = structuredClone(o);
      this.copies.set(o, (copy = deepFreeze(REPEATED_KINDS.has(o.kind ?? '') ? this.pool.intern(clone) : clone)));
    }
    return copy;
  }

  async list<T extends KubeObject = KubeObject>(resource: string, opts: ListOptions = {}): Promise<T[]> {
    this.requestCount++;
    const info = snapshotResource(this.snapshot, resource);
    if (!info) return [];
    if (isDenied(this.denials, 'list', qualifiedName(info), opts.namespace)) {
      throw new ForbiddenError('list', qualifiedName(info), opts.namespace);
    }
    // One copy of the snapshot's objects per run, frozen and shared by every check (src/engine/frozen.ts); the loaded
    // snapshot itself is never handed out, so nothing a caller does reaches it (serve's store included).
    const objects = queryObjects(this.snapshot, info, opts).map((o) => this.shared(o));
    return sharedList(projectAll(objects, opts.project)) as T[];
  }

  async get<T extends KubeObject = KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> {
    this.requestCount++;
    const info = snapshotResource(this.snapshot, resource);
    if (!info) return undefined;
    if (isDenied(this.denials, 'get', qualifiedName(info), namespace)) {
      throw new ForbiddenError('get', qualifiedName(info), namespace);
    }
    const hit = queryObjects(this.snapshot, info, {
      ...(namespace ? { namespace } : {}),
      fieldSelector: `metadata.name=${name}`,
    })[0];
    return hit ? (this.shared(hit) as T) : undefined;
  }

  async logs(namespace: string, pod: string, container: string, opts: LogOptions = {}): Promise<string | undefined> {
    this.requestCount++;
    if (isDenied(this.denials, 'get', 'pods/log', namespace)) throw new ForbiddenError('get', 'pods/log', namespace);
    const text = this.snapshot.logs.get(`${namespace}/${pod}/${container}${opts.previous ? '#previous' : ''}`);
    if (text === undefined || !opts.tailLines) return text;
    return tailLines(text, opts.tailLines);
  }

  async hasResource(resource: string): Promise<boolean> {
    // Only what a server over this snapshot would serve: built-ins plus the snapshot's own (CRD) resources.
    return hasServed(servedResources(this.snapshot), resource);
  }
}

export function tailLines(text: string, n: number): string {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.slice(-n).join('\n') + (text.endsWith('\n') ? '\n' : '');
}
