/**
 * Hostile or broken values files are bad input: one line naming the place, exit 2, never a stack trace, never a
 * hang. Duplicate keys are helm's "last wins" with a warning naming both places, found in linear time, and a long
 * parse stops on Ctrl-C (the run's AbortSignal).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, FatalError } from '../../src/engine/errors.js';
import { loadValues, loadValuesFiles } from '../../src/sources/values/load.js';
import { parseValuesFile, VALUES_LIMITS } from '../../src/sources/values/parse.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'med-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const file = async (text: string) => {
  const p = join(dir, `h${n++}.yaml`);
  await writeFile(p, text);
  return p;
};

async function refusal(text: string): Promise<string> {
  const p = await file(text);
  const err = await loadValuesFiles([p], []).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FatalError);
  const fe = err as FatalError;
  expect(fe.exitCode).toBe(2);
  expect(fe.message).not.toContain('\n');
  expect(fe.message.startsWith(p)).toBe(true);
  return fe.message.slice(p.length);
}

/** The classic "billion laughs": 9 levels of 9 aliases each. */
function aliasBomb(levels = 9): string {
  let y = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i <= levels; i++) {
    const prev = `*a${i - 1}`;
    y += `a${i}: &a${i} [${Array(9).fill(prev).join(',')}]\n`;
  }
  return y;
}

describe('hostile values files are refused with one line', () => {
  it('an alias bomb stops at the node budget', async () => {
    expect(await refusal(aliasBomb())).toMatch(/expand to more than 1,000,000 nodes \(a YAML alias bomb\?\)$/);
  });

  it('a recursive alias', async () => {
    expect(await refusal('a: &x\n  b: *x\n')).toBe(":2:6: invalid YAML: anchor 'x' value contains itself");
  });

  it('<<: 5 and <<: [1]', async () => {
    expect(await refusal('m:\n  <<: 5\n')).toBe(':2:3: invalid YAML: map merge requires map or sequence of maps as the value');
    expect(await refusal('m:\n  <<: [1]\n')).toBe(':2:3: invalid YAML: map merge requires map or sequence of maps as the value');
  });

  it('an alias to an unknown anchor', async () => {
    expect(await refusal('a: *nope\n')).toMatch(/^:1:4: invalid YAML: /);
  });

  it('nesting deeper than the limit', async () => {
    const deep = `${Array.from({ length: VALUES_LIMITS.maxDepth + 2 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} x\n`;
    expect(await refusal(deep)).toMatch(new RegExp(`values nested deeper than ${VALUES_LIMITS.maxDepth} levels$`));
  });

  it('flow nesting deep enough to exhaust the parser', async () => {
    expect(await refusal(`a: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`)).toMatch(/^:1:\d+: invalid YAML: nesting too deep for the YAML parser$/);
  });

  it('a file over the size limit is refused before it is read', async () => {
    const p = join(dir, 'big.yaml');
    await writeFile(p, `a: "${'x'.repeat(VALUES_LIMITS.maxBytes)}"\n`);
    await expect(loadValuesFiles([p], [])).rejects.toThrow(new RegExp(`^${p}: values file is 5\\.0 MiB, over the 5 MiB limit$`));
  });

  it('a URL is refused with a reason', async () => {
    await expect(loadValuesFiles(['https://example.com/values.yaml'], [])).rejects.toThrow(/values from URLs are not fetched/);
  });
});

describe('duplicate keys: helm keeps the last, the doctor says so', () => {
  it('warns with both file:lines and keeps the last value', async () => {
    const p = await file('config:\n  values:\n    launch:\n      sensitive_log_mode: true\n      x: 1\n      sensitive_log_mode: false\n');
    const v = await loadValuesFiles([p], []);
    expect(v.get('config.values.launch.sensitive_log_mode')).toBe(false);
    expect(v.source('config.values.launch.sensitive_log_mode')).toEqual({ file: p, line: 6, column: 7 });
    expect(v.warnings).toEqual([
      { kind: 'duplicate-key', path: ['config', 'values', 'launch', 'sensitive_log_mode'], first: { file: p, line: 4, column: 7 }, second: { file: p, line: 6, column: 7 }, sameValue: false },
    ]);
  });

  it('keys set by a merge are not duplicates; keys repeated inside an alias are reported once, where written', async () => {
    const p = await file('base: &b {p: 1, p: 2}\nm:\n  <<: *b\n  p: 3\nother: *b\n');
    const v = await loadValuesFiles([p], []);
    expect(v.get('m')).toEqual({ p: 3 });
    expect(v.get('other')).toEqual({ p: 2 });
    expect(v.warnings?.map((w) => w.path.join('.'))).toEqual(['base.p']);
  });

  it('100,000 keys with 50,000 duplicates: every one found, in linear time (quadratic took minutes)', async () => {
    const lines = ['config:', '  values:', '    launch:'];
    for (let i = 0; i < 50_000; i++) lines.push(`      key_${i}: ${i}`);
    for (let i = 0; i < 50_000; i++) lines.push(`      key_${i}: again`);
    const r = await parseValuesFile(`${lines.join('\n')}\n`, 'big.yaml');
    expect(r.warnings.length).toBe(VALUES_LIMITS.maxWarnings);
    expect(r.warnings.length + r.moreWarnings).toBe(50_000);
    expect(r.warnings[0]).toEqual({ kind: 'duplicate-key', path: ['config', 'values', 'launch', 'key_0'], first: { file: 'big.yaml', line: 4, column: 7 }, second: { file: 'big.yaml', line: 50_004, column: 7 }, sameValue: false });
    expect((r.layer.values.config as { values: { launch: Record<string, unknown> } }).values.launch.key_49999).toBe('again');
  });

  it('Ctrl-C stops a long parse (CancelledError, not a result)', async () => {
    const lines = ['a:'];
    for (let i = 0; i < 100_000; i++) lines.push(`  k${i}: ${i}`);
    const p = await file(`${lines.join('\n')}\n`);
    const controller = new AbortController();
    const pending = loadValues({ files: [p], signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });
});
