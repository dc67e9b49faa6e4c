/**
 * Workload identity facts shared by the `identity/*` checks: which service accounts model-engine federates, what
 * their annotation must be, whether a pod was federated by the webhook, when an annotation last changed, and how
 * a cloud's trust (IAM trust policy, federated credential, IAM binding) admits a service account. All pure.
 */
import type { CloudProfile, KubeObject, Namespaces, Severity, ValuesKeyPath, ValuesPort } from '../engine/types.js';
import type { Pod } from '../engine/kube-types.js';
import { formatPath } from '../engine/values-path.js';
import { rec, records, str as strAt } from '../engine/safe.js';
import type { FederatedCredential, IamPolicy, PolicyDocument, PolicyStatement } from '../engine/ports/identity-cloud.js';

// The cloud answers' shapes live with the port that returns them; judged here.
export type { FederatedCredential, IamPolicy, PolicyDocument, PolicyStatement };

export interface ServiceAccount extends KubeObject {
  imagePullSecrets?: { name: string }[];
  automountServiceAccountToken?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  fieldsV1?: Record<string, unknown>;
}

export type IdentityRole = 'control-plane' | 'image-builder' | 'inference';

/** The control plane cannot start its work without its identity; endpoints need theirs; builds are optional. */
export function roleSeverity(roles: readonly IdentityRole[]): Severity {
  if (roles.includes('control-plane')) return 'critical';
  if (roles.includes('inference')) return 'high';
  return 'medium';
}

/** A service account model-engine needs federated, and the annotation value the values ask for. */
export interface IdentitySubject {
  namespace: string;
  name: string;
  roles: IdentityRole[];
  expected?: { value: string; path: string };
  /**
   * A second, different expectation for the same account: the chart renders it twice (the control plane's in a
   * `serviceAccount.namespaces` entry that is also the endpoint namespace, and the endpoints' of the same name), and
   * the cluster keeps one of the two.
   */
  alsoExpected?: { value: string; path: string; role: IdentityRole };
}

/** `system:serviceaccount:<ns>:<sa>`: the token subject every cloud's trust is written against. */
export const subjectOf = (s: { namespace: string; name: string }): string => `system:serviceaccount:${s.namespace}:${s.name}`;

/** Kaniko image builds run in namespace `default` with SA `kaniko` (facts §1.5, `remote_build.py`). */
export const KANIKO = { namespace: 'default', name: 'kaniko' } as const;

/** EKS Pod Identity, the alternative to IRSA: the agent's credential URI and token volume. */
export const EKS_POD_IDENTITY = {
  env: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  tokenVolume: 'eks-pod-identity-token',
} as const;

/** Sidecars other webhooks add; an identity webhook that ran before them leaves them alone, harmlessly. */
const SIDECARS = new Set(['istio-proxy', 'istio-init', 'istio-validation', 'linkerd-proxy', 'linkerd-init']);
/** Pod annotations the webhooks honour to leave containers out (Azure `;`-separated, EKS `,`-separated). */
const SKIP_CONTAINERS = ['azure.workload.identity/skip-containers', 'eks.amazonaws.com/skip-containers'];

/** Go template truth (`if`/`and`): not nil, false, 0 or "". */
const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The chart's `modelEngine.fullname`: `fullnameOverride`, else `model-engine[-<serviceIdentifier>]`, max 40 chars. */
export function chartFullname(values: ValuesPort | undefined): string {
  const override = str(values?.get('fullnameOverride'));
  const id = str(values?.get('serviceIdentifier'));
  return (override ?? (id ? `model-engine-${id}` : 'model-engine')).slice(0, 40).replace(/-+$/, '');
}

function firstSet(values: ValuesPort | undefined, paths: readonly ValuesKeyPath[] | undefined): { value: string; path: string } | undefined {
  if (!values || !paths) return undefined;
  for (const p of paths) {
    const v = str(values.get(p));
    if (v) return { value: v, path: formatPath(p) };
  }
  return undefined;
}

export interface SubjectsInput {
  profile: CloudProfile;
  namespaces: Namespaces;
  values?: ValuesPort;
  /** The SA live endpoint pods run as, when values do not say. */
  inferenceServiceAccount?: string;
  /** Whether a `kaniko` SA exists in the cluster (used when values are unknown). */
  kanikoInCluster?: boolean;
}

