/**
 * `endpoint <id|name>`: why is this endpoint not serving, and what exactly to change. Runs the endpoint-scoped
 * checks, then the endpoint diagnosis (`src/model-engine/endpoint-diagnosis.ts`) over facts collected with a bounded
 * number of API calls, and shows the diagnosis first. `--watch` re-diagnoses every `--interval` seconds until the
 * endpoint is HEALTHY (exit 0) or the user presses Ctrl-C (130).
 *
 * Exit codes: 3 when the cause is a fault (anything but HEALTHY, STARTING, SCALED_TO_ZERO — NOT_FOUND included),
 * 0 otherwise. The endpoint-scoped checks are shown for context and do not change it.
 */
import type { Diagnosis } from '../engine/diagnosis.js';
import { diagnose, isFault } from '../../diagnoses/index.js';
import { undiagnosed } from '../model-engine/endpoint-diagnosis.js';
import { collectEndpointFacts } from '../model-engine/endpoint-facts.js';
import { ApiError, CancelledError, DeadlineError, EXIT, ForbiddenError, type ExitCode } from '../engine/errors.js';
import type { BaseContext } from '../engine/runner.js';
import { SCHEMA_VERSION, type Report } from '../engine/types.js';
import { renderDiagnosisLine } from '../reporters/diagnosis.js';
import { sleep } from '../sources/sleep.js';
import { chooseFormat, contextFor, openSources, runCheckCommand, runOptions, useColor, type CommonOptions, type Streams } from './run.js';

export interface EndpointOptions extends CommonOptions {
  watch?: boolean;
  gatewayUrl?: string;
  /** Seconds between evaluations with --watch (default 5). */
  interval?: number;
}

export const DEFAULT_WATCH_INTERVAL_S = 5;

/** Collect and diagnose one endpoint in a resolved context. */
export async function diagnoseEndpoint(ctx: BaseContext, endpoint: string, opts: { signal: AbortSignal; fromSnapshot: boolean; gatewayUrl?: string }): Promise<Diagnosis> {
  if (!ctx.kube) throw new Error('the endpoint doctor needs a cluster or a snapshot');
  const gateway = ctx.ports.gateway;
  // A snapshot is the past: probing the registry now would mix two moments, so only live runs probe.
  const registry = opts.fromSnapshot ? undefined : ctx.ports.registry;
  const cloud = opts.fromSnapshot ? undefined : ctx.ports.cloud;
  let facts;
  try {
    facts = await collectEndpointFacts({
      kube: ctx.kube,
      query: endpoint,
      namespace: ctx.namespaces.endpoint,
      controlPlaneNamespace: ctx.namespaces.controlPlane,
      now: ctx.now,
      signal: opts.signal,
      ...(gateway ? { gateway } : {}),
      ...(registry ? { registry } : {}),
      ...(cloud ? { cloud } : {}),
      hints: {
        ...(ctx.cloud ? { cloud: ctx.cloud } : {}),
        ...(ctx.matrix?.nodePool ? { nodePool: ctx.matrix.nodePool } : {}),
        context: ctx.cluster?.context ?? ctx.kube.target,
        ...(opts.gatewayUrl ? { gatewayUrl: gateway?.baseUrl ?? opts.gatewayUrl } : {}),
      },
    });
  } catch (e) {
    // Ctrl-C, whatever a probe rejected with when its signal aborted.
    if (opts.signal.aborted) throw new CancelledError();
    // The diagnosis could not collect what it needs: an UNKNOWN verdict that says why, never a missing report.
    if (e instanceof ApiError || e instanceof DeadlineError || e instanceof ForbiddenError) return undiagnosed(endpoint, ctx.namespaces.endpoint, e);
    throw e;
  }
  return diagnose(facts);
}

const isDiagnosis = (x: unknown): x is Diagnosis => !!x && typeof x === 'object' && typeof (x as Diagnosis).cause === 'string' && !!(x as Diagnosis).endpoint;

