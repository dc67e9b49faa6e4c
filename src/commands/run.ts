/**
 * Runs a check command (preflight, triage, endpoint) end to end: sources → context → engine → reporter.
 * Returns the exit code; only `src/cli.ts` sets it on the process.
 */
import { allChecks } from '../../checks/index.js';
import { ApiError, CancelledError, DeadlineError, EXIT, FatalError, ForbiddenError, untilAborted, type Deadline, type ExitCode } from '../engine/errors.js';
import { groupIncidents } from '../model-engine/incidents.js';
import { redactText } from '../engine/redact.js';
import { areaOf, selectChecks } from '../engine/registry.js';
import { skip, type Check } from '../engine/index.js';
import { RENDER_ONLY } from '../../checks/chart/index.js';
import { runChecks, unknownNamespace } from '../engine/runner.js';
import type { Cloud, KubePort, Report, ReportTarget, RunEvent, RunOptions, Scope, Secret, ValuesPort } from '../engine/index.js';
import { render, type OutputFormat } from '../reporters/index.js';
import { chooseFormat, useColor } from './format-choice.js';
export { chooseFormat, useColor } from './format-choice.js';
import { resolveContext, type ResolvedContext } from '../run/context.js';
import { guardKube, type GuardedKube } from '../run/kube-guard.js';
import { createPorts, probePolicy } from '../run/ports.js';
import type { CanaryKubeConfig } from '../sources/kube/canary.js';
import { SnapshotKube } from '../sources/kube/snapshot-kube.js';
import { loadSnapshot } from '../sources/snapshot/load.js';
import { loadValues, readStdin, type ValuesFlags } from '../sources/values/load.js';
import { findHelm } from '../sources/helm/binary.js';
import { createChartPort } from '../sources/helm/render.js';
import { CHART_PORT, type ChartPort } from '../engine/ports/chart.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readInstalledRelease, releaseValuesPort } from '../sources/values/release.js';
import { VERSION } from '../version.js';

export interface CommonOptions {
  kubeconfig?: string;
  context?: string;
  snapshot?: string;
  namespace?: string;
  endpointNamespace?: string;
  values?: string[];
  set?: string[];
  setString?: string[];
  setJson?: string[];
  setFile?: string[];
  setLiteral?: string[];
  /** `--chart PATH`: render it with `helm template` and check the rendered objects. */
  chart?: string;
  release?: string;
  cloud?: Cloud;
  only?: string[];
  skip?: string[];
  output?: OutputFormat | 'tui';
  color?: boolean;
  failOn?: 'fail' | 'warn';
  timeout?: number;
  /** `--request-timeout` in ms (0: none): connect, and every request. */
  requestTimeout?: number;
  /** `--deadline` in ms: the whole run. */
  deadline?: number;
  concurrency?: number;
  canary?: boolean;
  exec?: boolean;
  cloudApi?: boolean;
  debug?: boolean;
  /** `--show-passed`: list passes in text, Markdown and the TUI (JSON and JUnit always carry them). */
  showPassed?: boolean;
  /**
   * `--probes` / `--no-probes`: whether network probes (registry, Redis, cloud APIs) leave this machine. Unset: live
   * runs probe, snapshot runs do not (a snapshot is the past; see probePolicy in src/run/ports.ts).
   */
  probes?: boolean;
  /** `--offline` (preflight, mirror-plan): no kube context at all, the values only. */
  offline?: boolean;
  /** kubectl's overrides: `--cluster`, `--user`, `--as`, `--as-group`. */
  cluster?: string;
  user?: string;
  as?: string;
  asGroup?: string[];
  /** `-v`/`--v` (kubectl's verbosity): 6 and above log every Kubernetes API request on stderr. */
  verbosity?: number;
  /** Set by the demo: probes may reach loopback only. */
  network?: RunOptions['network'];
  extra?: Record<string, string | undefined>;
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface Sources {
  kube?: KubePort;
  target: Pick<ReportTarget, 'mode' | 'context' | 'server' | 'snapshot'>;
  /** The API server's gitVersion (live clusters), recorded in collected snapshots so `serve` reports it. */
  serverVersion?: string;
  now?: Date;
  /** The kube context of the cluster (live), or the one the snapshot was collected from. */
  clusterContext?: string;
  /** The live kubeconfig (for the opt-in canary port's writes). */
  kubeConfig?: CanaryKubeConfig;
  /** What reading the snapshot skipped (files that are not Kubernetes objects, …): one stderr line each. */
  warnings?: string[];
}

/** Print what reading the sources skipped, one line each, on stderr. */
export function printWarnings(sources: Pick<Sources, 'warnings'>, streams: Streams): void {
  for (const w of sources.warnings ?? []) streams.stderr.write(`model-engine-doctor: warning: ${redactText(w)}\n`);
}

/** The run options the common flags ask for; `overrides` pin what a command never does (e.g. `endpoint --watch`). */
export function runOptions(opts: CommonOptions, overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    canary: !!opts.canary,
    exec: !!opts.exec,
    cloudApi: !!opts.cloudApi,
    network: opts.network ?? probePolicy(opts),
    extra: opts.extra ?? {},
    ...overrides,
  };
}

