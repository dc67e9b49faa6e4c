/**
 * The endpoint doctor's judgement: `diagnose(facts)` walks Deployment → ReplicaSet → pod → container statuses →
 * the pod's events → nodes and names the root cause of an endpoint that is not serving, with the evidence it rests
 * on, the exact fix and the causal chain. Pure: the facts come from `endpoint-facts.ts` (live cluster, snapshot,
 * or a test's hand-made objects) and the same facts always give the same diagnosis.
 *
 * model-engine has no `INITIALIZING` status (facts §6.6): "stuck initializing" is `READY` in the API with no
 * available worker, or `UPDATE_PENDING` that never moves. Both are decided here from the cluster.
 */
import { clusterNameFromContext } from './cluster-name.js';
import type { CauseCode, ChainNode, Diagnosis, EndpointRow } from './diagnosis.js';
import { BENIGN_CAUSES } from './diagnosis.js';
import { BUILDER_DEPLOYMENT, endpointIdOf, endpointSelector, isUnscheduledPod, k8sNameOf, replicaSetsOf, type ContainerLog, type EndpointFacts, type ReplicaSet } from './endpoint-facts.js';
import { ACCELERATOR_LABEL, GPU_TYPE_TYPOS, gpuTypeInfo, INSTANCE_TYPE_LABEL, nodeProduct, NODE_LIFECYCLE_LABEL } from './gpu.js';
import { scaleRegistryOf } from './images.js';
import { classifyPullError, imageInPullMessage, PULL_ERROR_MEANING, type PullErrorKind } from './image-pull.js';
import { eventTime, isNodeReady, parseImageRef, type ContainerStatus, type Deployment, type KubeEvent, type Node, type Pod } from './kube-types.js';
import { lastLines, matchLogSignature, type LogMatch } from './log-signatures.js';
import type { GatewayEndpointRecord } from './ports/gateway.js';
import { redactEvidence, redactText } from './redact.js';
import { formatResource, parseSchedulerMessage, podRequests, schedulingVerdict, type SchedulingVerdict } from './scheduling.js';
import type { Evidence, KubeObject, ObjectRef, Remediation } from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// Thresholds (documented in docs/endpoint.md).

/** Pulling an image for less than this is normal (LLM images are 10–30 GB). */
export const PULL_GRACE_MS = 15 * 60_000;
/** A GPU (LLM) container loading weights for less than this is normal. */
export const LLM_START_GRACE_MS = 20 * 60_000;
/** A CPU container not ready after this is a fault. */
export const CPU_START_GRACE_MS = 10 * 60_000;
/** An unscheduled pod younger than this may simply not have been tried yet. */
export const SCHEDULE_GRACE_MS = 2 * 60_000;
/** A cluster-autoscaler scale-up is expected to bring a node within this. */
export const SCALE_UP_GRACE_MS = 15 * 60_000;
/** `UPDATE_PENDING` for longer than this means the builder is not consuming. */
export const BUILD_PENDING_GRACE_MS = 5 * 60_000;

/** Order in which causes are the root when several pods disagree: creation, then placement, then start, then run. */
export const CAUSE_RANK: readonly CauseCode[] = [
  'MISSING_PRIORITY_CLASS',
  'MISSING_SERVICE_ACCOUNT',
  'QUOTA_EXCEEDED',
  'VOLUME',
  'CONFIG_ERROR',
  'NO_MATCHING_NODES',
  'UNTOLERATED_TAINT',
  'INSUFFICIENT_GPU',
  'INSUFFICIENT_RESOURCES',
  'IMAGE_PULL',
  'CRASH_LOOP',
  'READINESS_FAILING',
  'BUILD_FAILED',
  'BUILD_PENDING',
  'UNKNOWN',
  'STARTING',
  'SCALED_TO_ZERO',
  'HEALTHY',
  'NOT_FOUND',
];
const rankOf = (c: CauseCode) => {
  const i = CAUSE_RANK.indexOf(c);
  return i < 0 ? CAUSE_RANK.length : i;
};

export const isFault = (c: CauseCode): boolean => !BENIGN_CAUSES.includes(c);

// ---------------------------------------------------------------------------------------------------------------
// Small helpers.

const ms = (iso: string | undefined): number => (iso ? Date.parse(iso) : NaN);

/** `45s`, `24m`, `3h 05m`, `2d 4h`. */
export function formatAge(msAgo: number): string {
  if (!Number.isFinite(msAgo) || msAgo < 0) return '?';
  const s = Math.floor(msAgo / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

type EventLike = KubeEvent & { series?: { count?: number; lastObservedTime?: string } };
const eventCount = (e: EventLike) => e.series?.count ?? e.count ?? 1;
const eventLast = (e: EventLike) => e.series?.lastObservedTime ?? eventTime(e);
const eventFirst = (e: EventLike) => e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
const byNewest = (a: EventLike, b: EventLike) => (ms(eventLast(b)) || 0) - (ms(eventLast(a)) || 0);
const oneLine = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
/** Long kubelet messages keep their head (what) and their tail (why): `Failed to pull image "x": … 403 Forbidden`. */
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, Math.floor(n * 0.55))} … ${s.slice(s.length - Math.floor(n * 0.4))}`);

function eventEvidence(e: EventLike): Evidence {
  const last = eventLast(e);
  return {
    type: 'event',
    object: { kind: e.involvedObject?.kind ?? 'Object', name: e.involvedObject?.name ?? '?', ...(e.involvedObject?.namespace ? { namespace: e.involvedObject.namespace } : {}) },
    reason: e.reason ?? '',
    message: oneLine(e.message),
    ...(e.type ? { eventType: e.type } : {}),
    count: eventCount(e),
    ...(last ? { lastSeen: last.replace(/\.\d+Z$/, 'Z') } : {}),
  };
}

const ref = (o: KubeObject, kind: string): ObjectRef => ({ kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
const field = (o: KubeObject, kind: string, path: string, value: unknown): Evidence => ({ type: 'field', object: ref(o, kind), path, value });
const note = (text: string): Evidence => ({ type: 'note', text });
const logEvidence = (ns: string, l: ContainerLog, line: string, lineNumber?: number): Evidence => ({
  type: 'log',
  namespace: ns,
  pod: l.pod,
  container: l.previous ? `${l.container} (previous)` : l.container,
  line,
  ...(lineNumber !== undefined ? { lineNumber } : {}),
});

const statusesOf = (p: Pod): { cs: ContainerStatus; init: boolean }[] => [
  ...(p.status?.initContainerStatuses ?? []).map((cs) => ({ cs, init: true })),
  ...(p.status?.containerStatuses ?? []).map((cs) => ({ cs, init: false })),
];

/** The events about a pod (and, for one container, those whose fieldPath names it). */
function podEvents(f: EndpointFacts, pod: Pod, container?: string): EventLike[] {
  return (f.events as EventLike[])
    .filter((e) => e.involvedObject?.name === pod.metadata.name && (!container || (e.involvedObject.fieldPath ?? '').includes(`{${container}}`)))
    .sort(byNewest);
}

const eventsAbout = (f: EndpointFacts, name: string): EventLike[] => (f.events as EventLike[]).filter((e) => e.involvedObject?.name === name).sort(byNewest);

// ---------------------------------------------------------------------------------------------------------------
// Identity of the endpoint.

interface Subject {
  id?: string;
  name?: string;
  namespace: string;
  k8sName: string;
  workload?: Deployment | KubeObject;
  workloadKind: 'Deployment' | 'LeaderWorkerSet';
  /** Commands refer to the endpoint by this (`-l endpoint_id=…`). */
  selector: string;
  cpNamespace: string;
  gatewayUrl: string;
  gpus: number;
  gpuType?: string;
}

function subjectOf(f: EndpointFacts): Subject {
  const sel = endpointSelector(f.query);
  const k8s = sel.k8sName;
  const workload =
    f.deployments.find((d) => d.metadata.name === k8s) ?? f.deployments[0] ?? f.leaderWorkerSets.find((d) => d.metadata.name === k8s) ?? f.leaderWorkerSets[0];
  const labelled = [workload, ...f.pods, ...f.replicaSets, ...f.scaledObjects, ...f.hpas].find((o) => o?.metadata.labels?.endpoint_id);
  const apiRecord = f.api?.state === 'found' ? f.api.record : undefined;
  const id = labelled?.metadata.labels?.endpoint_id ?? sel.id ?? apiRecord?.id ?? (workload ? endpointIdOf(workload.metadata.name) : undefined);
  // Without objects, the builder's log may still name it: "Building endpoint end_… (<name>)".
  const fromLog = id && f.builder?.log ? new RegExp(`${id} \\(([\\w.-]+)\\)`).exec(f.builder.log.text)?.[1] : undefined;
  const name = labelled?.metadata.labels?.endpoint_name ?? sel.name ?? apiRecord?.name ?? fromLog;
  const template = (workload as Deployment | undefined)?.spec?.template?.spec ?? f.pods[0]?.spec;
  const gpus = template ? podRequests({ metadata: { name: 'template' }, spec: template } as Pod)['nvidia.com/gpu'] ?? 0 : 0;
  const gpuType = template?.nodeSelector?.[ACCELERATOR_LABEL];
  return {
    ...(id ? { id } : {}),
    ...(name ? { name } : {}),
    namespace: f.namespace,
    k8sName: workload?.metadata.name ?? (id ? k8sNameOf(id) : (k8s ?? f.query)),
    ...(workload ? { workload } : {}),
    workloadKind: workload && f.leaderWorkerSets.includes(workload) ? 'LeaderWorkerSet' : 'Deployment',
    selector: id ? `endpoint_id=${id}` : `endpoint_name=${name ?? f.query}`,
    cpNamespace: f.controlPlaneNamespace,
    gatewayUrl: f.hints?.gatewayUrl ?? `http://model-engine.${f.controlPlaneNamespace}.svc.cluster.local`,
    gpus,
    ...(gpuType ? { gpuType } : {}),
  };
}

/** `curl … PUT /v1/model-endpoints/{id}`: how to change an endpoint's spec (the builder re-applies its objects). */
function apiUpdate(s: Subject, body: Record<string, unknown>): string {
  return `curl -sS -u "$MODEL_ENGINE_API_KEY:" -X PUT ${s.gatewayUrl}/v1/model-endpoints/${s.id ?? '<endpoint-id>'} -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`;
}

/** The EKS cluster name from a context ARN (`arn:aws:eks:…:cluster/ml-prod`, also inside `<context> (<server>)`). */
const clusterNameOf = clusterNameFromContext;

// ---------------------------------------------------------------------------------------------------------------
// A verdict: what one level (pod, ReplicaSet, builder) says.

interface Verdict {
  cause: CauseCode;
  summary: string;
  evidence: Evidence[];
  remediation: Remediation;
  next: string[];
}

const docs = (cause: CauseCode) => `docs/endpoint.md#${cause.toLowerCase().replace(/_/g, '-')}`;

function verdict(cause: CauseCode, summary: string, evidence: Evidence[], remediation: Omit<Remediation, 'docs'>, next: string[] = []): Verdict {
  return { cause, summary, evidence, remediation: { ...remediation, docs: docs(cause) }, next };
}

// ---------------------------------------------------------------------------------------------------------------
// ReplicaSet: pods that cannot even be created.

/** What a ReplicaSet's `FailedCreate` says, or undefined when it is something else. */
export function classifyFailedCreate(message: string): { cause: CauseCode; name?: string; detail: string } {
  const m1 = /no PriorityClass with name (\S+) was found/.exec(message);
  if (m1) return { cause: 'MISSING_PRIORITY_CLASS', name: m1[1]!, detail: m1[0] };
  const m2 = /serviceaccount "([^"]+)" not found/.exec(message) ?? /error looking up service account [^/\s]+\/(\S+?):/.exec(message);
  if (m2) return { cause: 'MISSING_SERVICE_ACCOUNT', name: m2[1]!, detail: oneLine(/error looking up service account[^\n]*|serviceaccount "[^"]+" not found/.exec(message)?.[0] ?? message) };
  const m3 = /exceeded quota: ([^,\s]+)[^\n]*/.exec(message);
  if (m3) return { cause: 'QUOTA_EXCEEDED', name: m3[1]!, detail: m3[0] };
  const m4 = /maximum [^\n]* per (?:Container|Pod) is [^\n]*|minimum [^\n]* per (?:Container|Pod) is [^\n]*/.exec(message);
  if (m4) return { cause: 'QUOTA_EXCEEDED', detail: `LimitRange: ${m4[0]}` };
  return { cause: 'UNKNOWN', detail: oneLine(message.replace(/^Error creating: /, '')) };
}

