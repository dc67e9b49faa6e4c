/**
 * Safe reads of data someone else wrote: Kubernetes objects from a snapshot (possibly hand-made, possibly hostile),
 * JSON from a tool, values. Two halves:
 *
 * - accessors ({@link get}, {@link str}, {@link num}, {@link list}, {@link records}, {@link strMap}, …) that answer
 *   `undefined` or an empty value when a field is missing or of the wrong type, instead of an `as` cast that lets
 *   `x.map is not a function` escape into a result;
 * - {@link conformObject}, the typed reader for Kubernetes objects: it makes the narrow views of
 *   `kube-types.ts` (`Pod`, `Deployment`, `Node`, `KubeEvent`, …) true of an object by dropping the fields they
 *   declare when the value has the wrong type (and turning numbers into strings where Kubernetes means a string,
 *   such as resource quantities), so the checks that read those views never meet a wrong type. Snapshot loading
 *   applies it to every object; it reports what it dropped.
 */
import type { PodSpec } from './kube-types.js';
import type { KubeObject } from './types.js';

export type Rec = Record<string, unknown>;

export const isRecord = (x: unknown): x is Rec => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `get(obj, 'spec', 'template', 'spec')`: the value at a path, or undefined when any step is missing or not a map/list. */
export function get(value: unknown, ...path: (string | number)[]): unknown {
  let cur = value;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[step];
    } else {
      if (!isRecord(cur) || !Object.hasOwn(cur, step)) return undefined;
      cur = cur[step];
    }
  }
  return cur;
}

export const str = (value: unknown, ...path: (string | number)[]): string | undefined => {
  const v = get(value, ...path);
  return typeof v === 'string' ? v : undefined;
};

