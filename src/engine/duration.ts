/**
 * One spelling for every duration the doctor accepts (`--timeout`, `--interval`, `--request-timeout`, `--deadline` …):
 * Go's `time.ParseDuration` units as kubectl reads them — `500ms`, `10s`, `2m`, `1h`, compounds such as `1m30s`,
 * decimals such as `1.5s`. A bare number is seconds (`--request-timeout 5` is five seconds in kubectl too), unless
 * the option refuses bare numbers.
 */

export type BareUnit = 'seconds' | 'reject';

export interface ParseDurationOptions {
  /** What a number without a unit means (default: seconds, as kubectl's `--request-timeout`). */
  bare?: BareUnit;
  /** Accept `0` (e.g. "no timeout"); default false: a duration must be positive. */
  allowZero?: boolean;
}

/** A duration that does not parse; the message is one line, fit for a usage error. */
export class DurationError extends Error {
  override name = 'DurationError';
}

/** Node's timers overflow above 2^31-1 ms (they then fire at once), so no duration may be longer (about 24 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)/gy;
const BARE = /^(\d+(?:\.\d*)?|\.\d+)$/;

/** Milliseconds from `text`; throws DurationError (one line naming the accepted forms) when it is not a duration. */
export function parseDuration(text: string, opts: ParseDurationOptions = {}): number {
  const s = text.trim();
  const bare = opts.bare ?? 'seconds';
  let ms: number | undefined;
  if (BARE.test(s)) {
    if (bare === 'reject') throw new DurationError(`"${text}" needs a unit (e.g. 500ms, 10s, 2m, 1h)`);
    ms = Number(s) * 1000;
  } else if (s !== '') {
    PART.lastIndex = 0;
    let total = 0;
    let end = 0;
    for (let m = PART.exec(s); m; m = PART.exec(s)) {
      total += Number(m[1]) * UNIT_MS[m[2]!]!;
      end = PART.lastIndex;
    }
    if (end === s.length) ms = total;
  }
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new DurationError(`"${text}" is not a duration (e.g. 500ms, 10s, 2m, 1h, 1m30s${bare === 'reject' ? '' : `; a bare number is ${bare}`})`);
  }
  ms = Math.round(ms);
  if (ms === 0 && !opts.allowZero) throw new DurationError(`"${text}" must be longer than zero`);
  if (ms > MAX_DURATION_MS) throw new DurationError(`"${text}" is too long: at most 24 days`);
  return ms;
}

/** The shortest exact spelling of `ms` in the same units (`90000` → `1m30s`, `500` → `500ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