/** The service accounts to federate (facts §1.3): model-engine, kaniko (where builds exist), the inference SA. */
export function identitySubjects(input: SubjectsInput): IdentitySubject[] {
  const { profile, namespaces, values } = input;
  const idp = profile.identity;
  const fullname = chartFullname(values);
  const out: IdentitySubject[] = [];
  const add = (namespace: string, name: string, role: IdentityRole, expected?: { value: string; path: string }, renderedAgain = false) => {
    const hit = out.find((s) => s.namespace === namespace && s.name === name);
    if (hit) {
      if (!hit.roles.includes(role)) hit.roles.push(role);
      // Only a second copy the chart really renders can carry a second identity; otherwise one account serves both roles.
      if (renderedAgain && hit.expected && expected && hit.expected.value.trim().toLowerCase() !== expected.value.trim().toLowerCase()) hit.alsoExpected ??= { ...expected, role };
      hit.expected ??= expected;
      return;
    }
    out.push({ namespace, name, roles: [role], ...(expected ? { expected } : {}) });
  };
  const extra = values?.get('serviceAccount.namespaces');
  const cpNamespaces = [namespaces.controlPlane, ...(Array.isArray(extra) ? extra.filter((n): n is string => typeof n === 'string' && n !== '') : [])];
  const cpExpected = firstSet(values, idp?.values.controlPlane);
  for (const ns of new Set(cpNamespaces)) add(ns, fullname, 'control-plane', cpExpected);

  if (profile.imageBuilds && idp?.values.imageBuilder) {
    const create = values?.get('imageBuilderServiceAccount.create');
    const wanted = values ? create === true || firstSet(values, idp.values.imageBuilder) !== undefined : input.kanikoInCluster === true;
    if (wanted) add(KANIKO.namespace, KANIKO.name, 'image-builder', firstSet(values, idp.values.imageBuilder));
  }

  const inferenceName = str(values?.get('serviceTemplate.serviceAccountName')) ?? input.inferenceServiceAccount ?? fullname;
  // service_account_inference.yaml renders the endpoints' account when createServiceAccount and its annotations are set.
  const annotations = values?.get('serviceTemplate.serviceAccountAnnotations');
  const inferenceRendered =
    truthy(values?.get('serviceTemplate.createServiceAccount')) && typeof annotations === 'object' && annotations !== null && Object.keys(annotations).length > 0 && str(values?.get('serviceTemplate.serviceAccountName')) !== undefined;
  add(namespaces.endpoint, inferenceName, 'inference', firstSet(values, idp?.values.inference), inferenceRendered);
  return out;
}

export type AnnotationVerdict =
  | { state: 'ok'; value: string }
  | { state: 'missing-sa' }
  | { state: 'missing' }
  | { state: 'malformed'; value: string }
  | { state: 'mismatch'; value: string; expected: string; path: string };

/** Judge a service account's identity annotation against the cloud's shape and the values. */
export function annotationVerdict(
  sa: ServiceAccount | undefined,
  key: string,
  pattern: RegExp,
  expected?: { value: string; path: string },
): AnnotationVerdict {
  if (!sa) return { state: 'missing-sa' };
  const value = sa.metadata.annotations?.[key];
  if (value === undefined || value.trim() === '') return { state: 'missing' };
  if (!pattern.test(value.trim())) return { state: 'malformed', value };
  if (expected && expected.value.trim().toLowerCase() !== value.trim().toLowerCase()) {
    return { state: 'mismatch', value, expected: expected.value, path: expected.path };
  }
  return { state: 'ok', value: value.trim() };
}

/** Whether a managedFields entry owns `metadata.annotations[key]`. */
function ownsAnnotation(entry: ManagedFieldsEntry, key: string): boolean {
  const ann = rec(entry.fieldsV1, 'f:metadata', 'f:annotations');
  return !!ann && Object.hasOwn(ann, `f:${key}`);
}

/**
 * When the annotation last changed, as far as the cluster shows it: the newest managedFields time of a manager
 * owning the key, else the SA's creation. A managedFields time moves on any write by that manager, so it is an
 * upper bound; callers only use it together with a concrete sign of staleness or a missing injection.
 */
export function annotationChangedAt(sa: ServiceAccount, key: string): { at: string; how: 'managedFields' | 'creationTimestamp' } | undefined {
  const entries: ManagedFieldsEntry[] = records(sa.metadata, 'managedFields').map((e) => ({ ...(strAt(e, 'time') ? { time: strAt(e, 'time') } : {}), ...(rec(e, 'fieldsV1') ? { fieldsV1: rec(e, 'fieldsV1') } : {}) }));
  const times = entries.filter((e) => e.time && ownsAnnotation(e, key)).map((e) => e.time!);
  if (times.length > 0) return { at: times.sort().at(-1)!, how: 'managedFields' };
  return sa.metadata.creationTimestamp ? { at: sa.metadata.creationTimestamp, how: 'creationTimestamp' } : undefined;
}

