import { defineCheck, fail, pass, refOf, skip, warn, type Evidence, type Finding, type KubePort, type Pod, type Severity } from '../../src/engine/index.js';
import { errorLines, matchLogSignature, type LogMatch } from '../../src/model-engine/log-signatures.js';

/** The control-plane workloads whose restarts and logs triage reads (facts §1.3). */
export const COMPONENTS = [
  { name: 'model-engine', role: 'gateway', critical: true, matches: (app: string) => app === 'model-engine' },
  { name: 'model-engine-endpoint-builder', role: 'endpoint builder', critical: true, matches: (app: string) => app === 'model-engine-endpoint-builder' },
  { name: 'model-engine-cacher', role: 'cacher', critical: false, matches: (app: string) => app === 'model-engine-cacher' },
  // StatefulSet celery-autoscaler-<celeryBrokerType>, only with celery_autoscaler.enabled.
  { name: 'celery-autoscaler', role: 'celery autoscaler', critical: false, matches: (app: string) => app.startsWith('celery-autoscaler-') },
] as const;

/** Log lines read per container: enough for the last traceback, little enough for a fast run. */
export const TAIL_LINES = 200;
/** Pods whose logs are read per component (the one that restarted most, then the next). */
export const PODS_PER_COMPONENT = 2;

export interface ComponentLogs {
  pod: string;
  container: string;
  previous: boolean;
  text: string;
}

export interface ComponentHealth {
  restarts: number;
  crashLooping: boolean;
  lastTermination?: { pod: string; container: string; reason?: string; exitCode?: number; finishedAt?: string };
  errors: { pod: string; container: string; previous: boolean; line: string; lineNumber: number }[];
  signature?: { match: LogMatch; pod: string; container: string; previous: boolean };
}

/** Judge one component from its pods and the logs read. Pure. */
export function componentHealth(pods: readonly Pod[], logs: readonly ComponentLogs[]): ComponentHealth {
  let restarts = 0;
  let crashLooping = false;
  let lastTermination: ComponentHealth['lastTermination'];
  for (const p of pods) {
    for (const cs of p.status?.containerStatuses ?? []) {
      restarts += cs.restartCount ?? 0;
      if (cs.state?.waiting?.reason === 'CrashLoopBackOff') crashLooping = true;
      const t = cs.lastState?.terminated;
      if (t && (!lastTermination || (t.finishedAt ?? '') > (lastTermination.finishedAt ?? ''))) {
        lastTermination = { pod: p.metadata.name, container: cs.name, ...(t.reason ? { reason: t.reason } : {}), ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}), ...(t.finishedAt ? { finishedAt: t.finishedAt } : {}) };
      }
    }
  }
  const errors: ComponentHealth['errors'] = [];
  let signature: ComponentHealth['signature'];
  for (const l of logs) {
    for (const e of errorLines(l.text)) errors.push({ pod: l.pod, container: l.container, previous: l.previous, ...e });
    const m = signature ? undefined : matchLogSignature(l.text);
    if (m) signature = { match: m, pod: l.pod, container: l.container, previous: l.previous };
  }
  return { restarts, crashLooping, ...(lastTermination ? { lastTermination } : {}), errors, ...(signature ? { signature } : {}) };
}

