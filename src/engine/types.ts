/**
 * The public contract of model-engine-doctor: checks, their context, results, run events and the report.
 * Everything a check, a reporter or a JSON consumer needs is declared here; `docs/output-schema.md`
 * documents the same shapes for people.
 */

import type { Projection } from './projection.js';
import type { ApiError, ForbiddenError } from './errors.js';
import type { CanaryPort } from './ports/canary.js';
import type { ChartPort } from './ports/chart.js';
import type { CloudPort } from './ports/cloud.js';
import type { CommitsPort } from './ports/commits.js';
import type { ExecPort } from './ports/exec.js';
import type { GatewayPort } from './ports/gateway.js';
import type { IdentityCloudPort } from './ports/identity-cloud.js';
import type { RedisPort } from './ports/redis.js';
import type { RegistryPort } from './ports/registry.js';

/** Clouds model-engine runs on (`config.values.infra.cloud_provider`). */
export type Cloud = 'aws' | 'azure' | 'gcp' | 'onprem';
export const CLOUDS: readonly Cloud[] = ['aws', 'azure', 'gcp', 'onprem'];

export type Status = 'pass' | 'warn' | 'fail' | 'skip' | 'error';
export const STATUSES: readonly Status[] = ['fail', 'error', 'warn', 'skip', 'pass'];

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** The Kubernetes object (or values file) a result is about. */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

/** A place in a helm values file. `line`/`column` are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/** What a finding rests on. Each item names where a user can look to see it for themselves. */
export type Evidence =
  | {
      /** A field of a Kubernetes object, e.g. `spec.template.spec.containers[0].image`. */
      type: 'field';
      object: ObjectRef;
      path: string;
      value?: unknown;
    }
  | {
      /** A helm values key by its full dotted path, with the file:line where it was set (absent: missing). */
      type: 'values';
      path: string;
      value?: unknown;
      source?: SourceLocation;
      /** True when the key is not set anywhere (neither user files nor chart defaults). */
      missing?: boolean;
    }
  | {
      type: 'event';
      object: ObjectRef;
      reason: string;
      message: string;
      eventType?: string;
      count?: number;
      lastSeen?: string;
    }
  | {
      type: 'log';
      namespace: string;
      pod: string;
      container: string;
      line: string;
      lineNumber?: number;
    }
  | {
      /** The outcome of a network probe (registry, redis, cloud API). */
      type: 'probe';
      target: string;
      detail: string;
    }
  | { type: 'object'; object: ObjectRef; detail?: string }
  | { type: 'note'; text: string };

/** How to fix it: a one-line summary, exact commands, a values snippet to paste, a docs link. */
export interface Remediation {
  summary: string;
  commands?: string[];
  /** A helm values YAML snippet the user can paste into their values file. */
  values?: string;
  docs?: string;
}

interface ResultBase {
  /** The check's stable id, `<area>/<slug>`. */
  id: string;
  area: string;
  title: string;
  severity: Severity;
  /** A stable id of the message (match on this, never on prose). */
  messageId: string;
  /** The rendered sentence. */
  message: string;
  object?: ObjectRef;
  evidence: Evidence[];
  /** Root-cause keys the finding declared (see {@link FindingBase.root}); absent when derived from the object and evidence. */
  root?: string[];
  docs: string;
  durationMs?: number;
}

/** A result: a tagged union on `status`. Failures and warnings always carry a remediation. */
export type CheckResult =
  | (ResultBase & { status: 'pass'; remediation?: Remediation })
  | (ResultBase & { status: 'warn' | 'fail'; remediation: Remediation })
  | (ResultBase & { status: 'skip'; remediation?: Remediation })
  | (ResultBase & { status: 'error'; remediation?: Remediation; error: string });

/** What a check returns: a result without the fields the engine fills from the check's meta. */
export type Finding =
  | (FindingBase & { status: 'pass' | 'skip'; remediation?: Remediation })
  | (FindingBase & { status: 'warn' | 'fail'; remediation: Remediation });

