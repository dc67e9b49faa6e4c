/**
 * Whether every hook Job can start: what its pods need (service account, ConfigMaps and Secrets they mount or read)
 * must exist when helm creates the Job, and helm waits for a hook Job to finish before it creates anything after it.
 * Judged on the creation sequence (install-order.ts), for the rendered chart (chart/hook-jobs) and for the hand-kept
 * model (values/hook-jobs) alike.
 */
import { fail, isRecord, list, str, warn, type CheckContext, type Evidence, type Finding, type KubeObject, type ObjectRef, type PodSpec } from '../../../src/engine/index.js';
import { creationSequence, stageWords, type Manifest, type Operation, type Step } from './install-order.js';

export type DependencyKind = 'ServiceAccount' | 'ConfigMap' | 'Secret';

/** Something a pod needs before it can run, and the field (relative to the object) that names it. */
export interface Dependency {
  kind: DependencyKind;
  name: string;
  path: string;
}

/** A manifest placed in its namespace (undefined for cluster-scoped objects), with the dependencies of its pods. */
export interface PlacedManifest extends Manifest {
  namespace?: string;
  dependencies?: readonly Dependency[];
}

const nameOf = (v: unknown, key = 'name'): string | undefined => str(v, key) || undefined;
const required = (v: unknown) => !(isRecord(v) && v.optional === true);

/**
 * What a pod template needs before its pods run: the service account (the API server refuses pods without it), and
 * the ConfigMaps and Secrets its volumes, `envFrom` and `env[].valueFrom` name (unless `optional`: the kubelet
 * waits for them). `specPath` is where the pod spec sits in its object (`spec.template.spec`).
 */
export function podDependencies(spec: PodSpec, specPath: string): Dependency[] {
  const out: Dependency[] = [];
  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  // Every namespace has "default" (the service account controller creates it).
  if (sa && sa !== 'default') out.push({ kind: 'ServiceAccount', name: sa, path: `${specPath}.serviceAccountName` });
  (spec.volumes ?? []).forEach((v, i) => {
    const cm = nameOf(v.configMap);
    if (cm && required(v.configMap)) out.push({ kind: 'ConfigMap', name: cm, path: `${specPath}.volumes[${i}].configMap.name` });
    const secret = nameOf(v.secret, 'secretName');
    if (secret && required(v.secret)) out.push({ kind: 'Secret', name: secret, path: `${specPath}.volumes[${i}].secret.secretName` });
  });
  const containers = [
    ...(spec.initContainers ?? []).map((c, i) => ({ c, path: `${specPath}.initContainers[${i}]` })),
    ...(spec.containers ?? []).map((c, i) => ({ c, path: `${specPath}.containers[${i}]` })),
  ];
  for (const { c, path } of containers) {
    list(c, 'envFrom').forEach((e, i) => {
      if (!isRecord(e)) return;
      const cm = nameOf(e.configMapRef);
      if (cm && required(e.configMapRef)) out.push({ kind: 'ConfigMap', name: cm, path: `${path}.envFrom[${i}].configMapRef.name` });
      const secret = nameOf(e.secretRef);
      if (secret && required(e.secretRef)) out.push({ kind: 'Secret', name: secret, path: `${path}.envFrom[${i}].secretRef.name` });
    });
    list(c, 'env').forEach((e, i) => {
      const from = isRecord(e) && isRecord(e.valueFrom) ? e.valueFrom : undefined;
      const cm = nameOf(from?.configMapKeyRef);
      if (cm && required(from?.configMapKeyRef)) out.push({ kind: 'ConfigMap', name: cm, path: `${path}.env[${i}].valueFrom.configMapKeyRef.name` });
      const secret = nameOf(from?.secretKeyRef);
      if (secret && required(from?.secretKeyRef)) out.push({ kind: 'Secret', name: secret, path: `${path}.env[${i}].valueFrom.secretKeyRef.name` });
    });
  }
  return out;
}

export interface HookOrderProblem<T extends PlacedManifest> {
  job: Step<T>;
  dependency: Dependency;
  /** The rendered object(s) of that kind, namespace and name. */
  targets: T[];
  /** `resources`: created with the release's objects, after the hooks; `later`: a hook after this one; `never`: not created by this operation (another hook phase, or skipped). */
  why: 'resources' | 'later' | 'never';
  /** When helm does create the dependency (the first target in the sequence), if it does. */
  created?: Step<T>;
}

/**
 * The hook Jobs of an install whose pods need an object the chart renders but helm has not created yet when it
 * creates the Job (and, since it waits for the Job, never will in time). Dependencies the chart does not render
 * (a database Secret created beforehand) are not judged here.
 */
export function hookOrderProblems<T extends PlacedManifest>(objects: readonly T[], operation: Operation = 'install'): HookOrderProblem<T>[] {
  const seq = creationSequence(objects, operation);
  const out: HookOrderProblem<T>[] = [];
  for (const job of seq.filter((s) => s.object.kind === 'Job' && s.stage !== 'resources')) {
    for (const dependency of job.object.dependencies ?? []) {
      const same = (o: PlacedManifest) => o.kind === dependency.kind && o.name === dependency.name && o.namespace === job.object.namespace;
      const targets = objects.filter(same);
      if (targets.length === 0) continue;
      const steps = seq.filter((s) => same(s.object));
      if (steps.some((s) => s.index < job.index)) continue;
      const created = steps[0];
      const why = !created ? 'never' : created.stage === 'resources' ? 'resources' : 'later';
      out.push({ job, dependency, targets, why, ...(created ? { created } : {}) });
    }
  }
  return out;
}

