/**
 * An endpoint diagnosis drawn in place and redrawn when a new one arrives: what `endpoint --watch` needs on a
 * terminal. The caller owns the loop (re-diagnosing, the interval, quitting); this only draws.
 */
import { render } from 'ink';
import type { Diagnosis } from '../engine/diagnosis.js';
import { DiagnosisView } from './EndpointTree.js';

export interface LiveDiagnosis {
  /** Replace what is shown; `note` is a line above it (e.g. "re-checked 10:04:12 · every 5s · Ctrl-C to stop"). */
  update(diagnosis: Diagnosis, note?: string): void;
  /** Stop drawing; the last diagnosis stays on screen. */
  close(): Promise<void>;
}

export function mountDiagnosisView(opts: { stdout: NodeJS.WritableStream; color: boolean; diagnosis: Diagnosis; note?: string }): LiveDiagnosis {
  const view = (d: Diagnosis, note?: string) => <DiagnosisView diagnosis={d} color={opts.color} {...(note ? { note } : {})} />;
  // No stdin: the caller handles Ctrl-C through its own signal (no raw mode here).
  const ink = render(view(opts.diagnosis, opts.note), { stdout: opts.stdout as NodeJS.WriteStream, exitOnCtrlC: false, patchConsole: false });
  return {
    update: (d, note) => ink.rerender(view(d, note)),
    close: async () => {
      ink.unmount();
      await ink.waitUntilExit().catch(() => undefined);
    },
  };
}
