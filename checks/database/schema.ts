import {
  defineCheck,
  fail,
  ifForbidden,
  pass,
  skip,
  warn,
  type CheckContext,
  type Deployment,
  type Evidence,
  type Finding,
  eventTime,
  type KubeEvent,
  type KubeObject,
  type Pod,
  rec,
} from '../../src/engine/index.js';
import { classifyFailedCreate } from '../../src/model-engine/k8s-messages.js';
import { helmHook } from '../../src/engine/ports/chart.js';
import { SERVICE_ACCOUNT_HOOK_VALUES } from '../chart/support/hook-order.js';

/**
 * model-engine's database schema (facts §10.3, #780 `ce86ee45`): the chart runs `run_database_migration.sh` in a
 * pre-install/pre-upgrade hook Job only when `db.runDbMigrationScript` is true (chart default true; values_sample
 * sets false), and the init script only with `db.runDbInitScript`. Both Jobs are deleted once every hook of the
 * phase succeeded (`hook-delete-policy: hook-succeeded`), so a Job still there failed, is still running, or
 * succeeded while a later hook of the same upgrade runs.
 */
const DOCS = 'docs/checks/database/schema.md';
const MIGRATION = 'db.runDbMigrationScript';
const INIT = 'db.runDbInitScript';
const GATEWAY = 'model-engine';
/** Columns and tables added by migrations since (#754, #840: `status_reason`). */
const RECENT_COLUMNS = '#754, #840 (status_reason)';
/** A hook Job pod waiting this long to start is stuck (the Job itself gives up after activeDeadlineSeconds: 600). */
const STUCK_AFTER_MS = 5 * 60_000;

/** psycopg / SQLAlchemy errors for a schema behind the code. */
export const SCHEMA_ERROR = /UndefinedColumn|UndefinedTable|(column|relation) "[^"]+"(?: of relation "[^"]+")? does not exist/;

interface Job extends KubeObject {
  spec?: { template?: { spec?: unknown } };
  status?: { active?: number; succeeded?: number; failed?: number; startTime?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export type JobKind = 'migration' | 'setup';

/** The chart's hook Jobs: `<fullname>-database-migration-<revision>` and `<fullname>-database-setup-<revision>`. */
export function hookJobKind(name: string): JobKind | undefined {
  if (/-database-migration-\d+$/.test(name)) return 'migration';
  if (/-database-setup-\d+$/.test(name)) return 'setup';
  return undefined;
}

export type JobState = { state: 'failed'; reason: string } | { state: 'stuck'; waiting: string; since: string } | { state: 'running' } | { state: 'succeeded' };

/** What a hook Job is doing, from the Job and its pods. */
export function jobState(job: Job, pods: readonly Pod[], now: Date): JobState {
  const failedCond = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failedCond || (job.status?.failed ?? 0) > 0) return { state: 'failed', reason: failedCond?.message ?? failedCond?.reason ?? `${job.status?.failed ?? 1} pod(s) failed` };
  if ((job.status?.succeeded ?? 0) > 0) return { state: 'succeeded' };
  for (const p of pods) {
    const waiting = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].map((c) => c.state?.waiting?.reason).find(Boolean);
    const started = p.metadata.creationTimestamp ?? p.status?.startTime;
    const pending = p.status?.phase === 'Pending';
    if (pending && started && now.getTime() - Date.parse(started) > STUCK_AFTER_MS) return { state: 'stuck', waiting: waiting ?? 'Pending', since: started };
  }
  const started = job.status?.startTime;
  if (pods.length === 0 && started && now.getTime() - Date.parse(started) > STUCK_AFTER_MS) return { state: 'stuck', waiting: 'no pod created', since: started };
  return { state: 'running' };
}

/** The most telling line of a failed migration's log: the last error/exception line, else the last line. */
export function errorLine(log: string | undefined): { line: string; lineNumber: number } | undefined {
  const lines = (log ?? '').split('\n').map((l) => l.trimEnd());
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/(Error|Exception|FATAL|Traceback|failed)/.test(lines[i]!)) return { line: lines[i]!.trim(), lineNumber: i + 1 };
  }
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim()) return { line: lines[i]!.trim(), lineNumber: i + 1 };
  return undefined;
}

const truthyValue = (v: unknown) => v === true || v === 'true';

