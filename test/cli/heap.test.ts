/**
 * The heap settings of src/heap.ts take effect in a running process, with the Node the repo pins: the same
 * allocation pattern as a run (a growing set of kept objects amid short-lived garbage) in a child process of the built
 * module, tuned and with V8's own settings (`MED_HEAP=v8`). Should a Node upgrade ignore a setting, this fails.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtSkipReason, NODE, ROOT } from './built-cli.js';

const HEAP = pathToFileURL(join(ROOT, 'dist/src/heap.js')).href;

/** What a child process's heap did under the allocation pattern, tuned or not. */
function measure(env: Record<string, string>): { applied: boolean; maxNewMB: number; maxTotalMB: number; kept: number } {
  const script = `
    import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
    const { tuneHeap } = await import(${JSON.stringify(HEAP)});
    const applied = tuneHeap();
    const keep = [];
    let maxNew = 0, maxTotal = 0;
    for (let i = 0; i < 3e6; i++) {
      const o = { i, s: 'k' + i, a: [i, i + 1] };
      if (i % 8 === 0) keep.push(o);
      if (i % 5000 === 0) {
        maxNew = Math.max(maxNew, getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
        maxTotal = Math.max(maxTotal, getHeapStatistics().total_heap_size);
      }
    }
    console.log(JSON.stringify({ applied, maxNewMB: maxNew / 1048576, maxTotalMB: maxTotal / 1048576, kept: keep.length }));`;
  const r = spawnSync(NODE, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReturnType<typeof measure>;
}

const d = builtSkipReason ? describe.skip : describe;
if (builtSkipReason) it(`skipped: ${builtSkipReason}`, () => undefined);

d('heap settings', () => {
  it('keep the young generation small and the old generation close to what is kept; MED_HEAP=v8 leaves V8 as it is', () => {
    const tuned = measure({});
    const v8 = measure({ MED_HEAP: 'v8' });
    expect(tuned).toMatchObject({ applied: true, kept: 375_000 });
    expect(v8).toMatchObject({ applied: false, kept: 375_000 });
    // V8's own here: a young generation of 64–128 MB (less on a machine with little memory) and a heap of about 180 MB for
    // 375,000 kept objects (~60 MB); tuned: a young generation a fraction of that and a heap within 70 % of V8's.
    expect(v8.maxNewMB).toBeGreaterThanOrEqual(16);
    expect(tuned.maxNewMB).toBeLessThan(v8.maxNewMB / 2);
    expect(tuned.maxTotalMB).toBeLessThan(v8.maxTotalMB * 0.7);
  });

  it('does not print anything: every setting is one this V8 knows (an unknown one prints "unrecognized flag")', () => {
    const r = spawnSync(NODE, ['--input-type=module', '-e', `const { tuneHeap } = await import(${JSON.stringify(HEAP)}); tuneHeap();`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });
});