export const num = (value: unknown, ...path: (string | number)[]): number | undefined => {
  const v = get(value, ...path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

export const bool = (value: unknown, ...path: (string | number)[]): boolean | undefined => {
  const v = get(value, ...path);
  return typeof v === 'boolean' ? v : undefined;
};

export const rec = (value: unknown, ...path: (string | number)[]): Rec | undefined => {
  const v = get(value, ...path);
  return isRecord(v) ? v : undefined;
};

/** The list at a path, or `[]`. */
export const list = (value: unknown, ...path: (string | number)[]): unknown[] => {
  const v = get(value, ...path);
  return Array.isArray(v) ? v : [];
};

/** The maps in the list at a path (other items left out), or `[]`. */
export const records = (value: unknown, ...path: (string | number)[]): Rec[] => list(value, ...path).filter(isRecord);

/** The strings in the list at a path, or `[]`. */
export const strings = (value: unknown, ...path: (string | number)[]): string[] => list(value, ...path).filter((v): v is string => typeof v === 'string');

/** The map at a path with its string values only (numbers and booleans as their text), or `{}`. */
export function strMap(value: unknown, ...path: (string | number)[]): Record<string, string> {
  const m = rec(value, ...path);
  const out: Record<string, string> = {};
  if (!m) return out;
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

// ─── the typed reader ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The shape of a field as the narrow views declare it. `text` accepts numbers and booleans as their text (Kubernetes
 * quantities, label values); `textMap` is a map of those. An object shape lists the fields it knows; other fields
 * pass untouched.
 */
type Shape =
  | 'string'
  | 'text'
  | 'number'
  | 'boolean'
  | 'map'
  | 'list'
  | 'textMap'
  | 'intOrString'
  | { fields: Record<string, Shape>; required?: boolean }
  | { items: Shape; required?: boolean }
  | { need: Shape };

const obj = (fields: Record<string, Shape>, required = false): Shape => ({ fields, required });
const listOf = (items: Shape, required = false): Shape => ({ items, required });
/** A field an item cannot do without (a container's `name`, a condition's `type`): an item without it is dropped. */
const need = (shape: Shape): Shape => ({ need: shape });

const CONDITION = obj({ type: need('string'), status: need('string'), reason: 'string', message: 'string', lastTransitionTime: 'string', lastUpdateTime: 'string' });
const NAME_REF = obj({ name: need('string') });
const STATE = obj({
  waiting: obj({ reason: 'string', message: 'string' }),
  running: obj({ startedAt: 'string' }),
  terminated: obj({ reason: 'string', message: 'string', exitCode: 'number', signal: 'number', startedAt: 'string', finishedAt: 'string' }),
});
const CONTAINER_STATUS = obj({ name: need('string'), image: 'string', imageID: 'string', ready: 'boolean', started: 'boolean', restartCount: 'number', state: STATE, lastState: STATE });
const PROBE = obj({ httpGet: obj({ path: 'string', port: 'intOrString', scheme: 'string' }), tcpSocket: obj({ port: 'intOrString' }), exec: obj({ command: listOf('string') }), initialDelaySeconds: 'number', periodSeconds: 'number', timeoutSeconds: 'number', failureThreshold: 'number', successThreshold: 'number' });
const CONTAINER = obj({
  name: need('string'),
  image: 'string',
  imagePullPolicy: 'string',
  command: listOf('text'),
  args: listOf('text'),
  workingDir: 'string',
  env: listOf(obj({ name: need('string'), value: 'text', valueFrom: obj({ secretKeyRef: obj({ name: 'string', key: 'string', optional: 'boolean' }), configMapKeyRef: obj({ name: 'string', key: 'string', optional: 'boolean' }), fieldRef: obj({ fieldPath: 'string' }) }) })),
  envFrom: listOf(obj({ secretRef: NAME_REF, configMapRef: NAME_REF, prefix: 'string' })),
  resources: obj({ requests: 'textMap', limits: 'textMap' }),
  volumeMounts: listOf(obj({ name: need('string'), mountPath: need('string'), subPath: 'string', readOnly: 'boolean' })),
  ports: listOf(obj({ name: 'string', containerPort: 'number', protocol: 'string' })),
  readinessProbe: PROBE,
  livenessProbe: PROBE,
  startupProbe: PROBE,
  securityContext: 'map',
});
const SELECTOR_REQ = obj({ key: 'string', operator: 'string', values: listOf('text') });
const POD_SPEC = obj(
  {
    containers: listOf(CONTAINER, true),
    initContainers: listOf(CONTAINER),
    nodeSelector: 'textMap',
    tolerations: listOf(obj({ key: 'string', operator: 'string', value: 'text', effect: 'string', tolerationSeconds: 'number' })),
    affinity: obj({
      nodeAffinity: obj({
        requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: listOf(obj({ matchExpressions: listOf(SELECTOR_REQ), matchFields: listOf(SELECTOR_REQ) })) }),
        preferredDuringSchedulingIgnoredDuringExecution: listOf(obj({ weight: 'number', preference: obj({ matchExpressions: listOf(SELECTOR_REQ) }) })),
      }),
      podAffinity: 'map',
      podAntiAffinity: 'map',
    }),
    priorityClassName: 'string',
    priority: 'number',
    serviceAccountName: 'string',
    serviceAccount: 'string',
    automountServiceAccountToken: 'boolean',
    imagePullSecrets: listOf(NAME_REF),
    nodeName: 'string',
    schedulerName: 'string',
    hostNetwork: 'boolean',
    runtimeClassName: 'string',
    volumes: listOf(
      obj({
        name: 'string',
        secret: obj({ secretName: 'string', optional: 'boolean' }),
        configMap: obj({ name: 'string', optional: 'boolean' }),
        persistentVolumeClaim: obj({ claimName: 'string' }),
        projected: obj({ sources: listOf('map') }),
      }),
    ),
  },
  true,
);
const LABEL_SELECTOR = obj({ matchLabels: 'textMap', matchExpressions: listOf(SELECTOR_REQ) });
const TEMPLATE = obj({ metadata: obj({ labels: 'textMap', annotations: 'textMap' }), spec: POD_SPEC }, true);
const WORKLOAD_STATUS = obj({
  replicas: 'number',
  readyReplicas: 'number',
  availableReplicas: 'number',
  unavailableReplicas: 'number',
  updatedReplicas: 'number',
  currentReplicas: 'number',
  observedGeneration: 'number',
  numberReady: 'number',
  numberAvailable: 'number',
  numberUnavailable: 'number',
  desiredNumberScheduled: 'number',
  currentNumberScheduled: 'number',
  active: 'number',
  succeeded: 'number',
  failed: 'number',
  conditions: listOf(CONDITION),
});
const WORKLOAD = { spec: obj({ replicas: 'number', selector: LABEL_SELECTOR, template: TEMPLATE, backoffLimit: 'number' }, true), status: WORKLOAD_STATUS };

