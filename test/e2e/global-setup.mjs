// Jest loads globalSetup outside its module mapper; the TypeScript setup is loaded through tsx instead.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup(config) {
  const mod = await tsImport('./harness/global-setup.ts', import.meta.url);
  await mod.default(config);
}