function replicaSetVerdict(f: EndpointFacts, s: Subject, rs: ReplicaSet): Verdict | undefined {
  const failed = eventsAbout(f, rs.metadata.name).filter((e) => e.reason === 'FailedCreate');
  const cond = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const message = failed[0]?.message ?? cond?.message;
  if (!message) return undefined;
  const c = classifyFailedCreate(message);
  const ev: Evidence[] = [...failed.slice(0, 2).map(eventEvidence), ...(cond ? [field(rs, 'ReplicaSet', 'status.conditions[ReplicaFailure].message', oneLine(cond.message))] : [])];
  const ns = s.namespace;
  const next = [`kubectl -n ${ns} describe replicaset ${rs.metadata.name}`, `kubectl -n ${ns} get events --field-selector involvedObject.name=${rs.metadata.name}`];
  switch (c.cause) {
    case 'MISSING_PRIORITY_CLASS': {
      const pc = c.name!;
      const high = /high-priority$/.test(pc);
      const low = /low-priority$/.test(pc);
      const manifest = [
        'kubectl apply -f - <<EOF',
        'apiVersion: scheduling.k8s.io/v1',
        'kind: PriorityClass',
        'metadata:',
        `  name: ${pc}`,
        `value: ${high ? 100000 : low ? 0 : 1}`,
        ...(high || low ? [] : ['preemptionPolicy: Never']),
        'globalDefault: false',
        `description: model-engine endpoints (${high ? 'high' : low ? 'low' : 'default'} priority)`,
        'EOF',
      ].join('\n');
      return verdict(
        'MISSING_PRIORITY_CLASS',
        `ReplicaSet ${rs.metadata.name} cannot create pods: PriorityClass ${pc} does not exist. model-engine hard-codes ${pc} in every endpoint pod, while the chart names its PriorityClasses after the release (fullnameOverride or serviceIdentifier change the name, and serviceIdentifier skips them).`,
        [...ev, note(`endpoint pods use priorityClassName ${pc} (k8s_resource_types.py); the chart creates {fullname}-default-priority / -high-priority / -low-priority`)],
        { summary: `Create PriorityClass ${pc} (or install the chart without fullnameOverride/serviceIdentifier so it creates it); the ReplicaSet retries on its own.`, commands: ['kubectl get priorityclass', manifest] },
        next,
      );
    }
    case 'MISSING_SERVICE_ACCOUNT': {
      const sa = c.name!;
      return verdict(
        'MISSING_SERVICE_ACCOUNT',
        `ReplicaSet ${rs.metadata.name} cannot create pods: ServiceAccount ${ns}/${sa} does not exist. The chart creates it in the endpoint namespace only when serviceTemplate.createServiceAccount is true and serviceTemplate.serviceAccountAnnotations is not empty.`,
        ev,
        {
          summary: `Create ServiceAccount ${sa} in ${ns} with the workload-identity annotation the endpoints need (or let the chart create it), then the ReplicaSet retries on its own.`,
          commands: [`kubectl -n ${ns} create serviceaccount ${sa}`, `kubectl -n ${s.cpNamespace} get serviceaccount ${sa} -o jsonpath='{.metadata.annotations}'`],
          values: ['serviceTemplate:', '  createServiceAccount: true', `  serviceAccountName: ${sa}`, '  serviceAccountAnnotations:', '    eks.amazonaws.com/role-arn: <role the endpoints use>   # or the Azure/GCP identity annotation', ''].join('\n'),
        },
        next,
      );
    }
    case 'QUOTA_EXCEEDED': {
      const quota = c.name;
      return verdict(
        'QUOTA_EXCEEDED',
        `ReplicaSet ${rs.metadata.name} cannot create pods: ${c.detail}`,
        ev,
        {
          summary: quota
            ? `Raise ResourceQuota ${quota} in ${ns} (or free what it counts), then the ReplicaSet retries on its own.`
            : `Raise the namespace LimitRange in ${ns}, or lower the endpoint's request.`,
          commands: quota ? [`kubectl -n ${ns} describe resourcequota ${quota}`, `kubectl -n ${ns} edit resourcequota ${quota}`] : [`kubectl -n ${ns} describe limitrange`],
        },
        next,
      );
    }
    default:
      return verdict(
        'UNKNOWN',
        `ReplicaSet ${rs.metadata.name} cannot create pods: ${c.detail}`,
        ev,
        { summary: 'An admission policy or controller rejected the pods; read the message and fix what it names.', commands: next },
        next,
      );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pods.

function podAgeMs(p: Pod, now: number): number {
  return now - (ms(p.metadata.creationTimestamp) || ms(p.status?.startTime) || now);
}

const isLlm = (s: Subject) => s.gpus > 0;

function pullVerdict(f: EndpointFacts, s: Subject, pod: Pod, cs: ContainerStatus): Verdict {
  const ns = s.namespace;
  const events = podEvents(f, pod, cs.name);
  const failedEvent = events.find((e) => e.reason === 'Failed' && /Failed to pull image|failed to pull and unpack|rpc error/i.test(e.message ?? ''));
  const waiting = cs.state?.waiting;
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === cs.name);
  const image = spec?.image ?? cs.image ?? imageInPullMessage(failedEvent?.message ?? waiting?.message ?? '') ?? '?';
  const message = failedEvent?.message ?? waiting?.message ?? '';
  let { kind, detail } = classifyPullError(message);
  const probe = f.imageProbes?.find((p) => p.ref === image);
  if (kind === 'unknown' && probe) {
    const byProbe: Partial<Record<string, PullErrorKind>> = {
      'missing-tag': 'not-found',
      'missing-repository': 'not-found',
      unauthorized: 'unauthorized',
      denied: 'unauthorized',
      'platform-missing': 'platform',
      unreachable: 'timeout',
      'tls-error': 'tls',
    };
    kind = byProbe[probe.status] ?? kind;
    detail = probe.detail;
  }
  const { registry, repository, tag } = parseImageRef(image);
  const forwarder = cs.name !== 'main' && !cs.name.startsWith('lws');
  const ev: Evidence[] = [
    field(pod, 'Pod', `status.containerStatuses[${cs.name}].state.waiting`, `${waiting?.reason ?? '?'}${waiting?.message ? `: ${oneLine(waiting.message)}` : ''}`),
    ...(failedEvent ? [eventEvidence(failedEvent)] : []),
    ...events.filter((e) => e !== failedEvent && e.reason === 'BackOff').slice(0, 1).map(eventEvidence),
    ...(probe ? [{ type: 'probe' as const, target: image, detail: `${probe.status}: ${probe.detail}${probe.tags?.length ? ` (tags nearby: ${probe.tags.slice(0, 5).join(', ')})` : ''}` }] : []),
  ];
  const ecr = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(registry);
  const look: string[] = [];
  if (ecr) look.push(`aws ecr describe-images --registry-id ${ecr[1]} --region ${ecr[2]} --repository-name ${repository} --image-ids imageTag=${tag ?? 'latest'}`);
  else if (/\.azurecr\.io$/.test(registry)) look.push(`az acr repository show-tags --name ${registry.split('.')[0]} --repository ${repository} --orderby time_desc --top 10`);
  else if (/-docker\.pkg\.dev$/.test(registry)) look.push(`gcloud artifacts docker tags list ${registry}/${repository.split('/').slice(0, -1).join('/')}/${repository.split('/').slice(-1)[0]}`);
  else look.push(`crane ls ${registry === 'docker.io' ? '' : `${registry}/`}${repository}`);
  const what = forwarder ? `The ${cs.name} container (model-engine's forwarder image, tagged with the control plane's GIT_TAG)` : `The ${cs.name} container`;
  const meaning = PULL_ERROR_MEANING[kind];
  const next = [`kubectl -n ${ns} describe pod ${pod.metadata.name}`, `kubectl -n ${ns} get events --field-selector involvedObject.name=${pod.metadata.name}`];
  let remediation: Omit<Remediation, 'docs'>;
  switch (kind) {
    case 'not-found': {
      const target = image;
      const repoName = repository;
      remediation = {
        summary: `Mirror ${repoName}:${tag ?? 'latest'} into ${registry} (it is not there), or update the endpoint to an image tag that exists.`,
        commands: [
          ...look,
          ...(ecr ? [`aws ecr describe-repositories --region ${ecr[2]} --repository-names ${repoName} >/dev/null 2>&1 || aws ecr create-repository --region ${ecr[2]} --repository-name ${repoName}`] : []),
          `crane copy <source-registry>/${repoName}:${tag ?? 'latest'} ${target}`,
          `skopeo copy --all docker://<source-registry>/${repoName}:${tag ?? 'latest'} docker://${target}`,
        ],
      };
      break;
    }
    case 'unauthorized':
      remediation = scaleRegistryOf(image)
        ? {
            // Scale's registries are private (facts §5, §9 #20): the fix is a mirror, not credentials.
            summary: `${image} is in ${scaleRegistryOf(image)}, which your nodes cannot read: mirror ${repository}:${tag ?? 'latest'} into your own registry and point docker_repo_prefix (and the endpoint) at it.`,
            commands: [`crane copy ${image} <your-registry>/${repository}:${tag ?? 'latest'}`, `kubectl -n ${s.cpNamespace} get configmap model-engine-service-config -o jsonpath='{.data.infra_service_config}' | grep docker_repo_prefix`],
          }
        : {
        summary: `Give the nodes (or service account ${pod.spec.serviceAccountName ?? 'default'}) pull access to ${registry}: endpoint pods carry no imagePullSecrets, so credentials come from the node role or the service account.`,
            commands: [`kubectl -n ${ns} get serviceaccount ${pod.spec.serviceAccountName ?? 'default'} -o yaml`, ...look],
          };
      break;
    case 'platform':
      remediation = { summary: `Mirror the image with every platform (skopeo copy --all / crane copy), or pick a tag built for the nodes' architecture.`, commands: look };
      break;
    case 'timeout':
    case 'dns':
    case 'tls':
    case 'rate-limited':
      remediation = {
        summary: `Let the nodes reach ${registry} (egress, DNS, proxy, CA), or mirror the image into a registry they can reach.`,
        commands: [`kubectl -n ${ns} run pull-test --rm -it --restart=Never --image=${image} --overrides='{"spec":{"nodeName":"${pod.spec.nodeName ?? '<node>'}"}}' -- true`],
      };
      break;
    case 'unknown':
      remediation = { summary: `Read the kubelet's message and fix what it names.`, commands: look };
      break;
  }
  return verdict(
    'IMAGE_PULL',
    `${what} of pod ${pod.metadata.name} cannot pull ${image}: ${meaning}${detail && kind !== 'unknown' ? ` (${detail})` : kind === 'unknown' && detail ? `: ${detail}` : ''}.`,
    ev,
    remediation,
    next,
  );
}

/** Missing ConfigMaps/Secrets/keys named by kubelet messages. */
export function missingConfigRef(message: string): { kind: 'ConfigMap' | 'Secret' | 'key'; name: string; key?: string } | undefined {
  const key = /couldn't find key (\S+) in (ConfigMap|Secret) ([^/\s]+)\/(\S+)/.exec(message);
  if (key) return { kind: 'key', name: key[4]!, key: key[1]! };
  const cm = /configmaps? "([^"]+)" not found|configmap "([^"]+)" not found/i.exec(message);
  if (cm) return { kind: 'ConfigMap', name: (cm[1] ?? cm[2])! };
  const sec = /secrets? "([^"]+)" not found/i.exec(message);
  if (sec) return { kind: 'Secret', name: sec[1]! };
  return undefined;
}

