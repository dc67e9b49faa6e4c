/**
 * Results a check produces inside `unrecorded(fn)` do not count for the messageId parity (test/setup/message-log.ts):
 * for tests whose inputs are random (fast-check properties), so what counts as produced does not depend on the seed.
 * The depth is kept on globalThis because the setup file and a test file may load this module as two instances.
 */
const DEPTH = Symbol.for('model-engine-doctor.message-log.unrecorded');
type Holder = { [DEPTH]?: number };

export function isUnrecorded(): boolean {
  return ((globalThis as Holder)[DEPTH] ?? 0) > 0;
}

export async function unrecorded<T>(fn: () => Promise<T>): Promise<T> {
  const g = globalThis as Holder;
  g[DEPTH] = (g[DEPTH] ?? 0) + 1;
  try {
    return await fn();
  } finally {
    g[DEPTH] = (g[DEPTH] ?? 1) - 1;
  }
}
