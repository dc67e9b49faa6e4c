/**
 * Narrow views of the Kubernetes objects checks read, plus small pure helpers. Only the fields the doctor
 * uses are typed; everything else stays `unknown` on the open object.
 */
import type { KubeObject, ObjectRef } from './types.js';

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  envFrom?: Record<string, unknown>[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  readinessProbe?: Record<string, unknown>;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  affinity?: Record<string, unknown>;
  priorityClassName?: string;
  serviceAccountName?: string;
  serviceAccount?: string;
  imagePullSecrets?: { name: string }[];
  nodeName?: string;
  volumes?: Record<string, unknown>[];
}

export interface ContainerStatus {
  name: string;
  image?: string;
  imageID?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { reason?: string; message?: string; exitCode?: number; finishedAt?: string };
  };
  lastState?: ContainerStatus['state'];
}

export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    startTime?: string;
    hostIP?: string;
  };
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    updatedReplicas?: number;
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string }[];
  };
}

export interface Node extends KubeObject {
  spec?: { providerID?: string; taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    nodeInfo?: Record<string, string>;
  };
}

export interface KubeEvent extends KubeObject {
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** `{kind, namespace, name}` of an object. */
export function refOf(obj: KubeObject, kind?: string): ObjectRef {
  return {
    kind: kind ?? obj.kind ?? 'Object',
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The time an event last happened, whichever field the cluster filled. */
export function eventTime(e: KubeEvent): string | undefined {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
}

export function podServiceAccount(pod: Pod): string {
  return pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? 'default';
}

/** Split an image reference into registry host, repository path, tag and digest. */
export function parseImageRef(ref: string): { registry: string; repository: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.split('/')[0]!;
  let registry = 'docker.io';
  let repository = rest;
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repository = rest.slice(first.length + 1);
  }
  // Docker Hub by any of its names is `docker.io`, and its one-part names are official images under `library/`
  // (`docker.io/nginx` is `registry-1.docker.io/library/nginx`), as docker's reference parsing normalises them.
  if (/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/i.test(registry)) {
    registry = 'docker.io';
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (!tag && !digest) tag = 'latest';
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}
