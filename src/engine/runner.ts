import pLimit from 'p-limit';
import { renderMessage } from './define-check.js';
import { ApiError, CancelledError, DeadlineError, ForbiddenError, formatMs, TimeoutError, type Deadline } from './errors.js';
import { redactEvidence, redactText, redactValue } from './redact.js';
import type {
  Check,
  CheckContext,
  CheckMeta,
  CheckResult,
  Evidence,
  Finding,
  Namespaces,
  PortName,
  RunPorts,
  Report,
  ReportTarget,
  RunEvent,
  Severity,
  Status,
} from './types.js';
import { SCHEMA_VERSION, SEVERITIES, STATUSES } from './types.js';
import { areaOf, docsPath } from './registry.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONCURRENCY = 8;

/** Everything a check context holds except what the runner makes per check. */
export type BaseContext = Omit<CheckContext, 'signal' | 'progress' | 'ports'> & { readonly ports: RunPorts };

export interface RunInput {
  command: string;
  toolVersion: string;
  checks: readonly Check[];
  /** Checks asked for by exact id: shown as skipped (not silently dropped) when they do not apply. */
  explicitIds?: ReadonlySet<string>;
  context: BaseContext;
  target: ReportTarget;
  concurrency?: number;
  /** The timeout of checks that set none of their own; default 30 s. */
  defaultTimeoutMs?: number;
  /** Every check's timeout, its own `meta.timeoutMs` included (`--timeout`). */
  checkTimeoutMs?: number;
  /** The run's `--deadline`: checks still running stop and checks not started are not run, both as `error` results. */
  deadline?: Deadline;
  /** Aborting it cancels the run: running checks see their signal aborted, the run rejects with CancelledError. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Extra fields merged into the report (e.g. `diagnosis`). */
  extensions?: Record<string, unknown>;
  /** Time allowed for in-flight checks to clean up after cancellation. */
  cancelGraceMs?: number;
}

/** Why a check cannot run in this context, or undefined when it can. */
export function whyNotApplicable(check: Check, ctx: BaseContext): { messageId: string; message: string } | undefined {
  const { meta } = check;
  if (meta.clouds !== 'all' && !meta.cloudAgnostic) {
    if (!ctx.cloud) {
      const why = ctx.missing?.cloud;
      return {
        messageId: why ? missingId(why) : 'cloudUnknown',
        message: `applies to ${meta.clouds.join(', ')} only and the cloud is unknown${why ? ` (${why.message})` : ''}; pass --cloud or set config.values.infra.cloud_provider`,
      };
    }
    if (!meta.clouds.includes(ctx.cloud)) {
      return { messageId: 'notApplicable', message: `applies to ${meta.clouds.join(', ')} only; this install is on ${ctx.cloud}` };
    }
  }
  for (const need of meta.needs) {
    switch (need) {
      case 'kube':
      case 'logs':
        if (!ctx.kube)
          return {
            messageId: 'needsCluster',
            message: 'needs a cluster: pass --kubeconfig/--context, or --snapshot PATH',
          };
        break;
      case 'values': {
        if (ctx.values) break;
        const why = ctx.missing?.values;
        if (why) {
          // The release is installed but could not be read: say which read failed, not that there are no values.
          return { messageId: missingId(why), message: `needs helm values, and the installed release could not be read: ${why.message}; pass -f values.yaml` };
        }
        return { messageId: 'needsValues', message: 'needs helm values: pass -f values.yaml, or a cluster with the release installed' };
      }
      case 'cloud-api':
        if (!ctx.options.cloudApi)
          return { messageId: 'needsCloudApi', message: 'needs cloud API access; rerun with --cloud-api to allow it' };
        break;
      case 'registry':
      case 'redis':
      case 'cloud':
      case 'identityCloud':
      case 'exec':
      case 'commits':
      case 'canary':
      case 'chart':
      case 'gateway':
        if (!ctx.ports[need]) return { messageId: 'needsProbe', message: `needs ${need}: ${PORT_HINTS[need]}` };
        break;
      default: {
        const unreachable: never = need;
        throw new Error(`unknown need ${String(unreachable)}`);
      }
    }
  }
  return undefined;
}

