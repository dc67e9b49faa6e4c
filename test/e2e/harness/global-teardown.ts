import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const cp = globalThis.__MED_CONTROL_PLANE__;
  if (cp) await cp.stop();
  if (process.env.MED_E2E_STATE) rmSync(process.env.MED_E2E_STATE, { force: true });
}
