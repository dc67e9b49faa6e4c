/**
 * The order in which helm v4 creates a release's objects, for the rendered chart and for the hand-kept model alike
 * (both describe each object as a `Manifest`). From helm v4.3's sources:
 * - `pkg/release/v1/util/manifest_sorter.go`: templates are read in the order of their paths (`sort.Strings`), the
 *   documents of a template in order; an object with a `helm.sh/hook` annotation is a hook, one naming an unknown
 *   phase is skipped altogether;
 * - `kind_sorter.go`: the release's plain objects are sorted by `InstallOrder` (stable), hooks too;
 * - `pkg/action/hooks.go`: the hooks of a phase are then stable-sorted by weight, ties by name (`hookByWeight`),
 *   created one at a time, and helm waits for each hook Job to finish before the next;
 * - `pkg/action/install.go`: pre-install hooks, then the plain objects, then post-install hooks; an upgrade runs the
 *   pre-upgrade and post-upgrade hooks around them.
 * - `pkg/kube/client.go` (`batchPerform`): plain objects of one kind are sent to the API server concurrently.
 */

/** helm v4's `InstallOrder`: the kinds in the order a release creates them; other kinds come last, by name. */
export const INSTALL_ORDER: readonly string[] = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

/** What the order depends on: kind, name, the template (path inside the chart) and the hook annotations as helm reads them. */
export interface Manifest {
  kind: string;
  name: string;
  template: string;
  /** Hook phases (`pre-install`, …), empty for a plain object. */
  hooks: readonly string[];
  hookWeight: number;
  /** helm skips it (an unknown hook phase): never created. */
  skippedHook?: boolean;
}

export type Operation = 'install' | 'upgrade';
export type Stage = 'pre' | 'resources' | 'post';

export interface Step<T extends Manifest> {
  object: T;
  stage: Stage;
  /** Position in the whole sequence (0 first). */
  index: number;
}

function kindRank(kind: string): number {
  const i = INSTALL_ORDER.indexOf(kind);
  return i >= 0 ? i : INSTALL_ORDER.length;
}

/** helm's order of a template's objects: by template path, documents in order (the input order within a template). */
function byTemplate<T extends Manifest>(objects: readonly T[]): T[] {
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => (a.o.template < b.o.template ? -1 : a.o.template > b.o.template ? 1 : a.i - b.i))
    .map((x) => x.o);
}

/** `sortManifestsByKind` / `sortHooksByKind`: stable by InstallOrder; unknown kinds last, alphabetically. */
function byKind<T extends Manifest>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => {
    const ra = kindRank(a.kind);
    const rb = kindRank(b.kind);
    if (ra !== rb) return ra - rb;
    if (ra === INSTALL_ORDER.length && a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
    return 0;
  });
}

/** `hookByWeight`, applied (stably) after the kind sort. */
function byWeight<T extends Manifest>(hooks: readonly T[]): T[] {
  return [...hooks].sort((a, b) => (a.hookWeight !== b.hookWeight ? a.hookWeight - b.hookWeight : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Every object helm creates for an install or an upgrade, in the order it sends them: the `pre-<operation>` hooks,
 * the plain objects, the `post-<operation>` hooks. Objects of other hook phases and skipped hooks are left out.
 * The input order only matters among the documents of one template (pass them in manifest order).
 */
export function creationSequence<T extends Manifest>(objects: readonly T[], operation: Operation): Step<T>[] {
  const sorted = byKind(byTemplate(objects.filter((o) => !o.skippedHook)));
  const pre = byWeight(sorted.filter((o) => o.hooks.includes(`pre-${operation}`)));
  const plain = sorted.filter((o) => o.hooks.length === 0);
  const post = byWeight(sorted.filter((o) => o.hooks.includes(`post-${operation}`)));
  const steps: Omit<Step<T>, 'index'>[] = [
    ...pre.map((object) => ({ object, stage: 'pre' as const })),
    ...plain.map((object) => ({ object, stage: 'resources' as const })),
    ...post.map((object) => ({ object, stage: 'post' as const })),
  ];
  return steps.map((s, index) => ({ ...s, index }));
}

/** How helm creates an object, in words: `as a pre-install hook (weight -2)`, `with the release's objects`. */
export function stageWords(step: Pick<Step<Manifest>, 'stage' | 'object'>, operation: Operation): string {
  switch (step.stage) {
    case 'pre':
      return `as a pre-${operation} hook (weight ${step.object.hookWeight})`;
    case 'post':
      return `as a post-${operation} hook (weight ${step.object.hookWeight})`;
    case 'resources':
      return `with the release's objects, after every pre-${operation} hook`;
  }
}
