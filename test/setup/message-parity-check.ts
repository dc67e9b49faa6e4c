/**
 * What the messageId parity compares: every messageId a check declares (meta.messages) must be produced by some
 * test running that check through the engine (recorded by test/setup/message-log.ts), or be listed in
 * UNPRODUCED with why. The list is a ratchet: an id produced today must leave it (a stale entry fails too), and a new
 * messageId without a test fails the run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allChecks } from '../../checks/index.js';
import { UNPRODUCED } from './unproduced-messages.js';

export function declared(): string[] {
  return allChecks.flatMap((c) => Object.keys(c.meta.messages ?? {}).map((m) => `${c.meta.id}\t${m}`));
}

/** `check\tmessageId` → the test files that produced it (a log line is `check\tmessageId\ttest file`). */
export function produced(dir: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of readdirSync(dir))
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      const [id = '', message = '', from = '?'] = line.split('\t');
      const key = `${id}\t${message}`;
      out.set(key, (out.get(key) ?? new Set()).add(from));
    }
  return out;
}

/** The problems of a whole run whose log is in `dir`; `unproduced` is the exception list (the file's, unless a test says). */
export async function parityProblems(dir: string, unproduced: Readonly<Record<string, string>> = UNPRODUCED): Promise<string[]> {
  const made = produced(dir);
  const listed = new Set(Object.keys(unproduced).map((k) => k.replace(' ', '\t')));
  const never = declared().filter((d) => !made.has(d) && !listed.has(d));
  const stale = [...listed].filter((l) => made.has(l));
  const by = (d: string) => [...(made.get(d) ?? [])].sort().join(', ');
  const unknown = [...listed].filter((l) => !declared().includes(l));
  return [
    ...never.map((d) => `declared, never produced by a test (write one, or list it in test/setup/unproduced-messages.ts with why): ${d.replace('\t', ' ')}`),
    ...stale.map((d) => `listed as never produced, but a test produces it now (remove it from test/setup/unproduced-messages.ts): ${d.replace('\t', ' ')} (by ${by(d)})`),
    ...unknown.map((d) => `listed in test/setup/unproduced-messages.ts but no check declares it: ${d.replace('\t', ' ')}`),
  ];
}
