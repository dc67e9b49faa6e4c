/**
 * A snapshot fixture copied to a temporary folder with some of its files edited: one real-world difference from a
 * fixture (an image tag, a missing object) without another copy of the whole folder in the repository. Made
 * synchronously, so CheckTester tables can name it; the folders live in the OS temp dir, removed at exit.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fixture } from './check-tester.js';

const made: string[] = [];
process.once('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** `edits` maps a file of the snapshot (relative to it) to its new text, from the old. Returns the folder's absolute path. */
export function derivedSnapshot(from: string, edits: Record<string, (text: string) => string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'med-snapshot-'));
  made.push(dir);
  cpSync(fixture(from), dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const before = readFileSync(join(dir, file), 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`derivedSnapshot(${from}): the edit of ${file} changed nothing`);
    writeFileSync(join(dir, file), after);
  }
  return dir;
}

/** An edit of a `kind: List` file: `edit` gets its items (as plain objects) and returns the new ones. */
export const editItems = <T = Record<string, any>>(edit: (items: T[]) => T[]) => (text: string): string => {
  const list = parse(text) as { items: T[] };
  return stringify({ ...list, items: edit(list.items) });
};
