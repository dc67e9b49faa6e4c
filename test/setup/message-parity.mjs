// The messageId parity of issue 18 (jest globalSetup and globalTeardown of the fast tier). Jest loads these outside
// its module mapper, so the TypeScript part is loaded through tsx, as the e2e tier's setup is.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

/** Only a run of the whole fast tier can say a messageId is never produced. */
function wholeRun(config) {
  const filtered = (config.testPathPatterns?.patterns?.length ?? config.testPathPattern?.length ?? 0) > 0;
  return !filtered && !config.testNamePattern && !config.onlyChanged && !config.findRelatedTests && !(config.shard && config.shard.shardCount > 1);
}

export async function setup(config) {
  if (!wholeRun(config) || process.env.MED_MESSAGE_PARITY === '0') return;
  process.env.MED_MESSAGE_LOG_DIR = mkdtempSync(join(tmpdir(), 'med-message-log-'));
  // Only a whole run is judged: a filtered run with MED_MESSAGE_LOG_DIR set by hand (to see what a few test files
  // produce) records, but says nothing about ids other files produce.
  process.env.MED_MESSAGE_PARITY_WHOLE_RUN = '1';
}

export async function teardown() {
  const dir = process.env.MED_MESSAGE_LOG_DIR;
  if (!dir || process.env.MED_MESSAGE_PARITY_WHOLE_RUN !== '1') return;
  try {
    const { parityProblems } = await tsImport('./message-parity-check.ts', import.meta.url);
    const problems = await parityProblems(dir);
    if (problems.length > 0) throw new Error(`messageId parity (test/setup/message-parity-check.ts):\n${problems.join('\n')}`);
  } finally {
    // MED_MESSAGE_LOG_KEEP=<folder> keeps the log (check, messageId, producing test file) to look at.
    if (process.env.MED_MESSAGE_LOG_KEEP) cpSync(dir, process.env.MED_MESSAGE_LOG_KEEP, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    delete process.env.MED_MESSAGE_LOG_DIR;
    delete process.env.MED_MESSAGE_PARITY_WHOLE_RUN;
  }
}
