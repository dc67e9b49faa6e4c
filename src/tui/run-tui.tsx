/**
 * The interactive terminal report. The engine runs here, outside React: its events go into a {@link RunStore}
 * that the components read. Loaded by dynamic import from `src/commands/run.ts`, so other output formats never
 * load React.
 */
import { render } from 'ink';
import { CancelledError, untilAborted } from '../engine/errors.js';
import { DEFAULT_TIMEOUT_MS, runCheck, runChecks, type RunInput } from '../engine/runner.js';
import type { Report } from '../engine/types.js';
import { App, type TuiActions } from './App.js';
import { osc52 } from './copy-text.js';
import { clearPreFrame } from './pre-frame.js';
import { RunStore } from './store.js';

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
type In = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

export interface RunTuiOptions {
  /** What `runChecks` gets; its `signal` (the CLI's Ctrl-C/SIGTERM) cancels the run. */
  runInput: RunInput;
  color: boolean;
  /** Adds command extensions (e.g. the endpoint `diagnosis`) to the report before it is shown. */
  finalize?: (report: Report) => Promise<Report>;
  streams: { stdout: Out; stderr: Out };
  /** Keyboard input; default `process.stdin`. Not a TTY → the report is drawn once and the TUI exits. */
  stdin?: In;
  /** Called when the user presses Ctrl-C, before the run is aborted. */
  cancel?: () => void;
  /** `--show-passed`: the list shows passes too. */
  showPassed?: boolean;
}

/**
 * Run the checks with a live view, then show the interactive report until the user quits. Resolves with the
 * final report (including re-run results); rejects with {@link CancelledError} on Ctrl-C (exit code 130).
 * On `q`, the selected item's fix is printed as plain text after the UI is gone.
 */
export async function runTui(opts: RunTuiOptions): Promise<Report> {
  const { runInput, streams } = opts;
  const stdin = opts.stdin ?? (process.stdin as In);
  const interactive = Boolean(stdin.isTTY);
  const store = new RunStore();

  // Our own controller, linked to the CLI's: Ctrl-C arrives as a key in raw mode (no SIGINT), so the UI aborts it.
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  if (runInput.signal?.aborted) controller.abort();
  else runInput.signal?.addEventListener('abort', onOuterAbort, { once: true });

  let settle!: (outcome: { fix?: string } | 'cancel') => void;
  const quit = new Promise<{ fix?: string } | 'cancel'>((resolve) => (settle = resolve));
  controller.signal.addEventListener('abort', () => settle('cancel'), { once: true });

  const rerun = async (id: string): Promise<void> => {
    const check = runInput.checks.find((c) => c.meta.id === id);
    if (!check) {
      store.notify(`cannot re-run ${id}: it is not part of this run`);
      return;
    }
    store.rerunStart(id);
    try {
      // A live cluster is read again (a snapshot stays what it is), so a re-run after a fix shows the fix.
      runInput.context.kube?.refresh?.();
      const results = await runCheck(check, runInput.context, {
        timeoutMs: runInput.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(runInput.checkTimeoutMs ? { forceTimeoutMs: runInput.checkTimeoutMs } : {}),
        signal: controller.signal,
        onProgress: (text) => store.rerunProgress(id, text),
      });
      if (!controller.signal.aborted) store.rerunEnd(id, results);
    } catch (err) {
      if (!(err instanceof CancelledError)) store.notify(`re-run of ${id} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const actions: TuiActions = {
    cancel: () => {
      store.cancelling();
      opts.cancel?.();
      controller.abort();
    },
    quit: (fix) => settle(fix ? { fix } : {}),
    copy: (fix, what) => {
      // Straight to the terminal, between two frames: the escape draws nothing, so ink's picture stays right.
      streams.stdout.write(osc52(fix));
      store.say(`copied ${what} (OSC 52)`);
    },
    rerun: (id) => void rerun(id),
  };

  // The pre-frame the CLI painted while this module loaded goes; ink draws its first frame in its place.
  clearPreFrame();
  const ink = render(<App store={store} color={opts.color} actions={actions} interactive={interactive} showPassed={!!opts.showPassed} />, {
    stdout: streams.stdout as NodeJS.WriteStream,
    stderr: streams.stderr as NodeJS.WriteStream,
    stdin: stdin as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let mounted = true;
  const unmount = async () => {
    if (!mounted) return;
    mounted = false;
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
  };

  try {
    const raw = await runChecks({
      ...runInput,
      signal: controller.signal,
      onEvent: (e) => {
        store.dispatch(e);
        runInput.onEvent?.(e);
      },
    });
    const report = opts.finalize ? await untilAborted(opts.finalize(raw), controller.signal) : raw;
    if (controller.signal.aborted) throw new CancelledError();
    store.setReport(report);
    if (!interactive) settle({});
    const outcome = await quit;
    if (outcome === 'cancel') throw new CancelledError();
    const final = store.getState().report ?? report;
    await unmount();
    if (outcome.fix) streams.stdout.write(`\n${outcome.fix}`);
    return final;
  } finally {
    await unmount();
    runInput.signal?.removeEventListener('abort', onOuterAbort);
    // Stops a re-run still in flight (its results would have nowhere to go).
    if (!controller.signal.aborted) controller.abort();
  }
}