/** What the run read its helm values from, or why it could not. */
export interface ValuesRead {
  values?: ValuesPort;
  /** The installed release could not be read (RBAC, or the API failed). */
  missing?: ForbiddenError | ApiError;
}

/** The probe ports and the check context over opened sources (and the values, where the command reads them). */
export async function contextFor(
  opts: CommonOptions,
  sources: Sources,
  options: RunOptions,
  signal: AbortSignal,
  read: ValuesRead = {},
  requireControlPlane = true,
  extraPorts: Record<string, unknown> = {},
): Promise<ResolvedContext> {
  const ports = { ...(await createPorts({ ...(sources.kube ? { kube: sources.kube } : {}), ...(sources.kubeConfig ? { kubeConfig: sources.kubeConfig } : {}), options, signal })), ...extraPorts };
  return resolveContext({
    ...(sources.kube ? { kube: sources.kube } : {}),
    ...(read.values ? { values: read.values } : {}),
    ...(read.missing ? { valuesMissing: read.missing } : {}),
    ...(opts.cloud ? { cloud: opts.cloud } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.endpointNamespace ? { endpointNamespace: opts.endpointNamespace } : {}),
    ...(opts.release ? { release: opts.release } : {}),
    requireControlPlane,
    options,
    ports,
    ...(sources.now ? { now: sources.now } : {}),
    ...(sources.clusterContext ? { clusterContext: sources.clusterContext } : {}),
  });
}

/** The run's `--deadline`, started now. */
export function startDeadline(opts: Pick<CommonOptions, 'deadline'>): Deadline | undefined {
  return opts.deadline ? { signal: AbortSignal.timeout(opts.deadline), ms: opts.deadline } : undefined;
}

/** Flags that name a cluster: with any of them a command that can run offline must reach that cluster. */
const KUBE_FLAGS = ['kubeconfig', 'context', 'cluster', 'user'] as const;

/**
 * Where the cluster comes from: a snapshot, a kubeconfig, or nothing (offline preflight / mirror-plan).
 * A command that can do without a cluster (`needCluster` false) runs offline with `--offline`, and also, saying so
 * in one line on stderr, when nothing is configured or the configured cluster cannot be reached — unless a flag
 * named the cluster (`--kubeconfig`, `--context`, `--cluster`, `--user`): then reaching it is what was asked.
 */
