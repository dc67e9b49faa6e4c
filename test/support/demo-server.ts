import { afterAll, beforeAll } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSnapshotServer, type SnapshotServer, type SnapshotServerOptions } from '../../src/sources/server/api-server.js';
import { loadSnapshot } from '../../src/sources/snapshot/load.js';

const DEMO = resolve(import.meta.dirname, '../../fixtures/clusters/demo-aws');

/**
 * A temp dir and the demo snapshot served on loopback for the tests of one file, with a kubeconfig for it; made in
 * beforeAll, removed in afterAll. The getters read them once the hooks have run.
 */
export function demoServer(options: Omit<SnapshotServerOptions, 'snapshot'> = {}) {
  let tmp = '';
  let server: SnapshotServer | undefined;
  let kubeconfig = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'med-cli-'));
    server = await startSnapshotServer({ snapshot: await loadSnapshot(DEMO), ...options });
    kubeconfig = join(tmp, 'kubeconfig');
    await writeFile(kubeconfig, server.kubeconfig);
  });
  afterAll(async () => {
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  });
  return {
    tmp: () => tmp,
    server: () => server!,
    kubeconfig: () => kubeconfig,
  };
}
