import { existsSync, readFileSync } from 'node:fs';
import { getAsset, isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';

/** The package root: `src/` when run from source, `dist/src/` when built. */
function packageRoot(): string {
  for (const rel of ['../', '../../']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}package.json`) && existsSync(`${dir}fixtures`)) return dir;
  }
  return fileURLToPath(new URL('../', import.meta.url));
}

/** Running as the single executable (Node SEA, scripts/build-sea.mjs): package files are assets of the executable. */
export const SINGLE_EXECUTABLE = isSea();
export const PACKAGE_ROOT = packageRoot();
const packageJson = SINGLE_EXECUTABLE ? getAsset('package.json', 'utf8') : readFileSync(`${PACKAGE_ROOT}package.json`, 'utf8');
export const VERSION: string = (JSON.parse(packageJson) as { version: string }).version;
