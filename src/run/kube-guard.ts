/**
 * The kube port a run's checks see: the live or snapshot port, plus two things the run needs to stay honest.
 *
 * - A ledger of what could and could not be read, so a run in which nothing could be read ends in exit 2
 *   instead of a report of skips, and the report can name what it did not see.
 * - Namespaces the run could not determine (RBAC forbids finding the control plane, or the read failed): reads in
 *   them throw the reason, so every check that depends on them skips (or errs) naming it, instead of quietly
 *   reading another namespace such as `default`.
 */
import { ApiError, ForbiddenError } from '../engine/errors.js';
import type { KubeObject, KubePort, ListOptions, LogOptions } from '../engine/types.js';

/** What the run read: successes, RBAC denials and failures (retries spent). */
export interface ReadLedger {
  ok: number;
  denied: ForbiddenError[];
  failed: ApiError[];
}


export class GuardedKube implements KubePort {
  readonly ledger: ReadLedger = { ok: 0, denied: [], failed: [] };
  private readonly unresolved = new Map<string, () => Error>();

  constructor(readonly inner: KubePort) {}

  get target(): string {
    return this.inner.target;
  }

  get requestCount(): number {
    return this.inner.requestCount;
  }

  refresh(): void {
    this.inner.refresh?.();
  }

  readsWhole(resource: 'pods', namespaces: readonly string[]): void {
    this.inner.readsWhole?.(resource, namespaces);
  }

  /** Reads in `namespace` (a placeholder) fail with `reason()`, a fresh ForbiddenError or ApiError each time. */
  markUnresolved(namespace: string, reason: () => ForbiddenError | ApiError): void {
    this.unresolved.set(namespace, reason);
  }

  /** Whether nothing at all could be read although reads were tried. */
  nothingRead(): boolean {
    return this.ledger.ok === 0 && this.ledger.denied.length + this.ledger.failed.length > 0;
  }

  private track<T>(namespace: string | undefined, read: () => Promise<T>): Promise<T> {
    const p = this.read(namespace, read);
    // A caller may drop a read it started (a check whose next statement threw first, e.g. on an unknown namespace):
    // its failure must not become an unhandled rejection. Whoever awaits it still gets the failure.
    p.catch(() => undefined);
    return p;
  }

  private async read<T>(namespace: string | undefined, read: () => Promise<T>): Promise<T> {
    const why = namespace === undefined ? undefined : this.unresolved.get(namespace);
    if (why) throw why();
    try {
      const value = await read();
      this.ledger.ok++;
      return value;
    } catch (e) {
      if (e instanceof ForbiddenError) this.ledger.denied.push(e);
      else if (e instanceof ApiError) this.ledger.failed.push(e);
      throw e;
    }
  }

  list<T extends KubeObject = KubeObject>(resource: string, opts?: ListOptions): Promise<T[]> {
    return this.track(opts?.namespace, () => this.inner.list<T>(resource, opts));
  }

  get<T extends KubeObject = KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined> {
    return this.track(namespace, () => this.inner.get<T>(resource, name, namespace));
  }

  logs(namespace: string, pod: string, container: string, opts?: LogOptions): Promise<string | undefined> {
    return this.track(namespace, () => this.inner.logs(namespace, pod, container, opts));
  }

  hasResource(resource: string): Promise<boolean> {
    return this.inner.hasResource(resource);
  }
}

/** The guard over `kube` (itself when it is one already). */
export const guardKube = (kube: KubePort): GuardedKube => (kube instanceof GuardedKube ? kube : new GuardedKube(kube));
