/**
 * The messageId parity's comparison itself: what a whole run's teardown says for a given set of produced pairs.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declared, parityProblems } from './message-parity-check.js';
import { UNPRODUCED } from './unproduced-messages.js';

function run(pairs: string[], unproduced?: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'med-parity-'));
  try {
    writeFileSync(join(dir, '1.tsv'), pairs.join('\n'));
    return parityProblems(dir, unproduced);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('messageId parity', () => {
  const listed = new Set(Object.keys(UNPRODUCED).map((k) => k.replace(' ', '\t')));
  const needed = declared().filter((d) => !listed.has(d));

  it('is silent when every declared id not listed is produced', async () => {
    expect(await run(needed)).toEqual([]);
  });

  it('names a declared id no test produced', async () => {
    const [dropped, ...rest] = needed;
    expect(await run(rest)).toEqual([`declared, never produced by a test (write one, or list it in test/setup/unproduced-messages.ts with why): ${dropped!.replace('\t', ' ')}`]);
  });

  it('names a listed id that a test now produces (the list only shrinks), with the tests that produce it', async () => {
    // The file's list is empty now; a list of one stands in for it.
    const [nowTested, ...rest] = declared();
    const list = { [nowTested!.replace('\t', ' ')]: 'a reason long enough' };
    expect(await run(rest, list)).toEqual([]);
    expect(await run([...rest, `${nowTested!}\ttest/x.test.ts`, `${nowTested!}\ttest/a.test.ts`], list)).toEqual([
      `listed as never produced, but a test produces it now (remove it from test/setup/unproduced-messages.ts): ${nowTested!.replace('\t', ' ')} (by test/a.test.ts, test/x.test.ts)`,
    ]);
  });

  it('names a listed id no check declares', async () => {
    expect(await run(declared(), { 'no/such-check someId': 'a reason long enough' })).toEqual([
      'listed in test/setup/unproduced-messages.ts but no check declares it: no/such-check someId',
    ]);
  });

  it('does not count results produced inside unrecorded() (random inputs) — the log skips them', async () => {
    const { isUnrecorded, unrecorded } = await import('../support/unrecorded.js');
    expect(isUnrecorded()).toBe(false);
    const inside = await unrecorded(async () => unrecorded(async () => isUnrecorded()));
    expect(inside).toBe(true);
    expect(isUnrecorded()).toBe(false);
    await expect(unrecorded(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(isUnrecorded()).toBe(false);
  });

  it('every listed id is declared by a check, with a reason', () => {
    expect([...listed].filter((l) => !declared().includes(l))).toEqual([]);
    for (const why of Object.values(UNPRODUCED)) expect(why.length).toBeGreaterThan(10);
  });
});
