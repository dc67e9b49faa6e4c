/**
 * The lint rules of eslint.config.js bite: an import across a boundary of docs/architecture.md is reported, and the
 * imports the layout allows are not. The real config is linted with ESLint's own Linter; only the type-aware rules
 * (which need a TypeScript program, not wanted for a snippet) are switched off, so what is asserted is the boundary
 * rules exactly as `npm run lint` applies them.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import ts from 'typescript';
import { causeMessageId } from '../../checks/endpoints/serving.js';
import { CAUSE_CODES } from '../../diagnoses/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// Plain JavaScript without declarations: typed here, once.
const CONFIG_FILE: string = '../../eslint.config.js';
const config = ((await import(CONFIG_FILE)) as { default: Linter.Config[] }).default;
const UNTYPED: Linter.Config = {
  files: ['**/*.ts', '**/*.tsx'],
  languageOptions: { parserOptions: { projectService: false } },
  rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/switch-exhaustiveness-check': 'off' },
};

function lint(file: string, code: string): { ruleId: string | null; message: string }[] {
  const linter = new Linter({ configType: 'flat', cwd: ROOT });
  return linter
    .verify(code, [...config, UNTYPED], { filename: path.join(ROOT, file) })
    .map(({ ruleId, message }) => ({ ruleId, message }));
}

const CHECK_TO_CHECK = "a check does not import another check's file";

describe("no check imports another check's file", () => {
  it.each([
    ['another area’s check', 'checks/broker/servicebus-logs.ts', "import { countEvidence } from '../redis/log-errors.js';\nexport const x = countEvidence;"],
    ['a sibling check', 'checks/redis/connectivity.ts', "import { SECRET_URL_KEY } from './cache-url.js';\nexport const x = SECRET_URL_KEY;"],
    ['an area registry from a check', 'checks/broker/queues.ts', "import redis from '../redis/index.js';\nexport const x = redis;"],
    ['a check from an area library', 'checks/redis/lib/logs.ts', "import check from '../log-errors.js';\nexport const x = check;"],
    ['another area’s check from a library', 'checks/redis/lib/model-engine-redis.ts', "import { CACHE_KEYS } from '../../values/redis.js';\nexport const x = CACHE_KEYS;"],
  ])('reports %s', (_what, file, code) => {
    const messages = lint(file, code);
    expect(messages).toEqual([{ ruleId: 'no-restricted-imports', message: expect.stringContaining(CHECK_TO_CHECK) }]);
  });

  it('reports a dynamic import() of another check, as it reports any dynamic import in a check', () => {
    const messages = lint('checks/broker/queues.ts', "export async function f() { return (await import('../redis/cache-url.js')).default; }");
    expect(messages).toEqual([{ ruleId: 'no-restricted-syntax', message: expect.stringContaining('no dynamic import()') }]);
  });

  it.each([
    ['its own area library', 'checks/redis/connectivity.ts', "import { GATEWAY } from './lib/model-engine-redis.js';\nexport const x = GATEWAY;"],
    ['another area’s library', 'checks/broker/queues.ts', "import { GATEWAY } from '../redis/lib/model-engine-redis.js';\nexport const x = GATEWAY;"],
    ['another area’s support', 'checks/broker/servicebus-fix.ts', "import { refFromTag } from '../values/support/tag-ref.js';\nexport const x = refFromTag;"],
    ['model-engine knowledge', 'checks/broker/servicebus-fix.ts', "import { SERVICEBUS_FIX_PR } from '../../src/model-engine/servicebus.js';\nexport const x = SERVICEBUS_FIX_PR;"],
    ['a library from a library', 'checks/redis/lib/logs.ts', "import { GATEWAY } from './model-engine-redis.js';\nexport const x = GATEWAY;"],
    ['its checks, from an area registry', 'checks/redis/index.ts', "import check from './connectivity.js';\nexport default [check];"],
    ['the area registries, from the registry', 'checks/index.ts', "import redis from './redis/index.js';\nexport default [...redis];"],
  ])('allows %s', (_what, file, code) => {
    expect(lint(file, code)).toEqual([]);
  });
});

describe('the other boundaries of docs/architecture.md', () => {
  it.each([
    ['a check importing an SDK', 'checks/redis/connectivity.ts', "import Redis from 'ioredis';\nexport const x = Redis;", 'never SDKs'],
    ['a check importing node:fs', 'checks/redis/connectivity.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 'no I/O'],
    ['a check importing a source', 'checks/redis/connectivity.ts', "import { RedisSource } from '../../src/sources/redis/probe.js';\nexport const x = RedisSource;", 'checks import only'],
    ['the engine importing node:fs', 'src/engine/runner.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 'no I/O'],
    ['the engine importing model-engine knowledge', 'src/engine/runner.ts', "import { GATEWAY } from '../model-engine/format.js';\nexport const x = GATEWAY;", 'the framework'],
    ['model-engine knowledge importing a check', 'src/model-engine/images.ts', "import c from '../../checks/redis/connectivity.js';\nexport const x = c;", 'src/model-engine/** imports only'],
    ['a cause importing another cause', 'diagnoses/image-pull.ts', "import c from './crash-loop.js';\nexport const x = c;", "another cause's file"],
  ])('reports %s', (_what, file, code, words) => {
    expect(lint(file, code)).toEqual([{ ruleId: 'no-restricted-imports', message: expect.stringContaining(words) }]);
  });
});

/**
 * The framework owns no model-engine knowledge (issue 13): the endpoint naming is a rule src/model-engine injects
 * (IncidentRules.endpointOf, from src/model-engine/naming.ts), and the cause codes are declared by the causes of the
 * registry (diagnoses/index.ts). Lint forbids the naming in any literal under src/engine; the codes, which the plain
 * JavaScript lint config cannot read from the registry, are held out by scanning every literal of src/engine here.
 */