export interface FindingBase {
  messageId: string;
  /** Values interpolated into the message template (`{{name}}`). */
  data?: Record<string, unknown>;
  /** Overrides the check's default severity. */
  severity?: Severity;
  object?: ObjectRef;
  evidence?: Evidence[];
  /**
   * Keys naming the root cause this finding is one view of (`registry:<host>`, `gpu:<type>`, …). Findings that share a
   * key are grouped into one incident (src/engine/incidents.ts). Optional: by default the keys are derived from the
   * object and the evidence's objects; declaring them replaces the evidence-derived ones, for findings whose evidence
   * names objects that are context rather than the subject.
   */
  root?: string[];
}

/**
 * The data a check needs; the engine skips the check with a reason when it is not available. Beside the cluster
 * (`kube`, `logs`), the values and the `--cloud-api` permission, every probe port is a need by its name.
 */
export type Need = 'kube' | 'values' | 'cloud-api' | 'logs' | PortName;

/** Commands whose run includes a check. `endpoint` runs its own diagnosis on top of these. */
export type Scope = 'preflight' | 'triage' | 'endpoint';

export interface CheckMeta {
  /** Stable id `<area>/<slug>`; must match the file `checks/<area>/<slug>.ts`. */
  id: string;
  title: string;
  /** One line: what is checked. */
  description: string;
  /** Clouds it applies to; `'all'` for every cloud. */
  clouds: readonly Cloud[] | 'all';
  severity: Severity;
  needs: readonly Need[];
  /**
   * Ports the check reads when the run has them and does without otherwise (`exec` only with `--exec`, …): typed
   * `| undefined` on its context. A port neither needed nor used is not on the check's context at all.
   */
  uses?: readonly PortName[];
  /** The commands that run it. Default: preflight and triage. */
  scopes?: readonly Scope[];
  /** Message templates by messageId, ESLint-style (`{{name}}` placeholders). */
  messages: Readonly<Record<string, string>>;
  /** Per-check timeout override in ms. */
  timeoutMs?: number;
  /** True when the check must run even without a known cloud (it decides itself). */
  cloudAgnostic?: boolean;
}

export interface Check {
  meta: CheckMeta;
  run(ctx: CheckContext): Promise<Finding | Finding[]>;
}

// ---------------------------------------------------------------------------------------------
// Ports: the narrow, read-only, per-run-memoised ways a check reads the world.

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Keep only what this purpose reads (src/engine/projection.ts), applied page by page as items arrive: for the
   * cluster-wide lists a big cluster holds by the hundred thousand. Memoised apart from the whole list.
   */
  project?: Projection;
}

/** A Kubernetes object as `kubectl get -o json` prints it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }[];
    resourceVersion?: string;
    [k: string]: unknown;
  };
  // Objects are open-ended; checks narrow them with the helpers in `src/engine/kube-types.ts`.
  [k: string]: unknown;
}

export interface LogOptions {
  tailLines?: number;
  previous?: boolean;
}

/**
 * Read-only access to a cluster, live or from a snapshot. Resource names are plural with their group,
 * as kubectl spells them: `pods`, `nodes`, `deployments.apps`, `scaledobjects.keda.sh`.
 * A denied call throws {@link ForbiddenError}; the engine turns it into a skip naming the permission.
 */
export interface KubePort {
  /** Human description of the target: the kubeconfig context or the snapshot path. */
  readonly target: string;
  list<T extends KubeObject = KubeObject>(resource: string, opts?: ListOptions): Promise<T[]>;
  get<T extends KubeObject = KubeObject>(resource: string, name: string, namespace?: string): Promise<T | undefined>;
  /** A container's log; undefined when the cluster/snapshot has none. */
  logs(namespace: string, pod: string, container: string, opts?: LogOptions): Promise<string | undefined>;
  /** Whether the API server serves a group/version (and optionally a resource in it), e.g. `keda.sh/v1alpha1`. */
  hasResource(resource: string): Promise<boolean>;
  /** Number of API requests made so far (for the bounded-calls guarantees and benchmarks). */
  readonly requestCount: number;
  /** Forget what was read: the next reads go to the cluster again (the TUI's re-run of one check). */
  refresh?(): void;
  /**
   * A hint: the run reads these namespaces' pods whole, so a port may read a cluster-wide list of pods as those
   * lists plus the rest (the live port does: each pod is then read once). What lists return does not change.
   */
  readsWhole?(resource: 'pods', namespaces: readonly string[]): void;
}