export function isOlder(pod: Pod, than: string | undefined): boolean {
  const created = pod.metadata.creationTimestamp;
  if (!created || !than) return false;
  return Date.parse(created) < Date.parse(than);
}

const envOf = (c: Pod['spec']['containers'][number]) => new Map((c.env ?? []).map((e) => [e.name, e.value]));
const volumeNames = (pod: Pod) => new Set((pod.spec.volumes ?? []).map((v) => strAt(v, 'name')).filter(Boolean));

export type PodFederation =
  /** The webhook mutated the pod; `identity` is what it injected (role ARN / client id), when visible. */
  | { state: 'federated'; identity?: string }
  | { state: 'pod-identity' }
  /** The webhook acted on the pod but some containers lack env vars. */
  | { state: 'partial'; missing: { container: string; env: string[] }[] }
  /** Azure: the pod does not carry the label the webhook selects on. */
  | { state: 'label-missing'; key: string; value: string }
  | { state: 'not-mutated' };

/** How (whether) a running pod was federated, by the marks the cloud's webhook leaves. */
export function podFederation(pod: Pod, profile: CloudProfile): PodFederation {
  const idp = profile.identity;
  if (!idp) return { state: 'not-mutated' };
  const volumes = volumeNames(pod);
  const skip = new Set(
    SKIP_CONTAINERS.flatMap((k) => (pod.metadata.annotations?.[k] ?? '').split(/[;,]/).map((s) => s.trim()).filter(Boolean)),
  );
  const containers = pod.spec.containers.filter((c) => !SIDECARS.has(c.name) && !skip.has(c.name));
  if (profile.cloud === 'aws' && volumes.has(EKS_POD_IDENTITY.tokenVolume) && containers.some((c) => envOf(c).has(EKS_POD_IDENTITY.env))) {
    return { state: 'pod-identity' };
  }
  const mutated = idp.tokenVolume ? volumes.has(idp.tokenVolume) : true;
  if (!mutated) {
    if (idp.podLabel && pod.metadata.labels?.[idp.podLabel.key] !== idp.podLabel.value) {
      return { state: 'label-missing', ...idp.podLabel };
    }
    return { state: 'not-mutated' };
  }
  const missing = containers
    .map((c) => ({ container: c.name, env: idp.injectedEnv.filter((e) => !envOf(c).has(e)) }))
    .filter((m) => m.env.length > 0);
  if (missing.length > 0) return { state: 'partial', missing };
  // The identity the webhook injected: the first of the injected vars (AWS_ROLE_ARN / AZURE_CLIENT_ID).
  const first = idp.injectedEnv[0];
  const identity = first ? containers.map((c) => envOf(c).get(first)).find((v) => typeof v === 'string' && v !== '') : undefined;
  return { state: 'federated', ...(identity ? { identity } : {}) };
}

// ---------------------------------------------------------------------------------------------------------
// Cloud trust: pure judgement of what the cloud APIs return.

/**
 * The federated credential that trusts `subject` from `issuer` (issuer unknown: any issuer), if any. Entra ID
 * compares the issuer exactly with the token's `iss` — AKS issuers end in `/`, and one without it fails with
 * AADSTS700211 — and the subject exactly too.
 */
export function findFederatedCredential(creds: readonly FederatedCredential[], subject: string, issuer?: string): FederatedCredential | undefined {
  return creds.find((c) => c.subject === subject && (!issuer || c.issuer === issuer));
}

/** A credential for `subject` whose issuer differs from `issuer` only by a trailing slash or letter case: Entra rejects it. */
export function nearIssuerMiss(creds: readonly FederatedCredential[], subject: string, issuer: string): FederatedCredential | undefined {
  const loose = (u: string) => u.trim().replace(/\/+$/, '').toLowerCase();
  return creds.find((c) => c.subject === subject && c.issuer !== issuer && loose(c.issuer) === loose(issuer));
}

export const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';

/** The IAM member GKE Workload Identity uses for a KSA: `serviceAccount:<project>.svc.id.goog[<ns>/<sa>]`. */
export const gkeMember = (project: string, s: { namespace: string; name: string }) => `serviceAccount:${project}.svc.id.goog[${s.namespace}/${s.name}]`;

