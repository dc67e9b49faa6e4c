/**
 * Property-based: whatever text a values file holds, the loader ends in merged values or a one-line FatalError
 * (exit 2) — never another exception, a multi-line message or JavaScript internals. Failing seeds are kept below
 * as regressions.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FatalError } from '../../src/engine/errors.js';
import { parseValuesFile } from '../../src/sources/values/parse.js';
import { parseSets } from '../../src/sources/values/set.js';

const JS_INTERNALS = /is not a function|Cannot read propert|undefined is not|Maximum call stack|Invalid string length|\[object Object\]/;

async function outcome(text: string): Promise<'ok' | string> {
  try {
    await parseValuesFile(text, 'fuzz.yaml');
    return 'ok';
  } catch (e) {
    if (!(e instanceof FatalError)) return `not a FatalError: ${(e as Error).name}: ${(e as Error).message}`;
    if (e.exitCode !== 2) return `exit ${e.exitCode}`;
    if (e.message.includes('\n')) return `multi-line: ${e.message}`;
    if (JS_INTERNALS.test(e.message)) return `internals: ${e.message}`;
    return 'ok';
  }
}

/** YAML-ish text: keys, indentation, anchors, aliases, merge keys, flow collections, tags, quotes. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom('a', 'b', '<<', '&x', '*x', '&y', '*y', '-', ':', ' ', '  ', '\n', '\t', '[', ']', '{', '}', ',', '"', "'", '!!str', '!!binary', '? ', '---', '...', '|', '>', '#', '%YAML 1.1', '.inf', '~', 'null', 'yes', '0x1F', '1:20'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('values files of any shape', () => {
  it('end in values or one line of FatalError (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(yamlish, async (text) => {
        expect(await outcome(text)).toBe('ok');
      }),
      { numRuns: 400, seed: 1207 },
    );
  });

  it.each([
    // Regressions: shapes that once ended differently.
    ['a: &x [*x]\n'],
    ['<<: *nope\n'],
    ['<<: [1, *x]\n'],
    ['? [a]\n: b\n'],
    ['a: !!binary aGVsbG8=\n'],
    ['--- 5\n--- {a: 1}\n'],
    ['a: &x {b: *x}\n'],
    [`a: ${'['.repeat(5000)}`],
  ])('regression %#', async (text) => {
    expect(await outcome(text)).toBe('ok');
  });

  it('--set arguments of any shape end in assignments or one line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (arg) => {
        try {
          parseSets([arg]);
        } catch (e) {
          expect(e).toBeInstanceOf(FatalError);
          expect((e as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 500, seed: 1207 },
    );
  });
});