/** How a run gets each port, for the skip of a check that needs one the run has not. */
const PORT_HINTS: Readonly<Record<PortName, string>> = {
  registry: 'the registry probe, which is not available in this run',
  redis: 'the Redis probe, which is not available in this run',
  cloud: 'cloud API reads (Secrets Manager, Entra, Service Bus, SQS); rerun with --cloud-api',
  identityCloud: 'cloud IAM reads; rerun with --cloud-api',
  exec: 'exec into the gateway pod; rerun with --exec on a live cluster',
  commits: 'the llm-engine commit lookup, which is not available in this run',
  canary: 'a short-lived probe pod; rerun with --canary on a live cluster',
  chart: 'the rendered chart; pass --chart PATH',
  gateway: "model-engine's own API; pass --gateway-url URL",
};

/** The ports a check declared (needs and uses), and no other: what its typed context promises, true at run time too. */
export function declaredPorts(meta: CheckMeta, ports: RunPorts): CheckContext['ports'] {
  const names = new Set<string>([...meta.needs, ...(meta.uses ?? [])]);
  return Object.fromEntries([...names].filter((name) => name in PORT_HINTS).map((name) => [name, ports[name as PortName]]));
}

/** The skip's messageId for a source that could not be read: `forbidden` (RBAC) or `apiError`. */
const missingId = (e: ForbiddenError | ApiError) => (e instanceof ForbiddenError ? 'forbidden' : 'apiError');

function baseOf(check: Check) {
  return { id: check.meta.id, area: areaOf(check.meta.id), title: check.meta.title, docs: docsPath(check.meta.id) };
}