function configVerdict(f: EndpointFacts, s: Subject, pod: Pod, message: string, evidence: Evidence[]): Verdict {
  const ns = s.namespace;
  const missing = missingConfigRef(message);
  const next = [`kubectl -n ${ns} describe pod ${pod.metadata.name}`];
  if (!missing) {
    return verdict('CONFIG_ERROR', `Pod ${pod.metadata.name} cannot start its containers: ${oneLine(message)}`, evidence, { summary: 'Create what the message names, or fix the reference.', commands: next }, next);
  }
  const own = missing.name.startsWith(s.k8sName);
  const commands: string[] = [`kubectl -n ${ns} get ${missing.kind === 'Secret' ? 'secret' : 'configmap'} ${missing.name}`];
  let values: string | undefined;
  let summary: string;
  if (missing.kind === 'key') {
    summary = `Add key ${missing.key} to ${missing.name} in ${ns} (helm upgrade re-renders the chart's ConfigMaps).`;
  } else if (own) {
    summary = `The endpoint's own ${missing.kind} ${missing.name} is gone; update the endpoint so the builder re-applies all its objects.`;
    commands.push(apiUpdate(s, {}));
  } else if (missing.kind === 'ConfigMap' && missing.name === 'model-engine-service-config') {
    summary = `The chart renders ${missing.name} in the endpoint namespace too (a pre-install/pre-upgrade hook); re-run helm upgrade so it exists in ${ns}.`;
    commands.push(`kubectl -n ${s.cpNamespace} get configmap ${missing.name}`, `helm -n ${s.cpNamespace} upgrade model-engine <chart> --reuse-values`);
  } else if (missing.kind === 'ConfigMap') {
    // The AWS profile ConfigMap (`aws.configMap.name`, default `default-config`) is only created in
    // `aws.configMap.namespaces`, which values_sample.yaml does not set (facts §1.3).
    summary = `Create ConfigMap ${missing.name} in ${ns}. If it is the AWS profile ConfigMap (aws.configMap.name), the chart creates it only in aws.configMap.namespaces: add ${ns} there, or copy it now.`;
    commands.push(
      `kubectl -n ${s.cpNamespace} get configmap ${missing.name} -o json | jq 'del(.metadata.namespace,.metadata.uid,.metadata.resourceVersion,.metadata.creationTimestamp,.metadata.managedFields,.metadata.annotations)' | kubectl -n ${ns} apply -f -`,
    );
    values = ['aws:', '  configMap:', `    name: ${missing.name}`, '    create: true', `    namespaces: [${[...new Set([s.cpNamespace, ns])].join(', ')}]`, ''].join('\n');
  } else {
    summary = `Create Secret ${missing.name} in ${ns} (endpoint pods read it from their own namespace).`;
    commands.push(`kubectl -n ${s.cpNamespace} get secret ${missing.name}`);
  }
  return verdict(
    'CONFIG_ERROR',
    `Pod ${pod.metadata.name} cannot start: ${missing.kind === 'key' ? `key ${missing.key} is missing from ${missing.name}` : `${missing.kind} ${ns}/${missing.name} does not exist`}.`,
    evidence,
    { summary, commands, ...(values ? { values } : {}) },
    next,
  );
}

