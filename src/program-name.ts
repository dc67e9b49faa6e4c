import { basename } from 'node:path';

/** The executable's name when kubectl runs it as the plugin `kubectl model-engine-doctor` (krew installs it so). */
export const KUBECTL_PLUGIN_BIN = 'kubectl-model_engine_doctor';

/**
 * The name usage text shows: `kubectl model-engine-doctor` when invoked as the kubectl plugin (kubectl runs
 * `kubectl-model_engine_doctor` found on PATH; krew and `npm install -g` put one there), else `model-engine-doctor`.
 * `invokedAs` is `process.argv[1]`: the script path for node, the name it was run by for the single executable.
 */
export function programName(invokedAs: string | undefined): string {
  const base = basename(invokedAs ?? '').replace(/\.(exe|cmd|js)$/i, '');
  return base === KUBECTL_PLUGIN_BIN ? 'kubectl model-engine-doctor' : 'model-engine-doctor';
}
