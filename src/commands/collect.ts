import { EXIT, FatalError, type ExitCode } from '../engine/errors.js';
import { resolveContext } from '../run/context.js';
import { collectSnapshot } from '../sources/snapshot/collect.js';
import { VERSION } from '../version.js';
import { openSources, printWarnings, type CommonOptions, type Streams } from './run.js';

type ClusterFlags = Pick<CommonOptions, 'kubeconfig' | 'context' | 'cluster' | 'user' | 'as' | 'asGroup' | 'snapshot' | 'namespace' | 'endpointNamespace' | 'verbosity' | 'requestTimeout'>;

/** The collect command's flags as parsed, before its path is settled. */
export interface CollectArgs extends ClusterFlags {
  file?: string;
  /** Deprecated `-o PATH` (kept for one release: `-o` is the output format everywhere else). */
  output?: string;
  tail: number;
}

export interface CollectCommandOptions extends ClusterFlags {
  /** The snapshot folder, or a path ending in `.tar.gz`. */
  file: string;
  tail: number;
}

/** The snapshot path from `collect PATH`, `--file PATH` or the deprecated `-o PATH` (with a warning); exactly one. */
export function collectPath(positional: string | undefined, args: CollectArgs, stderr: Streams['stderr']): string {
  const given = [
    ...(positional ? [{ flag: 'the path argument', path: positional }] : []),
    ...(args.file ? [{ flag: '--file', path: args.file }] : []),
    ...(args.output ? [{ flag: '-o', path: args.output }] : []),
  ];
  if (given.length === 0) throw new FatalError('collect needs a snapshot path: model-engine-doctor collect snap.tar.gz (or --file PATH)');
  if (given.length > 1) throw new FatalError(`collect takes one snapshot path, got ${given.map((g) => `${g.flag} ${g.path}`).join(' and ')}`);
  if (args.output) {
    stderr.write(`model-engine-doctor: warning: collect -o PATH is deprecated (-o is the output format everywhere else): use collect ${args.output} or --file ${args.output}\n`);
  }
  return given[0]!.path;
}

/** `collect PATH`: a redacted snapshot of everything the checks read. */
export async function collectCommand(opts: CollectCommandOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  const { file, tail, ...cluster } = opts;
  const sources = await openSources(cluster, true, signal, streams.stderr);
  printWarnings(sources, streams);
  const kube = sources.kube!;
  const { context, unread } = await resolveContext({
    kube,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.endpointNamespace ? { endpointNamespace: opts.endpointNamespace } : {}),
    ...(sources.clusterContext ? { clusterContext: sources.clusterContext } : {}),
    // A snapshot is wanted most when the install failed: a cluster without a control plane is collected too.
    requireControlPlane: false,
  });
  for (const u of unread) streams.stderr.write(`not read: ${u}\n`);
  if (context.namespaces.assumed?.includes('controlPlane')) {
    streams.stderr.write(`no model-engine control plane found: collecting namespace ${context.namespaces.controlPlane} (helm's default); pass -n NAMESPACE to collect where the release was installed\n`);
  }
  const summary = await collectSnapshot({
    // The context's port: a namespace it could not determine is reported as not read, never guessed.
    kube: context.kube ?? kube,
    namespaces: context.namespaces,
    output: file,
    tailLines: tail,
    now: sources.now ?? new Date(),
    ...(sources.target.context ? { context: sources.target.context } : {}),
    ...(sources.target.server ? { server: sources.target.server } : {}),
    ...(sources.serverVersion ? { serverVersion: sources.serverVersion } : {}),
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
