import { EXIT, type ExitCode } from '../engine/errors.js';
import { VERSION } from '../version.js';
import type { Streams } from './run.js';

export interface VersionInfo {
  version: string;
  /** The Node.js running the doctor, e.g. `v24.3.0`. */
  node: string;
  /** `process.platform/process.arch`, e.g. `linux/x64`. */
  platform: string;
}

export function versionInfo(): VersionInfo {
  return { version: VERSION, node: process.version, platform: `${process.platform}/${process.arch}` };
}

/** `version [-o json]`: the version, with the Node.js version and platform (for bug reports). */
export function versionCommand(opts: { output: 'text' | 'json' }, streams: Streams): ExitCode {
  const info = versionInfo();
  streams.stdout.write(
    opts.output === 'json' ? `${JSON.stringify(info, null, 2)}\n` : `model-engine-doctor ${info.version} (node ${info.node}, ${info.platform})\n`,
  );
  return EXIT.ok;
}