/**
 * Something helm accepts in a values file without a word, but a person should know: a key written twice in one
 * map (helm keeps the last one).
 */
export interface ValuesWarning {
  kind: 'duplicate-key';
  /** The key's path (map keys and list indices). */
  path: readonly string[];
  /** Where it was written first (the value helm drops) and again (the value helm keeps). */
  first: SourceLocation;
  second: SourceLocation;
  /** Both places hold the same value (harmless today, a trap for the next edit). */
  sameValue: boolean;
}

/** Merged helm values with the provenance of each key. */
export interface ValuesPort {
  /** The files merged, in order (later wins). */
  readonly files: readonly string[];
  /** Where the values came from: files, an installed release, or chart defaults only. */
  readonly origin: 'files' | 'release' | 'defaults';
  /** The merged values (chart defaults + files + --set). */
  readonly merged: Record<string, unknown>;
  /** Value at a dotted path (`config.values.infra.cloud_provider`) or a path array. */
  get(path: string | readonly string[]): unknown;
  /** True when the user (not just the chart defaults) set the key. */
  isUserSet(path: string | readonly string[]): boolean;
  /** Where the key was set; undefined when missing. `{file: 'chart defaults'}` for defaults. */
  source(path: string | readonly string[]): SourceLocation | undefined;
  /** Evidence item for a key (value redacted when credential-like). */
  evidence(path: string | readonly string[]): Evidence;
  /** Duplicate keys and the like, found while reading the files (absent: none known, e.g. an installed release). */
  readonly warnings?: readonly ValuesWarning[];
}

export interface CloudProfile {
  cloud: Cloud;
  displayName: string;
  /** Expected `celeryBrokerType` values for this cloud. */
  brokerTypes: readonly string[];
  /** Whether the gateway/builder use a Redis broker (needs `celery_broker_type_redis: true` where the code asks it). */
  broker: 'sqs' | 'servicebus' | 'pubsub-redis' | 'redis';
  /** The URL scheme object storage keys must use. */
  storageScheme: 's3://' | 'az://' | 'gs://';
  /** The registry type model-engine infers for a matching `docker_repo_prefix`. */
  registryType: 'ecr' | 'acr' | 'gar' | 'generic';
  registryHostPattern: RegExp;
  registryExample: string;
  /** The ServiceAccount annotation used for workload identity, if any. */
  serviceAccountAnnotation?: string;
  workloadIdentity: string;
  redisAuth: 'url-or-secrets-manager' | 'entra-token' | 'url';
  /** The values keys that select the cache Redis on this cloud, in model-engine's precedence order. */
  redisKeys: readonly string[];
  secretStore: 'secrets-manager' | 'key-vault' | 'gcp-secret-manager' | 'kubernetes';
  /** Node `spec.providerID` prefix. */
  providerIdPrefix?: string;
  imageBuilds: boolean;
  /** Support status per the matrix: production-tested or code-only. */
  tested: 'production' | 'partial' | 'untested';
  unsupported: readonly string[];
  /** How pods get a cloud identity on this cloud; absent where there is no managed identity (on-prem). */
  identity?: IdentityProfile;
  /** How nodes are grouped into pools here; absent where nodes are labelled one by one (on-prem). */
  nodePool?: NodePoolProfile;
  /**
   * `celery_broker_type_redis` here: `required` (on-prem: else the builder listens on SQS), `optional` (GCP uses
   * Redis anyway), `forbidden` (it moves the gateway/builder to Redis while the cloud's broker stays SQS/Service
   * Bus). Facts §3, §4.3.
   */
  celeryBrokerTypeRedis?: 'required' | 'optional' | 'forbidden';
  /** Values keys the async broker or queue delegate needs on this cloud (facts §3, §4.3). */
  brokerValues?: readonly BrokerValue[];
}

