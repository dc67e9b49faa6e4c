import type { Snapshot } from '../snapshot/load.js';

/** `/version`: the snapshot's recorded server version, else the nodes' most common kubelet version. */
export function serverVersion(snapshot: Snapshot, override?: string) {
  let git = override ?? snapshot.info?.serverVersion;
  if (!git) {
    const counts = new Map<string, number>();
    for (const o of snapshot.objects) {
      const v = o.kind === 'Node' ? (o.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion : undefined;
      if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    git = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'v1.29.0';
  }
  const m = /^v?(\d+)\.(\d+)\.\d+(.*)$/.exec(git);
  return {
    major: m?.[1] ?? '1',
    minor: m ? `${m[2]}${m[3] ? '+' : ''}` : '29',
    gitVersion: git,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: snapshot.now.toISOString().replace(/\.\d+Z$/, 'Z'),
    goVersion: 'go1.21.9',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
