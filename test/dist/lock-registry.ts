/**
 * A stand-in for the npm registry's metadata, on loopback: the packuments of every package in package-lock.json
 * (only the locked versions), with their integrity. npm finds each tarball in its local cache by that integrity,
 * so a tarball request here means the cache lacked it: it is answered 404 and recorded, never fetched elsewhere.
 * Tests reach loopback only, and this lets `npx <tarball>` resolve its dependencies without the real registry.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: Record<string, string> | string;
  engines?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  license?: string;
}

export interface LockRegistry {
  url: string;
  /** Packument requests answered, by package name. */
  packuments: string[];
  /** Requests answered 404: tarballs the local cache lacked, packages not in the lock. */
  misses: string[];
  close(): Promise<void>;
}

/** name → version → its entry in the lock (a package may be locked at several versions in nested folders). */
export function lockedVersions(lockFile: string): Map<string, Map<string, LockEntry>> {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, LockEntry> };
  const out = new Map<string, Map<string, LockEntry>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at < 0 || entry.link || !entry.version || !entry.integrity) continue;
    const name = path.slice(at + 'node_modules/'.length);
    const versions = out.get(name) ?? new Map<string, LockEntry>();
    versions.set(entry.version, entry);
    out.set(name, versions);
  }
  return out;
}

function packument(name: string, versions: Map<string, LockEntry>, base: string) {
  const tarballName = name.split('/').pop()!;
  const all = [...versions.entries()];
  const pick = (e: LockEntry) => {
    const { dependencies, optionalDependencies, peerDependencies, peerDependenciesMeta, bin, engines, os, cpu, license } = e;
    return { dependencies, optionalDependencies, peerDependencies, peerDependenciesMeta, bin, engines, os, cpu, license };
  };
  return {
    name,
    'dist-tags': { latest: all[all.length - 1]![0] },
    versions: Object.fromEntries(
      all.map(([version, e]) => [
        version,
        { name, version, ...pick(e), dist: { integrity: e.integrity, tarball: `${base}/${name}/-/${tarballName}-${version}.tgz` } },
      ]),
    ),
  };
}

export async function startLockRegistry(lockFile: string): Promise<LockRegistry> {
  const locked = lockedVersions(lockFile);
  const packuments: string[] = [];
  const misses: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]!);
    const versions = locked.get(name);
    if (req.method !== 'GET' || !versions) {
      misses.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    packuments.push(name);
    // no-store: npm must not keep these loopback packuments in its cache.
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(packument(name, versions, base)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    packuments,
    misses,
    // npm keeps its sockets alive: end them, or close() waits for their idle timeout.
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