export async function openSources(opts: CommonOptions, needCluster: boolean, signal?: AbortSignal, stderr?: Streams['stderr'], deadline?: Deadline): Promise<Sources> {
  const named = KUBE_FLAGS.filter((k) => opts[k]).map((k) => `--${k}`);
  if (opts.offline) {
    if (needCluster) throw new FatalError('--offline: this command needs a cluster (or --snapshot)');
    const conflicting = [...(opts.snapshot ? ['--snapshot'] : []), ...named];
    if (conflicting.length) throw new FatalError(`--offline cannot be combined with ${conflicting.join(', ')}`);
    return { target: { mode: 'offline' } };
  }
  if (opts.snapshot) {
    const snapshot = await untilAborted(loadSnapshot(opts.snapshot), signal);
    return {
      kube: new SnapshotKube(snapshot),
      target: { mode: 'snapshot', snapshot: opts.snapshot },
      now: snapshot.now,
      ...(snapshot.info?.context ? { clusterContext: snapshot.info.context } : {}),
      ...(snapshot.warnings?.length ? { warnings: snapshot.warnings } : {}),
    };
  }
  // Loaded on demand: snapshot runs never need a Kubernetes client (its KubeConfig alone: src/sources/kube/client-node.ts).
  const { connect, LiveKube, loadKubeConfig, NoKubeConfigError } = await import('../sources/kube/live-kube.js');
  const mayGoOffline = !needCluster && named.length === 0;
  const offline = (why: string): Sources => {
    stderr?.write(`model-engine-doctor: ${why}; checking without a cluster (offline: values only). Pass --offline to skip this.\n`);
    return { target: { mode: 'offline' } };
  };
  let kc;
  try {
    kc = loadKubeConfig({
      ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      ...(opts.context ? { context: opts.context } : {}),
      ...(opts.cluster ? { cluster: opts.cluster } : {}),
      ...(opts.user ? { user: opts.user } : {}),
      ...(opts.as ? { as: opts.as } : {}),
      ...(opts.asGroup?.length ? { asGroups: opts.asGroup } : {}),
      ...(opts.verbosity && stderr ? { verbosity: opts.verbosity, log: (line: string) => stderr.write(`${line}\n`) } : {}),
    });
  } catch (e) {
    // Nothing configured is an empty configuration to kubectl; a malformed file stays an error.
    if (mayGoOffline && e instanceof NoKubeConfigError) return offline(e.message);
    throw e;
  }
  // --request-timeout bounds the connection and every request; --deadline the whole run.
  const limits = {
    ...(opts.requestTimeout !== undefined ? { timeoutMs: opts.requestTimeout } : {}),
    ...(signal ? { signal } : {}),
    ...(deadline ? { deadline } : {}),
  };
  let info;
  try {
    info = await connect(kc, limits);
  } catch (e) {
    if (mayGoOffline && e instanceof FatalError) return offline(e.message);
    throw e;
  }
  return {
    kube: new LiveKube(kc, limits),
    target: { mode: 'live', context: info.context, server: info.server },
    serverVersion: info.version,
    now: info.now,
    clusterContext: info.context,
    kubeConfig: kc,
  };
}

/**
 * The chart to render: `--chart PATH`, else `charts/model-engine` of `--llm-engine-repo` when the clone has it.
 * An explicit `--chart` that is not a chart, or without helm, is bad input (exit 2).
 */
export async function chartToRender(opts: CommonOptions): Promise<{ dir: string; explicit: boolean } | undefined> {
  if (opts.chart) {
    const dir = resolve(opts.chart);
    if (!existsSync(join(dir, 'Chart.yaml'))) throw new FatalError(`--chart ${opts.chart}: not a helm chart folder (no Chart.yaml)`);
    const helm = findHelm();
    if (!helm.path) throw new FatalError(`--chart needs helm to render the chart: ${helm.why ?? 'helm not found'}`);
    return { dir, explicit: true };
  }
  const repo = opts.extra?.llmEngineRepo;
  if (repo) {
    const dir = resolve(repo, 'charts/model-engine');
    if (existsSync(join(dir, 'Chart.yaml'))) return { dir, explicit: false };
  }
  return undefined;
}

/** The chart port: `helm template <release> <chart> -n <namespace>` with the user's values flags. */
export async function chartPort(opts: CommonOptions, dir: string, namespace: string, signal: AbortSignal, stdin: () => Promise<string> = stdinOnce()) {
  const flags = valuesFlags(opts);
  const stdinText = flags.files?.some((f) => f.trim() === '-') ? await stdin() : undefined;
  return createChartPort({ chartPath: dir, release: opts.release ?? 'model-engine', namespace, flags, ...(stdinText !== undefined ? { stdinText } : {}) }, signal);
}

/** helm's values flags as given. */
export function valuesFlags(opts: CommonOptions): ValuesFlags {
  return { files: opts.values ?? [], set: opts.set ?? [], setString: opts.setString ?? [], setJson: opts.setJson ?? [], setFile: opts.setFile ?? [], setLiteral: opts.setLiteral ?? [] };
}

export function hasValuesFlags(opts: CommonOptions): boolean {
  return Object.values(valuesFlags(opts)).some((a) => (a?.length ?? 0) > 0);
}

/** Standard input for `-f -`, read at most once per run and shared by the values loader and `helm template`. */
export function stdinOnce(read: () => Promise<string> = readStdin): () => Promise<string> {
  let text: Promise<string> | undefined;
  return () => (text ??= read());
}

/** What the values are read with: the run's signal, the rendered chart (its values.yaml under the user's), stdin. */
export interface ValuesReadOptions {
  signal?: AbortSignal;
  chartDir?: string;
  stdin?: () => Promise<string>;
}

/**
 * Values from helm's values flags (-f, --set, --set-string, --set-json, --set-file, --set-literal), over the rendered
 * chart's own values.yaml when a chart is rendered (else the hand-kept copy); else the installed release's values
 * read from the cluster. A release Secret that cannot be read (RBAC, or the API failing) is not "no values": its
 * reason comes back, and the checks that need values skip naming it.
 */
