/** Every registered check has a docs page, a test file, and an id that matches its path; and the reverse. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allChecks } from '../checks/index.js';
import { REPO } from './support/check-tester.js';

const ids = allChecks.map((c) => c.meta.id);

describe('check parity', () => {
  it('registers at least the spine checks', () => {
    expect(ids).toEqual(expect.arrayContaining(['control-plane/deployments-available', 'control-plane/config-maps']));
  });

  it.each(ids)('%s: file, docs page and test exist', (id) => {
    expect(existsSync(join(REPO, 'checks', `${id}.ts`))).toBe(true);
    const docs = join(REPO, 'docs', 'checks', `${id}.md`);
    expect(existsSync(docs)).toBe(true);
    const page = readFileSync(docs, 'utf8');
    // The page documents every messageId the check can produce.
    const check = allChecks.find((c) => c.meta.id === id)!;
    for (const messageId of Object.keys(check.meta.messages)) expect({ id, messageId, documented: page.includes(messageId) }).toEqual({ id, messageId, documented: true });
    expect(existsSync(join(REPO, 'test', 'checks', `${id}.test.ts`))).toBe(true);
  });

  it('every check file under checks/ is registered', () => {
    const files: string[] = [];
    for (const area of readdirSync(join(REPO, 'checks'), { withFileTypes: true })) {
      if (!area.isDirectory()) continue;
      for (const f of readdirSync(join(REPO, 'checks', area.name), { withFileTypes: true })) {
        if (f.isFile() && f.name.endsWith('.ts') && f.name !== 'index.ts') files.push(`${area.name}/${f.name.replace(/\.ts$/, '')}`);
      }
    }
    expect(files.sort()).toEqual([...ids].sort());
  });

  it('ids are unique, docs links match the id', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });
});
