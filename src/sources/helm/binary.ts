/**
 * Where helm is: `$HELM` (a path), else `helm` on PATH. The doctor runs it only with `--chart` (or
 * `--llm-engine-repo`), as `helm template`, which reads the chart folder and never talks to a cluster.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface HelmLocation {
  path?: string;
  /** Why none was found, as one line for a message. */
  why?: string;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function findHelm(env: NodeJS.ProcessEnv = process.env): HelmLocation {
  const explicit = env.HELM?.trim();
  if (explicit) {
    return executable(explicit) ? { path: explicit } : { why: `HELM=${explicit} is not an executable file` };
  }
  const names = process.platform === 'win32' ? ['helm.exe', 'helm'] : ['helm'];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const n of names) {
      const p = join(dir, n);
      if (executable(p)) return { path: p };
    }
  }
  return { why: 'helm is not on PATH (install helm v3.8+ or v4, or set HELM=/path/to/helm)' };
}