export async function readValues(opts: CommonOptions, kube: KubePort | undefined, controlPlane: string | undefined, more: ValuesReadOptions = {}): Promise<ValuesRead> {
  if (hasValuesFlags(opts)) {
    const values = loadValues({
      ...valuesFlags(opts),
      defaults: more.chartDir ? { chart: more.chartDir } : 'builtin',
      recognise: true,
      stdin: more.stdin ?? stdinOnce(),
      ...(more.signal ? { signal: more.signal } : {}),
    });
    return { values: await untilAborted(values, more.signal) };
  }
  if (!kube || !controlPlane) return {};
  const release = opts.release ?? 'model-engine';
  let secrets: Secret[];
  try {
    secrets = await kube.list<Secret>('secrets', { namespace: controlPlane, labelSelector: `owner=helm,name=${release}` });
  } catch (e) {
    if (e instanceof ForbiddenError || e instanceof ApiError) return { missing: e };
    throw e;
  }
  const installed = readInstalledRelease(secrets, { name: release });
  return installed ? { values: releaseValuesPort(installed) } : {};
}

/** {@link readValues} without the reason (for commands that only want the values). */
export async function openValues(opts: CommonOptions, kube: KubePort | undefined, controlPlane: string | undefined, more: ValuesReadOptions = {}): Promise<ValuesPort | undefined> {
  return (await readValues(opts, kube, controlPlane, more)).values;
}

/**
 * Whether a run learned nothing because of what it could not read: not one read succeeded, or no check could
 * judge anything (every result a skip or an error) and reads the checks needed were refused or failed.
 */
export function learnedNothing(kube: GuardedKube | undefined, report: Pick<Report, 'counts' | 'results'>): boolean {
  if (!kube) return false;
  const { pass, warn, fail } = report.counts;
  const unreadable = report.results.some((r) => r.messageId === 'forbidden' || r.messageId === 'apiError');
  return kube.nothingRead() || (pass + warn + fail === 0 && unreadable);
}

/** The one line of a run that learned nothing from the cluster (exit 2), naming what was refused or failed. */
export function nothingReadError(kube: GuardedKube, namespaces: { controlPlane: string }): FatalError {
  const { denied, failed } = kube.ledger;
  const what = kube.nothingRead() ? 'nothing could be read from the cluster' : 'nothing could be checked';
  const unique = (xs: string[]) => [...new Set(xs)];
  const guessNs = namespaces.controlPlane === unknownNamespace('control-plane') ? '; if the doctor may read only some namespaces, name them with -n and --endpoint-namespace' : '';
  if (failed.length === 0) {
    const perms = unique(denied.map((d) => d.message.replace(/^forbidden: /, '').replace(/ \(.*\)$/, '')));
    return new FatalError(
      `${what}: RBAC refused ${kube.nothingRead() ? 'every read' : 'the reads the checks need'} (${perms.slice(0, 3).join('; ')}${perms.length > 3 ? `; and ${perms.length - 3} more` : ''})`,
      EXIT.usage,
      `grant the doctor's identity get and list on the objects model-engine runs (see docs/faults.md#rbac)${guessNs}`,
    );
  }
  return new FatalError(`${what}: ${failed[0]!.message}`, EXIT.usage, 'see docs/faults.md for what is retried and how each failure looks');
}

export function exitCodeFor(report: Report, failOn: 'fail' | 'warn' = 'fail'): ExitCode {
  if (report.counts.fail > 0 || report.counts.error > 0) return EXIT.failed;
  if (failOn === 'warn' && report.counts.warn > 0) return EXIT.warnings;
  return EXIT.ok;
}

export interface CheckCommand {
  name: 'preflight' | 'triage' | 'endpoint';
  scope: Scope;
  needCluster: boolean;
  /** Extra report fields computed after the checks (e.g. the endpoint diagnosis). */
  extensions?: (ctx: Awaited<ReturnType<typeof resolveContext>>['context']) => Promise<Record<string, unknown>>;
  /** The exit code from the final report, when the command decides it itself (the endpoint diagnosis does). */
  exitCode?: (report: Report) => ExitCode;
}

/**
 * A stand-in for a check that `--only` selected by its area but that does not run in this command: it is listed
 * as skipped, naming the commands that do run it, instead of vanishing from the report.
 */
