import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown(config) {
  const mod = await tsImport('./harness/global-teardown.ts', import.meta.url);
  await mod.default(config);
}
