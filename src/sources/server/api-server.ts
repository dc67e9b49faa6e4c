/**
 * A Kubernetes API server over a snapshot (as `sbctl` serves support bundles): discovery, list/get/watch with
 * label and field selectors, paging, pods/log, Tables for kubectl, real `Status` errors, simulated RBAC
 * denials and injected faults; optionally writable (create/delete/update/patch) for probes and tests.
 * kubectl and @kubernetes/client-node both speak to it unchanged.
 *
 * This file wires the parts together; each concern has its module: `router` (faults, auth, routes), `discovery`,
 * `lists` (streamed pages), `get`, `logs`, `watch`, `writes`, `exec`, `table-response`, over an indexed `store`.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../engine/types.js';
import type { Denial } from '../kube/snapshot-kube.js';
import { qualifiedName } from '../kube/resources.js';
import type { Snapshot } from '../snapshot/load.js';
import { redactSnapshot } from '../snapshot/redact-objects.js';
import { servedResources } from '../snapshot/query.js';
import type { ServerContext } from './context.js';
import { READ_VERBS, WRITE_VERBS } from './discovery.js';
import { execUpgrade } from './exec.js';
import type { ExecHandler } from './exec-ws.js';
import { armFaults, type Fault } from './faults.js';
import { buildKubeconfig, urlHost } from './kubeconfig.js';
import { Responder, type RequestLogEntry } from './respond.js';
import { router } from './router.js';
import { ObjectStore } from './store.js';
import { makeSelfSignedTls } from './tls.js';
import { serverVersion } from './version.js';
import { Watchers } from './watch.js';
import { replaceStored } from './writes.js';

export type { Fault } from './faults.js';
export type { RequestLogEntry } from './respond.js';
export { buildKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
export { forbiddenMessage, statusObject, type StatusDetails } from './status.js';
export { defaultPod, mergePatch } from './writes.js';

export interface SnapshotServerOptions {
  snapshot: Snapshot;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Serve HTTPS with a fresh self-signed CA (returned as `caPem` and in the kubeconfig). */
  tls?: boolean;
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  denials?: Denial[];
  faults?: Fault[];
  /** Allow create/update/patch/delete (in memory; the snapshot on disk is never touched). */
  writable?: boolean;
  /** The user named in Forbidden messages. */
  user?: string;
  /** `gitVersion` reported by /version; default: SnapshotInfo.serverVersion, else the nodes' kubelet version. */
  version?: string;
  /** Answer kubectl's aggregated discovery (apidiscovery.k8s.io/v2) requests; default true. */
  aggregatedDiscovery?: boolean;
  /** Record each request's header lines in `requestLog` (tests of impersonation and other headers). */
  recordHeaders?: boolean;
  /** Serve `pods/exec` (WebSocket, `v4.channel.k8s.io`) with canned output; without it exec is not served. */
  execHandler?: ExecHandler;
  /**
   * Answer with the snapshot redacted (objects, logs) as `collect` would write it, whatever the snapshot on disk
   * holds; default true. Only tests that stand in for a real cluster's secrets turn it off.
   */
  redact?: boolean;
}

export interface SnapshotServer {
  url: string;
  caPem?: string;
  /** A kubeconfig (YAML) whose cluster, user and context are named after the snapshot's context (else `snapshot`). */
  kubeconfig: string;
  requestLog: RequestLogEntry[];
  /**
   * Change a stored object as a controller would (e.g. the kubelet setting a pod's phase); watchers see
   * MODIFIED. `fn` may edit the copy it is given or return a replacement. Returns the stored object.
   */
  mutate(namespace: string | undefined, name: string, fn: (obj: KubeObject) => KubeObject | void, resource?: string): KubeObject;
  /** The objects currently served (after any writes). */
  objects(): readonly KubeObject[];
  close(): Promise<void>;
}