function valuesFinding(ctx: CheckContext, installed: boolean | undefined): Finding | undefined {
  const values = ctx.values;
  if (!values) return undefined;
  const migration = truthyValue(values.get(MIGRATION));
  const init = truthyValue(values.get(INIT));
  const evidence: Evidence[] = [values.evidence(MIGRATION), values.evidence(INIT)];
  const secretNote = values.get('secrets.kubernetesDatabaseSecretName') ? ' (since #780 a database Secret no longer turns migrations on by itself)' : '';
  if (values.get('secrets.kubernetesDatabaseSecretName')) evidence.push(values.evidence('secrets.kubernetesDatabaseSecretName'));
  const fix = { summary: 'Turn the migration hook on: it runs on every install and upgrade, before the new pods start.', values: 'db:\n  runDbMigrationScript: true\n', docs: DOCS };
  if (migration) return pass('migrationsOn', { object: { kind: 'HelmValues', name: MIGRATION }, evidence, data: { init: init ? ' and the init script' : '' } });
  if (installed === false && !init) {
    return fail('freshWithoutSchema', { severity: 'critical', object: { kind: 'HelmValues', name: MIGRATION }, evidence, data: { note: secretNote }, remediation: fix });
  }
  if (installed === true) {
    return warn('upgradeWithoutMigrations', { severity: 'high', object: { kind: 'HelmValues', name: MIGRATION }, evidence, data: { columns: RECENT_COLUMNS, note: secretNote }, remediation: fix });
  }
  if (init) return warn('initOnly', { severity: 'medium', object: { kind: 'HelmValues', name: MIGRATION }, evidence, data: { columns: RECENT_COLUMNS }, remediation: fix });
  return warn('migrationsOff', { severity: 'high', object: { kind: 'HelmValues', name: MIGRATION }, evidence, data: { columns: RECENT_COLUMNS, note: secretNote }, remediation: fix });
}

async function jobFindings(ctx: CheckContext, ns: string): Promise<Finding[]> {
  const kube = ctx.kube!;
  const jobs = (await kube.list<Job>('jobs.batch', { namespace: ns })).filter((j) => hookJobKind(j.metadata.name));
  const out: Finding[] = [];
  for (const job of jobs) {
    const kind = hookJobKind(job.metadata.name)!;
    const object = { kind: 'Job', namespace: ns, name: job.metadata.name };
    const pods = await kube.list<Pod>('pods', { namespace: ns, labelSelector: `job-name=${job.metadata.name}` });
    const st = jobState(job, pods, ctx.now);
    const what = kind === 'migration' ? 'database migration' : 'database setup (init script)';
    // The Job controller could not create a pod at all: its FailedCreate event says why, at once (no 5-minute wait).
    if (st.state !== 'succeeded' && st.state !== 'failed' && pods.length === 0) {
      const refused = await podsRefused(ctx, ns, job, what);
      if (refused) {
        out.push(refused);
        continue;
      }
    }
    const podEvidence: Evidence[] = pods.slice(0, 2).map((p) => ({ type: 'field', object: { kind: 'Pod', namespace: ns, name: p.metadata.name }, path: 'status.phase', value: p.status?.phase }));
    switch (st.state) {
      case 'failed': {
        const logs: Evidence[] = [];
        for (const p of pods.slice(0, 2)) {
          const container = p.spec.containers[0]?.name ?? 'model-engine';
          const log = await ifForbidden(() => kube.logs(ns, p.metadata.name, container, { tailLines: 200 }), () => undefined);
          const line = errorLine(log);
          if (line) logs.push({ type: 'log', namespace: ns, pod: p.metadata.name, container, ...line });
        }
        out.push(
          fail('jobFailed', {
            object,
            data: { what, name: job.metadata.name, reason: st.reason, line: logs[0] && logs[0].type === 'log' ? `: ${logs[0].line}` : '' },
            evidence: [{ type: 'field', object, path: 'status', value: job.status }, ...podEvidence, ...logs],
            remediation: {
              summary: `Fix what the ${what} log says (usually the database URL or permissions), then upgrade again: the hook reruns and replaces the failed Job.`,
              commands: [`kubectl -n ${ns} logs job/${job.metadata.name}`, `helm -n ${ns} upgrade model-engine <chart> -f values.yaml`],
              docs: DOCS,
            },
          }),
        );
        break;
      }
      case 'stuck': {
        const events = await ifForbidden(() => kube.list<KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>('events', { namespace: ns }), () => []);
        const relevant = events.filter((e) => pods.some((p) => p.metadata.name === e.involvedObject?.name) || e.involvedObject?.name === job.metadata.name).slice(-3);
        out.push(
          fail('jobStuck', {
            object,
            data: { what, name: job.metadata.name, waiting: st.waiting, since: st.since },
            evidence: [
              ...podEvidence,
              ...relevant.map((e): Evidence => ({ type: 'event', object: { kind: 'Pod', namespace: ns, name: e.involvedObject?.name ?? '' }, reason: e.reason ?? '', message: e.message ?? '' })),
            ],
            remediation: {
              summary:
                'The hook Job\'s pod cannot start: usually a ConfigMap, Secret or service account it needs is created after the hook (see chart/hook-jobs; #807 fixed one such race in the chart) or does not exist.',
              commands: [`kubectl -n ${ns} describe pod -l job-name=${job.metadata.name}`, `kubectl -n ${ns} get events --field-selector involvedObject.kind=Pod`],
              docs: DOCS,
            },
          }),
        );
        break;
      }
      case 'running':
        out.push(pass('jobRunning', { object, data: { what, name: job.metadata.name } }));
        break;
      case 'succeeded':
        out.push(pass('jobSucceeded', { object, data: { what, name: job.metadata.name } }));
        break;
    }
  }
  return out;
}

