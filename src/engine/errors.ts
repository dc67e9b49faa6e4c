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

/** How a read from the cluster failed, once retries are spent (see docs/faults.md). */
export type ApiFailure =
  /** No connection: refused, DNS, TLS, or reset on every try. */
  | 'unreachable'
  /** No answer within `--request-timeout`. */
  | 'timeout'
  /** The server answered, but not as a Kubernetes API does (a 404 page, HTML, a body that is not JSON). */
  | 'not-kubernetes'
  /** The API server answered with an error (429/5xx after every retry, or another unexpected status). */
  | 'server'
  /** The credentials could not be obtained (an exec plugin failed or hung) or were rejected (401). */
  | 'credentials';

/**
 * A read from the cluster that failed for a reason other than RBAC, after the retries the request path allows.
 * Its message is one line, already free of credentials, and names the request (`list pods in llm-engine: …`).
 * Inside a check it becomes an `error` result; where the run cannot go on, the CLI turns it into exit 2.
 */
export class ApiError extends Error {
  constructor(
    readonly failure: ApiFailure,
    /** The request, kubectl-style: `list pods in llm-engine`, `get configmaps model-engine/x`, `GET /version`. */
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'ApiError';
  }
}

/** The run's `--deadline` passed: what was still running or waiting stops, and the report says so. */
export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`the run's --deadline of ${formatMs(ms)} was reached`);
    this.name = 'DeadlineError';
  }
}

/** The run's `--deadline`: aborted when it passes; `ms` is what the user gave, for messages. */
export interface Deadline {
  signal: AbortSignal;
  ms: number;
}

/** `1500` → `1.5s`, `120000` → `2m`, `250` → `250ms`: how durations are shown back to the user. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/**
 * `p`, or CancelledError as soon as `signal` aborts: for steps that take no signal (parsing a snapshot or values
 * files, a command's `finalize`), so Ctrl-C is honoured while they run. What `p` was doing is left to finish unseen.
 */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
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

/**
 * Run a read; when the cluster cannot answer it (an RBAC denial, or an {@link ApiError} once retries are spent)
 * give `fallback(reason)` instead. For reads whose absence is reported as a gap rather than failing a whole step.
 */
export async function ifUnreadable<T, F>(read: () => Promise<T>, fallback: (reason: ForbiddenError | ApiError) => F): Promise<T | F> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof ForbiddenError || e instanceof ApiError) return fallback(e);
    throw e;
  }
}
