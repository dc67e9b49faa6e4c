/** Discovery: `/api`, `/apis`, each group and version, and kubectl's aggregated discovery (apidiscovery.k8s.io). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BUILTIN_GROUPS, type ResourceInfo } from '../kube/resources.js';
import type { ServerContext } from './context.js';
import { HttpError, notFound } from './status.js';

const ALL_CATEGORY = new Set(['pods', 'services', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'replicationcontrollers']);
export const READ_VERBS = ['get', 'list', 'watch'];
export const WRITE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

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

const categories = (r: ResourceInfo) => (ALL_CATEGORY.has(r.plural) && BUILTIN_GROUPS.has(r.group) ? { categories: ['all'] } : {});

function apiResource(r: ResourceInfo, verbs: string[]) {
  return {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs,
    ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
    ...categories(r),
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

const POD_SUBRESOURCES = [
  { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
  { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
];

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
            ...categories(r),
            ...(r.group === '' && r.plural === 'pods' ? { subresources: POD_SUBRESOURCES } : {}),
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

export interface DiscoveryOptions {
  /** Answer aggregated discovery requests (else kubectl falls back to the legacy documents). */
  aggregated: boolean;
  /** `host:port` as `/api` reports it in serverAddressByClientCIDRs. */
  serverAddress: () => string;
}

/** Answer a discovery path (`segs` is the path split: `['api']`, `['apis', group, version]`, …). */
export function discovery(ctx: ServerContext, o: DiscoveryOptions, req: IncomingMessage, res: ServerResponse, segs: string[], accept: string): void {
  const { served, verbs, respond } = ctx;
  const agg = o.aggregated ? wantsAggregated(accept) : undefined;
  if (segs.length === 1 && agg) {
    res.setHeader('Vary', 'Accept');
    const body = aggregatedDiscovery(served, segs[0] === 'api', agg, verbs);
    return respond.json(req, res, 200, body, `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
  }
  if (!acceptsPlainJson(accept)) throw new HttpError(406, `only the following media types are accepted: application/json`);
  if (segs[0] === 'api') {
    if (segs.length === 1) {
      return respond.json(req, res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: o.serverAddress() }],
      });
    }
    if (segs[1] !== 'v1') throw notFound();
    return respond.json(req, res, 200, resourceList(served, '', 'v1', verbs));
  }
  const groups = groupsOf(served).filter((g) => g.name !== '');
  if (segs.length === 1) return respond.json(req, res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) });
  const g = groups.find((x) => x.name === segs[1]);
  if (!g) throw notFound();
  if (segs.length === 2) return respond.json(req, res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) });
  if (!g.versions.includes(segs[2]!)) throw notFound();
  return respond.json(req, res, 200, resourceList(served, g.name, segs[2]!, verbs));
}
