/**
 * Writes, when the server is writable (probes and tests): create with the API server's defaulting, update (PUT with
 * resourceVersion conflicts), merge patch and delete, all in memory; watchers see each change.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../engine/types.js';
import { apiVersionOf, qualifiedName } from '../kube/resources.js';
import { present, type Route, type ServerContext } from './context.js';
import { details, HttpError, objectNotFound } from './status.js';

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

/** Store `next` in place of `old` with a new resourceVersion, as a controller's write would; watchers see MODIFIED. */
export function replaceStored(ctx: ServerContext, old: KubeObject, next: KubeObject): void {
  next.metadata.resourceVersion = ctx.store.nextResourceVersion();
  ctx.store.replace(old, next);
  ctx.watchers.emit('MODIFIED', next, old);
}

/** The new object a POST names: its namespace and name settled (generateName), or the real server's 400/409/422. */
function newObject(ctx: ServerContext, body: unknown, r: Route): KubeObject {
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
  if (ctx.store.find(r.info, r.namespace, obj.metadata.name)) {
    throw new HttpError(409, `${qualifiedName(r.info)} "${obj.metadata.name}" already exists`, details(r.info, obj.metadata.name), 'AlreadyExists');
  }
  return obj;
}

export async function create(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, r: Route): Promise<void> {
  const obj = newObject(ctx, await readBody(req), r);
  obj.apiVersion = apiVersionOf(r.info);
  obj.kind = r.info.kind;
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = ctx.now.toISOString().replace(/\.\d+Z$/, 'Z');
  if (r.info.group === '' && r.info.kind === 'Pod') defaultPod(obj);
  else if (!('generation' in obj.metadata)) obj.metadata.generation = 1;
  if (url.searchParams.get('dryRun') !== 'All') {
    obj.metadata.resourceVersion = ctx.store.nextResourceVersion();
    ctx.store.insert(obj);
    ctx.watchers.emit('ADDED', obj);
  }
  return ctx.respond.json(req, res, 201, present(obj, r.info));
}

/** PUT's replacement (refused on a stale resourceVersion) or PATCH's merge of the body into the stored object. */
function updated(req: IncomingMessage, r: Route, old: KubeObject, body: unknown, method: 'PUT' | 'PATCH'): KubeObject {
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
    return structuredClone(body) as KubeObject;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (type !== 'application/merge-patch+json' && type !== 'application/strategic-merge-patch+json') {
    throw new HttpError(415, `the snapshot server supports only merge patches, not ${type || 'an untyped body'}`);
  }
  return mergePatch(structuredClone(old), body) as KubeObject;
}

export async function update(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, r: Route, method: 'PUT' | 'PATCH'): Promise<void> {
  const old = ctx.store.find(r.info, r.namespace, r.name!);
  if (!old) throw objectNotFound(r.info, r.name);
  const next = updated(req, r, old, await readBody(req), method);
  next.metadata = { ...next.metadata, name: old.metadata.name, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
  if (old.metadata.namespace) next.metadata.namespace = old.metadata.namespace;
  next.apiVersion = old.apiVersion;
  next.kind = old.kind;
  replaceStored(ctx, old, next);
  return ctx.respond.json(req, res, 200, present(next, r.info));
}

export function remove(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, r: Route): void {
  const old = ctx.store.find(r.info, r.namespace, r.name!);
  if (!old) throw objectNotFound(r.info, r.name);
  ctx.store.remove(old);
  const gone = { ...old, metadata: { ...old.metadata, resourceVersion: ctx.store.nextResourceVersion() } };
  ctx.watchers.emit('DELETED', gone);
  return ctx.respond.json(req, res, 200, present(gone, r.info));
}