/** A values key the async broker or queue delegate needs on a cloud. */
export interface BrokerValue {
  /** Alternative keys in model-engine's precedence; any one suffices. The first is the one to recommend. */
  keys: readonly string[];
  /** What breaks without it. */
  consequence: string;
  /** The shape the value must have. */
  format: 'servicebus-namespace' | 'gcp-project-id';
  /** A placeholder for the remediation snippet. */
  example: string;
  /** A command that prints the right value. */
  lookup?: string;
}

/** A values path as segments (keys may contain dots, e.g. `eks.amazonaws.com/role-arn`). */
export type ValuesKeyPath = readonly string[];

/** Workload identity as the cluster shows it (matrix "Service Account" rows, facts §1.3/§1.4). */
export interface IdentityProfile {
  /** What a well-formed value of `serviceAccountAnnotation` looks like, and an example for messages. */
  annotationPattern: RegExp;
  annotationExample: string;
  /** The values the chart renders each service account's annotation from; the first one set wins. */
  values: {
    controlPlane: readonly ValuesKeyPath[];
    inference: readonly ValuesKeyPath[];
    /** The `kaniko` image-builder service account, where image builds exist. */
    imageBuilder?: readonly ValuesKeyPath[];
  };
  /** Env vars the identity webhook injects into every container of a federated pod (empty: none). */
  injectedEnv: readonly string[];
  /** The projected token volume the webhook adds to a federated pod. */
  tokenVolume?: string;
  /** A label the pod itself must carry, or the webhook leaves it alone. */
  podLabel?: { key: string; value: string };
  /** A label every node running federated pods must carry. */
  nodeLabel?: { key: string; value: string };
}

/** Node pools: the node label that names a node's pool and the command that labels a whole pool. */
export interface NodePoolProfile {
  /** Node label holding the pool name (`eks.amazonaws.com/nodegroup`). */
  label: string;
  /** Command template: `{pool}` and `{labels}` are filled in; `<…>` placeholders are left to the user. */
  labelCommand: string;
  /** How `{labels}` joins `key=value` pairs for that CLI. */
  labelSeparator: ',' | ' ';
  /** Command template that taints a pool `nvidia.com/gpu` NoSchedule; `{pool}` is filled in. */
  gpuTaintCommand?: string;
  /** A caveat of that command worth saying next to it. */
  note?: string;
}

export interface Namespaces {
  /** The helm release namespace (gateway, builder, cacher). */
  controlPlane: string;
  /** `config.values.launch.endpoint_namespace`. */
  endpoint: string;
  /**
   * Namespaces nothing stated or found (no `-n` and no control plane in the cluster, or no cluster; no
   * endpoint_namespace): the doctor assumed them. A finding that rests on one says so and warns instead of failing.
   * A namespace RBAC or the API kept the run from finding is never assumed (see `CheckContext.missing`).
   */
  assumed?: readonly ('controlPlane' | 'endpoint')[];
}

/** Opt-in behaviours that touch the cluster or the cloud. All default to false. */
export interface RunOptions {
  /** Allow a short-lived probe pod (`--canary`). */
  canary: boolean;
  /** Allow exec into the gateway pod (`--exec`). */
  exec: boolean;
  /** Allow calls to cloud control-plane APIs (`--cloud-api`). */
  cloudApi: boolean;
  /**
   * Where network probes may connect: `all` (a real run), `loopback` (the demo and tests), `none` (`--no-probes`).
   * Probe sources ask `hostAllowed` (src/sources/net-policy.ts) first; a refused host is reported, never contacted.
   */
  network: 'all' | 'loopback' | 'none';
  /** Other flags checks may read (e.g. `frameworkTag`, `llmEngineRepo`). */
  extra: Readonly<Record<string, string | undefined>>;
}

/**
 * Probe ports beyond the cluster by name, each declared by its area in `src/engine/ports/<name>.ts` and created in
 * `src/run/ports.ts` (`chart` in `src/commands/run.ts`). A check names the ports it reads in `meta.needs` (required:
 * the engine skips it without them) or `meta.uses` (read when present).
 */
