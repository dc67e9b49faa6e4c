import { writeFile } from 'node:fs/promises';
import { CancelledError, FatalError, untilAborted, type ExitCode } from '../engine/errors.js';
import { startSnapshotServer } from '../sources/server/api-server.js';
import { parseDenySpecs, parseFaultSpec, SpecError } from '../sources/server/faults.js';
import { loadSnapshot } from '../sources/snapshot/load.js';
import { redactText } from '../engine/redact.js';
import type { Streams } from './run.js';

export interface ServeOptions {
  host: string;
  port: number;
  tls?: boolean;
  token?: string;
  deny?: string[];
  /** `--fault KIND[:PATH[:COUNT[:ARG]]]` (docs/faults.md). */
  fault?: string[];
  kubeconfigOut?: string;
}

/** Specs parsed, or a FatalError (exit 2) with the first bad one's one-line reason. */
function parseSpecs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof SpecError) throw new FatalError(e.message);
    throw e;
  }
}

/** `serve PATH`: a read-only Kubernetes API over a snapshot until Ctrl-C (exit 130, as every cancelled command). */
export async function serveCommand(path: string, opts: ServeOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new FatalError(`--port must be 0-65535, got ${opts.port}`);
  const faults = parseSpecs(() => (opts.fault ?? []).map(parseFaultSpec));
  const snapshot = await untilAborted(loadSnapshot(path), signal);
  for (const w of snapshot.warnings ?? []) streams.stderr.write(`model-engine-doctor: warning: ${redactText(w)}\n`);
  const denials = parseSpecs(() => parseDenySpecs(opts.deny ?? [], snapshot));
  let server;
  try {
    server = await startSnapshotServer({
      snapshot,
      host: opts.host,
      port: opts.port,
      // kubectl never sends a bearer token over plain HTTP, so a token implies TLS.
      ...(opts.tls || opts.token ? { tls: true } : {}),
      ...(opts.token ? { token: opts.token } : {}),
      denials,
      faults,
    });
  } catch (e) {
    throw new FatalError(`cannot serve on ${opts.host}:${opts.port}: ${(e as Error).message}`);
  }
  try {
    if (opts.kubeconfigOut) {
      await writeFile(opts.kubeconfigOut, server.kubeconfig, { mode: 0o600 });
      streams.stderr.write(`kubeconfig written to ${opts.kubeconfigOut}\n`);
    } else {
      streams.stdout.write(server.kubeconfig);
    }
    const rehearsed = [...denials.map((d) => `deny ${d.verb} ${d.resource}${d.namespace ? ` in ${d.namespace}` : ''}`), ...(opts.fault ?? []).map((f) => `fault ${f}`)];
    streams.stderr.write(
      `serving snapshot ${path} (${snapshot.objects.length} objects) at ${server.url}; read-only${rehearsed.length ? `; ${rehearsed.join(', ')}` : ''}; Ctrl-C to stop\n`,
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await server.close();
  }
  // Stopped by Ctrl-C (or SIGTERM): the documented exit for a cancelled command.
  throw new CancelledError();
}