/** The newest `FailedCreate` event of a Job (the Job controller's: `Error creating: pods "<job>-" is forbidden: …`). */
export function failedCreateOf(events: readonly KubeEvent[], job: string): KubeEvent | undefined {
  return events
    .filter((e) => e.reason === 'FailedCreate' && e.involvedObject.kind === 'Job' && e.involvedObject.name === job)
    .sort((a, b) => (eventTime(b) ?? '').localeCompare(eventTime(a) ?? ''))[0];
}

/** Whether the values make the control plane's service account a pre-install hook (values_sample.yaml does). */
function serviceAccountIsHook(ctx: CheckContext): boolean | undefined {
  const a = ctx.values?.get('serviceAccount.annotations');
  if (!ctx.values) return undefined;
  return helmHook(rec(a)).events.includes('pre-install');
}

async function podsRefused(ctx: CheckContext, ns: string, job: Job, what: string): Promise<Finding | undefined> {
  const events = await ifForbidden(() => ctx.kube!.list<KubeEvent>('events', { namespace: ns }), () => []);
  const event = failedCreateOf(events, job.metadata.name);
  if (!event) return undefined;
  const message = event.message ?? '';
  const failure = classifyFailedCreate(message);
  const object = { kind: 'Job', namespace: ns, name: job.metadata.name };
  const evidence: Evidence[] = [
    { type: 'event', object, reason: 'FailedCreate', message, ...(event.count ? { count: event.count } : {}), eventType: event.type ?? 'Warning', ...(eventTime(event) ? { lastSeen: eventTime(event)! } : {}) },
  ];
  const sa = failure.kind === 'service-account' ? failure.name ?? 'model-engine' : undefined;
  const isHook = sa ? serviceAccountIsHook(ctx) : undefined;
  if (sa && ctx.values) evidence.push(ctx.values.evidence('serviceAccount.annotations'));
  const cause = sa
    ? isHook === false
      ? `: ServiceAccount ${sa} is not a pre-install hook in the release's values (serviceAccount.annotations has no helm.sh/hook), so helm creates it only after the hooks, and this Job, a pre-install hook, waits for it forever`
      : `: ServiceAccount ${sa} does not exist in ${ns}`
    : '';
  return fail('jobPodsRefused', {
    object,
    data: { what, name: job.metadata.name, detail: failure.detail, cause },
    evidence,
    remediation: sa
      ? {
          summary:
            isHook === false
              ? `Make the service account a pre-install hook (weight below the Job's -1), then install again: helm uninstall the stuck release first (a failed install is not upgraded; do not create ${sa} by hand before installing, or helm refuses to adopt it).`
              : `Create ${sa} in ${ns} through the chart (serviceAccount.annotations as a pre-install hook), then install again.`,
          values: SERVICE_ACCOUNT_HOOK_VALUES,
          commands: [`kubectl -n ${ns} describe job ${job.metadata.name}`, `helm -n ${ns} uninstall model-engine`, `helm -n ${ns} install model-engine <chart> -f values.yaml`],
          docs: DOCS,
        }
      : {
          summary: `The API server refuses the Job's pods (${failure.detail}): fix that, and the Job controller retries by itself (helm waits until its --timeout).`,
          commands: [`kubectl -n ${ns} describe job ${job.metadata.name}`],
          docs: DOCS,
        },
  });
}

