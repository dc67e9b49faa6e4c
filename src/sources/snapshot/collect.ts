/**
 * `collect`: read everything the checks read, through the same KubePort, redact it, and write a snapshot in
 * kubectl's own format (docs/snapshot-format.md). Lists only: a bounded number of API calls whatever the cluster size.
 */
import { lstat, mkdir, mkdtemp, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import * as tar from 'tar';
import { stringify } from 'yaml';
import { abortError, FatalError, ifForbidden } from '../../engine/errors.js';
import { redactText } from '../../engine/redact.js';
import { isRecord, rec } from '../../engine/safe.js';
import type { KubeObject, KubePort, Namespaces } from '../../engine/types.js';
import type { Pod } from '../../engine/kube-types.js';
import { lookupResource, apiVersionOf } from '../kube/resources.js';
import { redactObject } from './redact-objects.js';
import type { SnapshotInfo } from './load.js';

/** Cluster-scoped resources the checks read. */
export const CLUSTER_RESOURCES = [
  'nodes',
  'namespaces',
  'priorityclasses.scheduling.k8s.io',
  'customresourcedefinitions.apiextensions.k8s.io',
  'mutatingwebhookconfigurations.admissionregistration.k8s.io',
  'apiservices.apiregistration.k8s.io',
  'storageclasses.storage.k8s.io',
  'daemonsets.apps',
] as const;

/** Namespaced resources collected in each model-engine namespace. */
export const NAMESPACED_RESOURCES = [
  'pods',
  'events',
  'configmaps',
  'secrets',
  'services',
  'serviceaccounts',
  'persistentvolumeclaims',
  'resourcequotas',
  'deployments.apps',
  'replicasets.apps',
  'statefulsets.apps',
  'jobs.batch',
  'horizontalpodautoscalers.autoscaling',
  'poddisruptionbudgets.policy',
  'scaledobjects.keda.sh',
  'triggerauthentications.keda.sh',
  'virtualservices.networking.istio.io',
  'destinationrules.networking.istio.io',
  'verticalpodautoscalers.autoscaling.k8s.io',
  'leaderworkersets.leaderworkerset.x-k8s.io',
] as const;

/** Infrastructure namespaces whose pods the GPU, identity and autoscaling checks look at. */
export const INFRA_NAMESPACES = ['kube-system', 'keda', 'gpu-operator', 'azure-workload-identity-system', 'istio-system'] as const;

export interface CollectOptions {
  kube: KubePort;
  namespaces: Namespaces;
  output: string;
  tailLines: number;
  now: Date;
  context?: string;
  server?: string;
  /** The API server's gitVersion, written to snapshot-info.json (serve reports it at /version). */
  serverVersion?: string;
  toolVersion: string;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

export interface CollectSummary {
  path: string;
  objects: number;
  logs: number;
  skipped: string[];
  requests: number;
}

const needsLogs = (p: Pod, controlPlane: boolean) =>
  controlPlane ||
  p.status?.phase !== 'Running' ||
  (p.status?.containerStatuses ?? []).some((c) => !c.ready || (c.restartCount ?? 0) > 0);

export async function collectSnapshot(opts: CollectOptions): Promise<CollectSummary> {
  const { kube } = opts;
  const skipped: string[] = [];
  const files = new Map<string, KubeObject[]>();
  const safeList = async (resource: string, namespace?: string): Promise<KubeObject[]> => {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    return ifForbidden(
      async () => ((await kube.hasResource(resource)) ? kube.list(resource, namespace ? { namespace } : {}) : []),
      (e) => (skipped.push(e.message), []),
    );
  };
  const add = (file: string, resource: string, objs: KubeObject[]) => {
    if (objs.length === 0) return;
    const info = lookupResource(resource);
    const withKinds = objs.map((o) => ({ ...(info ? { apiVersion: apiVersionOf(info), kind: info.kind } : {}), ...o }));
    files.set(file, withKinds.map((o) => redactObject(trimSchemas(o))));
  };

  await checkOutput(opts.output);
  opts.onProgress?.('cluster-scoped objects');
  await Promise.all(CLUSTER_RESOURCES.map(async (r) => add(`cluster/${r}.yaml`, r, await safeList(r))));
  const nsList = [...new Set([opts.namespaces.controlPlane, opts.namespaces.endpoint, 'default'])];
  for (const ns of nsList) {
    opts.onProgress?.(`namespace ${ns}`);
    await Promise.all(
      NAMESPACED_RESOURCES.map(async (r) => {
        // Only model-engine's own objects in `default` (kaniko builds): pods, jobs, events, service accounts.
        if (ns === 'default' && !['pods', 'events', 'serviceaccounts', 'jobs.batch'].includes(r)) return;
        add(`${safeSegment(ns)}/${r}.yaml`, r, await safeList(r, ns));
      }),
    );
  }
  await Promise.all(
    INFRA_NAMESPACES.filter((ns) => !nsList.includes(ns)).map(async (ns) => {
      // Webhook and device-plugin pods, and the Services the identity webhooks answer behind.
      add(`${safeSegment(ns)}/pods.yaml`, 'pods', await safeList('pods', ns));
      add(`${safeSegment(ns)}/services.yaml`, 'services', await safeList('services', ns));
    }),
  );
  // GPU capacity counts every running pod that holds GPUs, whatever its namespace: one cluster-wide list of
  // non-terminated pods, of which only the GPU holders outside the namespaces above are kept.
  const collected = new Set<string>([...nsList, ...INFRA_NAMESPACES]);
  const running = await ifForbidden(
    () => kube.list('pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }),
    (e) => (skipped.push(e.message), [] as KubeObject[]),
  );
  add(
    'cluster/gpu-pods.yaml',
    'pods',
    (running as Pod[]).filter(
      (p) =>
        !collected.has(p.metadata.namespace ?? '') &&
        p.spec.containers.some((c) => c.resources?.requests?.['nvidia.com/gpu'] ?? c.resources?.limits?.['nvidia.com/gpu']),
    ),
  );

  // Logs: control-plane pods, and every pod in the endpoint namespace that is not healthy.
  const logJobs: { ns: string; pod: string; container: string; previous: boolean }[] = [];
  for (const ns of [opts.namespaces.controlPlane, opts.namespaces.endpoint]) {
    const pods = (files.get(`${safeSegment(ns)}/pods.yaml`) ?? []) as Pod[];
    for (const p of pods) {
      if (!needsLogs(p, ns === opts.namespaces.controlPlane)) continue;
      for (const cs of p.status?.containerStatuses ?? []) {
        // A crash-looping container (waiting) still has the log of its last run, as `kubectl logs` shows.
        if (cs.state?.running || cs.state?.terminated || cs.lastState?.terminated) {
          logJobs.push({ ns, pod: p.metadata.name, container: cs.name, previous: false });
        }
        if ((cs.restartCount ?? 0) > 0) logJobs.push({ ns, pod: p.metadata.name, container: cs.name, previous: true });
      }
    }
  }
  const logs = new Map<string, string>();
  const uniqueJobs = [...new Map(logJobs.map((j) => [`${j.ns}/${j.pod}/${j.container}/${j.previous}`, j])).values()];
  opts.onProgress?.(`${uniqueJobs.length} container logs`);
  // Bounded concurrency: a few log streams at a time.
  for (let i = 0; i < uniqueJobs.length; i += 8) {
    await Promise.all(
      uniqueJobs.slice(i, i + 8).map(async (j) => {
        const text = await ifForbidden(
          () => kube.logs(j.ns, j.pod, j.container, { tailLines: opts.tailLines, previous: j.previous }),
          (e) => void skipped.push(e.message),
        );
        if (text !== undefined) {
          logs.set(`logs/${safeSegment(j.ns)}/${safeSegment(j.pod)}/${safeSegment(j.container)}${j.previous ? '.previous' : ''}.log`, redactText(text));
        }
      }),
    );
  }

  const info: SnapshotInfo = {
    apiVersion: 'model-engine-doctor/v1',
    kind: 'SnapshotInfo',
    collectedAt: opts.now.toISOString(),
    ...(opts.context ? { context: opts.context } : {}),
    ...(opts.server ? { server: redactText(opts.server) } : {}),
    ...(opts.serverVersion && opts.serverVersion !== 'unknown' ? { serverVersion: opts.serverVersion } : {}),
    toolVersion: opts.toolVersion,
    namespaces: nsList,
    redacted: true,
  };

  return writeSnapshot(opts.output, files, logs, info, { skipped, requests: kube.requestCount });
}

/**
 * A name from the cluster as one path segment: Kubernetes names never hold more than `[a-z0-9.-]`, but a snapshot
 * or a hostile API server can send `../../etc`; anything else becomes `_`, and `.`/`..` cannot survive.
 */
export function safeSegment(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
  return s === '' || /^\.+$/.test(s) ? `_${s}` : s.startsWith('.') ? `_${s}` : s;
}

/** `rel` under `root`, or a FatalError: nothing is ever written outside the snapshot folder. */
export function confined(root: string, rel: string): string {
  const abs = resolve(root, rel);
  const back = relative(resolve(root), abs);
  if (back === '' || back.startsWith('..') || back.split(sep).includes('..') || resolve(back) === back) {
    throw new FatalError(`refusing to write ${JSON.stringify(rel)}: outside the snapshot folder`);
  }
  return abs;
}

const isTarball = (path: string) => /\.(tar\.gz|tgz)$/.test(path);

/** A folder output must be new or empty: files left from an earlier collect would mix two clusters' states. */
async function checkOutput(output: string): Promise<void> {
  if (isTarball(output)) return;
  let st;
  try {
    st = await lstat(output);
  } catch {
    return;
  }
  if (!st.isDirectory()) throw new FatalError(`collect: ${output} exists and is not a folder`);
  if ((await readdir(output)).length > 0) throw new FatalError(`collect: ${output} exists and is not empty`, undefined, 'give a new folder, or a path ending in .tar.gz');
}

/**
 * Write the files into a fresh staging folder beside the output, then move it into place (or pack it): an
 * interrupted collect leaves no half-written snapshot, and every path is confined to the staging folder.
 */
async function writeSnapshot(
  output: string,
  files: Map<string, KubeObject[]>,
  logs: Map<string, string>,
  info: SnapshotInfo,
  stats: { skipped: string[]; requests: number },
): Promise<CollectSummary> {
  const tarball = isTarball(output);
  const parent = dirname(resolve(output));
  await mkdir(parent, { recursive: true });
  const root = await mkdtemp(join(parent, `.${basename(output)}.collecting-`));
  let moved = false;
  try {
    const write = async (rel: string, text: string) => {
      const abs = confined(root, rel);
      await mkdir(dirname(abs), { recursive: true });
      await writeFile(abs, text, { mode: 0o600, flag: 'wx' });
    };
    let objects = 0;
    for (const [rel, objs] of files) {
      objects += objs.length;
      await write(rel, stringify({ apiVersion: 'v1', kind: 'List', items: objs, metadata: { resourceVersion: '' } }, { lineWidth: 0, aliasDuplicateObjects: false }));
    }
    for (const [rel, text] of logs) await write(rel, text);
    await write('snapshot-info.json', `${JSON.stringify(info, null, 2)}\n`);
    if (tarball) {
      await tar.c({ gzip: true, file: output, cwd: root, portable: true }, ['.']);
    } else {
      await checkOutput(output);
      await rmdir(output).catch(() => undefined);
      await rename(root, output);
      moved = true;
    }
    return { path: output, objects, logs: logs.size, skipped: stats.skipped, requests: stats.requests };
  } finally {
    if (!moved) await rm(root, { recursive: true, force: true });
  }
}

/** CRDs keep their names and versions; their (large) schemas are dropped. */
function trimSchemas(o: KubeObject): KubeObject {
  const spec = rec(o, 'spec');
  if (o.kind !== 'CustomResourceDefinition' || !spec || !Array.isArray(spec.versions)) return o;
  const versions = spec.versions.map((v: unknown) => (isRecord(v) ? (({ schema: _schema, ...rest }) => rest)(v) : v));
  return { ...o, spec: { ...spec, versions } };
}

export const snapshotName = (path: string) => basename(path);
