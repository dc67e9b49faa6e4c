import { EXIT, type ExitCode } from '../engine/errors.js';
import { resolveContext } from '../run/context.js';
import { collectSnapshot } from '../sources/snapshot/collect.js';
import { VERSION } from '../version.js';
import { openSources, type Streams } from './run.js';

export interface CollectCommandOptions {
  output: string;
  tail: number;
  kubeconfig?: string;
  context?: string;
  requestTimeout?: number;
  snapshot?: string;
  namespace?: string;
  endpointNamespace?: string;
}

/** `collect -o PATH`: a redacted snapshot of everything the checks read. */
export async function collectCommand(opts: CollectCommandOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  const sources = await openSources({ ...opts, output: undefined }, true, signal);
  const kube = sources.kube!;
  const { context, unread } = await resolveContext({
    kube,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.endpointNamespace ? { endpointNamespace: opts.endpointNamespace } : {}),
    ...(sources.clusterContext ? { clusterContext: sources.clusterContext } : {}),
    requireControlPlane: true,
  });
  for (const u of unread) streams.stderr.write(`not read: ${u}\n`);
  const summary = await collectSnapshot({
    // The context's port: a namespace it could not determine is reported as not read, never guessed.
    kube: context.kube ?? kube,
    namespaces: context.namespaces,
    output: opts.output,
    tailLines: opts.tail,
    now: sources.now ?? new Date(),
    ...(sources.target.context ? { context: sources.target.context } : {}),
    ...(sources.target.server ? { server: sources.target.server } : {}),
    toolVersion: VERSION,
    signal,
    onProgress: (t) => streams.stderr.write(`collecting ${t}…\n`),
  });
  streams.stderr.write(
    `wrote ${summary.path}: ${summary.objects} objects, ${summary.logs} logs, ${summary.requests} API requests; secrets redacted\n`,
  );
  for (const s of summary.skipped) streams.stderr.write(`skipped (RBAC): ${s}\n`);
  return EXIT.ok;
}