/** Turn what a check returned into results: message rendered, meta filled in, secrets redacted. */
export function toResult(check: Check, finding: Finding, durationMs?: number): CheckResult {
  const template = check.meta.messages[finding.messageId];
  if (template === undefined) {
    throw new Error(`check ${check.meta.id} returned unknown messageId "${finding.messageId}"`);
  }
  const data = finding.data ? (redactValue(undefined, finding.data) as Record<string, unknown>) : undefined;
  const common = {
    ...baseOf(check),
    severity: finding.severity ?? check.meta.severity,
    messageId: finding.messageId,
    message: renderMessage(template, data),
    ...(finding.object ? { object: finding.object } : {}),
    evidence: (finding.evidence ?? []).map(redactEvidence),
    ...(finding.root?.length ? { root: finding.root.map(redactText) } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
  switch (finding.status) {
    case 'pass':
    case 'skip':
      return { ...common, status: finding.status, ...(finding.remediation ? { remediation: redactRemediation(finding.remediation) } : {}) };
    case 'warn':
    case 'fail':
      return { ...common, status: finding.status, remediation: redactRemediation(finding.remediation) };
  }
}

function redactRemediation(r: NonNullable<Finding['remediation']>) {
  return {
    ...r,
    summary: redactText(r.summary),
    ...(r.commands ? { commands: r.commands.map(redactText) } : {}),
    ...(r.values ? { values: redactText(r.values) } : {}),
  };
}

function engineResult(
  check: Check,
  status: 'skip' | 'error',
  messageId: string,
  message: string,
  durationMs?: number,
): CheckResult {
  const common = {
    ...baseOf(check),
    severity: status === 'error' ? check.meta.severity : ('info' as Severity),
    messageId,
    message,
    evidence: [] as Evidence[],
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
  return status === 'error' ? { ...common, status, error: message } : { ...common, status };
}

export interface RunCheckOptions {
  /** The timeout when the check sets none. */
  timeoutMs: number;
  /** The timeout whatever the check sets (`--timeout`). */
  forceTimeoutMs?: number;
  signal?: AbortSignal;
  deadline?: Deadline;
  onProgress?: (text: string) => void;
}

/** The error result of a check that failed to run, by what stopped it; undefined for cancellation (rethrown). */
function failureResult(check: Check, err: unknown, ms: number): CheckResult {
  if (err instanceof ForbiddenError) return engineResult(check, 'skip', 'forbidden', `skipped: RBAC ${err.message}`, ms);
  if (err instanceof TimeoutError) return engineResult(check, 'error', 'timeout', `check timed out after ${formatMs(err.ms)}`, ms);
  if (err instanceof DeadlineError) return engineResult(check, 'error', 'deadline', `stopped: ${err.message}`, ms);
  if (err instanceof ApiError) return engineResult(check, 'error', 'apiError', `could not read from the cluster: ${redactText(err.message)}`, ms);
  const msg = err instanceof Error ? err.message : String(err);
  return engineResult(check, 'error', 'crashed', `check failed to run: ${redactText(msg)}`, ms);
}

/** A namespace name no cluster can hold (a kubectl-style placeholder), shown where the real one is unknown. */
export const unknownNamespace = (role: 'control-plane' | 'endpoint'): string => `<${role}-namespace>`;

/**
 * The control-plane namespace for code that only names it (remediation commands), or its placeholder when the
 * run could not determine it. Code that reads the namespace must not use this.
 */
export function controlPlaneForText(namespaces: Namespaces): string {
  try {
    return namespaces.controlPlane;
  } catch (e) {
    if (e instanceof ForbiddenError || e instanceof ApiError) return unknownNamespace('control-plane');
    throw e;
  }
}

/**
 * The namespaces as a check sees them: one the run could not determine throws the reason when read, so the
 * check skips (RBAC) or errs (API) naming it — it can neither read it nor compare against a guess.
 */
export function checkNamespaces(ctx: BaseContext): Namespaces {
  const { namespaces, missing } = ctx;
  if (!missing?.controlPlaneNamespace && !missing?.endpointNamespace) return namespaces;
  const known = (value: string, why: ForbiddenError | ApiError | undefined) => {
    if (why) throw why;
    return value;
  };
  return {
    get controlPlane() {
      return known(namespaces.controlPlane, missing.controlPlaneNamespace);
    },
    get endpoint() {
      return known(namespaces.endpoint, missing.endpointNamespace);
    },
  };
}

/** Run one check with its own timeout and signal; never throws except for cancellation. */
/**
 * A seam for the test suite's messageId parity (test/setup/message-log.ts): a function registered on globalThis under
 * this symbol sees every check's results. Nothing registers it outside the tests.
 */
const RESULT_OBSERVER = Symbol.for('model-engine-doctor.result-observer');

function observed(results: CheckResult[]): CheckResult[] {
  (globalThis as { [RESULT_OBSERVER]?: (r: readonly CheckResult[]) => void })[RESULT_OBSERVER]?.(results);
  return results;
}

export async function runCheck(check: Check, ctx: BaseContext, opts: RunCheckOptions): Promise<CheckResult[]> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const notApplicable = whyNotApplicable(check, ctx);
  if (notApplicable) return [engineResult(check, 'skip', notApplicable.messageId, notApplicable.message, 0)];

  const controller = new AbortController();
  const onRunAbort = () => controller.abort(new CancelledError());
  opts.signal?.addEventListener('abort', onRunAbort, { once: true });
  if (opts.signal?.aborted) onRunAbort();
  const deadline = opts.deadline;
  const onDeadline = () => controller.abort(new DeadlineError(deadline!.ms));
  deadline?.signal.addEventListener('abort', onDeadline, { once: true });
  if (deadline?.signal.aborted) onDeadline();
  const timeoutMs = opts.forceTimeoutMs ?? check.meta.timeoutMs ?? opts.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(timeoutMs);
      controller.abort(err);
    }, timeoutMs);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  stop.catch(() => undefined);
  try {
    const out = await Promise.race([
      check.run({ ...ctx, ports: declaredPorts(check.meta, ctx.ports), namespaces: checkNamespaces(ctx), signal: controller.signal, progress: (t) => opts.onProgress?.(t) }),
      stop,
    ]);
    const findings = Array.isArray(out) ? out : [out];
    if (findings.length === 0) throw new Error(`check ${check.meta.id} returned no result`);
    const ms = elapsed();
    return observed(findings.map((f) => toResult(check, f, ms)));
  } catch (err) {
    if (err instanceof CancelledError || opts.signal?.aborted) throw new CancelledError();
    return observed([failureResult(check, err, elapsed())]);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onRunAbort);
    deadline?.signal.removeEventListener('abort', onDeadline);
    controller.abort(new CancelledError());
  }
}