export function notInCommand(check: Check, command: string): Check {
  const scopes = check.meta.scopes ?? ['preflight', 'triage'];
  return {
    meta: {
      ...check.meta,
      clouds: 'all',
      cloudAgnostic: true,
      needs: [],
      messages: { ...check.meta.messages, notInCommand: 'Runs in {{scopes}}, not in {{command}}: rerun with model-engine-doctor {{first}} --only {{id}}' },
    },
    run: async () => skip('notInCommand', { data: { scopes: scopes.join(' and '), command, first: scopes[0] ?? 'triage', id: check.meta.id } }),
  };
}

/**
 * The checks of a run: by scope, `--only` and `--skip`. Checks `--only` asks for by area that belong to another
 * command are listed as skipped; the chart checks that judge a rendered chart are left out when nothing is
 * rendered (chart/renders says how to render one), unless `--only` names them.
 */
export function checksForRun(cmd: Pick<CheckCommand, 'name' | 'scope'>, opts: Pick<CommonOptions, 'only' | 'skip'>, rendered: boolean): Check[] {
  const sel = { scope: cmd.scope, ...(opts.only ? { only: opts.only } : {}), ...(opts.skip ? { skip: opts.skip } : {}) };
  const named = (c: Check) => (opts.only ?? []).some((o) => o === c.meta.id || o === areaOf(c.meta.id));
  // chart/renders says how to render a chart in preflight; elsewhere, with no chart, it has nothing to add.
  const unrendered = (c: Check) => RENDER_ONLY.has(c.meta.id) || (c.meta.id === 'chart/renders' && cmd.name !== 'preflight');
  const selected = selectChecks(allChecks, sel).filter((c) => rendered || !unrendered(c) || named(c));
  if (!opts.only?.length) return selected;
  const ids = new Set(selected.map((c) => c.meta.id));
  const elsewhere = selectChecks(allChecks, { ...sel, scope: undefined })
    .filter((c) => !ids.has(c.meta.id) && !(c.meta.scopes ?? ['preflight', 'triage']).includes(cmd.scope))
    .map((c) => notInCommand(c, cmd.name));
  return [...selected, ...elsewhere];
}

/** The whole run of a check command. Returns the exit code. */
export async function runCheckCommand(cmd: CheckCommand, opts: CommonOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  const format = chooseFormat(opts, streams);
  const color = useColor(opts, streams);
  const chart = await chartToRender(opts);
  const checks = checksForRun(cmd, opts, chart !== undefined);
  const deadline = startDeadline(opts);
  const { sources, resolved, values } = await untilDeadline(prepare(cmd, opts, streams, signal, deadline, chart), deadline, 'before the checks could start');
  const kube = resolved.context.kube as GuardedKube | undefined;
  // The checks read both namespaces' pods whole (images/cluster-pull-errors): a cluster-wide pod list need not read them again.
  sources.kube?.readsWhole?.('pods', [resolved.context.namespaces.controlPlane, resolved.context.namespaces.endpoint]);
  const target: ReportTarget = {
    ...sources.target,
    ...(resolved.context.cloud ? { cloud: resolved.context.cloud } : {}),
    ...(resolved.cloudSource ? { cloudSource: resolved.cloudSource } : {}),
    namespaces: resolved.context.namespaces,
    valuesFiles: [...(values?.files ?? [])],
    ...(values ? { valuesOrigin: values.origin } : {}),
    ...(resolved.unread.length ? { unread: resolved.unread } : {}),
  };

  const explicitIds = new Set(opts.only ?? []);
  const runInput = {
    command: cmd.name,
    toolVersion: VERSION,
    checks,
    explicitIds,
    context: resolved.context,
    target,
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    // An explicit --timeout is every check's timeout, including checks that set a longer one of their own.
    ...(opts.timeout ? { defaultTimeoutMs: opts.timeout, checkTimeoutMs: opts.timeout } : {}),
    ...(deadline ? { deadline } : {}),
    signal,
  };
  // Extensions, then the incidents: the findings grouped by root cause (src/engine/incidents.ts).
  const withExtensions = async (report: Report): Promise<Report> => {
    const extended = cmd.extensions ? { ...report, ...(await cmd.extensions(resolved.context)) } : report;
    return { ...extended, incidents: groupIncidents(extended.results) };
  };
  // A run in which not one read succeeded is not a report of skips: exit 2, naming what was refused.
  const readSomething = (report: Report): Report => {
    if (kube && learnedNothing(kube, report)) throw nothingReadError(kube, resolved.context.namespaces);
    return report;
  };

  if (format === 'tui') {
    const { runTui } = await import('../tui/run-tui.js');
    const report = readSomething(await runTui({ runInput, color, finalize: withExtensions, streams, showPassed: !!opts.showPassed }));
    return cmd.exitCode ? cmd.exitCode(report) : exitCodeFor(report, opts.failOn);
  }
  const progress = streams.stderr.isTTY ? progressPrinter(streams.stderr) : undefined;
  const report = readSomething(await withExtensions(await runChecks({ ...runInput, ...(progress ? { onEvent: progress } : {}) })));
  streams.stdout.write(render(format, report, { color, width: streams.stdout.columns ?? 100, showPassed: !!opts.showPassed }));
  return cmd.exitCode ? cmd.exitCode(report) : exitCodeFor(report, opts.failOn);
}

