/** What every handler of the snapshot server shares: the served snapshot, its store, the answers, the watchers. */
import type { KubeObject } from '../../engine/types.js';
import { isDenied, type Denial } from '../kube/snapshot-kube.js';
import { apiVersionOf, BUILTIN_GROUPS, qualifiedName, type ResourceInfo } from '../kube/resources.js';
import type { Snapshot } from '../snapshot/load.js';
import type { Responder } from './respond.js';
import { details, forbiddenMessage, HttpError } from './status.js';
import type { ObjectStore } from './store.js';
import type { PrinterColumn } from './tables.js';
import type { Watchers } from './watch.js';

export interface ServerContext {
  /** The snapshot as served (redacted unless the options said otherwise). */
  snapshot: Snapshot;
  now: Date;
  /** The user named in Forbidden messages. */
  user: string;
  denials: readonly Denial[];
  served: readonly ResourceInfo[];
  /** The verbs discovery advertises: read-only, or read-write with `writable`. */
  verbs: string[];
  writable: boolean;
  store: ObjectStore;
  respond: Responder;
  watchers: Watchers;
}

/** A request's target: a resource's collection or one of its objects (and a subresource). */
export interface Route {
  group: string;
  version: string;
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  sub?: string;
}

type Obj = Record<string, unknown>;

/** An object as served under `info`'s group/version (lists drop kind/apiVersion on built-in items, like the real server). */
export function present(o: KubeObject, info: ResourceInfo): KubeObject {
  return { ...o, apiVersion: apiVersionOf(info), kind: info.kind };
}

/** A custom resource's printer columns, from its CRD in the store (built-in resources have their own printers). */
export function printerColumns(ctx: ServerContext, info: ResourceInfo): PrinterColumn[] | undefined {
  if (BUILTIN_GROUPS.has(info.group)) return undefined;
  const crd = ctx.store.findWhere(
    (o) => o.kind === 'CustomResourceDefinition' && (o.spec as Obj | undefined)?.group === info.group && ((o.spec as Obj).names as Obj | undefined)?.plural === info.plural,
  );
  const versions = ((crd?.spec as Obj | undefined)?.versions ?? []) as { name: string; additionalPrinterColumns?: PrinterColumn[] }[];
  return versions.find((v) => v.name === info.version)?.additionalPrinterColumns;
}

/** A simulated RBAC denial answers 403 with the real server's sentence. */
export function checkDenied(ctx: ServerContext, verb: string, info: ResourceInfo, namespace: string | undefined, name?: string, sub?: string): void {
  const resource = sub ? `${qualifiedName(info)}/${sub}` : qualifiedName(info);
  if (isDenied(ctx.denials, verb, resource, namespace)) {
    throw new HttpError(403, forbiddenMessage(ctx.user, verb, info, namespace, name, sub), details(info, name));
  }
}
