/**
 * A Kubernetes API server over a snapshot (as `sbctl` serves support bundles): discovery, list/get/watch with
 * label and field selectors, paging, pods/log, Tables for kubectl, real `Status` errors, simulated RBAC
 * denials and injected faults; optionally writable (create/delete/update/patch) for probes and tests.
 * kubectl and @kubernetes/client-node both speak to it unchanged.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { KubeObject } from '../../engine/types.js';
import { isDenied, tailLines, type Denial } from '../kube/snapshot-kube.js';
import { apiVersionOf, BUILTIN_GROUPS, qualifiedName, type ResourceInfo } from '../kube/resources.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, SelectorError } from '../kube/selectors.js';
import type { Snapshot } from '../snapshot/load.js';
import { redactSnapshot } from '../snapshot/redact-objects.js';
import { compareKeys, objectKey, queryObjects, servedResources } from '../snapshot/query.js';
import { toTable, type PrinterColumn } from './tables.js';
import { makeSelfSignedTls } from './tls.js';
import { handleExecUpgrade, type ExecHandler } from './exec-ws.js';
import { applyFault, armFaults, type Fault } from './faults.js';

export type { Fault } from './faults.js';

export interface RequestLogEntry {
  method: string;
  /** The request path with its query string. */
  path: string;
  /** What was answered; 0 when the connection was dropped without an answer (a `reset` or `stall` fault). */
  status: number;
  /** True when an injected fault answered instead of the snapshot. */
  fault?: boolean;
  /** With `recordHeaders`: the header lines as sent (a repeated header stays separate lines; `Authorization` masked). */
  headers?: [string, string][];
}

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

export interface KubeconfigOptions {
  server: string;
  caPem?: string;
  token?: string;
  /** Name of the cluster, user and context; default `snapshot`. */
  context?: string;
}

/** A kubeconfig for a server; plain-HTTP servers get `insecure-skip-tls-verify` (client-node refuses http otherwise). */
export function buildKubeconfig(o: KubeconfigOptions): string {
  const name = o.context ?? 'snapshot';
  const cluster: Record<string, unknown> = { server: o.server };
  if (o.caPem) cluster['certificate-authority-data'] = Buffer.from(o.caPem).toString('base64');
  else if (o.server.startsWith('http:')) cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: o.token ? { token: o.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}

// ---------------------------------------------------------------------------------------------------
// Status objects

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'AlreadyExists',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
}

/** A `v1 Status` failure as the API server sends it. */
export function statusObject(code: number, message: string, details?: StatusDetails, reason?: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: reason ?? REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest'),
    ...(details ? { details } : {}),
    code,
  };
}