/**
 * Sources, values, the chart port and the check context of a check command. Standard input (`-f -`) is read once and
 * shared by the values loader and `helm template`; the values, stdin and helm stop at Ctrl-C and at `--deadline`.
 */
async function prepare(cmd: CheckCommand, opts: CommonOptions, streams: Streams, signal: AbortSignal, deadline: Deadline | undefined, chart: { dir: string } | undefined) {
  const opened = await openSources(opts, cmd.needCluster, signal, streams.stderr, deadline);
  printWarnings(opened, streams);
  if (cmd.name === 'preflight' && !opened.kube && !hasValuesFlags(opts)) {
    throw new FatalError('preflight needs helm values: pass -f values.yaml (or a cluster with the release installed)');
  }
  // One guarded port for the whole run: it keeps the ledger of what could be read.
  const sources: Sources = { ...opened, ...(opened.kube ? { kube: guardKube(opened.kube) } : {}) };
  const first = await resolveContext({
    ...(sources.kube ? { kube: sources.kube } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.release ? { release: opts.release } : {}),
    ...(sources.clusterContext ? { clusterContext: sources.clusterContext } : {}),
    requireControlPlane: cmd.needCluster,
  });
  const controlPlane = first.context.namespaces.controlPlane;
  const bounded = deadline ? AbortSignal.any([signal, deadline.signal]) : signal;
  const stdin = stdinOnce();
  const read = await readValues(opts, sources.kube, controlPlane, { signal: bounded, stdin, ...(chart ? { chartDir: chart.dir } : {}) });
  const extraPorts = chart ? { [CHART_PORT]: await chartPortFor(opts, chart.dir, first.context, bounded, stdin) } : {};
  const resolved = await contextFor(opts, sources, runOptions(opts), signal, read, cmd.needCluster, extraPorts);
  return { sources, resolved, values: read.values };
}

/**
 * The chart port of a run, rendering for the control-plane namespace. When the run could not determine that namespace
 * (RBAC, or the API failing), rendering for a guess would judge another install: the port answers with the reason
 * instead, so the chart checks skip (or err) naming it, as the checks that read the cluster do.
 */
async function chartPortFor(opts: CommonOptions, dir: string, first: ResolvedContext['context'], signal: AbortSignal, stdin: () => Promise<string>): Promise<ChartPort> {
  const unknown = first.missing?.controlPlaneNamespace;
  if (unknown) return { path: dir, render: () => Promise.reject(unknown) };
  return chartPort(opts, dir, first.namespaces.controlPlane, signal, stdin);
}

/** `p`, unless the deadline passes first: then exit 2 saying what it was spent on. */
async function untilDeadline<T>(p: Promise<T>, deadline: Deadline | undefined, when: string): Promise<T> {
  try {
    return deadline ? await untilAborted(p, deadline.signal) : await p;
  } catch (e) {
    if (deadline?.signal.aborted && (e instanceof CancelledError || e instanceof DeadlineError)) {
      throw new FatalError(`${new DeadlineError(deadline.ms).message} ${when} (connecting to the cluster, finding model-engine and reading the values)`, EXIT.usage, 'a longer --deadline, or a shorter --request-timeout so a stalled request gives up sooner');
    }
    throw e;
  }
}

/** A terse progress line on stderr for non-TUI runs on a terminal. */
function progressPrinter(stderr: NodeJS.WritableStream): (e: RunEvent) => void {
  let total = 0;
  let done = 0;
  return (e) => {
    if (e.type === 'run:start') total = e.checks.length;
    if (e.type === 'check:end') {
      done++;
      stderr.write(`\r\x1b[2Kchecking… ${done}/${total} ${e.id}`);
    }
    if (e.type === 'run:end') stderr.write('\r\x1b[2K');
  };
}