export interface PortMap {
  registry: RegistryPort;
  redis: RedisPort;
  cloud: CloudPort;
  identityCloud: IdentityCloudPort;
  exec: ExecPort;
  commits: CommitsPort;
  canary: CanaryPort;
  chart: ChartPort;
  gateway: GatewayPort;
}
export type PortName = keyof PortMap;

/** The ports a run made: any of them may be missing (`--exec`, `--canary`, `--cloud-api`, `--chart` add theirs). */
export type RunPorts = Partial<PortMap>;

/**
 * The ports a check's context holds: those in `N` (its needs) for sure, those in `U` (its uses) or `undefined`. Every
 * key is present in the type, so a helper that reads a port says so in its parameter (`CheckContext<never, 'chart'>`)
 * and a check that did not declare that port cannot call it.
 */
export type Ports<N extends Need = never, U extends PortName = never> = { readonly [K in Extract<N, PortName>]: PortMap[K] } & {
  readonly [K in Exclude<U, N>]: PortMap[K] | undefined;
};

/**
 * What a check reads. `CheckContext<N, U>` is the context of a check that needs `N` and uses `U` (see
 * {@link defineCheck}): a port it did not declare is a type error, and the runner hands it no other. The bare
 * `CheckContext` (helpers that read no port) has none.
 */
export interface CheckContext<N extends Need = never, U extends PortName = never> {
  readonly cloud: Cloud | undefined;
  readonly matrix: CloudProfile | undefined;
  readonly namespaces: Namespaces;
  /** Absent when no cluster or snapshot is given (offline preflight). */
  readonly kube: KubePort | undefined;
  /** Absent when no values are known. */
  readonly values: ValuesPort | undefined;
  readonly options: RunOptions;
  /** Aborted on timeout or Ctrl-C; pass it to every probe. */
  readonly signal: AbortSignal;
  /** The current time (snapshot time for snapshots), so age computations are reproducible. */
  readonly now: Date;
  /** The cluster as the kube context names it (live context, or the snapshot's), and its name where derivable. */
  readonly cluster?: { context?: string; name?: string };
  /** Probe ports (registry, redis, cloud APIs, …), made once per run; see {@link PortMap}. */
  readonly ports: Ports<N, U>;
  /** Tell the UI what the check is waiting for ("connecting to redis 10.0.0.4:6380"). */
  progress(text: string): void;
  /**
   * Why something the run looked for is unknown: the read that failed (RBAC or the API), so skips can name it.
   * A namespace listed here is a placeholder in `namespaces`; a check that reads it gets this error thrown instead.
   */
  readonly missing?: {
    readonly values?: ForbiddenError | ApiError;
    readonly cloud?: ForbiddenError | ApiError;
    readonly controlPlaneNamespace?: ForbiddenError | ApiError;
    readonly endpointNamespace?: ForbiddenError | ApiError;
  };
}

// ---------------------------------------------------------------------------------------------
// Runs and reports.

export type RunEvent =
  | { type: 'run:start'; checks: { id: string; title: string; area: string }[]; target: ReportTarget }
  | { type: 'check:start'; id: string; title: string; area: string }
  | { type: 'check:progress'; id: string; text: string }
  | { type: 'check:end'; id: string; results: CheckResult[]; durationMs: number }
  | { type: 'run:end'; report: Report };

export interface ReportTarget {
  mode: 'live' | 'snapshot' | 'offline';
  /** kubeconfig context (live), or snapshot path. */
  context?: string;
  server?: string;
  snapshot?: string;
  cloud?: Cloud;
  /** How the cloud was determined. */
  cloudSource?: 'flag' | 'values' | 'configmap' | 'nodes';
  namespaces: Namespaces;
  valuesFiles: string[];
  valuesOrigin?: 'files' | 'release' | 'defaults';
  /** What could not be read and what that left unknown, one line each (absent when everything was read). */
  unread?: string[];
}

export const SCHEMA_VERSION = 1;

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'model-engine-doctor'; version: string };
  command: string;
  target: ReportTarget;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts: Record<Status, number>;
  results: CheckResult[];
  /** Command-specific payloads (e.g. `diagnosis` for `endpoint`). */
  [extension: string]: unknown;
}
