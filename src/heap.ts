/**
 * V8's heap sized for what the doctor is: a short-lived process that reads a cluster's lists once, keeps them
 * read-only for the run, and allocates mostly short-lived garbage around them (parsed pages, projections, report rows).
 *
 * V8's defaults favour throughput: the young generation grows to 64 MB (two 32 MB semi-spaces) as soon as objects
 * survive, and the old generation grows to about twice what survived the last full collection before the next one.
 * At the full size of issue 16 (5,000 nodes, 100,000 pods) that was 200 MB of the 520 MB peak, above a live set of
 * about 140 MB. Two of V8's heap-growth settings are read every time V8 resizes its heap, so they can be set from
 * inside the process (Node's own flags, `--max-semi-space-size` and the like, are read once at start-up and cannot):
 *
 * - `--semi-space-growth-factor=1`: the young generation keeps its initial size (1 MB semi-spaces) instead of
 *   doubling; a scavenge is then more frequent and cheaper, and what survives moves on as before.
 * - `--heap-growing-percent=30`: the next full collection comes when the old generation has grown by 30 % over what
 *   survived the last one, not by V8's 100 % or more.
 *
 * Measured (docs/performance.md): peak RSS 520 → about 320 MB at full size for 1 s more CPU; no effect on what a run
 * finds. `MED_HEAP=v8` keeps V8's own settings (to compare, or should a future V8 misbehave with them);
 * test/cli/heap.test.ts proves each setting still takes effect with the Node the repo pins.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_FLAGS: readonly string[] = ['--semi-space-growth-factor=1', '--heap-growing-percent=30'];

let tuned = false;

/** Applies {@link HEAP_FLAGS} once (unless `MED_HEAP=v8`); true when they are in effect. */
export function tuneHeap(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.MED_HEAP === 'v8') return tuned;
  if (!tuned) for (const flag of HEAP_FLAGS) setFlagsFromString(flag);
  tuned = true;
  return tuned;
}
