/**
 * model-engine installed for real: its own chart (`../shared/reference/model-engine-chart`, or $MODEL_ENGINE_CHART)
 * with `helm install` into the real control plane, with the project's values fixtures per cloud. What a cluster
 * operator has in place before installing is created first, as they would: the add-ons' CRDs (KEDA, Istio, VPA,
 * LeaderWorkerSet), the `istio-system` namespace, the release and endpoint namespaces (the chart creates none), the
 * database Secret, and CPU nodes labelled `node-lifecycle: normal` (the chart's default nodeSelector).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Cloud } from '../../../src/engine/types.js';
import { REPO, apply, helm, kubectl, waitFor } from './cluster.js';
import { addNodes, deleteNodes, type NodeSpec } from './nodes.js';

export const CHART = process.env.MODEL_ENGINE_CHART ?? resolve(REPO, '../shared/reference/model-engine-chart');

/** Why the chart tier cannot run (the shared chart is absent), or undefined. */
export function chartUnavailable(): string | undefined {
  return existsSync(join(CHART, 'Chart.yaml')) ? undefined : `model-engine chart not found at ${CHART} (set MODEL_ENGINE_CHART)`;
}

// The values fixtures as they are: each is installable on its own, as the doctor's preflight says (no overlay).
export const VALUES: Record<Cloud, string[]> = {
  aws: ['fixtures/values/aws-good.yaml'],
  azure: ['fixtures/values/azure-good.yaml'],
  gcp: ['fixtures/values/gcp-good.yaml'],
  onprem: ['fixtures/values/onprem-good.yaml'],
};

export interface Install {
  cloud: Cloud;
  release: string;
  namespace: string;
  endpointNamespace: string;
  values: string[];
  nodes: string[];
  helmMs: number;
}

let baseReady = false;
async function ensureBase(): Promise<void> {
  if (baseReady) return;
  await kubectl(['apply', '--server-side', '-f', join(REPO, 'fixtures/e2e/crds.yaml')]);
  await waitFor('CRDs established', async () => {
    const out = await kubectl(['get', 'crd', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Established")].status}{"\\n"}{end}']);
    return out.trim().split('\n').every((s) => s === 'True');
  });
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } });
  baseReady = true;
}

export interface InstallOptions {
  cloud: Cloud;
  namespace?: string;
  endpointNamespace?: string;
  /** Values files instead of the cloud's fixtures (repository-relative or absolute). */
  values?: string[];
  extraValues?: string[];
  set?: string[];
  cpuNodes?: number;
  nodes?: NodeSpec[];
  wait?: boolean;
}

/**
 * What an operator has in place before `helm install`: the add-ons' CRDs, the release and endpoint namespaces, the
 * database Secret in both, and the nodes. Returns the install to run helm for (and to `uninstall`).
 */
export async function prepareInstall(opts: InstallOptions): Promise<Install> {
  await ensureBase();
  const namespace = opts.namespace ?? 'model-engine';
  const endpointNamespace = opts.endpointNamespace ?? 'llm-engine';
  for (const ns of new Set([namespace, endpointNamespace])) await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // The database Secret the values name (kubernetesDatabaseSecretName → key database_url), in both namespaces as
  // model-engine's own CI does.
  for (const ns of new Set([namespace, endpointNamespace])) {
    await apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'llm-engine-postgres-credentials', namespace: ns },
      stringData: { database_url: 'postgresql://llm_engine:e2e-db-password@postgres.db.svc.cluster.local:5432/llm_engine' },
    });
  }
  const nodes = await addNodes([
    ...Array.from({ length: opts.cpuNodes ?? 2 }, (_, i) => ({ name: `${opts.cloud}-cpu-${i}`, cloud: opts.cloud })),
    ...(opts.nodes ?? []),
  ]);
  const values = [...(opts.values ?? VALUES[opts.cloud]), ...(opts.extraValues ?? [])];
  return { cloud: opts.cloud, release: 'model-engine', namespace, endpointNamespace, values, nodes, helmMs: 0 };
}

/** `helm install` of a prepared install, as the operator runs it: `-f` each values file, `--set`, then `flags`. */
export function helmInstall(install: Install, flags: string[], set: string[] = []): ReturnType<typeof helm> {
  return helm(
    ['install', install.release, CHART, '-n', install.namespace, ...install.values.flatMap((v) => ['-f', resolve(REPO, v)]), ...set.flatMap((s) => ['--set', s]), ...flags],
    { allowFail: true },
  );
}

/** The namespace's Warning events, one per line (what a failed install left behind). */
export async function warnings(namespace: string): Promise<string> {
  return kubectl(['get', 'events', '-n', namespace, '--field-selector', 'type=Warning', '-o', 'custom-columns=OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message'], { allowFail: true });
}

/** Install the chart for `cloud` (values fixtures + `extraValues`), with `cpuNodes` CPU nodes; waits for the rollout. */
export async function installModelEngine(opts: InstallOptions): Promise<Install> {
  const install = await prepareInstall(opts);
  const t0 = Date.now();
  const r = await helmInstall(install, opts.wait === false ? [] : ['--wait', '--timeout', '180s'], opts.set);
  if (r.code !== 0) {
    // Say why (the namespace's warnings), and leave the cluster clean for the next file.
    const seen = await warnings(install.namespace);
    await uninstall(install);
    throw new Error(`helm install → ${r.code}: ${r.stderr.trim()}\nwarnings in ${install.namespace}:\n${seen}`);
  }
  install.helmMs = Date.now() - t0;
  return install;
}

/** Uninstall, delete the namespaces and nodes, and wait until the namespaces are gone (cluster-scoped objects too). */
export async function uninstall(install: Install): Promise<void> {
  await helm(['uninstall', install.release, '-n', install.namespace, '--wait', '--timeout', '120s'], { allowFail: true });
  // Hook resources (ServiceAccounts, ConfigMaps made as hooks) are not removed by uninstall; the namespaces go.
  const namespaces = [...new Set([install.namespace, install.endpointNamespace])];
  await kubectl(['delete', 'namespace', '--ignore-not-found', '--wait=false', ...namespaces]);
  // Pods a simulated kubelet owned are not finalised by kwok: force them, or the namespaces never finish deleting.
  for (const ns of namespaces) await kubectl(['delete', 'pods', '--all', '-n', ns, '--grace-period=0', '--force', '--ignore-not-found', '--wait=false'], { allowFail: true });
  // Hooks in namespaces that stay (kaniko's `default`): the service accounts and AWS ConfigMap the chart made there as
  // hooks outlive the release, and a later install that renders them as plain objects refuses to adopt them
  // ("exists and cannot be imported into the current release: invalid ownership metadata").
  await kubectl(['delete', 'serviceaccounts,configmaps', '-n', 'default', '-l', 'product=model-engine,app.kubernetes.io/managed-by=Helm', '--ignore-not-found']);
  await kubectl(['delete', 'priorityclass', '--ignore-not-found', 'model-engine-default-priority', 'model-engine-high-priority', 'model-engine-low-priority']);
  await kubectl(['delete', 'clusterrolebinding', '--ignore-not-found', 'model-engine']);
  await deleteNodes(install.nodes);
  await waitFor(
    `namespaces ${namespaces.join(', ')} deleted`,
    async () => (await kubectl(['get', 'namespace', ...namespaces, '--ignore-not-found', '-o', 'name'])).trim() === '',
    120_000,
    500,
  );
}