/** A `roles/iam.workloadIdentityUser` binding that covers a KSA, and how. */
export interface WorkloadIdentityGrant {
  member: string;
  /** `subject`: this KSA by name; `namespace`: every KSA of its namespace; `cluster`: every KSA of a cluster. */
  how: 'subject' | 'namespace' | 'cluster';
  /** A conditional binding (policy v3): its title or expression. The doctor does not evaluate CEL. */
  condition?: string;
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The binding of `roles/iam.workloadIdentityUser` in `policy` that lets KSA `<ns>/<sa>` of the cluster project's
 * workload pool (`<project>.svc.id.goog`) impersonate the GSA, if any. Members GKE documents: the legacy
 * `serviceAccount:<project>.svc.id.goog[<ns>/<sa>]`, and the principal identifiers
 * `principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<project>.svc.id.goog/subject/ns/<ns>/sa/<sa>`,
 * `principalSet://…/namespace/<ns>` and `principalSet://…/kubernetes.cluster/<cluster url>`. The project number is
 * not checked (the pool id already names the project).
 */
export function workloadIdentityGrant(policy: IamPolicy, project: string, s: { namespace: string; name: string }): WorkloadIdentityGrant | undefined {
  const pool = `principal(?:Set)?://iam\\.googleapis\\.com/projects/\\d+/locations/global/workloadIdentityPools/${reEscape(project)}\\.svc\\.id\\.goog`;
  const forms: [WorkloadIdentityGrant['how'], RegExp][] = [
    ['subject', new RegExp(`^${reEscape(gkeMember(project, s))}$`)],
    ['subject', new RegExp(`^${pool.replace('(?:Set)?', '')}/subject/ns/${reEscape(s.namespace)}/sa/${reEscape(s.name)}$`)],
    ['namespace', new RegExp(`^${pool.replace('(?:Set)?', 'Set')}/namespace/${reEscape(s.namespace)}$`)],
    ['cluster', new RegExp(`^${pool.replace('(?:Set)?', 'Set')}/kubernetes\\.cluster/.+$`)],
  ];
  const grants: WorkloadIdentityGrant[] = [];
  for (const b of policy.bindings ?? []) {
    if (b.role !== WORKLOAD_IDENTITY_USER) continue;
    for (const member of b.members ?? []) {
      const how = forms.find(([, re]) => re.test(member))?.[0];
      const condition = b.condition ? (b.condition.title ?? b.condition.expression ?? 'a condition') : undefined;
      if (how) grants.push({ member, how, ...(condition ? { condition } : {}) });
    }
  }
  // An unconditional grant beats a conditional one; a grant by name beats a wider one.
  const rank = (g: WorkloadIdentityGrant) => (g.condition ? 10 : 0) + ['subject', 'namespace', 'cluster'].indexOf(g.how);
  return grants.sort((a, b) => rank(a) - rank(b))[0];
}

/** Whether a GSA's IAM policy grants `roles/iam.workloadIdentityUser` to `member` (exactly that member). */
export function grantsWorkloadIdentityUser(policy: IamPolicy, member: string): boolean {
  return (policy.bindings ?? []).some((b) => b.role === WORKLOAD_IDENTITY_USER && (b.members ?? []).includes(member));
}

/** The project of a user-managed GSA (`<name>@<project>.iam.gserviceaccount.com`); undefined for Google-managed ones. */
export function gsaProject(email: string): string | undefined {
  return /^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(email.trim())?.[1];
}

/** Parse cloud facts out of a node's `spec.providerID`. */
export function parseProviderId(providerId: string | undefined):
  | { cloud: 'aws'; zone?: string; instance?: string }
  | { cloud: 'azure'; subscriptionId: string; resourceGroup: string }
  | { cloud: 'gcp'; project: string; zone?: string; instance?: string }
  | undefined {
  if (!providerId) return undefined;
  let m = /^azure:\/\/\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(providerId);
  if (m) return { cloud: 'azure', subscriptionId: m[1]!, resourceGroup: m[2]! };
  m = /^gce:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(providerId);
  if (m) return { cloud: 'gcp', project: m[1]!, zone: m[2]!, instance: m[3]! };
  m = /^aws:\/\/\/([^/]*)\/([^/]+)$/.exec(providerId);
  if (m) return { cloud: 'aws', ...(m[1] ? { zone: m[1] } : {}), instance: m[2]! };
  return undefined;
}

/** `arn:aws:eks:<region>:<account>:cluster/<name>` (the context name `aws eks update-kubeconfig` writes). */
export function parseEksClusterArn(s: string | undefined): { region: string; name: string } | undefined {
  const m = s ? /arn:aws[\w-]*:eks:([a-z0-9-]+):\d{12}:cluster\/([\w.-]+)/.exec(s) : null;
  return m ? { region: m[1]!, name: m[2]! } : undefined;
}

/** Account and partition of an IAM role ARN. */
export function parseRoleArn(arn: string): { partition: string; account: string; name: string } | undefined {
  const m = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn.trim());
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the cluster for the identity checks (through `ctx.kube` only; the lists are memoised per run).

/** A subject with what the cluster shows of it. */
export interface SubjectState extends IdentitySubject {
  sa: ServiceAccount | undefined;
  /** Running pods that run as this service account. */
  pods: Pod[];
}

export interface IdentityState {
  profile: CloudProfile;
  identity: NonNullable<CloudProfile['identity']>;
  /** The annotation key (`ctx.matrix.serviceAccountAnnotation`). */
  key: string;
  subjects: SubjectState[];
}

const mostCommon = (xs: string[]): string | undefined => {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
};

/** The subjects of this install with their service accounts and running pods; undefined without a managed identity. */
export async function readIdentityState(ctx: {
  matrix: CloudProfile | undefined;
  namespaces: Namespaces;
  values: ValuesPort | undefined;
  kube: { list<T extends KubeObject>(r: string, o?: { namespace?: string }): Promise<T[]>; get<T extends KubeObject>(r: string, n: string, ns?: string): Promise<T | undefined> } | undefined;
}): Promise<IdentityState | undefined> {
  const profile = ctx.matrix;
  const kube = ctx.kube;
  if (!profile?.identity || !profile.serviceAccountAnnotation || !kube) return undefined;
  const podsByNs = new Map<string, Promise<Pod[]>>();
  const podsIn = (ns: string) => {
    let p = podsByNs.get(ns);
    if (!p) podsByNs.set(ns, (p = kube.list<Pod>('pods', { namespace: ns })));
    return p;
  };
  let inferenceServiceAccount: string | undefined;
  if (!ctx.values) {
    const endpointPods = (await podsIn(ctx.namespaces.endpoint)).filter((p) => p.metadata.labels?.endpoint_id);
    inferenceServiceAccount = mostCommon(endpointPods.map((p) => p.spec.serviceAccountName ?? p.spec.serviceAccount ?? 'default'));
  }
  const kanikoInCluster =
    !ctx.values && profile.imageBuilds ? (await kube.get<ServiceAccount>('serviceaccounts', KANIKO.name, KANIKO.namespace)) !== undefined : false;
  const subjects = identitySubjects({
    profile,
    namespaces: ctx.namespaces,
    ...(ctx.values ? { values: ctx.values } : {}),
    ...(inferenceServiceAccount ? { inferenceServiceAccount } : {}),
    kanikoInCluster,
  });
  const states = await Promise.all(
    subjects.map(async (s): Promise<SubjectState> => {
      const [sa, pods] = await Promise.all([kube.get<ServiceAccount>('serviceaccounts', s.name, s.namespace), podsIn(s.namespace)]);
      const running = pods.filter(
        (p) => p.status?.phase === 'Running' && (p.spec.serviceAccountName ?? p.spec.serviceAccount ?? 'default') === s.name,
      );
      return { ...s, sa, pods: running };
    }),
  );
  return { profile, identity: profile.identity, key: profile.serviceAccountAnnotation, subjects: states };
}

/** A values snippet that sets `path` to `value`, as YAML a user can paste. */
export function valuesSnippet(path: ValuesKeyPath, value: string): string {
  const q = (s: string) => (/^[\w.-]+$/.test(s) && !/^\d/.test(s) ? s : JSON.stringify(s));
  return path.map((seg, i) => `${'  '.repeat(i)}${/^[\w/.-]+$/.test(seg) ? seg : JSON.stringify(seg)}:${i === path.length - 1 ? ` ${q(value)}` : ''}`).join('\n');
}

export const ROLE_WORDS: Readonly<Record<IdentityRole, string>> = {
  'control-plane': 'control-plane',
  'image-builder': 'image-builder (kaniko)',
  inference: 'inference',
};

export const rolesText = (roles: readonly IdentityRole[]) => roles.map((r) => ROLE_WORDS[r]).join(' + ');
