/**
 * Durations as kubectl and Go spell them: `500ms`, `10s`, `2m`, `1h`, `1m30s`, `1.5s`. A bare number is seconds
 * (kubectl's `--request-timeout 5` means five seconds). `0` is zero, which the flags that allow it read as "no limit".
 * One parser for every duration flag (`--request-timeout`, `--deadline`, `serve --fault stall:…`).
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|h|m|s)/y;

/** Node's timers overflow above 2^31-1 ms (they then fire at once), so no duration may be longer. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Milliseconds in `text`; throws an Error with a one-line message naming the accepted forms. */
export function parseDuration(text: string): number {
  const s = text.trim();
  const bad = () => new Error(`"${text}" is not a duration: use a number with a unit, e.g. 500ms, 10s, 2m, 1h or 1m30s (a bare number is seconds)`);
  if (!s) throw bad();
  let ms: number;
  if (/^(\d+(\.\d+)?|\.\d+)$/.test(s)) {
    ms = Number(s) * 1000;
  } else {
    ms = 0;
    PART.lastIndex = 0;
    let pos = 0;
    while (pos < s.length) {
      PART.lastIndex = pos;
      const m = PART.exec(s);
      if (!m) throw bad();
      ms += Number(m[1]) * UNIT_MS[m[2]!]!;
      pos = PART.lastIndex;
    }
  }
  ms = Math.round(ms);
  if (ms > MAX_DURATION_MS) throw new Error(`"${text}" is too long: at most 24 days`);
  return ms;
}