const METADATA = obj(
  {
    name: 'string',
    namespace: 'string',
    uid: 'string',
    resourceVersion: 'string',
    generation: 'number',
    creationTimestamp: 'string',
    deletionTimestamp: 'string',
    labels: 'textMap',
    annotations: 'textMap',
    finalizers: listOf('string'),
    ownerReferences: listOf(obj({ apiVersion: 'string', kind: need('string'), name: need('string'), uid: 'string', controller: 'boolean' })),
    managedFields: listOf(obj({ manager: 'string', operation: 'string', time: 'string', fieldsV1: 'map' })),
  },
  true,
);

/** What each kind's narrow view declares, beyond `metadata`. */
const KIND_SHAPES: Record<string, Record<string, Shape>> = {
  Pod: {
    spec: POD_SPEC,
    status: obj({
      phase: 'string',
      reason: 'string',
      message: 'string',
      nominatedNodeName: 'string',
      conditions: listOf(CONDITION),
      containerStatuses: listOf(CONTAINER_STATUS),
      initContainerStatuses: listOf(CONTAINER_STATUS),
      startTime: 'string',
      hostIP: 'string',
      podIP: 'string',
      qosClass: 'string',
    }),
  },
  Deployment: WORKLOAD,
  StatefulSet: WORKLOAD,
  ReplicaSet: WORKLOAD,
  DaemonSet: WORKLOAD,
  Job: WORKLOAD,
  Node: {
    spec: obj({ providerID: 'string', unschedulable: 'boolean', taints: listOf(obj({ key: need('string'), value: 'text', effect: need('string') })) }),
    status: obj({ capacity: 'textMap', allocatable: 'textMap', conditions: listOf(CONDITION), nodeInfo: 'textMap', addresses: listOf(obj({ type: 'string', address: 'string' })) }),
  },
  Event: {
    involvedObject: obj({ kind: 'string', name: 'string', namespace: 'string', uid: 'string', fieldPath: 'string', apiVersion: 'string' }, true),
    reason: 'string',
    message: 'string',
    type: 'string',
    count: 'number',
    firstTimestamp: 'string',
    lastTimestamp: 'string',
    eventTime: 'string',
    reportingComponent: 'string',
    reportingController: 'string',
    source: obj({ component: 'string', host: 'string' }),
    series: obj({ count: 'number', lastObservedTime: 'string' }),
  },
  ConfigMap: { data: 'textMap', binaryData: 'textMap' },
  Secret: { type: 'string', data: 'textMap', stringData: 'textMap' },
  Service: {
    spec: obj({ type: 'string', clusterIP: 'string', selector: 'textMap', ports: listOf(obj({ name: 'string', port: 'number', targetPort: 'intOrString', protocol: 'string', nodePort: 'number' })) }),
  },
  ServiceAccount: { secrets: listOf(NAME_REF), imagePullSecrets: listOf(NAME_REF), automountServiceAccountToken: 'boolean' },
  Namespace: { status: obj({ phase: 'string' }) },
  PriorityClass: { value: 'number', globalDefault: 'boolean', preemptionPolicy: 'string' },
  PersistentVolumeClaim: { spec: obj({ storageClassName: 'string', accessModes: listOf('string'), volumeName: 'string', resources: obj({ requests: 'textMap' }) }), status: obj({ phase: 'string' }) },
  ResourceQuota: { spec: obj({ hard: 'textMap' }), status: obj({ hard: 'textMap', used: 'textMap' }) },
  HorizontalPodAutoscaler: { spec: obj({ minReplicas: 'number', maxReplicas: 'number', scaleTargetRef: obj({ kind: 'string', name: 'string', apiVersion: 'string' }) }), status: obj({ currentReplicas: 'number', desiredReplicas: 'number', conditions: listOf(CONDITION) }) },
  PodDisruptionBudget: { spec: obj({ selector: LABEL_SELECTOR, minAvailable: 'intOrString', maxUnavailable: 'intOrString' }) },
  ScaledObject: {
    spec: obj({
      minReplicaCount: 'number',
      maxReplicaCount: 'number',
      scaleTargetRef: obj({ name: 'string', kind: 'string', apiVersion: 'string' }),
      triggers: listOf(obj({ type: need('string'), name: 'string', metadata: 'textMap', authenticationRef: obj({ name: 'string', kind: 'string' }) })),
      fallback: obj({ failureThreshold: 'number', replicas: 'number' }),
    }),
    status: obj({ conditions: listOf(CONDITION), lastActiveTime: 'string' }),
  },
  TriggerAuthentication: { spec: obj({ secretTargetRef: listOf(obj({ parameter: 'string', name: 'string', key: 'string' })), podIdentity: obj({ provider: 'string', identityId: 'string', identityTenantId: 'string' }) }) },
  CustomResourceDefinition: {
    spec: obj({
      group: 'string',
      scope: 'string',
      names: obj({ kind: 'string', plural: 'string', singular: 'string', shortNames: listOf('string') }),
      versions: listOf(obj({ name: need('string'), served: 'boolean', storage: 'boolean' })),
    }),
    status: obj({ conditions: listOf(CONDITION) }),
  },
  LeaderWorkerSet: {
    // `template` is no LeaderWorkerSet field, but the endpoint doctor reads a LeaderWorkerSet through the Deployment
    // view, which looks for it: one that is there must be a pod template too.
    spec: obj({ replicas: 'number', leaderWorkerTemplate: obj({ size: 'number', leaderTemplate: obj({ spec: POD_SPEC }), workerTemplate: obj({ spec: POD_SPEC }) }), template: obj({ metadata: obj({ labels: 'textMap', annotations: 'textMap' }), spec: POD_SPEC }) }),
    status: WORKLOAD_STATUS,
  },
  StorageClass: { provisioner: 'string', parameters: 'textMap', volumeBindingMode: 'string' },
  MutatingWebhookConfiguration: { webhooks: listOf(obj({ name: need('string'), failurePolicy: 'string', clientConfig: obj({ service: obj({ name: 'string', namespace: 'string', path: 'string', port: 'number' }), url: 'string', caBundle: 'string' }), namespaceSelector: LABEL_SELECTOR, objectSelector: LABEL_SELECTOR })) },
  APIService: { spec: obj({ service: obj({ name: 'string', namespace: 'string' }), group: 'string', version: 'string' }), status: obj({ conditions: listOf(CONDITION) }) },
};

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `a ${typeof v}`;
}

