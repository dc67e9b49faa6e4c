/**
 * Tests reach loopback only. The doctor's own policy (MED_NETWORK=loopback) keeps probes from trying; this guard
 * makes any other connection attempt in a test process fail at once, before a DNS lookup leaves the machine.
 */
import dns from 'node:dns';
import net from 'node:net';
import { isLoopbackHost } from '../../src/sources/net-policy.js';

process.env.MED_NETWORK = 'loopback';
// CI runs these tests with CI=true, which makes ink draw only its last frame and the CLI choose text over the TUI.
// Tests that depend on it say so themselves (the CLI tests pass CI explicitly); the TUI tests need a terminal.
// Whether this is CI stays known to the tests' own helpers (a missing tool fails under CI: test/support/tools.ts).
if (process.env.CI !== undefined) process.env.MED_TEST_CI = process.env.CI;
delete process.env.CI;
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const guarded = Symbol.for('model-engine-doctor.network-guard');
const proto = net.Socket.prototype as net.Socket & { [guarded]?: boolean };
if (!proto[guarded]) {
  proto[guarded] = true;
  const original = proto.connect;
  proto.connect = function connect(this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its normalized arguments as one array: [options, callback].
    const a = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    const first = a[0] as { host?: string; path?: string; port?: number } | number | string | undefined;
    let host: string | undefined;
    if (typeof first === 'object' && first !== null && !Array.isArray(first)) host = first.path ? undefined : (first.host ?? 'localhost');
    else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) host = typeof a[1] === 'string' ? a[1] : 'localhost';
    if (host !== undefined && !isLoopbackHost(host)) {
      const err = Object.assign(new Error(`test network guard: connection to ${host} blocked (tests reach loopback only)`), { code: 'ENETUNREACH' });
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof proto.connect;
}

// DNS too: a lookup of any non-loopback name fails at once, so no query leaves the machine either.
const dnsGuarded = Symbol.for('model-engine-doctor.dns-guard');
const dnsModule = dns as typeof dns & { [dnsGuarded]?: boolean };
if (!dnsModule[dnsGuarded]) {
  dnsModule[dnsGuarded] = true;
  const blocked = (host: string) =>
    Object.assign(new Error(`getaddrinfo ENOTFOUND ${host} (test network guard: tests resolve loopback names only)`), { code: 'ENOTFOUND', hostname: host });
  const lookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = function guardedLookup(host: string, ...rest: unknown[]) {
    if (typeof host === 'string' && !isLoopbackHost(host) && net.isIP(host) === 0) {
      const cb = rest[rest.length - 1] as (err: Error) => void;
      process.nextTick(() => cb(blocked(host)));
      return {};
    }
    return (lookup as (...a: unknown[]) => unknown).call(dns, host, ...rest);
  };
  const plookup = dns.promises.lookup;
  (dns.promises as { lookup: unknown }).lookup = async function guardedPromiseLookup(host: string, ...rest: unknown[]) {
    if (typeof host === 'string' && !isLoopbackHost(host) && net.isIP(host) === 0) throw blocked(host);
    return (plookup as (...a: unknown[]) => Promise<unknown>).call(dns.promises, host, ...rest);
  };
}
