import type { ExitCode } from '../engine/errors.js';
import { runCheckCommand, type CommonOptions, type Streams } from './run.js';

export interface EndpointOptions extends CommonOptions {
  watch?: boolean;
  gatewayUrl?: string;
}

/** `endpoint <id|name>`: the endpoint-scoped checks, with the endpoint passed to them. */
export async function endpointCommand(endpoint: string, opts: EndpointOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  return runCheckCommand(
    { name: 'endpoint', scope: 'endpoint', needCluster: true },
    { ...opts, extra: { ...(opts.extra ?? {}), endpoint, ...(opts.gatewayUrl ? { gatewayUrl: opts.gatewayUrl } : {}) } },
    streams,
    signal,
  );
}