/** Paths of model weights named in a container's command (`s3://…`, `gs://…`, `az://…`, blob URLs). */
function weightsPaths(pod: Pod, container: string): string[] {
  const c = pod.spec.containers.find((x) => x.name === container);
  const text = [...(c?.command ?? []), ...(c?.args ?? [])].join(' ');
  return [...new Set(text.match(/\b(?:s3|gs|az):\/\/[^\s'";*]+|https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/[^\s'";*]+/g) ?? [])];
}

function crashVerdict(f: EndpointFacts, s: Subject, pod: Pod, cs: ContainerStatus, now: number): Verdict {
  const ns = s.namespace;
  const last = cs.lastState?.terminated ?? cs.state?.terminated;
  const log = f.logs.find((l) => l.pod === pod.metadata.name && l.container === cs.name);
  const match: LogMatch | undefined = log ? matchLogSignature(log.text) : undefined;
  const tail = log ? lastLines(log.text, 5) : [];
  const since = ms(cs.lastState?.terminated?.finishedAt);
  const evidence: Evidence[] = [
    field(pod, 'Pod', `status.containerStatuses[${cs.name}].restartCount`, cs.restartCount ?? 0),
    ...(last ? [field(pod, 'Pod', `status.containerStatuses[${cs.name}].lastState.terminated`, `${last.reason ?? '?'} (exit ${last.exitCode ?? '?'})${last.finishedAt ? ` at ${last.finishedAt}` : ''}`)] : []),
    ...(match && log ? [logEvidence(ns, log, match.line, match.lineNumber)] : []),
    ...(log ? tail.filter((t) => t.lineNumber !== match?.lineNumber).map((t) => logEvidence(ns, log, t.line, t.lineNumber)) : []),
    ...podEvents(f, pod, cs.name)
      .filter((e) => e.reason === 'BackOff' || (e.reason === 'Killing' && /liveness/i.test(e.message ?? '')))
      .slice(0, 1)
      .map(eventEvidence),
  ];
  const logsCmd = `kubectl -n ${ns} logs ${pod.metadata.name} -c ${cs.name} --previous --tail=200`;
  const next = [logsCmd, `kubectl -n ${ns} describe pod ${pod.metadata.name}`];
  const restarts = `${cs.restartCount ?? 0} restart${cs.restartCount === 1 ? '' : 's'}`;
  const head = `Container ${cs.name} of pod ${pod.metadata.name} keeps crashing (${restarts}${Number.isFinite(since) ? `, last ${formatAge(now - since)} ago` : ''})`;
  if (last?.reason === 'OOMKilled') {
    const limit = pod.spec.containers.find((c) => c.name === cs.name)?.resources?.limits?.memory;
    return verdict(
      'CRASH_LOOP',
      `${head}: it is OOMKilled — it uses more memory than its limit${limit ? ` (${limit})` : ''}.`,
      evidence,
      { summary: `Give the endpoint more memory (the memory field of the endpoint), or lower what the model loads into host memory.`, commands: [apiUpdate(s, { memory: '<more>' })] },
      next,
    );
  }
  if (match) {
    const sig = match.signature;
    const commands: string[] = [];
    let values: string | undefined;
    if (sig.id === 'weights-access-denied' || sig.id === 'weights-missing') {
      for (const p of weightsPaths(pod, cs.name).slice(0, 2)) {
        if (p.startsWith('s3://')) commands.push(`aws s3 ls ${p.replace(/\/?\*?$/, '/')}`);
        else if (p.startsWith('gs://')) commands.push(`gcloud storage ls ${p}`);
        else commands.push(`az storage blob list --account-name <account> --container-name <container> --prefix <path>   # ${p}`);
      }
      if (sig.id === 'weights-access-denied') commands.push(`kubectl -n ${ns} get serviceaccount ${pod.spec.serviceAccountName ?? 'default'} -o jsonpath='{.metadata.annotations}'`);
    }
    if (sig.id === 'missing-config-field') {
      const fieldName = /: '([^']+)'/.exec(match.match)?.[1];
      const section = /InfraConfig/.test(match.match) ? 'infra' : /HostedModelInferenceServiceConfig/.test(match.match) ? 'launch' : undefined;
      if (fieldName) values = ['config:', '  values:', `    ${section ?? 'launch'}:${section ? '' : '   # or infra: — the class in the message says which'}`, `      ${fieldName}: <value>`, ''].join('\n');
    }
    return verdict('CRASH_LOOP', `${head}: ${sig.title} — ${sig.meaning}.`, evidence, { summary: `${sig.fix[0]!.toUpperCase()}${sig.fix.slice(1)}.`, commands: [...commands, logsCmd], ...(values ? { values } : {}) }, next);
  }
  return verdict(
    'CRASH_LOOP',
    `${head}${last ? `: it exits with ${last.reason ?? 'an error'} (exit code ${last.exitCode ?? '?'})` : ''}${log ? '; its last log lines are in the evidence' : '; its previous log could not be read'}.`,
    evidence,
    { summary: `Read the previous container's log and fix what it reports.`, commands: [logsCmd] },
    next,
  );
}

function readinessVerdict(f: EndpointFacts, s: Subject, pod: Pod, cs: ContainerStatus, now: number): Verdict {
  const ns = s.namespace;
  const started = ms(cs.state?.running?.startedAt);
  const runningFor = Number.isFinite(started) ? now - started : NaN;
  const grace = isLlm(s) ? LLM_START_GRACE_MS : CPU_START_GRACE_MS;
  const unhealthy = podEvents(f, pod, cs.name).filter((e) => e.reason === 'Unhealthy' && /Readiness probe/i.test(e.message ?? ''));
  const log = f.logs.find((l) => l.pod === pod.metadata.name && l.container === cs.name);
  const tail = log ? lastLines(log.text, 3) : [];
  const probe = pod.spec.containers.find((c) => c.name === cs.name)?.readinessProbe as { httpGet?: { path?: string; port?: number | string } } | undefined;
  const probeText = probe?.httpGet ? `GET :${probe.httpGet.port}${probe.httpGet.path ?? '/'}` : 'its readiness probe';
  const evidence: Evidence[] = [
    field(pod, 'Pod', `status.containerStatuses[${cs.name}].ready`, false),
    ...(Number.isFinite(started) ? [field(pod, 'Pod', `status.containerStatuses[${cs.name}].state.running.startedAt`, cs.state!.running!.startedAt)] : []),
    ...unhealthy.slice(0, 1).map(eventEvidence),
    ...(log ? tail.map((t) => logEvidence(ns, log, t.line, t.lineNumber)) : []),
  ];
  const next = [`kubectl -n ${ns} logs ${pod.metadata.name} -c ${cs.name} --tail=100`, `kubectl -n ${ns} describe pod ${pod.metadata.name}`];
  if (Number.isFinite(runningFor) && runningFor < grace) {
    const progress = tail.at(-1)?.line;
    return verdict(
      'STARTING',
      `Container ${cs.name} of pod ${pod.metadata.name} started ${formatAge(runningFor)} ago and is not ready yet (normal for up to ${formatAge(grace)}${isLlm(s) ? ' while an LLM loads its weights' : ''})${progress ? `; last log line: ${progress}` : ''}.`,
      evidence,
      { summary: 'Nothing to fix yet; watch it become ready.', commands: [`model-engine-doctor endpoint ${s.id ?? s.name ?? s.k8sName} --watch`] },
      next,
    );
  }
  const forwarder = cs.name !== 'main';
  // A server that says where it listens, on another port than the probe checks, is the whole story.
  const probePort = Number(probe?.httpGet?.port);
  const listening = log ? [...log.text.matchAll(/(?:running on|listening on|Listening at:?) https?:\/\/[^\s:]+:(\d+)/gi)].map((m) => Number(m[1])).at(-1) : undefined;
  const portMismatch = listening !== undefined && Number.isFinite(probePort) && listening !== probePort ? listening : undefined;
  const lastProbe = unhealthy[0] ? oneLine(unhealthy[0].message).replace(/^Readiness probe failed:\s*/, '') : undefined;
  return verdict(
    'READINESS_FAILING',
    `Container ${cs.name} of pod ${pod.metadata.name} has been running ${Number.isFinite(runningFor) ? formatAge(runningFor) : 'a while'} but ${probeText} fails${lastProbe ? `: ${lastProbe}` : ''}${unhealthy[0] ? ` (×${eventCount(unhealthy[0])})` : ''}.${
      portMismatch ? ` Its log says the server listens on port ${portMismatch}, not ${probePort}.` : ''
    }`,
    evidence,
    {
      summary: portMismatch
        ? `Start the model server on port ${probePort} (model-engine routes to and probes :${probePort}): add --port ${probePort} to the endpoint's command and update the endpoint.`
        : forwarder
        ? `The ${cs.name} forwarder is not ready: read its log (it cannot reach the main container on :5005, or its config is wrong).`
        : `The model server in main does not answer its health route: read its log (still loading, listening on another port, or wedged), and fix the server or the endpoint's healthcheck route.`,
      commands: next,
    },
    next,
  );
}

function unscheduledVerdict(f: EndpointFacts, s: Subject, pod: Pod, now: number): Verdict {
  const ns = s.namespace;
  const events = podEvents(f, pod);
  const fs = events.find((e) => e.reason === 'FailedScheduling');
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const text = fs?.message ?? cond?.message;
  const parsed = text ? parseSchedulerMessage(text) : undefined;
  const age = podAgeMs(pod, now);
  const scaleUp = events.find((e) => e.reason === 'TriggeredScaleUp');
  const noScaleUp = events.find((e) => e.reason === 'NotTriggerScaleUp');
  const evidence: Evidence[] = [
    ...(fs ? [eventEvidence(fs)] : cond ? [field(pod, 'Pod', 'status.conditions[PodScheduled]', `${cond.reason ?? ''}: ${oneLine(cond.message)}`)] : []),
    ...(noScaleUp ? [eventEvidence(noScaleUp)] : []),
  ];
  const next = [`kubectl -n ${ns} describe pod ${pod.metadata.name}`, `kubectl get nodes -L ${ACCELERATOR_LABEL},${NODE_LIFECYCLE_LABEL},${INSTANCE_TYPE_LABEL}`];
  if (scaleUp && now - (ms(eventLast(scaleUp)) || 0) < SCALE_UP_GRACE_MS) {
    return verdict(
      'STARTING',
      `Pod ${pod.metadata.name} is waiting for a node the cluster autoscaler is adding (${oneLine(scaleUp.message)}, ${formatAge(now - (ms(eventLast(scaleUp)) || now))} ago).`,
      [eventEvidence(scaleUp), ...evidence],
      { summary: 'Nothing to fix yet: a GPU node takes 5–10 minutes to join and pull the image.', commands: [`model-engine-doctor endpoint ${s.id ?? s.name ?? s.k8sName} --watch`] },
      next,
    );
  }
  if (!parsed && age < SCHEDULE_GRACE_MS) {
    return verdict('STARTING', `Pod ${pod.metadata.name} was created ${formatAge(age)} ago and the scheduler has not placed it yet.`, evidence, { summary: 'Nothing to fix yet.' }, next);
  }
  const v = schedulingVerdict(pod, f.nodes, parsed, f.nodePods);
  const schedulerSays = parsed ? `the scheduler says ${parsed.available ?? '?'}/${parsed.total ?? '?'} nodes are available (${parsed.reasons.map((r) => `${r.count ?? 'all'} ${r.text}`).join(', ')})` : '';
  const cross = parsed ? note(`node view: ${v.detail}; ${schedulerSays}`) : note(`node view: ${v.detail}`);
  const pending = `Pod ${pod.metadata.name} has been Pending for ${formatAge(age)}`;
  switch (v.cause) {
    case 'VOLUME':
      return volumeVerdict(f, s, pod, `${pending}: ${v.detail}`, evidence);
    case 'NO_MATCHING_NODES':
      return noMatchingVerdict(f, s, pod, v, `${pending}: ${v.detail}.`, [...evidence, cross], next);
    case 'UNTOLERATED_TAINT':
      return taintVerdict(s, pod, v, `${pending}: ${v.detail}.`, [...evidence, cross], next);
    case 'INSUFFICIENT_GPU':
      return gpuVerdict(f, s, pod, v, `${pending}: ${v.detail}.`, [...evidence, cross], next);
    case 'INSUFFICIENT_RESOURCES': {
      const want = podRequests(pod);
      const body: Record<string, unknown> = {};
      if (v.resources.includes('cpu')) body.cpus = '<fewer>';
      if (v.resources.includes('memory')) body.memory = '<less>';
      if (v.resources.includes('ephemeral-storage')) body.storage = '<less>';
      return verdict(
        'INSUFFICIENT_RESOURCES',
        `${pending}: ${v.detail}.`,
        [...evidence, cross, note(`requests: ${Object.entries(want).map(([k, q]) => `${k}=${formatResource(k, q)}`).join(', ')}`)],
        {
          summary: v.never
            ? `Lower the endpoint's ${v.resources.join('/')} request below what one node allocates (model-engine adds the forwarder's request on top), or use larger nodes.`
            : `Free ${v.resources.join('/')} on the matching nodes, add nodes, or lower the endpoint's request.`,
          commands: [apiUpdate(s, body), ...next.slice(1)],
        },
        next,
      );
    }
    case 'UNKNOWN':
      return verdict('UNKNOWN', `${pending}: ${v.detail}.`, [...evidence, cross], { summary: 'Read the scheduler message and the nodes; the doctor cannot tell the cause.', commands: next }, next);
  }
}

function poolCommand(f: EndpointFacts, nodes: readonly Node[], labels: Record<string, string>): string[] {
  const pool = f.hints?.nodePool;
  if (!pool) return [];
  const pools = [...new Set(nodes.map((n) => n.metadata.labels?.[pool.label]).filter((p): p is string => !!p))];
  const cluster = clusterNameOf(f.hints?.context);
  const joined = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(pool.labelSeparator);
  return pools.map((p) => pool.labelCommand.replace('{pool}', p).replace('{labels}', joined).replace(/<cluster>/g, cluster ?? '<cluster>'));
}

/** AWS instance families per model-engine GPU type (docs/guides/self_hosting.md, with the a10 typo fixed). */
const AWS_INSTANCE: Readonly<Record<string, string>> = {
  'nvidia-tesla-t4': 'g4dn.xlarge',
  'nvidia-ampere-a10': 'g5.2xlarge',
  'nvidia-ampere-a100': 'p4d.24xlarge',
  'nvidia-ampere-a100e': 'p4de.24xlarge',
  'nvidia-hopper-h100': 'p5.48xlarge',
  'nvidia-hopper-h100-1g20gb': 'p5.48xlarge',
  'nvidia-hopper-h100-3g40gb': 'p5.48xlarge',
};

function noMatchingVerdict(f: EndpointFacts, s: Subject, pod: Pod, v: Extract<SchedulingVerdict, { cause: 'NO_MATCHING_NODES' }>, summary: string, evidence: Evidence[], next: string[]): Verdict {
  const nodes = f.nodes;
  if (v.notReady) {
    return verdict('NO_MATCHING_NODES', summary, evidence, { summary: 'Bring the matching nodes back (uncordon them, or fix why they are NotReady).', commands: v.notReady.map((n) => `kubectl describe node ${n}`).concat(v.notReady.map((n) => `kubectl uncordon ${n}`)) }, next);
  }
  const sel = v.selector;
  const accel = sel[ACCELERATOR_LABEL];
  const absent = new Set(v.labelCounts.filter((c) => c.nodes === 0).map((c) => c.pair));
  const commands: string[] = [];
  let values: string | undefined;
  let fix: string;
  const typesPresent = [...new Set(nodes.map((n) => n.metadata.labels?.[ACCELERATOR_LABEL]).filter((t): t is string => !!t && t !== 'cpu'))].sort();
  const ev = [...evidence, ...v.labelCounts.map((c) => note(`${c.nodes} node(s) have ${c.pair}`))];
  if (accel && absent.has(`${ACCELERATOR_LABEL}=${accel}`)) {
    const info = gpuTypeInfo(accel);
    // Nodes that have that GPU but not the label (or a misspelt one): label them, do not buy new ones.
    const unlabelled = nodes.filter((n) => {
      const np = nodeProduct(n);
      const current = n.metadata.labels?.[ACCELERATOR_LABEL];
      const base = np?.product.split('-MIG-')[0] ?? '';
      return !!info && !!np && info.product.test(base) && (current === undefined || GPU_TYPE_TYPOS[current] === accel);
    });
    if (unlabelled.length > 0) {
      fix = `Label the ${unlabelled.length} node(s) that have ${info?.gpu ?? accel} GPUs with ${ACCELERATOR_LABEL}=${accel} (model-engine selects GPU nodes only by that label).`;
      commands.push(`kubectl label node ${unlabelled.map((n) => n.metadata.name).join(' ')} ${ACCELERATOR_LABEL}=${accel} --overwrite`, ...poolCommand(f, unlabelled, { [ACCELERATOR_LABEL]: accel }));
    } else {
      const others = { ...sel };
      delete others[ACCELERATOR_LABEL];
      const instance = f.hints?.cloud === 'aws' ? AWS_INSTANCE[accel] : undefined;
      fix = `Add ${info?.gpu ?? accel} nodes labelled ${Object.entries(sel).map(([k, val]) => `${k}=${val}`).join(', ')} and tainted nvidia.com/gpu=true:NoSchedule${
        typesPresent.length ? `, or recreate the endpoint with a gpu_type the cluster has (${typesPresent.join(', ')})` : ''
      }.`;
      if (instance) {
        const cluster = clusterNameOf(f.hints?.context) ?? '<cluster>';
        commands.push(
          `aws eks create-nodegroup --cluster-name ${cluster} --nodegroup-name gpu-${accel.replace(/^nvidia-[a-z]+-/, '')} --instance-types ${instance} --ami-type AL2_x86_64_GPU --scaling-config minSize=0,maxSize=2,desiredSize=1 --subnets <subnet-ids> --node-role <node-role-arn> --labels ${Object.entries(sel).map(([k, val]) => `${k}=${val}`).join(',')} --taints key=nvidia.com/gpu,value=true,effect=NO_SCHEDULE`,
        );
      }
      if (typesPresent.length > 0) commands.push(apiUpdate(s, { gpu_type: typesPresent[0] }));
      // Once nodes of the type exist, cache the image there so the next cold start does not pull 20 GB.
      values = [
        '# once the node group exists: cache endpoint images on it (cacher DaemonSet launch-image-cache-<name>)',
        'imageCache:',
        '  devices:',
        `    - name: ${accel.replace(/^nvidia-[a-z]+-/, '')}`,
        '      nodeSelector:',
        `        ${ACCELERATOR_LABEL}: ${accel}`,
        '      tolerations:',
        '        - key: nvidia.com/gpu',
        '          operator: Exists',
        '          effect: NoSchedule',
        '',
      ].join('\n');
    }
  } else {
    // Each pair exists somewhere, never together: the GPU type (or, for CPU endpoints, the untainted nodes) says
    // which nodes the endpoint belongs on; label those with what they lack.
    const anchor = accel
      ? nodes.filter((n) => n.metadata.labels?.[ACCELERATOR_LABEL] === accel)
      : nodes.filter((n) => !n.spec?.taints?.some((t) => t.key === 'nvidia.com/gpu'));
    const groups = new Map<string, Node[]>();
    for (const n of anchor.filter(isNodeReady)) {
      const lacks = Object.entries(sel)
        .filter(([k, val]) => n.metadata.labels?.[k] !== val)
        .map(([k, val]) => `${k}=${val}`)
        .join(' ');
      if (lacks) groups.set(lacks, [...(groups.get(lacks) ?? []), n]);
    }
    const all = [...groups.values()].flat();
    const lacking = [...new Set([...groups.keys()].flatMap((k) => k.split(' ')))];
    fix = all.length
      ? `Label the ${all.length} ${accel ? `${accel} ` : ''}node(s) with ${lacking.join(' ')}${lacking.some((p) => p.startsWith(`${NODE_LIFECYCLE_LABEL}=`)) ? ' (the chart\'s default nodeSelector puts node-lifecycle=normal on every endpoint pod)' : ''}.`
      : `Add nodes labelled ${Object.entries(sel).map(([k, val]) => `${k}=${val}`).join(', ')}.`;
    for (const [lacks, group] of groups) {
      commands.push(`kubectl label node ${group.map((n) => n.metadata.name).join(' ')} ${lacks}`, ...poolCommand(f, group, Object.fromEntries(lacks.split(' ').map((p) => p.split('=') as [string, string]))));
    }
    if (lacking.some((p) => p.startsWith(`${NODE_LIFECYCLE_LABEL}=`))) {
      values = [
        '# alternative: stop requiring node-lifecycle=normal (helm deep-merges maps: {} keeps the default, only null removes it).',
        '# Control-plane pods use it too; existing endpoints keep their selector until they are updated.',
        'nodeSelector: null',
        'balloonNodeSelector: null',
        '',
      ].join('\n');
    }
  }
  return verdict('NO_MATCHING_NODES', summary, ev, { summary: fix, commands, ...(values ? { values } : {}) }, next);
}

function taintVerdict(s: Subject, pod: Pod, v: Extract<SchedulingVerdict, { cause: 'UNTOLERATED_TAINT' }>, summary: string, evidence: Evidence[], next: string[]): Verdict {
  const byTaint = new Map<string, string[]>();
  for (const t of v.taints) {
    const k = `${t.taint.key}${t.taint.value ? `=${t.taint.value}` : ''}:${t.taint.effect}`;
    byTaint.set(k, [...(byTaint.get(k) ?? []), t.node]);
  }
  const commands = [...byTaint].flatMap(([k, nodes]) => (nodes[0] === '?' ? [] : [`kubectl taint node ${nodes.slice(0, 10).join(' ')} ${k}-`]));
  const keys = [...new Set(v.taints.map((t) => t.taint.key))].filter((k) => k !== 'nvidia.com/gpu');
  const gpu = s.gpus > 0;
  const values = gpu && keys.length ? ['# endpoint pods tolerate each gpuTolerations[].key (Exists, NoSchedule) — NoExecute taints still repel them', 'gpuTolerations:', ...keys.map((k) => `  - key: ${k}`), ''].join('\n') : undefined;
  return verdict(
    'UNTOLERATED_TAINT',
    summary,
    [...evidence, ...[...byTaint].map(([k, nodes]) => note(`taint ${k} on ${nodes.join(', ')}`))],
    {
      summary: gpu
        ? `Remove the taint from the GPU nodes, or make endpoint pods tolerate it with gpuTolerations in the helm values (applies to endpoints created or updated afterwards).`
        : `Remove the taint from the nodes this CPU endpoint should use (CPU endpoints get no tolerations from the chart), or give it untainted nodes.`,
      commands: commands.length ? commands : [`kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints`],
      ...(values ? { values } : {}),
    },
    next,
  );
}

function gpuVerdict(f: EndpointFacts, s: Subject, pod: Pod, v: Extract<SchedulingVerdict, { cause: 'INSUFFICIENT_GPU' }>, summary: string, evidence: Evidence[], next: string[]): Verdict {
  const matching = new Set(v.perNode.map((p) => p.node));
  const holders = (f.nodePods ?? []).filter((p) => p.spec.nodeName && matching.has(p.spec.nodeName) && (podRequests(p)['nvidia.com/gpu'] ?? 0) > 0);
  const balloons = holders.filter((p) => p.metadata.labels?.product === 'common-warm-nodes');
  const ev = [
    ...evidence,
    ...holders.slice(0, 6).map((p) => note(`${p.spec.nodeName} runs ${p.metadata.namespace}/${p.metadata.name} holding ${podRequests(p)['nvidia.com/gpu']} GPU(s)`)),
  ];
  const accel = s.gpuType ?? pod.spec.nodeSelector?.[ACCELERATOR_LABEL];
  const nodes = f.nodes.filter((n) => matching.has(n.metadata.name));
  const pool = f.hints?.nodePool;
  const pools = pool ? [...new Set(nodes.map((n) => n.metadata.labels?.[pool.label]).filter((p): p is string => !!p))] : [];
  const cluster = clusterNameOf(f.hints?.context) ?? '<cluster>';
  const commands: string[] = [];
  let values: string | undefined;
  let fix: string;
  if (v.never) {
    const most = Math.max(0, ...v.perNode.map((p) => p.allocatable));
    fix = `The endpoint asks for ${v.requested} GPUs but no ${accel ?? 'matching'} node has more than ${most}: lower gpus to ${most} or fewer (tensor parallelism), or use a GPU type whose nodes have ${v.requested}.`;
    commands.push(apiUpdate(s, { gpus: most }));
  } else {
    fix = `Add ${accel ?? 'GPU'} capacity (scale the node group, or raise the autoscaler's maximum), or free GPUs held by other pods.`;
    if (f.hints?.cloud === 'aws') for (const p of pools) commands.push(`aws eks update-nodegroup-config --cluster-name ${cluster} --nodegroup-name ${p} --scaling-config desiredSize=<current+1>,maxSize=<at least that>`);
    if (balloons.length > 0) {
      const gpusHeld = balloons.reduce((n, p) => n + (podRequests(p)['nvidia.com/gpu'] ?? 0), 0);
      fix += ` ${balloons.length} balloon pod(s) hold ${gpusHeld} GPU(s) here and only model-engine-high-priority pods preempt them (balloonConfig.reserveHighPriority): make the endpoint high_priority, or shrink the balloons.`;
      values = [
        '# helm replaces lists whole: keep your other balloons entries in this list',
        'balloons:',
        `  - acceleratorName: ${accel ?? '<type>'}`,
        `    replicaCount: 0   # its ${balloons.length} balloon pod(s) hold GPUs this endpoint needs`,
        '',
      ].join('\n');
      commands.push(apiUpdate(s, { high_priority: true }));
    }
  }
  return verdict('INSUFFICIENT_GPU', summary, ev, { summary: fix, commands, ...(values ? { values } : {}) }, [...next, ...nodes.slice(0, 3).map((n) => `kubectl describe node ${n.metadata.name}`)]);
}

function volumeVerdict(f: EndpointFacts, s: Subject, pod: Pod, summary: string, evidence: Evidence[]): Verdict {
  const ns = s.namespace;
  const claims = (pod.spec.volumes ?? []).map((v) => (v as { persistentVolumeClaim?: { claimName?: string } }).persistentVolumeClaim?.claimName).filter((c): c is string => !!c);
  const pvcs = f.pvcs.filter((p) => claims.includes(p.metadata.name));
  const pending = pvcs.find((p) => p.status?.phase !== 'Bound');
  const pvcEvents = pending ? eventsAbout(f, pending.metadata.name).filter((e) => e.type === 'Warning') : [];
  const missingClaim = claims.find((c) => !f.pvcs.some((p) => p.metadata.name === c));
  const ev: Evidence[] = [
    ...evidence,
    ...(pending ? [field(pending, 'PersistentVolumeClaim', 'status.phase', pending.status?.phase ?? 'Pending'), field(pending, 'PersistentVolumeClaim', 'spec', `storageClassName=${pending.spec?.storageClassName ?? '(default)'}, accessModes=${(pending.spec?.accessModes ?? []).join(',')}, storage=${pending.spec?.resources?.requests?.storage ?? '?'}`)] : []),
    ...pvcEvents.slice(0, 2).map(eventEvidence),
  ];
  const reason = oneLine(pvcEvents[0]?.message);
  const rwx = (pending?.spec?.accessModes ?? []).includes('ReadWriteMany');
  const rwxUnsupported = /MULTI_NODE|ReadWriteMany|access ?mode/i.test(reason);
  const noClass = /storageclass[^"]*"([^"]+)" not found/i.exec(reason);
  const commands = [
    ...(pending ? [`kubectl -n ${ns} describe pvc ${pending.metadata.name}`] : []),
    'kubectl get storageclass',
  ];
  let fix: string;
  let values: string | undefined;
  if (missingClaim) fix = `PVC ${missingClaim} does not exist: update the endpoint so the builder re-creates it.`;
  else if (noClass) {
    fix = `StorageClass ${noClass[1]} does not exist: set modelCache.storageClassName to one that does (kubectl get storageclass).`;
    values = ['modelCache:', '  storageClassName: <an existing class>', ''].join('\n');
  } else if (rwx && rwxUnsupported) {
    fix = `The model cache PVC asks for ReadWriteMany, which ${pending?.spec?.storageClassName ?? 'the default StorageClass'} cannot provide (block storage such as EBS/Azure Disk/PD is ReadWriteOnce): use an RWX class (EFS, Azure Files, Filestore), or ReadWriteOnce.`;
    values = ['modelCache:', '  storageClassName: <an RWX class, e.g. efs-sc>', '  accessMode: ReadWriteMany   # or ReadWriteOnce with a block-storage class', ''].join('\n');
  } else fix = reason ? `Fix what the provisioner reports: ${reason}` : 'Find why the volume does not bind or mount (describe the PVC and the pod).';
  if (missingClaim) commands.push(apiUpdate(s, {}));
  return verdict('VOLUME', pending ? `${summary} — PVC ${pending.metadata.name} is ${pending.status?.phase ?? 'Pending'}${reason ? `: ${reason}` : ''}` : summary, ev, { summary: fix, commands, ...(values ? { values } : {}) }, [`kubectl -n ${ns} describe pod ${pod.metadata.name}`]);
}

function waitingVerdict(f: EndpointFacts, s: Subject, pod: Pod, cs: ContainerStatus, now: number): Verdict {
  const ns = s.namespace;
  const events = podEvents(f, pod);
  const mountFail = events.filter((e) => e.reason === 'FailedMount' || e.reason === 'FailedAttachVolume');
  const age = podAgeMs(pod, now);
  const next = [`kubectl -n ${ns} describe pod ${pod.metadata.name}`];
  if (mountFail.length > 0) {
    const msg = mountFail[0]!.message ?? '';
    const ev = [field(pod, 'Pod', `status.containerStatuses[${cs.name}].state.waiting`, cs.state?.waiting?.reason ?? 'ContainerCreating'), ...mountFail.slice(0, 2).map(eventEvidence)];
    if (missingConfigRef(msg)) return configVerdict(f, s, pod, msg, ev);
    return volumeVerdict(f, s, pod, `Pod ${pod.metadata.name} cannot mount its volumes: ${oneLine(msg)}`, ev);
  }
  const pulling = podEvents(f, pod, cs.name).find((e) => e.reason === 'Pulling');
  const pulled = podEvents(f, pod, cs.name).find((e) => e.reason === 'Pulled' && (ms(eventLast(e)) || 0) >= (ms(eventLast(pulling ?? e)) || 0));
  if (pulling && !pulled) {
    const since = now - (ms(eventFirst(pulling)) || now);
    const image = imageInPullMessage(pulling.message ?? '') ?? pod.spec.containers.find((c) => c.name === cs.name)?.image ?? '?';
    if (since < PULL_GRACE_MS) {
      return verdict(
        'STARTING',
        `Container ${cs.name} of pod ${pod.metadata.name} has been pulling ${image} for ${formatAge(since)} (normal for large images up to ${formatAge(PULL_GRACE_MS)}).`,
        [eventEvidence(pulling)],
        { summary: 'Nothing to fix yet. To make the next cold start faster, cache the image on the nodes (imageCache.devices).', commands: [`model-engine-doctor endpoint ${s.id ?? s.name ?? s.k8sName} --watch`] },
        next,
      );
    }
    return verdict(
      'IMAGE_PULL',
      `Container ${cs.name} of pod ${pod.metadata.name} has been pulling ${image} for ${formatAge(since)}: the pull is stalled or the link to the registry is very slow.`,
      [eventEvidence(pulling)],
      { summary: `Check the node's connectivity to ${parseImageRef(image).registry}, or mirror the image closer to the cluster; cache it on the nodes with imageCache.devices.`, commands: [`kubectl describe node ${pod.spec.nodeName ?? '<node>'}`] },
      next,
    );
  }
  const sandbox = events.find((e) => e.reason === 'FailedCreatePodSandBox');
  const ev = [field(pod, 'Pod', `status.containerStatuses[${cs.name}].state.waiting`, `${cs.state?.waiting?.reason ?? '?'}${cs.state?.waiting?.message ? `: ${oneLine(cs.state.waiting.message)}` : ''}`), ...(sandbox ? [eventEvidence(sandbox)] : [])];
  if (!sandbox && age < 5 * 60_000) {
    return verdict('STARTING', `Pod ${pod.metadata.name} was created ${formatAge(age)} ago; container ${cs.name} is ${cs.state?.waiting?.reason ?? 'waiting'}.`, ev, { summary: 'Nothing to fix yet.' }, next);
  }
  return verdict(
    'UNKNOWN',
    `Container ${cs.name} of pod ${pod.metadata.name} has been ${cs.state?.waiting?.reason ?? 'waiting'} for ${formatAge(age)}${sandbox ? `: ${oneLine(sandbox.message)}` : events.length === 0 ? ' and no events about the pod remain (the API server keeps events for an hour)' : ''}.`,
    [...ev, ...(events.length === 0 ? [note(`no events for pod ${pod.metadata.name} in ${ns}`)] : [])],
    {
      summary: sandbox ? 'The node could not create the pod sandbox (CNI, IP addresses, runtime): look at the node and its CNI.' : "Look at the node's kubelet and container runtime: the pod is stuck before its containers start.",
      commands: [...next, `kubectl describe node ${pod.spec.nodeName ?? '<node>'}`, `kubectl get events -n ${ns} --field-selector involvedObject.name=${pod.metadata.name}`],
    },
    next,
  );
}

/** The root cause for one pod. */
export function podVerdict(f: EndpointFacts, s: Subject, pod: Pod, now: number): Verdict {
  if (isUnscheduledPod(pod)) return unscheduledVerdict(f, s, pod, now);
  const all = statusesOf(pod);
  const pull = all.find(({ cs }) => ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'].includes(cs.state?.waiting?.reason ?? ''));
  if (pull) return pullVerdict(f, s, pod, pull.cs);
  const cfg = all.find(({ cs }) => cs.state?.waiting?.reason === 'CreateContainerConfigError' || cs.state?.waiting?.reason === 'CreateContainerError');
  if (cfg) {
    const message = cfg.cs.state?.waiting?.message ?? '';
    const failed = podEvents(f, pod, cfg.cs.name).filter((e) => e.reason === 'Failed');
    return configVerdict(f, s, pod, message, [field(pod, 'Pod', `status.containerStatuses[${cfg.cs.name}].state.waiting`, `${cfg.cs.state?.waiting?.reason}: ${oneLine(message)}`), ...failed.slice(0, 1).map(eventEvidence)]);
  }
  const crash = all
    .filter(({ cs }) => cs.state?.waiting?.reason === 'CrashLoopBackOff' || cs.state?.waiting?.reason === 'RunContainerError' || ((cs.restartCount ?? 0) > 0 && !cs.ready) || (cs.state?.terminated && cs.state.terminated.exitCode !== 0))
    .sort((a, b) => Number(b.cs.name === 'main') - Number(a.cs.name === 'main'))[0];
  if (crash) return crashVerdict(f, s, pod, crash.cs, now);
  const waiting = all.filter(({ cs }) => cs.state?.waiting).sort((a, b) => Number(b.cs.name === 'main') - Number(a.cs.name === 'main'))[0];
  if (waiting) return waitingVerdict(f, s, pod, waiting.cs, now);
  const notReady = all.filter(({ cs, init }) => !init && cs.state?.running && !cs.ready).sort((a, b) => Number(b.cs.name === 'main') - Number(a.cs.name === 'main'))[0];
  if (notReady) return readinessVerdict(f, s, pod, notReady.cs, now);
  if (pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded') {
    return verdict('HEALTHY', `Pod ${pod.metadata.name} is running and ready.`, [], { summary: 'Nothing to do.' });
  }
  return verdict(
    'UNKNOWN',
    `Pod ${pod.metadata.name} is ${pod.status?.phase ?? 'in an unknown phase'}${pod.status?.reason ? ` (${pod.status.reason}${pod.status.message ? `: ${oneLine(pod.status.message)}` : ''})` : ''}.`,
    [field(pod, 'Pod', 'status.phase', pod.status?.phase ?? null)],
    { summary: 'Describe the pod and its node.', commands: [`kubectl -n ${s.namespace} describe pod ${pod.metadata.name}`] },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// No Kubernetes objects: was it ever built?

interface BuildLog {
  state: 'succeeded' | 'failed' | 'in-progress';
  lines: { line: string; lineNumber: number }[];
}

/**
 * What the builder's log says about an endpoint: Celery logs the task id on "received" and on the outcome, and
 * model-engine logs the endpoint id in between, so the id ties a task to its outcome.
 */
export function buildOutcome(log: string, idOrName: readonly string[]): BuildLog | undefined {
  const lines = log.split(/\r?\n/);
  const mentions = lines.map((l, i) => (idOrName.some((k) => k && new RegExp(`(^|[^\\w-])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w-]|$)`).test(l)) ? i : -1)).filter((i) => i >= 0);
  if (mentions.length === 0) return undefined;
  const at = mentions[mentions.length - 1]!;
  let task: string | undefined;
  for (let i = at; i >= 0 && !task; i--) task = /build_endpoint\[([0-9a-f-]{36})\] received/.exec(lines[i]!)?.[1];
  const picked = (i: number) => ({ line: lines[i]!.trim(), lineNumber: i + 1 });
  if (task) {
    for (let i = at; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.includes(`[${task}] succeeded`)) return { state: 'succeeded', lines: [picked(at), picked(i)] };
      if (l.includes(`[${task}] raised`) || l.includes(`[${task}] failed`) || (l.includes(`[${task}]`) && /\bERROR\b/.test(l))) {
        const errs: number[] = [];
        for (let j = at + 1; j <= i; j++) if (/"level":"ERROR"|\bERROR\b|Traceback/.test(lines[j]!)) errs.push(j);
        return { state: 'failed', lines: [picked(at), ...errs.map(picked)] };
      }
    }
    return { state: 'in-progress', lines: [picked(at)] };
  }
  const after = lines.slice(at + 1, at + 30).findIndex((l) => /"level":"ERROR"|Traceback|Failed endpoint build/.test(l));
  return after >= 0 ? { state: 'failed', lines: [picked(at), picked(at + 1 + after)] } : { state: 'in-progress', lines: [picked(at)] };
}

/**
 * One readable line for a builder error record: its message, the exception line of its traceback, and the
 * Kubernetes API's own message when the exception carries a Status body (ApiException).
 */
export function errorGist(line: string): string {
  let rec: { message?: string; exc_info?: string } | undefined;
  try {
    rec = JSON.parse(line) as { message?: string; exc_info?: string };
  } catch {
    return oneLine(line);
  }
  const exc = rec.exc_info ?? '';
  const excLine = exc.split('\n').find((l) => /^[\w.]+(?:Error|Exception)\b/.test(l));
  const k8s = /"message":"((?:[^"\\]|\\.)*)"/.exec(exc)?.[1]?.replace(/\\"/g, '"');
  return oneLine([rec.message, excLine?.replace(/^[\w.]+\.(\w+)/, '$1'), k8s].filter(Boolean).join(': '));
}

function queueCommand(f: EndpointFacts): string {
  switch (f.hints?.cloud) {
    case 'azure':
      return 'az servicebus queue show --resource-group <rg> --namespace-name <servicebus-namespace> --name model-engine-service-builder --query countDetails';
    case 'gcp':
    case 'onprem':
      return 'redis-cli -h <broker redis host> -n 0 LLEN model-engine-service-builder';
    default:
      return 'aws sqs get-queue-attributes --queue-url "$(aws sqs get-queue-url --queue-name model-engine-service-builder --query QueueUrl --output text)" --attribute-names ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible';
  }
}

function noObjectsVerdict(f: EndpointFacts, s: Subject, now: number): Verdict {
  const ns = s.namespace;
  const cp = s.cpNamespace;
  const api = f.api;
  const record = api?.state === 'found' ? api.record : undefined;
  const b = f.builder;
  const builderName = `${cp}/${BUILDER_DEPLOYMENT}`;
  const desired = b?.deployment ? (b.deployment.spec.replicas ?? 1) : 0;
  const available = b?.deployment?.status?.availableReplicas ?? 0;
  // A builder Deployment that could not be read is not a missing one.
  const builderDown = !b?.unread && (!b?.deployment || desired === 0 || available === 0);
  const builderEv: Evidence[] = b?.deployment
    ? [field(b.deployment, 'Deployment', 'status.availableReplicas', available), ...(desired === 0 ? [field(b.deployment, 'Deployment', 'spec.replicas', 0)] : [])]
    : b
      ? [note(`no Deployment ${builderName}`)]
      : [];
  const keys = [s.id, s.name, f.query].filter((k): k is string => !!k);
  const outcome = b?.log ? buildOutcome(b.log.text, [...new Set(keys)]) : undefined;
  const logEv = (o: BuildLog): Evidence[] => o.lines.slice(0, 4).map((l) => ({ type: 'log', namespace: cp, pod: b!.log!.pod, container: b!.log!.container, line: l.line.startsWith('{') ? errorGist(l.line) : l.line, lineNumber: l.lineNumber }));
  const apiEv: Evidence[] = record ? [{ type: 'probe', target: api!.url, detail: `status ${record.status}${record.status_reason ? `, status_reason: ${record.status_reason}` : ''}` }] : [];
  const q = b?.queue;
  const queueEv: Evidence[] = q
    ? [{ type: 'probe', target: `${q.broker} queue ${q.name}`, detail: q.error ? `not read: ${q.error}` : q.exists === false ? 'does not exist' : `${q.waiting ?? '?'} waiting${q.inFlight !== undefined ? `, ${q.inFlight} taken by a worker` : ''}` }]
    : [];
  const queueText = q && !q.error && q.exists !== false && q.waiting !== undefined ? ` ${q.waiting} build task(s) wait in queue ${q.name}.` : '';
  const builderLogs = `kubectl -n ${cp} logs deploy/${BUILDER_DEPLOYMENT} --tail=500`;
  const who = s.name && s.id ? `${s.name} (${s.id})` : (s.id ?? s.name ?? f.query);
  const look = [`kubectl -n ${ns} get deploy,rs,pods,scaledobjects,hpa -l ${s.selector}`, builderLogs];

  if (record?.status === 'UPDATE_FAILED' || outcome?.state === 'failed') {
    const errorRecord = outcome ? [...outcome.lines].reverse().find((l) => l.line.startsWith('{') && /"level":"ERROR"/.test(l.line)) ?? outcome.lines.at(-1) : undefined;
    // status_reason is often the generic "internal error"; the builder's own record says what failed.
    const reason = [record?.status_reason, errorRecord ? errorGist(errorRecord.line) : undefined].filter(Boolean).join('; builder log: ') || undefined;
    return verdict(
      'BUILD_FAILED',
      `The endpoint builder failed to create ${who}${reason ? `: ${reason}` : ''}; no Kubernetes objects exist in ${ns}.`,
      [...apiEv, ...(outcome ? logEv(outcome) : []), note(`no objects labelled ${s.selector} in ${ns}`)],
      { summary: 'Read the builder log for the failed task, fix what it reports, then update (or delete and recreate) the endpoint so the builder tries again.', commands: [builderLogs, apiUpdate(s, {})] },
      look,
    );
  }
  const pendingTooLong = record && (record.status === 'UPDATE_PENDING' || record.status === 'UPDATE_IN_PROGRESS');
  if (pendingTooLong || outcome?.state === 'in-progress' || (builderDown && b && (api === undefined || api.state === 'unavailable'))) {
    const since = record?.last_updated_at ? now - ms(record.last_updated_at.endsWith('Z') || /[+-]\d\d:\d\d$/.test(record.last_updated_at) ? record.last_updated_at : `${record.last_updated_at}Z`) : NaN;
    const why = builderDown
      ? !b?.deployment
        ? `Deployment ${builderName} does not exist`
        : desired === 0
          ? `Deployment ${builderName} is scaled to 0`
          : `Deployment ${builderName} has no available replica`
      : outcome?.state === 'in-progress'
        ? 'the builder received the task and has not finished it (the task hard limit is 30 minutes)'
        : `the builder is running but has not taken the task from queue model-engine-service-builder (broker mismatch?)`;
    const commands = builderDown && b?.deployment && desired === 0 ? [`kubectl -n ${cp} scale deploy ${BUILDER_DEPLOYMENT} --replicas=1`] : [];
    return verdict(
      'BUILD_PENDING',
      `${who} has no Kubernetes objects in ${ns}${record ? ` and the API says ${record.status}${Number.isFinite(since) ? ` since ${formatAge(since)} ago` : ''}` : ''}: ${why}.${queueText}${!record && !outcome ? ' (Without --gateway-url the doctor cannot tell a pending endpoint from a wrong id.)' : ''}`,
      [...apiEv, ...builderEv, ...queueEv, ...(outcome ? logEv(outcome) : [])],
      {
        summary: builderDown
          ? `Bring the endpoint builder back; it then takes the queued build task from model-engine-service-builder. The queue depth shows how many builds wait.`
          : `Make the builder consume model-engine-service-builder (same broker as the gateway); the queue depth shows whether tasks pile up.`,
        commands: [...commands, `kubectl -n ${cp} get deploy,pods -l app=${BUILDER_DEPLOYMENT}`, builderLogs, queueCommand(f)],
      },
      look,
    );
  }
  if (record?.status === 'READY' || outcome?.state === 'succeeded') {
    return verdict(
      'UNKNOWN',
      `${record ? `The API says ${who} is ${record.status}` : `The builder built ${who}`}, but no Kubernetes objects labelled ${s.selector} exist in ${ns}: they were deleted, or the endpoints live in another namespace (--endpoint-namespace).`,
      [...apiEv, ...(outcome ? logEv(outcome) : []), note(`no objects labelled ${s.selector} in ${ns}`)],
      { summary: 'Find the endpoint objects (another namespace?), or update the endpoint so the builder re-creates them.', commands: [`kubectl get deploy -A -l ${s.selector}`, apiUpdate(s, {})] },
      look,
    );
  }
  const apiNote = api?.state === 'not-found' ? [{ type: 'probe' as const, target: api.url, detail: `not found: ${api.detail}` }] : api?.state === 'unavailable' ? [note(`the API could not be asked: ${api.detail}`)] : [];
  return verdict(
    'NOT_FOUND',
    `No endpoint ${f.query} in namespace ${ns}: no Deployment, LeaderWorkerSet or pod is labelled ${s.selector}${s.k8sName !== f.query ? ` or named ${s.k8sName}` : ''}${api?.state === 'not-found' ? ', and the API does not know it either' : ''}.`,
    [...apiNote, note(`no objects labelled ${s.selector} in ${ns}`), ...(b?.log && !outcome ? [note(`the builder's recent log does not mention ${who}`)] : [])],
    {
      summary: `Check the id or name (ids look like end_ plus 20 characters) and the endpoint namespace; list the endpoints there.`,
      commands: [`kubectl -n ${ns} get deploy -l managed-by=model-engine -L endpoint_id,endpoint_name`, `kubectl get deploy -A -l ${s.selector}`],
    },
    look,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The causal chain.

function containerSummary(cs: ContainerStatus): { state: ChainNode['state']; summary: string } {
  const w = cs.state?.waiting;
  const restarts = cs.restartCount ? ` (restarts: ${cs.restartCount})` : '';
  if (w) return { state: w.reason === 'ContainerCreating' || w.reason === 'PodInitializing' ? 'warn' : 'fail', summary: `waiting: ${w.reason ?? '?'}${restarts}` };
  if (cs.state?.terminated) return { state: 'fail', summary: `terminated: ${cs.state.terminated.reason ?? '?'} (exit ${cs.state.terminated.exitCode ?? '?'})${restarts}` };
  if (cs.state?.running) return { state: cs.ready ? 'ok' : 'warn', summary: `running${cs.ready ? ', ready' : ', not ready'}${restarts}` };
  return { state: 'info', summary: 'no state' };
}

const eventNode = (e: EventLike): ChainNode => ({
  kind: 'Event',
  name: e.reason ?? 'Event',
  state: e.type === 'Warning' ? 'fail' : 'info',
  summary: `${e.reason ?? ''} ×${eventCount(e)}: ${clip(oneLine(e.message), 240)}`,
  children: [],
});

function nodeNode(n: Node): ChainNode {
  const l = n.metadata.labels ?? {};
  const gpus = n.status?.allocatable?.['nvidia.com/gpu'];
  const bits = [l[INSTANCE_TYPE_LABEL], l[ACCELERATOR_LABEL], gpus ? `${gpus} nvidia.com/gpu allocatable` : undefined, isNodeReady(n) ? undefined : 'NotReady', n.spec?.unschedulable ? 'cordoned' : undefined].filter(Boolean);
  return { kind: 'Node', name: n.metadata.name, state: isNodeReady(n) && !n.spec?.unschedulable ? 'info' : 'warn', summary: bits.join(', '), children: [] };
}

function schedulerNode(f: EndpointFacts, pod: Pod): ChainNode | undefined {
  const events = podEvents(f, pod).filter((e) => e.reason === 'FailedScheduling');
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const text = events[0]?.message ?? cond?.message;
  if (!text) return undefined;
  const parsed = parseSchedulerMessage(text);
  const children: ChainNode[] = parsed.reasons.map((r) => ({ kind: 'Reason', name: r.kind, state: 'fail', summary: `${r.count ?? 'all'} node(s): ${r.text}`, children: [] }));
  const sel = pod.spec.nodeSelector ?? {};
  const accel = sel[ACCELERATOR_LABEL];
  const sameType = accel ? f.nodes.filter((n) => n.metadata.labels?.[ACCELERATOR_LABEL] === accel) : [];
  children.push(...sameType.slice(0, 4).map(nodeNode));
  return {
    kind: 'Scheduler',
    name: 'default-scheduler',
    state: 'fail',
    summary: `${events[0] ? `FailedScheduling ×${eventCount(events[0])}: ` : ''}${parsed.available ?? '?'}/${parsed.total ?? '?'} nodes available`,
    children,
  };
}

function podNode(f: EndpointFacts, pod: Pod, now: number): ChainNode {
  const statuses = statusesOf(pod);
  const ready = statuses.filter(({ cs, init }) => !init && cs.ready).length;
  const total = pod.spec.containers.length;
  const phase = pod.status?.phase ?? '?';
  const age = formatAge(podAgeMs(pod, now));
  const containers: ChainNode[] = statuses.map(({ cs, init }) => {
    const { state, summary } = containerSummary(cs);
    // Warnings first, the most telling first: kubelet's "Failed to pull image …: not found" over "Error: ImagePullBackOff".
    const evs = podEvents(f, pod, cs.name)
      .filter((e) => e.type === 'Warning' || e.reason === 'Pulling')
      .sort((a, b) => Number(b.type === 'Warning') - Number(a.type === 'Warning') || Number(/^Error: /.test(a.message ?? '')) - Number(/^Error: /.test(b.message ?? '')));
    const seen = new Set<string>();
    const kids = evs.filter((e) => (seen.has(e.reason ?? '') ? false : (seen.add(e.reason ?? ''), true))).slice(0, 3).map(eventNode);
    return { kind: init ? 'InitContainer' : 'Container', name: cs.name, state, summary, children: kids };
  });
  if (statuses.length === 0) {
    for (const c of pod.spec.containers) containers.push({ kind: 'Container', name: c.name, state: 'info', summary: 'not created', children: [] });
  }
  const podLevel = podEvents(f, pod)
    .filter((e) => !(e.involvedObject.fieldPath ?? '').includes('spec.') && e.type === 'Warning' && e.reason !== 'FailedScheduling')
    .slice(0, 2)
    .map(eventNode);
  const node = pod.spec.nodeName ? f.nodes.find((n) => n.metadata.name === pod.spec.nodeName) : undefined;
  const sched = isUnscheduledPod(pod) ? schedulerNode(f, pod) : undefined;
  const healthy = phase === 'Running' && ready === total;
  return {
    kind: 'Pod',
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? f.namespace,
    state: healthy ? 'ok' : phase === 'Pending' || statuses.some(({ cs }) => cs.state?.waiting && cs.state.waiting.reason !== 'ContainerCreating') ? 'fail' : 'warn',
    summary: `${phase} for ${age}, ${ready}/${total} containers ready`,
    children: [...containers, ...podLevel, ...(sched ? [sched] : []), ...(node ? [nodeNode(node)] : pod.spec.nodeName ? [{ kind: 'Node', name: pod.spec.nodeName, state: 'info' as const, summary: 'not in the node list', children: [] }] : [])],
  };
}

function buildChain(f: EndpointFacts, s: Subject, now: number): ChainNode[] {
  const roots: ChainNode[] = [];
  const api = f.api;
  if (api) {
    const rec = api.state === 'found' ? api.record : undefined;
    roots.push({
      kind: 'Endpoint',
      name: s.name ?? s.id ?? f.query,
      state: rec ? (rec.status === 'READY' ? ((rec.deployment_state?.available_workers ?? 1) > 0 ? 'ok' : 'warn') : rec.status === 'UPDATE_FAILED' ? 'fail' : 'warn') : api.state === 'not-found' ? 'fail' : 'info',
      summary: rec
        ? `API: ${rec.status}${rec.status_reason ? ` (${rec.status_reason})` : ''}, ${rec.deployment_state?.available_workers ?? '?'} available / ${rec.deployment_state?.unavailable_workers ?? '?'} unavailable workers`
        : api.state === 'not-found'
          ? `API: not found (${api.detail})`
          : `API unreachable: ${api.state === 'unavailable' ? api.detail : ''}`,
      children: [],
    });
  }
  const w = s.workload;
  if (w) {
    const d = w as Deployment;
    const desired = d.spec?.replicas ?? 1;
    const available = d.status?.availableReplicas ?? (d.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
    const rss = replicaSetsOf(w, f.replicaSets).filter((rs, i) => i === 0 || (rs.status?.replicas ?? 0) > 0).slice(0, 3);
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    const rsNodes: ChainNode[] = rss.map((rs) => {
      const pods = f.pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.name === rs.metadata.name));
      const failed = eventsAbout(f, rs.metadata.name).filter((e) => e.reason === 'FailedCreate');
      const want = rs.spec?.replicas ?? 0;
      const ready = rs.status?.readyReplicas ?? 0;
      return {
        kind: 'ReplicaSet',
        name: rs.metadata.name,
        namespace: s.namespace,
        state: failed.length ? 'fail' : ready >= want ? 'ok' : 'warn',
        summary: `${ready}/${want} ready, ${pods.length} pod(s)${failed.length ? `, FailedCreate ×${eventCount(failed[0]!)}` : ''}`,
        children: [...failed.slice(0, 1).map(eventNode), ...pods.slice(0, 5).map((p) => podNode(f, p, now))],
      };
    });
    // Pods not owned by a listed ReplicaSet (LWS StatefulSets, or a snapshot without ReplicaSets).
    const owned = new Set(rss.map((r) => r.metadata.name));
    const loose = f.pods.filter((p) => !p.metadata.ownerReferences?.some((o) => owned.has(o.name))).slice(0, 5).map((p) => podNode(f, p, now));
    roots.push({
      kind: s.workloadKind,
      name: w.metadata.name,
      namespace: s.namespace,
      state: desired === 0 ? 'info' : available >= desired ? 'ok' : available === 0 ? 'fail' : 'warn',
      summary: `${available}/${desired} available${progressing?.reason === 'ProgressDeadlineExceeded' ? ', ProgressDeadlineExceeded' : ''}`,
      children: [...rsNodes, ...loose],
    });
  } else if (f.pods.length > 0) {
    roots.push(...f.pods.slice(0, 5).map((p) => podNode(f, p, now)));
  }
  for (const so of f.scaledObjects) {
    roots.push({
      kind: 'ScaledObject',
      name: so.metadata.name,
      namespace: s.namespace,
      state: 'info',
      summary: `KEDA, min ${so.spec?.minReplicaCount ?? 0} / max ${so.spec?.maxReplicaCount ?? '?'}${so.spec?.triggers?.length ? `, triggers: ${so.spec.triggers.map((t) => t.type).join(', ')}` : ''}`,
      children: [],
    });
  }
  for (const h of f.hpas) {
    roots.push({ kind: 'HorizontalPodAutoscaler', name: h.metadata.name, namespace: s.namespace, state: 'info', summary: `min ${h.spec?.minReplicas ?? 1} / max ${h.spec?.maxReplicas ?? '?'}, current ${h.status?.currentReplicas ?? '?'}`, children: [] });
  }
  for (const p of f.pvcs) {
    roots.push({ kind: 'PersistentVolumeClaim', name: p.metadata.name, namespace: s.namespace, state: p.status?.phase === 'Bound' ? 'ok' : 'fail', summary: `${p.status?.phase ?? '?'}, ${p.spec?.storageClassName ?? 'default class'}, ${(p.spec?.accessModes ?? []).join(',')}`, children: eventsAbout(f, p.metadata.name).filter((e) => e.type === 'Warning').slice(0, 1).map(eventNode) });
  }
  if (!w && f.pods.length === 0 && f.builder) {
    const b = f.builder;
    const d = b.deployment;
    roots.push({
      kind: 'Deployment',
      name: BUILDER_DEPLOYMENT,
      namespace: b.namespace,
      state: d && (d.status?.availableReplicas ?? 0) > 0 ? 'ok' : 'fail',
      summary: d ? `${d.status?.availableReplicas ?? 0}/${d.spec.replicas ?? 1} available (the endpoint builder)` : 'missing (the endpoint builder)',
      children: [
        ...b.pods.slice(0, 3).map((p) => podNode(f, p, now)),
        { kind: 'Queue', name: 'model-engine-service-builder', state: 'info', summary: 'build tasks wait here until the builder takes them', children: [] },
      ],
    });
  }
  return roots;
}

// ---------------------------------------------------------------------------------------------------------------
// The diagnosis.


function redactChain(n: ChainNode): ChainNode {
  return { ...n, summary: redactText(n.summary), children: n.children.map(redactChain) };
}

function apiView(f: EndpointFacts): Diagnosis['api'] | undefined {
  const a = f.api;
  if (!a) return undefined;
  if (a.state === 'found') {
    const r: GatewayEndpointRecord = a.record;
    return {
      status: r.status,
      ...(r.status_reason ? { statusReason: r.status_reason } : {}),
      ...(typeof r.deployment_state?.available_workers === 'number' ? { availableWorkers: r.deployment_state.available_workers } : {}),
      ...(typeof r.deployment_state?.unavailable_workers === 'number' ? { unavailableWorkers: r.deployment_state.unavailable_workers } : {}),
    };
  }
  return { error: a.state === 'not-found' ? `not found (${a.detail})` : a.detail };
}

/** Diagnose one endpoint from its collected facts. Pure. */
export function diagnose(f: EndpointFacts): Diagnosis {
  const now = Date.parse(f.now);
  const s = subjectOf(f);
  const v = decide(f, s, now);
  const evidence = [...v.evidence];
  const record = f.api?.state === 'found' ? f.api.record : undefined;
  if (record && v.cause !== 'BUILD_FAILED' && v.cause !== 'BUILD_PENDING') {
    const aw = record.deployment_state?.available_workers;
    evidence.push({ type: 'probe', target: f.api!.state === 'found' ? f.api!.url : '', detail: `API status ${record.status}${typeof aw === 'number' ? `, ${aw} available worker(s)` : ''}${record.status_reason ? `, status_reason: ${record.status_reason}` : ''}` });
  }
  if (f.gaps.length > 0) evidence.push(note(`not readable: ${[...new Set(f.gaps)].slice(0, 4).join('; ')}`));
  const api = apiView(f);
  const next = [...new Set([...v.next, ...(s.workload ? [`kubectl -n ${s.namespace} get deploy,rs,pods -l ${s.selector} -o wide`] : [])])];
  return {
    endpoint: { ...(s.id ? { id: s.id } : {}), ...(s.name ? { name: s.name } : {}), namespace: s.namespace },
    cause: v.cause,
    summary: redactText(v.summary),
    evidence: evidence.map(redactEvidence),
    remediation: {
      ...v.remediation,
      summary: redactText(v.remediation.summary),
      ...(v.remediation.commands ? { commands: v.remediation.commands.map(redactText) } : {}),
      ...(v.remediation.values ? { values: redactText(v.remediation.values) } : {}),
    },
    next: next.map(redactText),
    chain: buildChain(f, s, now).map(redactChain),
    ...(api ? { api } : {}),
  };
}

/**
 * The endpoint's own objects could not be read (RBAC or the API): no verdict rests on their absence. Only pods
 * that were read, or a workload when pods were, can carry a diagnosis.
 */
function unseenVerdict(f: EndpointFacts, s: Subject, why: Error): Verdict {
  const ns = s.namespace;
  const reason = why.message;
  return verdict(
    'UNKNOWN',
    `The doctor cannot see the objects of ${s.name ?? s.id ?? f.query} in ${ns}, so it cannot tell a failing endpoint from a missing one: ${reason}.`,
    [note(`not readable: ${reason}`)],
    {
      summary: `Let the doctor read deployments, replicasets, pods and events in ${ns} (RBAC get/list), or rerun once the API server answers (docs/faults.md).`,
      commands: [`kubectl auth can-i list pods -n ${ns}`, `kubectl auth can-i list deployments.apps -n ${ns}`],
    },
  );
}

/**
 * A pod serving as far as its statuses say: running, and every container ready. A Pending pod has no container
 * statuses, and "all of none are ready" is not serving. (Used where the workload could not be read.)
 */
const podReady = (p: Pod) => p.status?.phase === 'Running' && statusesOf(p).some(({ init }) => !init) && statusesOf(p).every(({ cs, init }) => init || cs.ready);

function decide(f: EndpointFacts, s: Subject, now: number): Verdict {
  const w = s.workload;
  if (f.pods.length === 0 && f.unread?.pods) return unseenVerdict(f, s, f.unread.pods);
  if (!w && f.pods.length === 0 && f.unread?.workload) return unseenVerdict(f, s, f.unread.workload);
  if (!w && f.pods.length === 0) return noObjectsVerdict(f, s, now);
  const d = w as Deployment | undefined;
  const desired = d ? (d.spec?.replicas ?? 1) : f.pods.length;
  const available = d ? (d.status?.availableReplicas ?? (d.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) : f.pods.filter(podReady).length;
  const record = f.api?.state === 'found' ? f.api.record : undefined;
  const kind = s.workloadKind;

  if (desired === 0) {
    const so = f.scaledObjects.find((x) => (x.spec?.minReplicaCount ?? 0) === 0);
    const minWorkers = d?.metadata.annotations?.['celery.scaleml.autoscaler/minWorkers'];
    if (so || minWorkers === '0') {
      return verdict(
        'SCALED_TO_ZERO',
        so
          ? `${kind} ${w?.metadata.name} is at 0 replicas because KEDA ScaledObject ${so.metadata.name} has minReplicaCount 0 (min_workers 0): the first request scales it up (expect a cold start).`
          : `${kind} ${w?.metadata.name} is at 0 replicas because its async queue is empty and min_workers is 0 (celery autoscaler): a queued task scales it up.`,
        [...(d ? [field(d, kind, 'spec.replicas', 0)] : []), ...(so ? [field(so, 'ScaledObject', 'spec.minReplicaCount', so.spec?.minReplicaCount ?? 0)] : [field(d!, kind, "metadata.annotations['celery.scaleml.autoscaler/minWorkers']", '0')])],
        { summary: 'Nothing to fix. To avoid cold starts, set min_workers to 1 or more.', commands: [apiUpdate(s, { min_workers: 1 })] },
        [`kubectl -n ${s.namespace} describe scaledobject ${so?.metadata.name ?? s.k8sName}`],
      );
    }
    return verdict(
      'UNKNOWN',
      `${kind} ${w?.metadata.name} has 0 replicas and nothing scales it (no KEDA ScaledObject with minReplicaCount 0, no min_workers 0): someone scaled it down by hand.`,
      d ? [field(d, kind, 'spec.replicas', 0)] : [],
      { summary: 'Scale it back, or update the endpoint so the builder re-applies its replica count.', commands: [`kubectl -n ${s.namespace} scale deploy ${w?.metadata.name} --replicas=1`, apiUpdate(s, {})] },
    );
  }

  const rss = replicaSetsOf(w, f.replicaSets);
  const current = rss[0];
  const currentPods = current ? f.pods.filter((p) => p.metadata.ownerReferences?.some((o) => o.name === current.metadata.name)) : f.pods;
  const pods = currentPods.length > 0 ? currentPods : f.pods;
  const deploymentEv: Evidence[] = d ? [field(d, kind, 'status.availableReplicas', available), field(d, kind, 'spec.replicas', desired)] : [];

  // Pods that cannot be created at all come first: nothing below can explain a missing pod.
  const rsV = current && currentPods.length < (current.spec?.replicas ?? desired) ? replicaSetVerdict(f, s, current) : undefined;
  const podVs = pods.map((p) => ({ pod: p, v: podVerdict(f, s, p, now) }));
  const faults = podVs.filter((x) => x.v.cause !== 'HEALTHY').sort((a, b) => rankOf(a.v.cause) - rankOf(b.v.cause));

  if (available >= desired) {
    // Serving. A stuck rollout (new pods failing while old ones serve) is still worth saying.
    const newFault = faults.find((x) => isFault(x.v.cause));
    if (record?.status === 'UPDATE_FAILED') {
      return verdict('BUILD_FAILED', `The last update of the endpoint failed${record.status_reason ? `: ${record.status_reason}` : ''}; it still serves ${available}/${desired} worker(s) from its previous version.`, deploymentEv, { summary: 'Fix what status_reason names and update the endpoint again.', commands: [`kubectl -n ${s.cpNamespace} logs deploy/${BUILDER_DEPLOYMENT} --tail=500`] });
    }
    if (record && (record.status === 'UPDATE_PENDING' || record.status === 'UPDATE_IN_PROGRESS') && record.last_updated_at && now - ms(/Z$|[+-]\d\d:\d\d$/.test(record.last_updated_at) ? record.last_updated_at : `${record.last_updated_at}Z`) > BUILD_PENDING_GRACE_MS) {
      return verdict(
        'BUILD_PENDING',
        `The endpoint serves ${available}/${desired} worker(s), but its update has been ${record.status} since ${record.last_updated_at}: the builder has not applied it.`,
        deploymentEv,
        { summary: 'Make the endpoint builder consume its queue (is it running? same broker as the gateway?).', commands: [`kubectl -n ${s.cpNamespace} get deploy,pods -l app=${BUILDER_DEPLOYMENT}`, `kubectl -n ${s.cpNamespace} logs deploy/${BUILDER_DEPLOYMENT} --tail=500`, queueCommand(f)] },
      );
    }
    if (newFault && rss.length > 1) {
      return { ...newFault.v, summary: `The endpoint still serves ${available}/${desired} worker(s) from ReplicaSet ${rss.find((r) => (r.status?.availableReplicas ?? 0) > 0)?.metadata.name ?? 'the previous one'}, but its update is stuck: ${newFault.v.summary}` };
    }
    return verdict('HEALTHY', `${available}/${desired} worker(s) available; the endpoint is serving.`, deploymentEv, { summary: 'Nothing to do.' });
  }

  const partial = available > 0 ? `${available}/${desired} worker(s) available. ` : '';
  const pick = (x: Verdict): Verdict => {
    const others = faults.filter((y) => y.v !== x && y.v.cause !== x.cause && isFault(y.v.cause)).map((y) => `${y.pod.metadata.name}: ${y.v.cause}`);
    return { ...x, summary: `${partial}${x.summary}${others.length ? ` Also: ${others.slice(0, 3).join(', ')}.` : ''}`, evidence: [...deploymentEv, ...x.evidence] };
  };
  if (rsV) return pick(rsV);
  const top = faults[0];
  if (top) return pick(top.v);
  // No pods, no FailedCreate (or every pod ready but the Deployment not yet counting them).
  if (pods.length > 0) {
    return pick(verdict('STARTING', `Every pod is ready; the ${kind} has not counted them as available yet (minReadySeconds or a status lag).`, [], { summary: 'Nothing to fix yet.' }));
  }
  const progressing = d?.status?.conditions?.find((c) => c.type === 'Progressing');
  return pick(
    verdict(
      'UNKNOWN',
      `${kind} ${w?.metadata.name} wants ${desired} replica(s) but has no pods${current ? ` (ReplicaSet ${current.metadata.name} records no failure)` : ' and no ReplicaSet'}${progressing?.message ? `: ${oneLine(progressing.message)}` : ''}.`,
      [...(progressing ? [field(d!, kind, 'status.conditions[Progressing]', `${progressing.reason}: ${oneLine(progressing.message)}`)] : [])],
      { summary: 'Describe the Deployment and its ReplicaSet; check the controller-manager.', commands: [`kubectl -n ${s.namespace} describe deploy ${w?.metadata.name}`] },
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Triage's row.

/** How model-engine deployed it: async (celery forwarder), streaming, or sync. */
export function endpointType(f: EndpointFacts): EndpointRow['type'] {
  const d = f.deployments[0];
  const spec = d?.spec?.template?.spec ?? f.pods[0]?.spec;
  if (!spec && !f.leaderWorkerSets[0]) return 'unknown';
  if (f.leaderWorkerSets[0]) return 'streaming';
  if (d?.metadata.annotations?.['celery.scaleml.autoscaler/queue'] || spec?.containers.some((c) => c.name === 'celery-forwarder')) return 'async';
  const fwd = spec?.containers.find((c) => c.name === 'http-forwarder');
  if (fwd && [...(fwd.command ?? []), ...(fwd.args ?? [])].some((a) => a.startsWith('forwarder.stream.predict_route'))) return 'streaming';
  return fwd ? 'sync' : 'unknown';
}

export function endpointRow(f: EndpointFacts, d: Diagnosis): EndpointRow {
  const w = (f.deployments[0] ?? f.leaderWorkerSets[0]) as Deployment | undefined;
  const spec = w?.spec?.template?.spec ?? f.pods[0]?.spec;
  const gpuType = spec?.nodeSelector?.[ACCELERATOR_LABEL];
  return {
    ...(d.endpoint.id ? { id: d.endpoint.id } : {}),
    ...(d.endpoint.name ? { name: d.endpoint.name } : {}),
    namespace: d.endpoint.namespace,
    type: endpointType(f),
    ...(gpuType ? { gpuType } : {}),
    desired: w?.spec?.replicas ?? f.pods.length,
    ready: w ? (w.status?.availableReplicas ?? (w.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) : f.pods.filter(podReady).length,
    cause: d.cause,
    summary: d.summary,
  };
}
