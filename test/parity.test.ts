/** Every registered check (and cause) has a docs page (section), a test file, and an id that matches its path; and the reverse. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allChecks } from '../checks/index.js';
import { DIAGNOSES } from '../diagnoses/index.js';
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

/**
 * Every registered diagnosis cause has its file (`diagnoses/<code in kebab-case>.ts`, whose default export it is),
 * its docs section (an anchor and a heading in docs/endpoint.md), its test file, and its code in the contract,
 * the README and the JSON schema page; every cause file is registered.
 */
describe('cause parity', () => {
  const slug = (code: string) => code.toLowerCase().replace(/_/g, '-');
  const endpointDocs = readFileSync(join(REPO, 'docs', 'endpoint.md'), 'utf8');
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const schema = readFileSync(join(REPO, 'docs', 'output-schema.md'), 'utf8');
  const codes = DIAGNOSES.map((c) => c.meta.code);

  // The contract a consumer reads: the table of docs/output-schema.md#diagnosis-cause-codes (code, benign, meaning).
  const table = schema
    .slice(schema.indexOf('## Diagnosis cause codes'), schema.indexOf('\n## ', schema.indexOf('## Diagnosis cause codes') + 1))
    .split('\n')
    .flatMap((line) => {
      const m = /^\| `([A-Z_]+)` \|([^|]*)\|/.exec(line);
      return m ? [{ code: m[1]!, benign: m[2]!.trim() === 'yes' }] : [];
    });

  it('registers exactly the cause codes of the documented contract (output-schema.md), benign as documented, in rank order', () => {
    expect(table.length).toBeGreaterThan(0);
    expect([...codes].sort()).toEqual(table.map((r) => r.code).sort());
    for (const c of DIAGNOSES) expect([c.meta.code, c.meta.benign === true]).toEqual([c.meta.code, table.find((r) => r.code === c.meta.code)!.benign]);
    const ranks = DIAGNOSES.map((c) => c.meta.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it.each(codes)('%s: file, docs section, test, README and schema', async (code) => {
    const cause = DIAGNOSES.find((c) => c.meta.code === code)!;
    const file = join(REPO, 'diagnoses', `${slug(code)}.ts`);
    expect(existsSync(file)).toBe(true);
    expect(((await import(file)) as { default: unknown }).default).toBe(cause);
    expect(cause.meta.docs).toBe(`docs/endpoint.md#${slug(code)}`);
    expect(endpointDocs).toContain(`<a id="${slug(code)}"></a>\n### \`${code}\``);
    expect(existsSync(join(REPO, 'test', 'diagnoses', `${slug(code)}.test.ts`))).toBe(true);
    expect(readme).toContain(`\`${code}\``);
    expect(schema).toContain(`\`${code}\``);
    expect(cause.meta.title.length).toBeGreaterThan(0);
    expect(cause.meta.reads.length).toBeGreaterThan(0);
  });

  it('every cause file under diagnoses/ is registered', () => {
    const files = readdirSync(join(REPO, 'diagnoses'), { withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith('.ts') && f.name !== 'index.ts')
      .map((f) => f.name.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual(codes.map(slug).sort());
  });
});
