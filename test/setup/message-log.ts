/**
 * The messageId parity of issue 18, part one: when the run asks for it (MED_MESSAGE_LOG_DIR, set by
 * test/setup/message-parity.mjs for an unfiltered `jest` run), every (check, messageId) a check produces through the
 * engine in this worker is appended to a file of its own. The global teardown compares them with what the checks
 * declare.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../../src/engine/types.js';

const dir = process.env.MED_MESSAGE_LOG_DIR;
const OBSERVER = Symbol.for('model-engine-doctor.result-observer');
if (dir) {
  const seen = new Set<string>();
  const file = join(dir, `${process.pid}.tsv`);
  (globalThis as { [OBSERVER]?: (r: readonly CheckResult[]) => void })[OBSERVER] = (results) => {
    const fresh = results.map((r) => `${r.id}\t${r.messageId}`).filter((line) => !seen.has(line));
    for (const line of fresh) seen.add(line);
    if (fresh.length > 0) appendFileSync(file, `${fresh.join('\n')}\n`);
  };
}
