/**
 * Where network probes may go. A real run probes what the cluster names (registries, Redis, cloud APIs); the demo
 * and the tests must reach loopback only. Every probe source asks `hostAllowed` before it opens a connection.
 */
import { isIP } from 'node:net';

export type NetworkPolicy = 'all' | 'loopback' | 'none';

/** The default policy: `MED_NETWORK` (all | loopback | none), else all. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): NetworkPolicy {
  const v = env.MED_NETWORK;
  return v === 'loopback' || v === 'none' ? v : 'all';
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.');
  return false;
}

/** Whether a probe may connect to `host` under `policy`; the reason says why not, for the skip message. */
export function hostAllowed(host: string, policy: NetworkPolicy): { ok: true } | { ok: false; reason: string } {
  if (policy === 'all') return { ok: true };
  if (policy === 'loopback' && isLoopbackHost(host)) return { ok: true };
  return {
    ok: false,
    reason:
      policy === 'none'
        ? `network probes are disabled (--no-probes, or --snapshot without --probes); ${host} was not contacted`
        : `this run may reach loopback addresses only (demo or test); ${host} was not contacted`,
  };
}
