import { writeFile } from 'node:fs/promises';
import { EXIT, FatalError, type ExitCode } from '../engine/errors.js';
import { parseDenial } from '../sources/kube/snapshot-kube.js';
import { startSnapshotServer } from '../sources/server/api-server.js';
import { loadSnapshot } from '../sources/snapshot/load.js';
import { redactText } from '../engine/redact.js';
import type { Streams } from './run.js';

export interface ServeOptions {
  host: string;
  port: number;
  tls?: boolean;
  token?: string;
  deny?: string[];
  kubeconfigOut?: string;
}

/** `serve PATH`: a read-only Kubernetes API over a snapshot until Ctrl-C. */
export async function serveCommand(path: string, opts: ServeOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new FatalError(`--port must be 0-65535, got ${opts.port}`);
  let denials;
  try {
    denials = (opts.deny ?? []).map(parseDenial);
  } catch (e) {
    throw new FatalError((e as Error).message);
  }
  const snapshot = await loadSnapshot(path);
  for (const w of snapshot.warnings ?? []) streams.stderr.write(`model-engine-doctor: warning: ${redactText(w)}\n`);
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
    });
  } catch (e) {
    throw new FatalError(`cannot serve on ${opts.host}:${opts.port}: ${(e as Error).message}`);
  }
  if (opts.kubeconfigOut) {
    await writeFile(opts.kubeconfigOut, server.kubeconfig, { mode: 0o600 });
    streams.stderr.write(`kubeconfig written to ${opts.kubeconfigOut}\n`);
  } else {
    streams.stdout.write(server.kubeconfig);
  }
  streams.stderr.write(
    `serving snapshot ${path} (${snapshot.objects.length} objects) at ${server.url}; read-only; Ctrl-C to stop\n`,
  );
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  return EXIT.ok;
}