function expected(shape: Shape): string {
  if (typeof shape === 'object' && 'need' in shape) return expected(shape.need);
  if (typeof shape === 'string') {
    return ({ string: 'a string', text: 'a string', number: 'a number', boolean: 'true or false', map: 'a map', list: 'a list', textMap: 'a map of strings', intOrString: 'a number or a string' } as const)[shape];
  }
  return 'items' in shape ? 'a list' : 'a map';
}

/** The value conformed to `shape`, or `undefined` when it cannot be (the field is then dropped). */
function conform(v: unknown, shape: Shape, path: string, problems: string[]): unknown {
  const drop = () => {
    if (v !== null && v !== undefined) problems.push(`${path} is ${typeName(v)}, not ${expected(shape)}`);
    return undefined;
  };
  if (typeof shape === 'string') {
    switch (shape) {
      case 'string':
        return typeof v === 'string' ? v : drop();
      case 'text':
        return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : drop();
      case 'number':
        return typeof v === 'number' && Number.isFinite(v) ? v : drop();
      case 'boolean':
        return typeof v === 'boolean' ? v : drop();
      case 'intOrString':
        return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : drop();
      case 'map':
        return isRecord(v) ? v : drop();
      case 'list':
        return Array.isArray(v) ? v : drop();
      case 'textMap': {
        if (!isRecord(v)) return drop();
        const out: Record<string, string> = {};
        for (const [k, x] of Object.entries(v)) {
          const t = conform(x, 'text', `${path}.${k}`, problems);
          if (t !== undefined) out[k] = t as string;
        }
        return out;
      }
    }
  }
  if ('need' in shape) return conform(v, shape.need, path, problems);
  if ('items' in shape) {
    if (!Array.isArray(v)) return drop();
    const out: unknown[] = [];
    v.forEach((x, i) => {
      const c = conform(x, shape.items, `${path}[${i}]`, problems);
      if (c !== undefined) out.push(c);
    });
    return out;
  }
  if (!isRecord(v)) return drop();
  const out = conformFields(v, shape.fields, path, problems);
  // An item without a field it cannot do without is left out whole.
  for (const [k, f] of Object.entries(shape.fields)) {
    if (typeof f === 'object' && 'need' in f && out[k] === undefined) {
      problems.push(`${path} has no ${k}; left out`);
      return undefined;
    }
  }
  return out;
}