/** The shared state every handler reads: the served (redacted) snapshot in an indexed store. */
function serverContext(opts: SnapshotServerOptions): ServerContext {
  // The one place answers are redacted: everything below serves from this copy.
  const snapshot = opts.redact === false ? opts.snapshot : redactSnapshot(opts.snapshot);
  // Redaction made fresh objects; an unredacted snapshot is copied so writes never reach the caller's objects.
  const objects = opts.redact === false ? structuredClone(snapshot.objects) : snapshot.objects;
  const ctx: ServerContext = {
    snapshot,
    now: snapshot.now,
    user: opts.user ?? 'system:serviceaccount:default:model-engine-doctor',
    denials: opts.denials ?? [],
    served: servedResources(snapshot),
    verbs: opts.writable ? WRITE_VERBS : READ_VERBS,
    writable: opts.writable ?? false,
    store: new ObjectStore(objects),
    respond: new Responder(opts.recordHeaders ?? false),
    watchers: new Watchers(() => ctx),
  };
  return ctx;
}

/** Start serving a snapshot. Resolves once listening. */
export async function startSnapshotServer(opts: SnapshotServerOptions): Promise<SnapshotServer> {
  const host = opts.host ?? '127.0.0.1';
  const ctx = serverContext(opts);
  const closing = new AbortController();
  let server: Server | undefined;
  const handler = router(ctx, {
    token: opts.token,
    faults: armFaults(opts.faults ?? []),
    version: serverVersion(ctx.snapshot, opts.version),
    dateHeader: ctx.now.toUTCString(),
    closing: closing.signal,
    aggregated: opts.aggregatedDiscovery ?? true,
    serverAddress: () => `${urlHost(host)}:${(server!.address() as AddressInfo).port}`,
  });

  let caPem: string | undefined;
  if (opts.tls) {
    const hosts = ['127.0.0.1', '::1', 'localhost', ...(host && host !== '0.0.0.0' && host !== '::' ? [host] : [])];
    const tls = makeSelfSignedTls(hosts);
    caPem = tls.caPem;
    server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, handler);
  } else {
    server = createHttpServer(handler);
  }
  const listening = server;

  // Keep idle connections longer than clients' pools do (Node's 5 s default races reuse; real API servers keep them).
  listening.keepAliveTimeout = 65_000;
  if (opts.execHandler) listening.on('upgrade', execUpgrade(ctx, opts.execHandler, opts.token));
  await new Promise<void>((resolve, reject) => {
    listening.once('error', reject);
    listening.listen(opts.port ?? 0, host, () => {
      listening.off('error', reject);
      resolve();
    });
  });
  const { port } = listening.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://${urlHost(host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host)}:${port}`;

  return {
    url,
    ...(caPem ? { caPem } : {}),
    // The context keeps the name of the cluster the snapshot came from, as kubectl showed it there.
    kubeconfig: buildKubeconfig({ server: url, ...(caPem ? { caPem } : {}), ...(opts.token ? { token: opts.token } : {}), ...(opts.snapshot.info?.context ? { context: opts.snapshot.info.context } : {}) }),
    requestLog: ctx.respond.requestLog,
    objects: () => ctx.store.objects(),
    mutate(namespace, name, fn, resource = 'pods') {
      const info = ctx.served.find((r) => qualifiedName(r) === resource || r.plural === resource);
      if (!info) throw new Error(`mutate: unknown resource ${resource}`);
      const old = ctx.store.find(info, namespace, name);
      if (!old) throw new Error(`mutate: ${resource} ${namespace ? `${namespace}/` : ''}${name} not found`);
      const copy = structuredClone(old);
      const next = fn(copy) ?? copy;
      replaceStored(ctx, old, next);
      return next;
    },
    async close() {
      closing.abort();
      ctx.watchers.closeAll();
      await new Promise<void>((resolve) => {
        listening.close(() => resolve());
        listening.closeAllConnections();
      });
    },
  };
}
