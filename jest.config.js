/** @type {import('jest').Config} */
export default {
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
        },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup/no-external-network.ts', '<rootDir>/test/setup/message-log.ts'],
  // issue 18: a whole run fails when a check declares a messageId no test produces (test/setup/message-parity-check.ts).
  globalSetup: '<rootDir>/test/setup/message-parity-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/message-parity-teardown.mjs',
  roots: ['<rootDir>/test'],
  // The e2e tier (a real control plane) has its own config: jest.e2e.config.js.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  testTimeout: 30000,
  maxWorkers: 2,
};
