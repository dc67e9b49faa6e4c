/**
 * The messageId parity of issue 18, part one: when the run asks for it (MED_MESSAGE_LOG_DIR, set by
 * test/setup/message-parity.mjs for an unfiltered `jest` run), every (check, messageId) a check produces through the
 * engine in this worker is appended to a file of its own, with the test file that produced it. The global teardown
 * compares them with what the checks declare.
 *
 * Results produced inside `unrecorded()` (test/support/unrecorded.ts: the fuzz properties, whose inputs are random)
 * are not recorded: a messageId only counts as tested when the same test produces it on every run, or the ratchet
 * would flip with the seed.
 */
import { appendFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CheckResult } from '../../src/engine/types.js';
import { isUnrecorded } from '../support/unrecorded.js';

const dir = process.env.MED_MESSAGE_LOG_DIR;
const OBSERVER = Symbol.for('model-engine-doctor.result-observer');

function testFile(): string {
  const state = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.();
  return state?.testPath ? relative(process.cwd(), state.testPath) : '?';
}

if (dir) {
  const seen = new Set<string>();
  const file = join(dir, `${process.pid}.tsv`);
  (globalThis as { [OBSERVER]?: (r: readonly CheckResult[]) => void })[OBSERVER] = (results) => {
    if (isUnrecorded()) return;
    const from = testFile();
    const fresh = results.map((r) => `${r.id}\t${r.messageId}\t${from}`).filter((line) => !seen.has(line));
    for (const line of fresh) seen.add(line);
    if (fresh.length > 0) appendFileSync(file, `${fresh.join('\n')}\n`);
  };
}
