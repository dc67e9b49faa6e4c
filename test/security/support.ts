/**
 * Shared by the security tests: the CLI run in process with captured streams, and the outcome rules every input
 * must meet (a documented exit code, one line on error, no JavaScript internals in a result).
 */
import type { CliRun } from '../support/cli.js';

export { runCli, type CliRun } from '../support/cli.js';

/** Text that only a JavaScript runtime writes: never fit for a user, in a result or on stderr. */
export const JS_INTERNALS =
  /is not a function|is not iterable|Cannot read propert|Cannot set propert|Cannot convert|of undefined|of null|Invalid string length|Invalid array length|Maximum call stack|Unexpected token|Unexpected end of JSON|is not defined|is not a constructor|TypeError|RangeError|ReferenceError|SyntaxError|\[object Object\]|\bat (?:async )?\S+ \(.*:\d+:\d+\)|node:internal/;

/** What every run must end in, whatever its input: 0/2/3/4, one line on error, no internals anywhere. Throws. */
export function expectWellBehaved(r: CliRun): void {
  const fail = (why: string) => {
    throw new Error(`${why}\n$ model-engine-doctor ${r.args.join(' ')}\nexit ${r.code}\nstderr: ${r.stderr.slice(0, 3000)}`);
  };
  if (![0, 2, 3, 4].includes(r.code)) fail(`exit code ${r.code} is not 0, 2, 3 or 4`);
  const errors = r.stderr.split('\n').filter((l) => /^model-engine-doctor: (?:internal )?error:/.test(l));
  if (r.code === 2 && errors.length !== 1) fail(`exit 2 with ${errors.length} error lines`);
  if (JS_INTERNALS.test(r.stderr)) fail(`stderr holds JavaScript internals: ${JS_INTERNALS.exec(r.stderr)?.[0]}`);
  if (r.args.includes('json') && r.code !== 2) {
    let report: { results: { id: string; status: string; message: string; error?: string }[] };
    try {
      report = JSON.parse(r.stdout) as typeof report;
    } catch {
      return fail('stdout is not JSON');
    }
    for (const res of report.results.filter((x) => x.status === 'error')) {
      const text = `${res.message} ${res.error ?? ''}`;
      if (JS_INTERNALS.test(text)) fail(`error result ${res.id} holds JavaScript internals: ${text}`);
    }
  }
}

/** Fuzz runs: `FUZZ_RUNS` scales them up (e.g. FUZZ_RUNS=2000 for a long run), `FUZZ_SEED` replays one. */
export function fuzzParams(defaultRuns: number): { numRuns: number; seed?: number; verbose: number } {
  const runs = Number(process.env.FUZZ_RUNS);
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns, ...(Number.isInteger(seed) ? { seed } : {}), verbose: 1 };
}
