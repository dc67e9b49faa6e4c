/** Tools the distribution tests drive. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export function isExecutable(file: string | undefined): file is string {
  if (!file) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** MED_KUBECTL, else the pinned kubectl the control-plane build makes (test/control-plane/bin), else one on PATH. */
export function findKubectl(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'kubectl'));
  return [process.env.MED_KUBECTL, join(ROOT, 'test/control-plane/bin/kubectl'), ...onPath].find(isExecutable);
}

/** MED_KREW, else krew from the control-plane build (test/control-plane/bin), else krew or kubectl-krew on PATH. */
export function findKrew(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).flatMap((d) => [join(d, 'krew'), join(d, 'kubectl-krew')]);
  return [process.env.MED_KREW, join(ROOT, 'test/control-plane/bin/krew'), ...onPath].find(isExecutable);
}
