// Lint enforces the architecture's boundaries (docs/architecture.md), not style.
import tseslint from 'typescript-eslint';

const SDKS = ['@kubernetes/*', 'ioredis', '@aws-sdk/*', '@azure/*', '@google-cloud/*', 'google-auth-library', 'tar'];
const UI = ['ink', 'ink-*', 'react', 'react/*'];

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
  {
    files: ['checks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...SDKS, ...UI], message: 'checks read the world through ports on their context, never SDKs' },
            { group: ['node:*', 'fs', 'child_process', 'net', 'http', 'https'], message: 'checks do no I/O of their own' },
            { group: ['**/src/sources/**', '**/src/reporters/**', '**/src/tui/**', '**/src/commands/**', '**/src/run/**'], message: 'checks import only the engine API (src/engine/**) and the matrix data (src/matrix/**)' },
          ],
        },
      ],
    },
  },
  ...[
    { files: ['src/**/*.ts'], ignores: ['src/sources/**', 'src/tui/**'], groups: [[SDKS, 'only src/sources/** imports SDKs'], [UI, 'only src/tui/** imports ink/React']] },
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