/** Which logs to read: current and (after a restart) previous, of the pods that restarted most. */
export function logsToRead(pods: readonly Pod[]): { pod: string; container: string; previous: boolean }[] {
  const ranked = [...pods].sort(
    (a, b) => (b.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0) - (a.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
  );
  const out: { pod: string; container: string; previous: boolean }[] = [];
  for (const p of ranked.slice(0, PODS_PER_COMPONENT)) {
    const cs = p.status?.containerStatuses?.[0];
    const container = p.spec.containers[0]?.name;
    if (!container) continue;
    if (cs?.state?.running || cs?.state?.terminated) out.push({ pod: p.metadata.name, container, previous: false });
    if ((cs?.restartCount ?? 0) > 0) out.push({ pod: p.metadata.name, container, previous: true });
  }
  return out;
}

async function readLogs(kube: KubePort, ns: string, wants: { pod: string; container: string; previous: boolean }[]): Promise<ComponentLogs[]> {
  const texts = await Promise.all(wants.map((w) => kube.logs(ns, w.pod, w.container, { tailLines: TAIL_LINES, previous: w.previous })));
  return wants.flatMap((w, i) => (texts[i] !== undefined ? [{ ...w, text: texts[i]! }] : []));
}

const logRef = (ns: string, e: { pod: string; container: string; previous: boolean; line: string; lineNumber: number }): Evidence => ({
  type: 'log',
  namespace: ns,
  pod: e.pod,
  container: e.previous ? `${e.container} (previous)` : e.container,
  line: e.line.length > 400 ? `${e.line.slice(0, 399)}…` : e.line,
  lineNumber: e.lineNumber,
});

export default defineCheck({
  meta: {
    id: 'control-plane/restarts-and-errors',
    title: 'Control-plane restarts and log errors',
    description: 'The gateway, builder, cacher and celery autoscaler are not restarting, and their recent logs hold no tracebacks or ERROR lines.',
    clouds: 'all',
    severity: 'medium',
    needs: ['kube', 'logs'],
    scopes: ['triage'],
    messages: {
      clean: '{{name}} ({{role}}): {{pods}} pod(s), no restarts, no error lines in the last {{tail}} log lines',
      crashLooping: '{{name}} ({{role}}) is crash-looping: {{restarts}} restart(s){{cause}}',
      errors: '{{name}} ({{role}}): {{restarts}} restart(s) and {{errors}} error line(s) in its recent logs{{cause}}',
      noPods: 'No control-plane pods in namespace {{namespace}}',
    },
  },
  async run(ctx) {
    const ns = ctx.namespaces.controlPlane;
    const kube = ctx.kube!;
    // The same list control-plane/deployments-available makes: one call for both on a live cluster.
    const pods = await kube.list<Pod>('pods', { namespace: ns });
    const out: Finding[] = [];
    for (const c of COMPONENTS) {
      const own = pods.filter((p) => c.matches(p.metadata.labels?.app ?? ''));
      if (own.length === 0) continue;
      const logs = await readLogs(kube, ns, logsToRead(own));
      const h = componentHealth(own, logs);
      const object = { kind: c.name === 'celery-autoscaler' ? 'StatefulSet' : 'Deployment', namespace: ns, name: c.name === 'celery-autoscaler' ? (own[0]!.metadata.labels?.app ?? c.name) : c.name };
      const cause = h.signature ? ` — ${h.signature.match.signature.title}: ${h.signature.match.match}` : '';
      const data = { name: object.name, role: c.role, pods: own.length, restarts: h.restarts, errors: h.errors.length, tail: TAIL_LINES, cause };
      if (!h.crashLooping && h.restarts === 0 && h.errors.length === 0) {
        out.push(pass('clean', { data, object }));
        continue;
      }
      const worst = own.find((p) => p.metadata.name === h.lastTermination?.pod) ?? own[0]!;
      const evidence: Evidence[] = [
        ...own
          .filter((p) => (p.status?.containerStatuses ?? []).some((cs) => (cs.restartCount ?? 0) > 0 || cs.state?.waiting))
          .slice(0, 3)
          .map((p): Evidence => {
            const cs = p.status!.containerStatuses![0]!;
            return { type: 'field', object: refOf(p, 'Pod'), path: `status.containerStatuses[${cs.name}]`, value: `restarts ${cs.restartCount ?? 0}${cs.state?.waiting?.reason ? `, ${cs.state.waiting.reason}` : ''}` };
          }),
        ...(h.lastTermination
          ? [{ type: 'field' as const, object: { kind: 'Pod', namespace: ns, name: h.lastTermination.pod }, path: `status.containerStatuses[${h.lastTermination.container}].lastState.terminated`, value: `${h.lastTermination.reason ?? '?'} (exit ${h.lastTermination.exitCode ?? '?'})${h.lastTermination.finishedAt ? ` at ${h.lastTermination.finishedAt}` : ''}` }]
          : []),
        ...(h.signature ? [logRef(ns, { pod: h.signature.pod, container: h.signature.container, previous: h.signature.previous, line: h.signature.match.line, lineNumber: h.signature.match.lineNumber })] : []),
        // The last error lines are the freshest; a traceback's last line names the exception.
        ...h.errors
          .filter((e) => e.line !== h.signature?.match.line)
          .slice(-4)
          .map((e) => logRef(ns, e)),
      ];
      const look = [`kubectl -n ${ns} logs ${worst.metadata.name} --tail=${TAIL_LINES}${h.restarts > 0 ? ' --previous' : ''}`, `kubectl -n ${ns} describe pod ${worst.metadata.name}`];
      const remediation = h.signature
        ? { summary: `${h.signature.match.signature.fix[0]!.toUpperCase()}${h.signature.match.signature.fix.slice(1)}.`, commands: look, docs: 'docs/checks/control-plane/restarts-and-errors.md#known-causes' }
        : { summary: `Read the ${c.role}'s log around the error lines and fix what they report.`, commands: look };
      const severity: Severity = h.crashLooping ? (c.critical ? 'high' : 'medium') : c.critical ? 'medium' : 'low';
      out.push(h.crashLooping ? fail('crashLooping', { data, object, severity, evidence, remediation }) : warn('errors', { data, object, severity, evidence, remediation }));
    }
    if (out.length === 0) return skip('noPods', { data: { namespace: ns } });
    return out;
  },
});