const statusRank = (s: Status) => STATUSES.indexOf(s);
const severityRank = (s: Severity) => SEVERITIES.indexOf(s);

/** Failures first, then by severity, then a stable order by id and object. */
export function compareResults(a: CheckResult, b: CheckResult): number {
  return (
    statusRank(a.status) - statusRank(b.status) ||
    severityRank(a.severity) - severityRank(b.severity) ||
    a.id.localeCompare(b.id) ||
    objectKey(a).localeCompare(objectKey(b)) ||
    a.messageId.localeCompare(b.messageId)
  );
}
const objectKey = (r: CheckResult) => (r.object ? `${r.object.kind}/${r.object.namespace ?? ''}/${r.object.name}` : '');

export function countByStatus(results: readonly CheckResult[]): Record<Status, number> {
  const counts: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) counts[r.status] += 1;
  return counts;
}

/** Run checks with bounded concurrency, per-check timeouts and cancellation; emits run events. */
export async function runChecks(input: RunInput): Promise<Report> {
  const emit = input.onEvent ?? (() => undefined);
  const startedAt = new Date();
  const t0 = performance.now();
  const checks = input.checks.filter(
    (c) => input.explicitIds?.has(c.meta.id) || whyNotApplicable(c, input.context)?.messageId !== 'notApplicable',
  );
  emit({
    type: 'run:start',
    checks: checks.map((c) => ({ id: c.meta.id, title: c.meta.title, area: areaOf(c.meta.id) })),
    target: input.target,
  });
  const limit = pLimit(Math.max(1, input.concurrency ?? DEFAULT_CONCURRENCY));
  const all: CheckResult[] = [];
  let cancelled = false;
  const inFlight = new Set<Promise<unknown>>();
  const tasks = checks.map((check) =>
    limit(async () => {
      if (input.signal?.aborted) {
        cancelled = true;
        return;
      }
      if (input.deadline?.signal.aborted) {
        // Not started: said so, as a result, so the report shows what the deadline cost.
        const results = [engineResult(check, 'error', 'deadline', `not run: ${new DeadlineError(input.deadline.ms).message} before it started`, 0)];
        all.push(...results);
        emit({ type: 'check:start', id: check.meta.id, title: check.meta.title, area: areaOf(check.meta.id) });
        emit({ type: 'check:end', id: check.meta.id, results, durationMs: 0 });
        return;
      }
      let done!: () => void;
      const running = new Promise<void>((r) => (done = r));
      inFlight.add(running);
      emit({ type: 'check:start', id: check.meta.id, title: check.meta.title, area: areaOf(check.meta.id) });
      const t = performance.now();
      try {
        const results = await runCheck(check, input.context, {
          timeoutMs: input.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
          ...(input.checkTimeoutMs ? { forceTimeoutMs: input.checkTimeoutMs } : {}),
          ...(input.deadline ? { deadline: input.deadline } : {}),
          signal: input.signal,
          onProgress: (text) => emit({ type: 'check:progress', id: check.meta.id, text }),
        });
        all.push(...results);
        emit({ type: 'check:end', id: check.meta.id, results, durationMs: Math.round(performance.now() - t) });
      } catch (err) {
        if (err instanceof CancelledError) cancelled = true;
        else throw err;
      } finally {
        inFlight.delete(running);
        done();
      }
    }),
  );
  const settled = Promise.allSettled(tasks);
  if (input.signal) {
    const aborted = new Promise<void>((resolve) => {
      if (input.signal!.aborted) resolve();
      input.signal!.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([settled, aborted]);
    if (input.signal.aborted) {
      limit.clearQueue();
      // Queued checks never start; give in-flight ones a moment to clean up (probe pods, sockets), then give up.
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((r) => setTimeout(r, input.cancelGraceMs ?? 3000).unref()),
      ]);
      throw new CancelledError();
    }
  }
  const outcomes = await settled;
  for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
  if (cancelled) throw new CancelledError();
  all.sort(compareResults);
  const finishedAt = new Date();
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'model-engine-doctor', version: input.toolVersion },
    command: input.command,
    target: input.target,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    counts: countByStatus(all),
    results: all,
    ...(input.extensions ?? {}),
  };
  emit({ type: 'run:end', report });
  return report;
}