/** Exit 3 for a fault, 0 for HEALTHY / STARTING / SCALED_TO_ZERO. */
export function endpointExitCode(report: Report): ExitCode {
  return isDiagnosis(report.diagnosis) && !isFault(report.diagnosis.cause) ? EXIT.ok : EXIT.failed;
}

function notFoundLine(d: Diagnosis, streams: Streams): void {
  if (d.cause === 'NOT_FOUND') streams.stderr.write(`model-engine-doctor: endpoint not found: ${d.summary}\n`);
}

export async function endpointCommand(endpoint: string, opts: EndpointOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  const extra = { ...(opts.extra ?? {}), endpoint, ...(opts.gatewayUrl ? { gatewayUrl: opts.gatewayUrl } : {}) };
  if (opts.watch) return watchEndpoint(endpoint, { ...opts, extra }, streams, signal);
  const tui = chooseFormat(opts, streams) === 'tui';
  return runCheckCommand(
    {
      name: 'endpoint',
      scope: 'endpoint',
      needCluster: true,
      extensions: async (ctx) => {
        const diagnosis = await diagnoseEndpoint(ctx, endpoint, { signal, fromSnapshot: !!opts.snapshot, ...(opts.gatewayUrl ? { gatewayUrl: opts.gatewayUrl } : {}) });
        if (!tui) notFoundLine(diagnosis, streams);
        return { diagnosis };
      },
      exitCode: endpointExitCode,
    },
    { ...opts, extra },
    streams,
    signal,
  );
}

/** One evaluation with fresh sources, so nothing is served from the previous evaluation's memo. */
async function evaluate(endpoint: string, opts: EndpointOptions, signal: AbortSignal): Promise<Diagnosis> {
  const sources = await openSources(opts, true, signal);
  try {
    // Watching never starts a canary pod or execs, whatever the flags say.
    const { context } = await contextFor(opts, sources, runOptions(opts, { canary: false, exec: false }), signal);
    return await diagnoseEndpoint(context, endpoint, { signal, fromSnapshot: !!opts.snapshot, ...(opts.gatewayUrl ? { gatewayUrl: opts.gatewayUrl } : {}) });
  } finally {
    await (sources.kube as { close?: () => Promise<void> } | undefined)?.close?.();
  }
}

const clock = (d: Date) => d.toISOString().slice(11, 19);

/**
 * `--watch`: text prints one compact line per change, `-o json` one JSON line per evaluation, the TUI redraws the
 * diagnosis in place. Stops with exit 0 when the endpoint is HEALTHY; Ctrl-C rejects with CancelledError (130).
 */
export async function watchEndpoint(endpoint: string, opts: EndpointOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  const format = chooseFormat(opts, streams);
  const color = useColor(opts, streams);
  const intervalMs = Math.max(0.05, opts.interval ?? DEFAULT_WATCH_INTERVAL_S) * 1000;
  let view: { update(d: Diagnosis, note?: string): void; close(): Promise<void> } | undefined;
  let lastLine: string | undefined;
  let warned = false;
  try {
    for (;;) {
      const d = await evaluate(endpoint, opts, signal);
      const at = new Date();
      if (format === 'json') {
        streams.stdout.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, command: 'endpoint', evaluatedAt: at.toISOString(), diagnosis: d })}\n`);
      } else if (format === 'tui') {
        const note = `re-checked ${clock(at)} · every ${intervalMs / 1000}s · Ctrl-C to stop`;
        if (view) view.update(d, note);
        else {
          const { mountDiagnosisView } = await import('../tui/diagnosis-live.js');
          view = mountDiagnosisView({ stdout: streams.stdout, color, diagnosis: d, note });
        }
      } else {
        const line = renderDiagnosisLine(d);
        if (line !== lastLine) streams.stdout.write(`${clock(at)}  ${line}\n`);
        lastLine = line;
      }
      if (d.cause === 'HEALTHY') return EXIT.ok;
      if (d.cause === 'NOT_FOUND' && format !== 'tui' && !warned) {
        notFoundLine(d, streams);
        warned = true;
      }
      await sleep(intervalMs, signal, () => new CancelledError());
    }
  } finally {
    await view?.close();
  }
}
