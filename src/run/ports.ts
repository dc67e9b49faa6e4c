/**
 * The probe ports of a run (registry, redis, cloud APIs …), made once per run and shared by every check.
 * Each area adds its factory here; checks reach them as `ctx.ports.<name>` and declare them in `meta.needs`.
 */
import type { KubePort, RunOptions } from '../engine/types.js';

export interface PortsInput {
  kube?: KubePort;
  options: RunOptions;
  signal: AbortSignal;
}

export async function createPorts(_input: PortsInput): Promise<Record<string, unknown>> {
  const ports: Record<string, unknown> = {};
  return ports;
}
