// Lint enforces the architecture's boundaries (docs/architecture.md), not style.
import tseslint from 'typescript-eslint';

const SDKS = ['@kubernetes/*', 'ioredis', '@aws-sdk/*', '@azure/*', '@google-cloud/*', 'google-auth-library', 'tar'];
const UI = ['ink', 'ink-*', 'react', 'react/*'];
/**
 * The layers that do I/O or talk to people: no pure layer imports them. Patterns match the import string as written
 * (`../sources/…` from src/, `../../src/sources/…` from checks/), so they name the folder, not its path from the root.
 */
const OUTER = ['**/sources/**', '**/reporters/**', '**/tui/**', '**/commands/**', '**/run/**'];

/**
 * One layer's import boundary: static imports by pattern, and no dynamic `import()` at all (a pure layer loads
 * nothing at run time, and a dynamic import must not be a way around the rule). `syntax`: more forbidden selectors.
 */
function boundary(files, groups, syntax = []) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'no dynamic import() in a pure layer (engine, model-engine, checks, diagnoses)' },
        ...syntax.map(([selector, message]) => ({ selector, message })),
      ],
    },
  };
}

/**
 * model-engine's naming of endpoints (`end_…` ids, `launch-endpoint-id-end-…` objects) in a string, template or regular
 * expression: it belongs to src/model-engine/naming.ts, and the framework receives it as a rule (IncidentRules).
 * The cause codes, which this plain-JavaScript config cannot read from the registry, are held out of the engine by
 * test/lint/boundaries.test.ts.
 */
const ENDPOINT_NAMING = '/(^|[^A-Za-z0-9])(end[-_]|launch-endpoint-id)/';
const NAMING_MESSAGE = "model-engine's endpoint naming belongs to src/model-engine/naming.ts; the engine takes it as a rule (IncidentRules.endpointOf)";

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'fixtures/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx', 'checks/**/*.ts'],
    ignores: ['src/cli.ts'],
    rules: { 'no-console': 'error' },
  },
  // A check does not import another check's file, in its area or another: shared logic goes to a library both import
  // (checks/<area>/lib/ or support/, or src/model-engine/ for what we know about model-engine). Only the registries
  // (checks/index.ts, checks/<area>/index.ts) import check files; a library imports none. Import strings are matched as
  // written: from checks/<area>/<slug>.ts a sibling check is `./x.js` and another area's is `../area/x.js`, while
  // `./lib/…`, `../area/support/…` and `../../src/…` have more segments and pass.
  ...[
    { files: ['checks/index.ts', 'checks/*/index.ts'], checks: [] },
    { files: ['checks/*/*.ts'], ignores: ['checks/*/index.ts'], checks: ['./*.js', '../*/*.js'] },
    { files: ['checks/*/lib/*.ts', 'checks/*/support/*.ts'], checks: ['../*.js', '../../*/*.js'] },
  ].map(({ files, ignores, checks }) => ({
    ...boundary(files, [
      [[...SDKS, ...UI], 'checks read the world through ports on their context, never SDKs'],
      [['node:*', 'fs', 'child_process', 'net', 'http', 'https'], 'checks do no I/O of their own'],
      [[...OUTER, '**/diagnoses/**', '!**/diagnoses/index.js'], 'checks import only the engine API (src/engine/**), model-engine knowledge (src/model-engine/**), the matrix data (src/matrix/**) and the diagnoses registry (diagnoses/index.ts)'],
      ...(checks.length ? [[checks, "a check does not import another check's file: put shared logic in checks/<area>/lib/ or support/, or src/model-engine/"]] : []),
    ]),
    ...(ignores ? { ignores } : {}),
  })),
  // The framework (contract, runner, registry, redaction, port interfaces) knows nothing of model-engine.
  boundary(['src/engine/**/*.ts'], [
    [[...SDKS, ...UI], 'the engine reads the world through ports, never SDKs'],
    [['node:*', 'fs', 'child_process', 'net', 'http', 'https'], 'the engine does no I/O of its own'],
    [[...OUTER, '**/model-engine/**', '**/checks/**', '**/diagnoses/**'], 'src/engine/** is the framework: it imports nothing but itself (model-engine knowledge, checks and diagnoses import it)'],
  ], [
    [`Literal[value=${ENDPOINT_NAMING}]`, NAMING_MESSAGE],
    [`Literal[regex.pattern=${ENDPOINT_NAMING}]`, NAMING_MESSAGE],
    [`TemplateElement[value.raw=${ENDPOINT_NAMING}]`, NAMING_MESSAGE],
  ]),
  // What we know about model-engine (config, images, GPUs, scheduling, identity, log signatures, endpoint facts and
  // diagnosis): pure knowledge over the engine's contract, reading the world only through ports.
  boundary(['src/model-engine/**/*.ts'], [
    [[...SDKS, ...UI], 'model-engine knowledge reads the world through ports, never SDKs'],
    [['node:*', 'fs', 'child_process', 'net', 'http', 'https'], 'model-engine knowledge does no I/O of its own'],
    [[...OUTER, '**/checks/**', '**/diagnoses/**'], 'src/model-engine/** imports only the engine (src/engine/**), the matrix data and itself; checks and diagnoses import it, not the reverse'],
  ]),
  // A diagnosis cause is a pure judgement over an endpoint's facts, like a check over its context; it does not import
  // another cause's file (shared logic goes to diagnoses/lib/, as checks share support/). The registry imports them all.
  ...[
    { files: ['diagnoses/index.ts'], siblings: [] },
    { files: ['diagnoses/*.ts'], ignores: ['diagnoses/index.ts'], siblings: ['./*.js'] },
    { files: ['diagnoses/lib/**/*.ts'], siblings: ['../*.js'] },
  ].map(({ files, ignores, siblings }) => ({
    ...boundary(files, [
      [[...SDKS, ...UI], 'causes judge collected facts, never SDKs'],
      [['node:*', 'fs', 'child_process', 'net', 'http', 'https'], 'causes do no I/O'],
      [[...OUTER, '**/checks/**'], 'diagnoses import only the engine (src/engine/**) and model-engine knowledge (src/model-engine/**)'],
      ...(siblings.length ? [[siblings, "a cause does not import another cause's file: put shared logic in diagnoses/lib/"]] : []),
    ]),
    ...(ignores ? { ignores } : {}),
  })),
  ...[
    { files: ['src/**/*.ts'], ignores: ['src/sources/**', 'src/tui/**', 'src/engine/**', 'src/model-engine/**'], groups: [[SDKS, 'only src/sources/** imports SDKs'], [UI, 'only src/tui/** imports ink/React']] },
    { files: ['src/sources/**/*.ts'], groups: [[UI, 'only src/tui/** imports ink/React']] },
    { files: ['src/tui/**/*.ts', 'src/tui/**/*.tsx'], groups: [[SDKS, 'only src/sources/** imports SDKs']] },
  ].map(({ files, ignores, groups }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }],
    },
  })),
);
