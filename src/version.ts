import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root: `src/` when run from source, `dist/src/` when built. */
function packageRoot(): string {
  for (const rel of ['../', '../../']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}package.json`) && existsSync(`${dir}fixtures`)) return dir;
  }
  return fileURLToPath(new URL('../', import.meta.url));
}

export const PACKAGE_ROOT = packageRoot();
export const VERSION: string = (JSON.parse(readFileSync(`${PACKAGE_ROOT}package.json`, 'utf8')) as { version: string }).version;