describe('src/engine holds no model-engine naming and no cause code', () => {
  const NAMING = "model-engine's endpoint naming belongs to src/model-engine/naming.ts";

  it.each([
    ['an endpoint-name regex', "export const RE = /(?:^|-)end-([0-9a-z]{20})(?=-|$)/;"],
    ['an endpoint-id regex', 'export const ID = /^end_[0-9a-v]{20}$/;'],
    ['the object prefix', "export const P = 'launch-endpoint-id-';"],
    ['an id built in a template', 'export const key = (id: string) => `endpoint:end_${id}`;'],
  ])('reports %s in src/engine', (_what, code) => {
    expect(lint('src/engine/incidents.ts', code)).toEqual([{ ruleId: 'no-restricted-syntax', message: expect.stringContaining(NAMING) }]);
  });

  it.each([
    ['src/model-engine/naming.ts', 'export const ID = /^end_[0-9a-v]{20}$/;'],
    ['src/engine/runner.ts', "export const events = ['run:end', 'check:end', 'append-only', 'backend_x'];"],
  ])('allows it in %s, and words that merely contain "end" in the engine', (file, code) => {
    expect(lint(file, code)).toEqual([]);
  });

  it('no string, template or regular expression under src/engine names a registered cause code (or its messageId)', () => {
    const camel = CAUSE_CODES.filter((c) => c.includes('_')).map(causeMessageId);
    const words = new RegExp(`(^|[^A-Za-z0-9_])(${[...CAUSE_CODES, ...camel].join('|')})(?![A-Za-z0-9_])`);
    const files = readdirSync(path.join(ROOT, 'src/engine'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const hits: string[] = [];
    const LITERALS = new Set([ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateHead, ts.SyntaxKind.TemplateMiddle, ts.SyntaxKind.TemplateTail, ts.SyntaxKind.RegularExpressionLiteral]);
    for (const f of files) {
      const source = ts.createSourceFile(f, readFileSync(path.join(ROOT, 'src/engine', f), 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (LITERALS.has(node.kind) && words.test(node.getText(source))) hits.push(`src/engine/${f}: ${node.getText(source)}`);
        node.forEachChild(visit);
      };
      visit(source);
    }
    expect(hits).toEqual([]);
    // The scan bites: the literals the framework held before the move are found.
    expect(words.test("'SANDBOX_FAILED'")).toBe(true);
    expect(words.test("['unknown', 'crashLoop', 'readinessFailing', 'starting']")).toBe(true);
  });
});
