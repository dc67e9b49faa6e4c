/**
 * Server-side printing: the `meta.k8s.io/v1 Table` kubectl asks for (`Accept: …;as=Table;…`), with the columns
 * the real API server prints for the kinds a doctor looks at and Name/Age for the rest. Ages are computed
 * against the snapshot's time, so `kubectl get pods` shows the cluster as it was when collected.
 */
import type { KubeObject } from '../../engine/types.js';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[];
  rows: { cells: unknown[]; object?: unknown }[];
}

/** Go's `duration.HumanDuration` (k8s.io/apimachinery), which kubectl's AGE column uses. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function age(ts: unknown, now: Date): string {
  if (typeof ts !== 'string' || !ts) return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now.getTime() - t);
}

const col = (name: string, type: TableColumn['type'] = 'string', priority = 0, format = ''): TableColumn => ({
  name,
  type,
  format,
  description: '',
  priority,
});
const NAME = { ...col('Name', 'string', 0, 'name'), description: 'Name must be unique within a namespace.' };
const AGE = { ...col('Age'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };

type Obj = Record<string, any>;

interface Printer {
  columns: TableColumn[];
  cells(o: Obj, now: Date): unknown[];
}

const none = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : v);

/** The pod STATUS column, following kubectl's printPod (init containers, waiting/terminated reasons, Terminating). */
export function podStatus(pod: Obj, now: Date): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  let reason: string = st.reason || st.phase || 'Unknown';
  let restarts = 0;
  let lastRestart = 0;
  let initializing = false;
  const initStatuses: Obj[] = st.initContainerStatuses ?? [];
  initStatuses.forEach((c, i) => {
    if (initializing) return;
    restarts += c.restartCount ?? 0;
    const term = c.state?.terminated;
    if (term && term.exitCode === 0) return;
    if (c.started && c.state?.running && spec.initContainers?.[i]?.restartPolicy === 'Always') return; // sidecar
    if (term) reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
  });
  let ready = 0;
  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const statuses: Obj[] = st.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      const finished = c.lastState?.terminated?.finishedAt;
      if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished) || 0);
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) {
        const t = c.state.terminated;
        reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (st.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  const restartStr =
    restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)` : String(restarts);
  return { ready: `${ready}/${(spec.containers ?? []).length}`, status: reason, restarts: restartStr };
}

function nodeStatus(node: Obj): string {
  const ready = (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const parts = [ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

const PRINTERS: Record<string, Printer> = {
  '/Pod': {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts'),
      AGE,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    cells: (o, now) => {
      const s = podStatus(o, now);
      const gates: Obj[] = o.spec?.readinessGates ?? [];
      const gateText = gates.length
        ? `${gates.filter((g) => (o.status?.conditions ?? []).some((c: Obj) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`
        : '<none>';
      return [
        o.metadata.name,
        s.ready,
        s.status,
        s.restarts,
        age(o.metadata.creationTimestamp, now),
        none(o.status?.podIP),
        none(o.spec?.nodeName),
        none(o.status?.nominatedNodeName),
        gateText,
      ];
    },
  },
  '/Node': {
    columns: [
      NAME,
      col('Status'),
      col('Roles'),
      AGE,
      col('Version'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1),
    ],
    cells: (o, now) => {
      const addr = (t: string) => none((o.status?.addresses ?? []).find((a: Obj) => a.type === t)?.address);
      const info = o.status?.nodeInfo ?? {};
      return [
        o.metadata.name,
        nodeStatus(o),
        nodeRoles(o),
        age(o.metadata.creationTimestamp, now),
        info.kubeletVersion ?? '',
        addr('InternalIP'),
        addr('ExternalIP'),
        none(info.osImage),
        none(info.kernelVersion),
        none(info.containerRuntimeVersion),
      ];
    },
  },
  '/Namespace': {
    columns: [NAME, col('Status'), AGE],
    cells: (o, now) => [o.metadata.name, o.status?.phase ?? '', age(o.metadata.creationTimestamp, now)],
  },
  '/ConfigMap': {
    columns: [NAME, col('Data', 'integer'), AGE],
    cells: (o, now) => [
      o.metadata.name,
      Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length,
      age(o.metadata.creationTimestamp, now),
    ],
  },
  '/Event': {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'integer', 1),
      col('Name', 'string', 1),
    ],
    cells: (o, now) => {
      const first = age(o.firstTimestamp ?? o.eventTime, now);
      const last = o.series?.lastObservedTime ? age(o.series.lastObservedTime, now) : o.lastTimestamp ? age(o.lastTimestamp, now) : first;
      const io = o.involvedObject ?? {};
      const target = io.name ? `${String(io.kind ?? '').toLowerCase()}/${io.name}` : String(io.kind ?? '').toLowerCase();
      const source = [o.source?.component ?? o.reportingComponent, o.source?.host ?? o.reportingInstance].filter(Boolean).join(', ');
      return [
        last,
        o.type ?? '',
        o.reason ?? '',
        target,
        io.fieldPath ?? '',
        source,
        String(o.message ?? '').trim(),
        first,
        o.series?.count ?? o.count ?? 1,
        o.metadata.name,
      ];
    },
  },
  'apps/Deployment': {
    columns: [
      NAME,
      col('Ready'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (o, now) => {
      const containers: Obj[] = o.spec?.template?.spec?.containers ?? [];
      const sel = Object.entries<string>(o.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
      return [
        o.metadata.name,
        `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`,
        o.status?.updatedReplicas ?? 0,
        o.status?.availableReplicas ?? 0,
        age(o.metadata.creationTimestamp, now),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image).join(','),
        sel.join(',') || '<none>',
      ];
    },
  },
};

/** kubectl's TARGETS cell: `formatHPAMetrics` (pkg/printers/internalversion/printers.go), at most two, then "+ N more...". */
function hpaTargets(specs: Obj[], statuses: Obj[]): string {
  if (!specs.length) return '<none>';
  const q = (v: unknown) => (v === undefined || v === null ? '<unknown>' : String(v));
  const list = specs.map((spec, i) => {
    const st: Obj = statuses[i] ?? {};
    switch (spec.type) {
      case 'External':
      case 'Object': {
        const key = spec.type === 'External' ? 'external' : 'object';
        const target = spec[key]?.target ?? {};
        if (target.averageValue !== undefined) return `${q(st[key]?.current?.averageValue)}/${target.averageValue} (avg)`;
        return `${st[key] ? q(st[key].current?.value) : '<unknown>'}/${q(target.value)}`;
      }
      case 'Pods':
        return `${st.pods ? q(st.pods.current?.averageValue) : '<unknown>'}/${q(spec.pods?.target?.averageValue)}`;
      case 'Resource':
      case 'ContainerResource': {
        const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const target = spec[key]?.target ?? {};
        const name = spec[key]?.name ?? '';
        if (target.averageValue !== undefined) return `${name}: ${st[key] ? q(st[key].current?.averageValue) : '<unknown>'}/${target.averageValue}`;
        const current = st[key]?.current?.averageUtilization;
        return `${name}: ${current === undefined ? '<unknown>' : `${current}%`}/${target.averageUtilization === undefined ? '<auto>' : `${target.averageUtilization}%`}`;
      }
      default:
        return '<unknown type>';
    }
  });
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

PRINTERS['autoscaling/HorizontalPodAutoscaler'] = {
  columns: [NAME, col('Reference'), col('Targets'), col('MinPods'), col('MaxPods'), col('Replicas'), AGE],
  cells: (o, now) => [
    o.metadata.name,
    `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`,
    hpaTargets(o.spec?.metrics ?? [], o.status?.currentMetrics ?? []),
    o.spec?.minReplicas === undefined ? '<unset>' : String(o.spec.minReplicas),
    o.spec?.maxReplicas ?? 0,
    o.status?.currentReplicas ?? 0,
    age(o.metadata.creationTimestamp, now),
  ],
};

// --- a JSONPath subset, for CRD additionalPrinterColumns ------------------------------------------

type Step = { key: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

function parseJsonPath(expr: string): Step[] | undefined {
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\[\*\]|\['([^']+)'\]|\[\?\(@\.([\w.]+)\s*==\s*["']([^"']*)["']\)\]/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < expr.length) {
    re.lastIndex = pos;
    m = re.exec(expr);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ key: m[3] });
    else if (m[4] !== undefined) steps.push({ filter: { path: m[4].split('.'), value: m[5]! } });
    else steps.push({ all: true });
    pos = re.lastIndex;
  }
  return steps;
}

/** Values an `additionalPrinterColumns[].jsonPath` selects (simple paths, `[n]`, `[*]`, `[?(@.k=="v")]`). */
export function jsonPathValues(obj: unknown, expr: string): unknown[] {
  const steps = parseJsonPath(expr.trim().replace(/^\{|\}$/g, '').replace(/^\$/, ''));
  if (!steps) return [];
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if ('key' in s) next.push((v as Obj)[s.key]);
      else if ('index' in s) next.push(Array.isArray(v) ? v[s.index] : undefined);
      else if ('all' in s) next.push(...(Array.isArray(v) ? v : Object.values(v)));
      else if (Array.isArray(v)) {
        next.push(
          ...v.filter((e) => {
            let x: unknown = e;
            for (const k of s.filter.path) x = x && typeof x === 'object' ? (x as Obj)[k] : undefined;
            return String(x) === s.filter.value;
          }),
        );
      }
    }
    cur = next.filter((x) => x !== undefined);
  }
  return cur;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
  format?: string;
  description?: string;
}

function crdPrinter(columns: readonly PrinterColumn[]): Printer {
  return {
    columns: [
      NAME,
      ...columns.map((c) => ({
        name: c.name,
        type: (c.type === 'date' ? 'date' : c.type) as TableColumn['type'],
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    cells: (o, now) => [
      o.metadata.name,
      ...columns.map((c) => {
        const vals = jsonPathValues(o, c.jsonPath);
        if (vals.length === 0) return null;
        if (c.type === 'date') return age(vals[0], now);
        if (c.type === 'string') return vals.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
        return vals[0];
      }),
    ],
  };
}

const DEFAULT: Printer = { columns: [NAME, AGE], cells: (o, now) => [o.metadata.name, age(o.metadata.creationTimestamp, now)] };

export interface TableOptions {
  now: Date;
  /** `includeObject`: None, Metadata (default, as the real server) or Object. */
  includeObject?: string;
  /** The CRD's printer columns, for custom resources. */
  printerColumns?: readonly PrinterColumn[];
  /** Omit the column definitions (watch events after the first, as the real server does). */
  omitColumns?: boolean;
  metadata?: Table['metadata'];
}

/** Render objects of one kind as a Table. */
export function toTable(group: string, kind: string, items: readonly KubeObject[], opts: TableOptions): Table {
  const printer = PRINTERS[`${group}/${kind}`] ?? (opts.printerColumns?.length ? crdPrinter(opts.printerColumns) : DEFAULT);
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.metadata ?? {},
    columnDefinitions: opts.omitColumns ? [] : printer.columns,
    rows: items.map((o) => ({
      cells: printer.cells(o as Obj, opts.now),
      ...(include === 'None'
        ? {}
        : include === 'Object'
          ? { object: o }
          : { object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}