async function logFindings(ctx: CheckContext, ns: string): Promise<Finding[]> {
  const kube = ctx.kube!;
  const pods = await kube.list<Pod>('pods', { namespace: ns, labelSelector: `app=${GATEWAY}` });
  const hits: Evidence[] = [];
  for (const p of pods.slice(0, 3)) {
    const log = await ifForbidden(() => kube.logs(ns, p.metadata.name, GATEWAY, { tailLines: 1000 }), () => undefined);
    (log ?? '').split('\n').forEach((line, i) => {
      if (hits.length < 3 && SCHEMA_ERROR.test(line)) hits.push({ type: 'log', namespace: ns, pod: p.metadata.name, container: GATEWAY, line: line.trim(), lineNumber: i + 1 });
    });
  }
  if (hits.length === 0) return [];
  const first = hits[0]!.type === 'log' ? hits[0]!.line : '';
  // `column "status_reason" does not exist` or `column endpoints.status_reason does not exist`.
  const col = /column "?([\w.]+)"? (?:of relation "[^"]+" )?does not exist/.exec(first)?.[1];
  const what = col ? col.split('.').pop() : /relation "([^"]+)"/.exec(first)?.[1];
  return [
    fail('schemaBehind', {
      object: { kind: 'Deployment', namespace: ns, name: GATEWAY },
      data: { what: what ? `"${what}"` : 'a table or column', count: hits.length },
      evidence: [...hits, ...(ctx.values ? [ctx.values.evidence(MIGRATION)] : [])],
      remediation: {
        summary: 'The database schema is older than the code: run the migrations (turn the hook on and upgrade, or run them once by hand from the gateway pod).',
        values: 'db:\n  runDbMigrationScript: true\n',
        commands: [
          `helm -n ${ns} upgrade model-engine <chart> -f values.yaml --set db.runDbMigrationScript=true`,
          `kubectl -n ${ns} exec deploy/${GATEWAY} -- bash /workspace/model-engine/model_engine_server/db/migrations/run_database_migration.sh`,
        ],
        docs: DOCS,
      },
    }),
  ];
}

export default defineCheck({
  meta: {
    id: 'database/schema',
    title: 'The database schema matches the code',
    description:
      "Something creates and migrates model-engine's tables (db.runDbMigrationScript / runDbInitScript), the migration and setup hook Jobs did not fail or get stuck, and the gateway logs show no missing table or column.",
    clouds: 'all',
    cloudAgnostic: true,
    severity: 'critical',
    needs: [],
    scopes: ['preflight', 'triage'],
    timeoutMs: 60_000,
    messages: {
      migrationsOn: 'db.runDbMigrationScript is true: a pre-install/pre-upgrade hook Job runs the migrations{{init}} before the new pods start',
      migrationsOff:
        'db.runDbMigrationScript and db.runDbInitScript are false{{note}}: on a fresh install nothing creates the tables (the gateway fails with UndefinedTable); on an upgrade the columns added since your last migration ({{columns}}) are missing and the gateway fails with UndefinedColumn',
      freshWithoutSchema:
        'This is a fresh install (no model-engine in the namespace) with db.runDbMigrationScript and db.runDbInitScript false{{note}}: nothing creates the tables, and the gateway fails with UndefinedTable',
      upgradeWithoutMigrations:
        'model-engine is installed and db.runDbMigrationScript is false{{note}}: an upgrade adds no columns, so those added since your last migration ({{columns}}) are missing unless you migrate some other way',
      initOnly:
        'db.runDbInitScript is true but db.runDbMigrationScript is false: a fresh install gets tables, but an upgrade adds none of the columns added since ({{columns}})',
      jobFailed: 'The {{what}} hook Job {{name}} failed ({{reason}}){{line}}: helm install/upgrade stopped there',
      jobStuck: 'The {{what}} hook Job {{name}} has not started since {{since}} ({{waiting}}): helm waits on it until the hook times out',
      jobPodsRefused:
        'The {{what}} hook Job {{name}} cannot create its pods ({{detail}}){{cause}}: helm install/upgrade waits on it until --timeout, then fails',
      jobRunning: 'The {{what}} hook Job {{name}} is running',
      jobSucceeded: 'The {{what}} hook Job {{name}} succeeded',
      schemaBehind: 'The gateway logs {{count}} database error(s) about {{what}} that does not exist: the schema is behind the code',
      noLiveErrors: 'No failed or stuck database hook Job in {{namespace}}, and no missing table or column in the gateway logs',
      liveForbidden: 'The hook Jobs and gateway logs could not be read ({{denied}})',
    },
  },
  async run(ctx) {
    const ns = ctx.namespaces.controlPlane;
    let installed: boolean | undefined;
    if (ctx.kube) {
      const gw = await ifForbidden(() => ctx.kube!.get<Deployment>('deployments.apps', GATEWAY, ns), () => undefined);
      installed = gw !== undefined || ctx.values?.origin === 'release';
    }
    const findings: Finding[] = [];
    const v = valuesFinding(ctx, installed);
    if (v) findings.push(v);
    if (ctx.kube) {
      // An RBAC gap in the live part keeps the values verdict and says which read was refused.
      const live = await ifForbidden(
        async () => [...(await jobFindings(ctx, ns)), ...(await logFindings(ctx, ns))],
        (denied) => [skip('liveForbidden', { data: { denied: denied.message } })],
      );
      findings.push(...live);
      if (!live.some((f) => f.status === 'fail' || f.status === 'skip')) findings.push(pass('noLiveErrors', { data: { namespace: ns } }));
    }
    // Never empty: every command that runs this check has values or a cluster (preflight refuses to start with
    // neither; triage and endpoint need a cluster), and each of them yields a finding above.
    return findings;
  },
});