/** The real server's Forbidden sentence, e.g. `pods is forbidden: User "…" cannot list resource "pods" in API group "" in the namespace "x"`. */
export function forbiddenMessage(user: string, verb: string, info: ResourceInfo, namespace: string | undefined, name?: string, sub?: string): string {
  const what = name ? `${info.plural} "${name}"` : qualifiedName(info);
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const resource = sub ? `${info.plural}/${sub}` : info.plural;
  return `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${info.group}" ${scope}`;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: StatusDetails,
    readonly reason?: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------
// Discovery documents

const ALL_CATEGORY = new Set(['pods', 'services', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'replicationcontrollers']);
const READ_VERBS = ['get', 'list', 'watch'];
const WRITE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

interface GroupInfo {
  name: string;
  versions: string[]; // preferred first
}

function groupsOf(served: readonly ResourceInfo[]): GroupInfo[] {
  const out = new Map<string, GroupInfo>();
  for (const r of served) {
    const g = out.get(r.group) ?? { name: r.group, versions: [] };
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
    out.set(r.group, g);
  }
  return [...out.values()];
}

function apiResource(r: ResourceInfo, verbs: string[]) {
  return {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs,
    ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
    ...(ALL_CATEGORY.has(r.plural) && BUILTIN_GROUPS.has(r.group) ? { categories: ['all'] } : {}),
  };
}

function resourceList(served: readonly ResourceInfo[], group: string, version: string, verbs: string[]) {
  const resources: unknown[] = [];
  for (const r of served.filter((x) => x.group === group && x.version === version)) {
    resources.push(apiResource(r, verbs));
    if (r.group === '' && r.plural === 'pods') {
      resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
      resources.push({ name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function apiGroup(g: GroupInfo) {
  const gv = (v: string) => ({ groupVersion: `${g.name}/${v}`, version: v });
  return { name: g.name, versions: g.versions.map(gv), preferredVersion: gv(g.versions[0]!) };
}

function aggregatedDiscovery(served: readonly ResourceInfo[], core: boolean, version: 'v2' | 'v2beta1', verbs: string[]) {
  const items = groupsOf(served)
    .filter((g) => (g.name === '') === core)
    .map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: served
          .filter((r) => r.group === g.name && r.version === v)
          .map((r) => ({
            resource: r.plural,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs,
            ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
            ...(ALL_CATEGORY.has(r.plural) && BUILTIN_GROUPS.has(r.group) ? { categories: ['all'] } : {}),
            ...(r.group === '' && r.plural === 'pods'
              ? {
                  subresources: [
                    { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
                    { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
                  ],
                }
              : {}),
          })),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** The aggregated-discovery media type a client accepts, if any (kubectl ≥ 1.26 asks for it first). */
function wantsAggregated(accept: string): 'v2' | 'v2beta1' | undefined {
  for (const part of accept.split(',')) {
    if (!/as=APIGroupDiscoveryList/.test(part) || !/g=apidiscovery\.k8s\.io/.test(part)) continue;
    const v = /v=(v2beta1|v2)\b/.exec(part)?.[1];
    if (v === 'v2' || v === 'v2beta1') return v;
  }
  return undefined;
}

/** Whether the client accepts plain JSON (explicitly or with a wildcard); otherwise we must answer 406. */
function acceptsPlainJson(accept: string): boolean {
  if (!accept) return true;
  return accept.split(',').some((p) => {
    const [type, ...params] = p.trim().split(';');
    const t = type!.trim();
    return (t === 'application/json' || t === '*/*' || t === 'application/*') && !params.some((x) => x.trim().startsWith('as='));
  });
}

// ---------------------------------------------------------------------------------------------------
// Continue tokens: opaque to clients, the last key served so far (the real server's etcd continue works alike).

function encodeContinue(rv: string, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: string; start: string } {
  try {
    const j = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: string; start?: string };
    if (j.v !== 'meta.k8s.io/v1' || typeof j.start !== 'string' || typeof j.rv !== 'string') throw new Error('bad');
    return { rv: j.rv, start: j.start };
  } catch {
    throw new HttpError(400, 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

// ---------------------------------------------------------------------------------------------------
// Writes: defaulting and merge patch

const RANDOM_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = () => Array.from({ length: 5 }, () => RANDOM_ALPHABET[Math.floor(Math.random() * RANDOM_ALPHABET.length)]).join('');

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** RFC 7386 JSON merge patch (also used for strategic-merge patches, which agree on maps). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function qosClass(containers: Obj[]): string {
  const res = containers.map((c) => (isObj(c.resources) ? c.resources : {}) as { requests?: Obj; limits?: Obj });
  if (res.every((r) => !Object.keys(r.requests ?? {}).length && !Object.keys(r.limits ?? {}).length)) return 'BestEffort';
  const guaranteed = res.every((r) =>
    ['cpu', 'memory'].every((k) => r.limits?.[k] !== undefined && (r.requests?.[k] === undefined || String(r.requests[k]) === String(r.limits[k]))),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** What the API server and its default admission plugins fill in on a new pod. */
export function defaultPod(pod: KubeObject): void {
  const spec = (isObj(pod.spec) ? pod.spec : (pod.spec = {})) as Obj;
  const containers = (Array.isArray(spec.containers) ? spec.containers : []) as Obj[];
  for (const c of containers) {
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
      const tag = /(?::([\w][\w.-]*))?(?:@sha256:[0-9a-f]+)?$/.exec(c.image.split('/').pop() ?? '')?.[1];
      c.imagePullPolicy = c.image.includes('@') || (tag && tag !== 'latest') ? 'IfNotPresent' : 'Always';
    }
  }
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.serviceAccountName ??= typeof spec.serviceAccount === 'string' ? spec.serviceAccount : 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  const tolerations = (Array.isArray(spec.tolerations) ? spec.tolerations : []) as Obj[];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerations.some((t) => t.key === key)) tolerations.push({ effect: 'NoExecute', key, operator: 'Exists', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
  pod.status = { phase: 'Pending', qosClass: qosClass(containers) };
}

// ---------------------------------------------------------------------------------------------------
// Versions

function serverVersion(snapshot: Snapshot, override?: string) {
  let git = override ?? snapshot.info?.serverVersion;
  if (!git) {
    const counts = new Map<string, number>();
    for (const o of snapshot.objects) {
      const v = o.kind === 'Node' ? (o.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion : undefined;
      if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    git = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'v1.29.0';
  }
  const m = /^v?(\d+)\.(\d+)\.\d+(.*)$/.exec(git);
  return {
    major: m?.[1] ?? '1',
    minor: m ? `${m[2]}${m[3] ? '+' : ''}` : '29',
    gitVersion: git,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: snapshot.now.toISOString().replace(/\.\d+Z$/, 'Z'),
    goVersion: 'go1.21.9',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

// ---------------------------------------------------------------------------------------------------
// The server

interface Watcher {
  info: ResourceInfo;
  namespace: string | undefined;
  labels: ReturnType<typeof parseLabelSelector>;
  fields: ReturnType<typeof parseFieldSelector>;
  res: ServerResponse;
  table: boolean;
  includeObject: string | undefined;
  sentColumns: boolean;
}

interface Route {
  group: string;
  version: string;
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  sub?: string;
}

const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

/** Start serving a snapshot. Resolves once listening. */
export async function startSnapshotServer(opts: SnapshotServerOptions): Promise<SnapshotServer> {
  const host = opts.host ?? '127.0.0.1';
  // The one place answers are redacted: everything below serves from this copy.
  const snapshot = opts.redact === false ? opts.snapshot : redactSnapshot(opts.snapshot);
  const now = snapshot.now;
  const user = opts.user ?? 'system:serviceaccount:default:model-engine-doctor';
  const denials = opts.denials ?? [];
  const faults = armFaults(opts.faults ?? []);
  const served = servedResources(snapshot);
  const verbs = opts.writable ? WRITE_VERBS : READ_VERBS;
  const aggregated = opts.aggregatedDiscovery ?? true;
  const version = serverVersion(snapshot, opts.version);
  const dateHeader = now.toUTCString();
  const requestLog: RequestLogEntry[] = [];
  const watchers = new Set<Watcher>();
  const closing = new AbortController();

  let store: KubeObject[] = structuredClone(snapshot.objects);
  let rv = Math.max(1000, ...store.map((o) => Number(o.metadata.resourceVersion) || 0));
  const view = (): Snapshot => ({ ...snapshot, objects: store });
  const groupOf = (o: KubeObject) => (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0]! : '');
  const sameResource = (o: KubeObject, info: ResourceInfo) => o.kind === info.kind && groupOf(o) === info.group;

  function printerColumns(info: ResourceInfo): PrinterColumn[] | undefined {
    if (BUILTIN_GROUPS.has(info.group)) return undefined;
    const crd = store.find(
      (o) => o.kind === 'CustomResourceDefinition' && (o.spec as Obj | undefined)?.group === info.group && ((o.spec as Obj).names as Obj | undefined)?.plural === info.plural,
    );
    const versions = ((crd?.spec as Obj | undefined)?.versions ?? []) as { name: string; additionalPrinterColumns?: PrinterColumn[] }[];
    return versions.find((v) => v.name === info.version)?.additionalPrinterColumns;
  }

  /** An object as served under `info`'s group/version (lists drop kind/apiVersion on built-in items, like the real server). */
  function present(o: KubeObject, info: ResourceInfo): KubeObject {
    return { ...o, apiVersion: apiVersionOf(info), kind: info.kind };
  }

  // --- responses -----------------------------------------------------------------------------------

  const faulted = new WeakSet<IncomingMessage>();
  function log(req: IncomingMessage, status: number) {
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: req.url ?? '/', status, ...(faulted.has(req) ? { fault: true } : {}) };
    if (opts.recordHeaders) {
      entry.headers = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        entry.headers.push([name, name.toLowerCase() === 'authorization' ? 'REDACTED' : req.rawHeaders[i + 1]!]);
      }
    }
    requestLog.push(entry);
  }

  function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, contentType = 'application/json') {
    log(req, status);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  function sendStatus(req: IncomingMessage, res: ServerResponse, code: number, message: string, details?: StatusDetails, reason?: string) {
    sendJson(req, res, code, statusObject(code, message, details, reason));
  }

  function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string) {
    log(req, status);
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  // --- routing -------------------------------------------------------------------------------------

  const notFound = () => new HttpError(404, 'the server could not find the requested resource');
  const details = (info: ResourceInfo, name?: string): StatusDetails => ({
    ...(name ? { name } : {}),
    ...(info.group ? { group: info.group } : {}),
    kind: info.plural,
  });

  function resolveRoute(segs: string[]): Route | 'discovery' | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api') {
      if (segs.length < 2) return 'discovery';
      group = '';
      version = segs[1]!;
      rest = segs.slice(2);
    } else {
      if (segs.length < 3) return 'discovery';
      group = segs[1]!;
      version = segs[2]!;
      rest = segs.slice(3);
    }
    if (rest.length === 0) return 'discovery';
    const find = (plural: string) => served.find((r) => r.group === group && r.version === version && r.plural === plural);
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const info = find(rest[2]!);
      if (info?.namespaced && rest.length <= 5) {
        return { group, version, info, namespace: rest[1]!, ...(rest[3] ? { name: rest[3] } : {}), ...(rest[4] ? { sub: rest[4] } : {}) };
      }
    }
    const info = find(rest[0]!);
    if (!info || rest.length > 3) return undefined;
    return { group, version, info, ...(rest[1] ? { name: rest[1] } : {}), ...(rest[2] ? { sub: rest[2] } : {}) };
  }

  function discovery(req: IncomingMessage, res: ServerResponse, segs: string[], accept: string) {
    const agg = aggregated ? wantsAggregated(accept) : undefined;
    if (segs.length === 1 && agg) {
      res.setHeader('Vary', 'Accept');
      const body = aggregatedDiscovery(served, segs[0] === 'api', agg, verbs);
      return sendJson(req, res, 200, body, `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
    }
    if (!acceptsPlainJson(accept)) throw new HttpError(406, `only the following media types are accepted: application/json`);
    if (segs[0] === 'api') {
      if (segs.length === 1) {
        const { port } = server.address() as AddressInfo;
        return sendJson(req, res, 200, {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${urlHost(host)}:${port}` }],
        });
      }
      if (segs[1] !== 'v1') throw notFound();
      return sendJson(req, res, 200, resourceList(served, '', 'v1', verbs));
    }
    const groups = groupsOf(served).filter((g) => g.name !== '');
    if (segs.length === 1) return sendJson(req, res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) });
    const g = groups.find((x) => x.name === segs[1]);
    if (!g) throw notFound();
    if (segs.length === 2) return sendJson(req, res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) });
    if (!g.versions.includes(segs[2]!)) throw notFound();
    return sendJson(req, res, 200, resourceList(served, g.name, segs[2]!, verbs));
  }

  function checkDenied(verb: string, info: ResourceInfo, namespace: string | undefined, name?: string, sub?: string) {
    const resource = sub ? `${qualifiedName(info)}/${sub}` : qualifiedName(info);
    if (isDenied(denials, verb, resource, namespace)) {
      throw new HttpError(403, forbiddenMessage(user, verb, info, namespace, name, sub), details(info, name));
    }
  }

  function selectors(url: URL, info: ResourceInfo) {
    const labelSelector = url.searchParams.get('labelSelector') ?? '';
    const fieldSelector = url.searchParams.get('fieldSelector') ?? '';
    try {
      return { labelSelector, fieldSelector, labels: parseLabelSelector(labelSelector), fields: parseFieldSelector(fieldSelector, info.kind) };
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      // The server says only this; kubectl itself prefixes `Unable to find "/v1, Resource=pods" that match …`.
      throw new HttpError(400, e.message);
    }
  }

  const wantsTable = (accept: string) => /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);

  /** `kubectl get`'s server-side printing (`as=Table`), for a list or a single object. */
  function sendTable(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, objects: readonly KubeObject[], metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number }) {
    const includeObject = url.searchParams.get('includeObject') ?? undefined;
    const cols = printerColumns(r.info);
    return sendJson(
      req,
      res,
      200,
      toTable(r.info.group, r.info.kind, objects.map((o) => present(o, r.info)), {
        now,
        metadata,
        ...(includeObject ? { includeObject } : {}),
        ...(cols ? { printerColumns: cols } : {}),
      }),
    );
  }

  function findObject(info: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return store.find(
      (o) => sameResource(o, info) && o.metadata.name === name && (!info.namespaced || (o.metadata.namespace ?? '') === (namespace ?? '')),
    );
  }

  function list(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, accept: string) {
    const sel = selectors(url, r.info);
    const ns = r.info.namespaced ? r.namespace : undefined;
    let items = queryObjects(view(), r.info, {
      ...(ns ? { namespace: ns } : {}),
      ...(sel.labelSelector ? { labelSelector: sel.labelSelector } : {}),
      ...(sel.fieldSelector ? { fieldSelector: sel.fieldSelector } : {}),
    });
    const cont = url.searchParams.get('continue');
    let listRv = String(rv);
    if (cont) {
      const c = decodeContinue(cont);
      listRv = c.rv;
      items = items.filter((o) => compareKeys(objectKey(o), c.start) > 0);
    }
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: listRv };
    if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
      const page = items.slice(0, limit);
      metadata.continue = encodeContinue(listRv, objectKey(page[page.length - 1]!));
      // Like the real server, the count is only known (and sent) when no selector filters the list.
      if (!sel.labelSelector && !sel.fieldSelector) metadata.remainingItemCount = items.length - limit;
      items = page;
    }
    if (wantsTable(accept)) return sendTable(req, res, url, r, items, metadata);
    const builtin = BUILTIN_GROUPS.has(r.info.group);
    const out = items.map((o) => {
      const p = present(o, r.info);
      if (!builtin) return p;
      const { kind: _k, apiVersion: _a, ...rest } = p;
      return rest;
    });
    return sendJson(req, res, 200, { kind: `${r.info.kind}List`, apiVersion: apiVersionOf(r.info), metadata, items: out });
  }

  function get(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, accept: string) {
    const obj = findObject(r.info, r.namespace, r.name!);
    if (!obj) throw new HttpError(404, `${qualifiedName(r.info)} "${r.name}" not found`, details(r.info, r.name));
    if (wantsTable(accept)) return sendTable(req, res, url, r, [obj], { resourceVersion: String(rv) });
    return sendJson(req, res, 200, present(obj, r.info));
  }

  function podLog(req: IncomingMessage, res: ServerResponse, url: URL, r: Route) {
    const pod = findObject(r.info, r.namespace, r.name!);
    if (!pod) throw new HttpError(404, `pods "${r.name}" not found`, details(r.info, r.name));
    const spec = (pod.spec ?? {}) as { containers?: { name: string }[]; initContainers?: { name: string }[] };
    const names = (spec.containers ?? []).map((c) => c.name);
    const initNames = (spec.initContainers ?? []).map((c) => c.name);
    let container = url.searchParams.get('container') ?? '';
    if (!container) {
      if (names.length !== 1) {
        const init = initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : '';
        throw new HttpError(400, `a container name must be specified for pod ${r.name}, choose one of: [${names.join(' ')}]${init}`);
      }
      container = names[0]!;
    }
    if (!names.includes(container) && !initNames.includes(container)) {
      throw new HttpError(400, `container ${container} is not valid for pod ${r.name}`);
    }
    const previous = ['true', '1'].includes(url.searchParams.get('previous') ?? '');
    const text = snapshot.logs.get(`${r.namespace}/${r.name}/${container}${previous ? '#previous' : ''}`);
    if (text === undefined) {
      if (previous) throw new HttpError(400, `previous terminated container "${container}" in pod "${r.name}" not found`);
      const phase = (pod.status as { phase?: string } | undefined)?.phase;
      if (phase === 'Pending') throw new HttpError(400, `container "${container}" in pod "${r.name}" is waiting to start: ContainerCreating`);
      throw new HttpError(404, `the snapshot has no log for container "${container}" in pod "${r.name}"`, details(r.info, r.name));
    }
    const tail = Number(url.searchParams.get('tailLines') ?? '');
    return sendText(req, res, 200, Number.isInteger(tail) && tail >= 0 && url.searchParams.has('tailLines') ? (tail === 0 ? '' : tailLines(text, tail)) : text);
  }

  function watchEvent(w: Watcher, type: string, obj: KubeObject): string {
    let object: unknown = present(obj, w.info);
    if (w.table) {
      const cols = printerColumns(w.info);
      object = toTable(w.info.group, w.info.kind, [present(obj, w.info)], {
        now,
        omitColumns: w.sentColumns,
        metadata: { resourceVersion: obj.metadata.resourceVersion ?? String(rv) },
        ...(w.includeObject ? { includeObject: w.includeObject } : {}),
        ...(cols ? { printerColumns: cols } : {}),
      });
      w.sentColumns = true;
    }
    return `${JSON.stringify({ type, object })}\n`;
  }

  function watch(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, accept: string) {
    const sel = selectors(url, r.info);
    const w: Watcher = {
      info: r.info,
      namespace: r.info.namespaced ? r.namespace : undefined,
      labels: sel.labels,
      fields: sel.fields,
      res,
      table: wantsTable(accept),
      includeObject: url.searchParams.get('includeObject') ?? undefined,
      sentColumns: false,
    };
    log(req, 200);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const fromRv = url.searchParams.get('resourceVersion');
    if (!fromRv || fromRv === '0') {
      // Like the real server: with no (or "0") resourceVersion a watch starts with the current state as ADDED events.
      for (const o of store) if (watchMatches(w, o)) res.write(watchEvent(w, 'ADDED', o));
    }
    watchers.add(w);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const done = () => {
      watchers.delete(w);
      if (timer) clearTimeout(timer);
    };
    res.on('close', done);
    req.on('close', done);
  }

  function watchMatches(w: Watcher, o: KubeObject): boolean {
    if (!sameResource(o, w.info)) return false;
    if (w.namespace && o.metadata.namespace !== w.namespace) return false;
    return matchLabels(o.metadata.labels, w.labels) && matchFields(o, w.fields);
  }

  function emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, old?: KubeObject) {
    for (const w of watchers) {
      const after = watchMatches(w, obj);
      const before = old ? watchMatches(w, old) : false;
      // A change that moves an object into or out of a watcher's selection is an ADDED or DELETED to that watcher.
      const t = type === 'MODIFIED' ? (after && before ? 'MODIFIED' : after ? 'ADDED' : before ? 'DELETED' : undefined) : after ? type : undefined;
      if (t) w.res.write(watchEvent(w, t, obj));
    }
  }

  const nextRv = () => String(++rv);

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 3 * 1024 * 1024) throw new HttpError(413, 'request entity too large', undefined, 'RequestEntityTooLarge');
      chunks.push(c as Buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      throw new HttpError(400, `the body of the request was in an unknown format: ${(e as Error).message}`);
    }
  }

  async function create(req: IncomingMessage, res: ServerResponse, url: URL, r: Route) {
    const body = await readBody(req);
    if (!isObj(body) || !isObj(body.metadata)) throw new HttpError(400, 'the body of the request must be an object with metadata');
    const obj = structuredClone(body) as KubeObject;
    if (obj.kind && obj.kind !== r.info.kind) {
      throw new HttpError(400, `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(r.info)})`);
    }
    if (r.info.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== r.namespace) {
        throw new HttpError(400, 'the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = r.namespace!;
    }
    if (!obj.metadata.name) {
      const gen = obj.metadata.generateName;
      if (typeof gen !== 'string' || !gen) throw new HttpError(422, `${r.info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
      obj.metadata.name = `${gen}${randomSuffix()}`;
    }
    if (findObject(r.info, r.namespace, obj.metadata.name)) {
      throw new HttpError(409, `${qualifiedName(r.info)} "${obj.metadata.name}" already exists`, details(r.info, obj.metadata.name), 'AlreadyExists');
    }
    obj.apiVersion = apiVersionOf(r.info);
    obj.kind = r.info.kind;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
    if (r.info.group === '' && r.info.kind === 'Pod') defaultPod(obj);
    else if (!('generation' in obj.metadata)) obj.metadata.generation = 1;
    if (url.searchParams.get('dryRun') !== 'All') {
      obj.metadata.resourceVersion = nextRv();
      store.push(obj);
      emit('ADDED', obj);
    }
    return sendJson(req, res, 201, present(obj, r.info));
  }

  function replaceStored(old: KubeObject, next: KubeObject) {
    next.metadata.resourceVersion = nextRv();
    store = store.map((o) => (o === old ? next : o));
    emit('MODIFIED', next, old);
  }

  async function update(req: IncomingMessage, res: ServerResponse, r: Route, method: 'PUT' | 'PATCH') {
    const old = findObject(r.info, r.namespace, r.name!);
    if (!old) throw new HttpError(404, `${qualifiedName(r.info)} "${r.name}" not found`, details(r.info, r.name));
    const body = await readBody(req);
    let next: KubeObject;
    if (method === 'PUT') {
      if (!isObj(body) || !isObj(body.metadata)) throw new HttpError(400, 'the body of the request must be an object with metadata');
      const rvIn = body.metadata.resourceVersion;
      if (rvIn && rvIn !== old.metadata.resourceVersion) {
        throw new HttpError(
          409,
          `Operation cannot be fulfilled on ${qualifiedName(r.info)} "${r.name}": the object has been modified; please apply your changes to the latest version and try again`,
          details(r.info, r.name),
          'Conflict',
        );
      }
      next = structuredClone(body) as KubeObject;
    } else {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (type !== 'application/merge-patch+json' && type !== 'application/strategic-merge-patch+json') {
        throw new HttpError(415, `the snapshot server supports only merge patches, not ${type || 'an untyped body'}`);
      }
      next = mergePatch(structuredClone(old), body) as KubeObject;
    }
    next.metadata = { ...next.metadata, name: old.metadata.name, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
    if (old.metadata.namespace) next.metadata.namespace = old.metadata.namespace;
    next.apiVersion = old.apiVersion;
    next.kind = old.kind;
    replaceStored(old, next);
    return sendJson(req, res, 200, present(next, r.info));
  }

  function remove(req: IncomingMessage, res: ServerResponse, r: Route) {
    const old = findObject(r.info, r.namespace, r.name!);
    if (!old) throw new HttpError(404, `${qualifiedName(r.info)} "${r.name}" not found`, details(r.info, r.name));
    store = store.filter((o) => o !== old);
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: nextRv() } };
    emit('DELETED', gone);
    return sendJson(req, res, 200, present(gone, r.info));
  }

  // --- the handler ----------------------------------------------------------------------------------

  async function serve(req: IncomingMessage, res: ServerResponse) {
    res.setHeader('Date', dateHeader);
    res.setHeader('Audit-Id', randomUUID());
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://snapshot.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = String(req.headers.accept ?? '');

    const fault = await applyFault(faults, req, res, closing.signal, (status) => {
      faulted.add(req);
      log(req, status);
    });
    if (fault === 'handled') return;
    if (fault !== 'serve') {
      faulted.add(req);
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
      throw new HttpError(fault.status, `injected fault: ${fault.status} for ${method} ${path}`);
    }
    if (['/healthz', '/livez', '/readyz'].includes(path)) return sendText(req, res, 200, 'ok');
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) throw new HttpError(401, 'Unauthorized');

    if (path === '/version') return sendJson(req, res, 200, version);
    const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (segs[0] !== 'api' && segs[0] !== 'apis') throw notFound();
    const route = resolveRoute(segs);
    if (route === undefined) throw notFound();
    if (route === 'discovery') {
      if (method !== 'GET') throw new HttpError(405, 'the server does not allow this method on the requested resource');
      return discovery(req, res, segs, accept);
    }
    const { info, namespace, name, sub } = route;
    if (sub && !(sub === 'status' || (sub === 'log' && info.group === '' && info.plural === 'pods'))) throw notFound();
    const isWrite = method !== 'GET' && method !== 'HEAD';
    if (isWrite && !opts.writable) throw new HttpError(405, 'the server does not allow this method on the requested resource');

    switch (method) {
      case 'GET':
      case 'HEAD': {
        if (name) {
          checkDenied('get', info, namespace, name, sub === 'log' ? 'log' : undefined);
          return sub === 'log' ? podLog(req, res, url, route) : get(req, res, url, route, accept);
        }
        const watching = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
        checkDenied(watching ? 'watch' : 'list', info, namespace);
        return watching ? watch(req, res, url, route, accept) : list(req, res, url, route, accept);
      }
      case 'POST':
        if (name) throw new HttpError(405, 'the server does not allow this method on the requested resource');
        checkDenied('create', info, namespace);
        return create(req, res, url, route);
      case 'PUT':
      case 'PATCH':
        if (!name) throw new HttpError(405, 'the server does not allow this method on the requested resource');
        checkDenied(method === 'PUT' ? 'update' : 'patch', info, namespace, name);
        return update(req, res, route, method);
      case 'DELETE':
        if (!name) throw new HttpError(405, 'the server does not allow this method on the requested resource');
        checkDenied('delete', info, namespace, name);
        return remove(req, res, route);
      default:
        throw new HttpError(405, 'the server does not allow this method on the requested resource');
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((e: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.end();
        return;
      }
      if (e instanceof HttpError) sendStatus(req, res, e.code, e.message, e.details, e.reason);
      else if (closing.signal.aborted) res.destroy();
      else sendStatus(req, res, 500, `internal error: ${(e as Error).message ?? String(e)}`);
    });
  };

  let caPem: string | undefined;
  let server: Server;
  if (opts.tls) {
    const hosts = ['127.0.0.1', '::1', 'localhost', ...(host && host !== '0.0.0.0' && host !== '::' ? [host] : [])];
    const tls = makeSelfSignedTls(hosts);
    caPem = tls.caPem;
    server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, handler);
  } else {
    server = createHttpServer(handler);
  }

  // Keep idle connections longer than clients' pools do (Node's 5 s default races reuse; real API servers keep them).
  server.keepAliveTimeout = 65_000;
  if (opts.execHandler) {
    const execHandler = opts.execHandler;
    server.on('upgrade', (req: IncomingMessage, socket: import('node:stream').Duplex) =>
      handleExecUpgrade(req, socket, execHandler, (r, raw) => {
        if (opts.token && raw.headers.authorization !== `Bearer ${opts.token}`) return { code: 401, reason: 'Unauthorized', message: 'Unauthorized' };
        if (isDenied(denials, 'create', 'pods/exec', r.namespace)) {
          return { code: 403, reason: 'Forbidden', message: `pods "${r.pod}" is forbidden: User "${user}" cannot create resource "pods/exec" in API group "" in the namespace "${r.namespace}"` };
        }
        const pod = store.find((o) => o.kind === 'Pod' && o.metadata.namespace === r.namespace && o.metadata.name === r.pod);
        if (!pod) return { code: 404, reason: 'NotFound', message: `pods "${r.pod}" not found` };
        return undefined;
      }),
    );
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? 'https' : 'http'}://${urlHost(host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host)}:${port}`;

  return {
    url,
    ...(caPem ? { caPem } : {}),
    // The context keeps the name of the cluster the snapshot came from, as kubectl showed it there.
    kubeconfig: buildKubeconfig({ server: url, ...(caPem ? { caPem } : {}), ...(opts.token ? { token: opts.token } : {}), ...(opts.snapshot.info?.context ? { context: opts.snapshot.info.context } : {}) }),
    requestLog,
    objects: () => store,
    mutate(namespace, name, fn, resource = 'pods') {
      const info = served.find((r) => qualifiedName(r) === resource || r.plural === resource);
      if (!info) throw new Error(`mutate: unknown resource ${resource}`);
      const old = findObject(info, namespace, name);
      if (!old) throw new Error(`mutate: ${resource} ${namespace ? `${namespace}/` : ''}${name} not found`);
      const copy = structuredClone(old);
      const next = fn(copy) ?? copy;
      replaceStored(old, next);
      return next;
    },
    async close() {
      closing.abort();
      for (const w of watchers) w.res.end();
      watchers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
