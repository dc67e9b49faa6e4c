import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRawAsset } from 'node:sea';
import type { ExitCode } from '../engine/errors.js';
import { startSnapshotServer } from '../sources/server/api-server.js';
import { loadSnapshot } from '../sources/snapshot/load.js';
import { PACKAGE_ROOT, SINGLE_EXECUTABLE } from '../version.js';
import { runCheckCommand, type CommonOptions, type Streams } from './run.js';
import { TRIAGE_COMMAND } from './triage.js';

export const DEMO_SNAPSHOT = join(PACKAGE_ROOT, 'fixtures/clusters/demo-aws');
/** The same snapshot as a .tar.gz asset of the single executable (written by scripts/build-sea.mjs). */
export const DEMO_SNAPSHOT_ASSET = 'demo-aws.tar.gz';

/** The demo snapshot's path: the package's folder, or (single executable) its embedded archive written into `dir`. */
async function demoSnapshotPath(dir: string): Promise<string> {
  if (!SINGLE_EXECUTABLE) return DEMO_SNAPSHOT;
  const file = join(dir, DEMO_SNAPSHOT_ASSET);
  await writeFile(file, new Uint8Array(getRawAsset(DEMO_SNAPSHOT_ASSET)));
  return file;
}

/**
 * `demo`: serve the embedded demo snapshot on loopback as a Kubernetes API and run `triage` against it with the
 * real client, exactly as against a live cluster.
 */
export async function demoCommand(opts: CommonOptions, streams: Streams, signal: AbortSignal): Promise<ExitCode> {
  const dir = await mkdtemp(join(tmpdir(), 'med-demo-'));
  try {
    const snapshot = await loadSnapshot(await demoSnapshotPath(dir));
    const server = await startSnapshotServer({ snapshot, host: '127.0.0.1', port: 0 });
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(kubeconfig, server.kubeconfig, { mode: 0o600 });
      streams.stderr.write(
        `demo: serving the embedded model-engine cluster snapshot (${snapshot.info?.context ?? 'demo'}, ` +
          `collected ${snapshot.now.toISOString()}) at ${server.url}; running triage over the Kubernetes API…\n`,
      );
      return await runCheckCommand(
        TRIAGE_COMMAND,
        // The demo's cluster is on loopback and so is everything it may probe: no registry or cloud is contacted.
        { ...opts, kubeconfig, context: undefined, snapshot: undefined, network: 'loopback' },
        streams,
        signal,
      );
    } finally {
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
