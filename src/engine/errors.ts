/**
 * Typed errors. Fatal errors carry their exit code; only `src/cli.ts` turns them into a process exit.
 * Exit codes (documented in `--help` and docs/exit-codes.md):
 *   0 nothing failed · 1 internal error · 2 bad input / could not run · 3 a check failed
 *   4 warnings only with --fail-on warn · 130 cancelled
 */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  failed: 3,
  warnings: 4,
  cancelled: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A condition that stops the run with a one-line message and a documented exit code. */
export class FatalError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'FatalError';
  }
}

/** The cluster refused a read: the engine turns it into a skip naming verb, resource and namespace. */
export class ForbiddenError extends Error {
  constructor(
    readonly verb: string,
    readonly resource: string,
    readonly namespace: string | undefined,
    detail?: string,
  ) {
    super(
      `forbidden: cannot ${verb} ${resource}${namespace ? ` in namespace ${namespace}` : ' at cluster scope'}` +
        (detail ? ` (${detail})` : ''),
    );
    this.name = 'ForbiddenError';
  }
}

/** A run was cancelled (Ctrl-C). */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** A check or probe ran out of time. */
export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Why `signal` was aborted, as an error of ours: the runner's own reasons (a check's timeout, a cancel) as they are;
 * a bare `abort()` — the CLI's Ctrl-C, whose reason is a DOMException AbortError, as is what fetch rejects with —
 * is a cancel. Code that stops because its signal was aborted throws this, never `signal.reason` as is.
 */
export function abortError(signal: AbortSignal): CancelledError | TimeoutError {
  const r: unknown = signal.reason;
  return r instanceof CancelledError || r instanceof TimeoutError ? r : new CancelledError();
}

/**
 * Run a read; an RBAC denial gives `fallback(denial)` instead (a gap to report, an empty answer), anything else
 * propagates. The one place "forbidden is an expected condition" is spelled for reads that can do without.
 */
export async function ifForbidden<T, F>(read: () => Promise<T>, fallback: (denied: ForbiddenError) => F): Promise<T | F> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof ForbiddenError) return fallback(e);
    throw e;
  }
}
