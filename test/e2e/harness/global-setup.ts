/**
 * Starts the real control plane once for the e2e run and hands its state to the test files through
 * `MED_E2E_STATE` (a JSON file). Without the binaries the tier fails loudly under CI=true and skips, loudly,
 * otherwise (every test file checks `e2eAvailable()`).
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPrograms, startControlPlane, type RunningControlPlane } from './control-plane.js';

declare global {
  var __MED_CONTROL_PLANE__: RunningControlPlane | undefined;
}

export default async function globalSetup(): Promise<void> {
  const missing = missingPrograms();
  if (missing.length) {
    const msg = `e2e: control-plane programs not built (${missing.join(', ')}); run scripts/build-control-plane.sh`;
    if (process.env.CI === 'true') throw new Error(msg);
    process.stderr.write(`\n!!! ${msg} — the e2e tier is SKIPPED\n`);
    process.env.MED_E2E_SKIP = msg;
    return;
  }
  const t0 = Date.now();
  const cp = await startControlPlane();
  globalThis.__MED_CONTROL_PLANE__ = cp;
  const file = join(tmpdir(), `med-e2e-state-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(cp.state));
  process.env.MED_E2E_STATE = file;
  const parts = Object.entries(cp.state.startupMs)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`)
    .join(', ');
  process.stderr.write(`\ne2e: control plane up in ${((Date.now() - t0) / 1000).toFixed(1)}s (${parts}) at ${cp.state.server}\n`);
}
