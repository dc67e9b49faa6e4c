/**
 * `serve` as users run it to rehearse: a real process with `--fault` and `--deny`, the doctor against it, and
 * Ctrl-C ending it with exit 130 like every cancelled command.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO, doctor } from './harness.js';
import { cli, until } from './processes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-faults-serve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('serve --fault --deny', () => {
  it('serves the faults and denials it was given, and exits 130 on Ctrl-C', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const serve = cli(['serve', DEMO, '--kubeconfig-out', kubeconfig, '--deny', 'list:deploy', '--fault', '503:/api/v1/namespaces/llm-engine/events:2:1', '--fault', 'reset:/api/v1/nodes:1']);
    try {
      expect(await until(() => existsSync(kubeconfig) && /Ctrl-C to stop/.test(serve.stderr()), 60_000)).toBe(true);
      expect(serve.stderr()).toMatch(/deny list deployments\.apps, fault 503:\/api\/v1\/namespaces\/llm-engine\/events:2:1, fault reset:\/api\/v1\/nodes:1; Ctrl-C to stop/);

      const out = await doctor(['triage'], kubeconfig);
      expect(out.stderr).toBe('');
      // The denial held (and was named); the faults were retried away.
      expect(out.report!.results.find((r) => r.id === 'control-plane/deployments-available')).toMatchObject({ status: 'skip', messageId: 'forbidden' });
      expect(out.report!.results.filter((r) => r.status === 'error')).toEqual([]);
      expect(out.report!.target.namespaces).toEqual({ controlPlane: 'model-engine', endpoint: 'llm-engine' });
    } finally {
      serve.proc.kill('SIGINT');
    }
    const { code } = await serve.exited;
    expect(code).toBe(130);
    expect(serve.stderr()).toMatch(/model-engine-doctor: cancelled\n$/);
  }, 120_000);
});