function conformFields(v: Rec, fields: Record<string, Shape>, path: string, problems: string[]): Rec {
  const out: Rec = { ...v };
  for (const [k, shape] of Object.entries(fields)) {
    const at = path ? `${path}.${k}` : k;
    // What a required part is when absent or unusable: empty (its own required parts empty too, unreported).
    const fallback = typeof shape !== 'object' || 'need' in shape || !shape.required ? undefined : 'fields' in shape ? () => conformFields({}, shape.fields, at, []) : () => [];
    if (!Object.hasOwn(v, k)) {
      if (fallback) {
        problems.push(`${at} is missing`);
        out[k] = fallback();
      }
      continue;
    }
    const c = conform(v[k], shape, at, problems);
    if (c === undefined) {
      if (fallback) out[k] = fallback();
      else delete out[k];
    } else {
      out[k] = c;
    }
  }
  return out;
}

/**
 * A Kubernetes object made true to the narrow views the checks read it through: fields of the wrong type are
 * dropped (and named in `problems`), quantities and label values given as numbers become strings, required parts
 * (`metadata`, a Pod's `spec`, an Event's `involvedObject`) exist. Fields the views do not declare pass untouched.
 */
export function conformObject(o: Rec, problems: string[] = []): KubeObject {
  const kind = typeof o.kind === 'string' ? o.kind : '';
  const shapes = { metadata: METADATA, ...(KIND_SHAPES[kind] ?? {}) };
  const out = conformFields(o, shapes, '', problems);
  // Typed lists give their items kind/apiVersion; anything else about metadata.name was checked by the caller.
  return out as KubeObject;
}

/**
 * A pod spec found where nothing validated it (a helm-rendered template, an endpoint template in a ConfigMap) made
 * true to the `PodSpec` view, as a Pod's spec in a snapshot is: wrong types read as absent, containers without a
 * name left out.
 */
export function conformPodSpec(spec: unknown, problems: string[] = []): PodSpec {
  return conform(isRecord(spec) ? spec : {}, POD_SPEC, 'spec', problems) as PodSpec;
}

/** The kinds {@link conformAs} knows a view of. */
export type ConformedKind = 'ScaledObject' | 'TriggerAuthentication' | 'LeaderWorkerSet' | 'CustomResourceDefinition' | 'APIService' | 'StatefulSet' | 'Deployment';

/**
 * An object read where nothing validated it — a custom resource served live (a CRD without a structural schema
 * accepts any field), a CRD or APIService a hand-made server answers — made true to its kind's view as a
 * snapshot's objects are ({@link conformObject}): a field of the wrong type is read as absent. `T` is the narrow
 * view the caller declares for `kind`; the shapes above are what make it true.
 */
export function conformAs<T extends KubeObject>(kind: ConformedKind, o: unknown): T {
  return conformObject({ ...(isRecord(o) ? o : {}), kind }) as T;
}