/** When helm creates the dependency, in words, for a problem's message. */
export function createdWords<T extends PlacedManifest>(p: HookOrderProblem<T>, operation: Operation = 'install'): string {
  if (!p.created) {
    const t = p.targets[0]!;
    return t.skippedHook ? `never (its helm.sh/hook annotation names no phase helm knows, so helm skips it)` : `never on ${operation} (a ${t.hooks.join(',')} hook only)`;
  }
  return `only ${stageWords(p.created, operation)}`;
}

/** What the Job's pods do meanwhile, as the cluster shows it. */
export function symptom(kind: DependencyKind, name: string, namespace: string | undefined): string {
  return kind === 'ServiceAccount'
    ? `its pods are refused (FailedCreate: error looking up service account ${namespace ?? ''}/${name}: serviceaccount "${name}" not found)`
    : `its pod waits in ContainerCreating (FailedMount: ${kind.toLowerCase()} "${name}" not found)`;
}

/** The values that make the control plane's service account a pre-install hook before the Jobs (values_sample.yaml's). */
export const SERVICE_ACCOUNT_HOOK_VALUES = 'serviceAccount:\n  annotations:\n    "helm.sh/hook": pre-install,pre-upgrade\n    "helm.sh/hook-weight": "-2"\n';

const RESOURCES: Readonly<Record<string, string>> = { ServiceAccount: 'serviceaccounts', ConfigMap: 'configmaps', Secret: 'secrets' };

/** The messages chart/hook-jobs and values/hook-jobs share: one cause, worded once. */
export const HOOK_ORDER_MESSAGES = {
  createdAfter:
    'helm install hangs and fails: the pre-install hook Job {{job}} (weight {{weight}}) needs {{kind}} {{name}}, which helm creates {{when}}, so {{symptom}} and helm waits for the hook until --timeout ("resource Job/{{namespace}}/{{job}} not ready … context deadline exceeded"). helm upgrade is not affected: the {{kind}} exists from the installed revision',
  createdAfterInstalled:
    'The pre-install hook Job {{job}} (weight {{weight}}) needs {{kind}} {{name}}, which helm creates {{when}}. It exists in this cluster, so helm upgrade works; a fresh install (after helm uninstall, or on another cluster) hangs and fails ({{symptom}})',
} as const;

/** Whether the dependency exists in the cluster (undefined: no cluster, or it could not be read). */
export async function existsInCluster(ctx: Pick<CheckContext, 'kube'>, kind: string, name: string, namespace: string | undefined): Promise<boolean | undefined> {
  const resource = RESOURCES[kind];
  if (!ctx.kube || !resource || !namespace) return undefined;
  try {
    return (await ctx.kube.get<KubeObject>(resource, name, namespace)) !== undefined;
  } catch {
    return undefined;
  }
}

/** The finding for one problem, from the rendered chart or the hand-kept model (`evidence` says which). */
export function hookOrderFinding<T extends PlacedManifest>(
  p: HookOrderProblem<T>,
  installed: boolean | undefined,
  evidence: Evidence[],
  docs: string,
  /** The values check names the values key to change; the Job stays its root, so the live views of it join. */
  about?: ObjectRef,
): Finding {
  const job = p.job.object;
  const data = {
    job: job.name,
    weight: job.hookWeight,
    kind: p.dependency.kind,
    name: p.dependency.name,
    namespace: job.namespace ?? '',
    when: createdWords(p),
    symptom: symptom(p.dependency.kind, p.dependency.name, job.namespace),
  };
  const sa = p.dependency.kind === 'ServiceAccount';
  const remediation = {
    summary: sa
      ? 'Make the service account a pre-install hook created before the Job, as values_sample.yaml does: serviceAccount.annotations with helm.sh/hook: pre-install,pre-upgrade and helm.sh/hook-weight "-2". A failed install must be uninstalled first (helm uninstall) and installed again.'
      : `Render ${p.dependency.kind} ${p.dependency.name} as a pre-install hook that comes before the Job (a lower weight), or create it before installing.`,
    ...(sa ? { values: SERVICE_ACCOUNT_HOOK_VALUES } : {}),
    ...(sa && job.namespace
      ? { commands: [`helm -n ${job.namespace} uninstall model-engine   # only after a failed install`, `helm -n ${job.namespace} install model-engine <chart> -f values.yaml`] }
      : {}),
    docs,
  };
  const jobRef = { kind: 'Job', name: job.name, ...(job.namespace ? { namespace: job.namespace } : {}) };
  const placed = about ? { object: about, root: [`workload:${job.namespace ?? ''}/${job.name}`] } : { object: jobRef };
  return installed
    ? warn('createdAfterInstalled', { severity: 'medium', ...placed, data, evidence, remediation })
    : fail('createdAfter', { ...placed, data, evidence, remediation });
}

