// One Jest run over every package. ts-jest only transpiles (isolatedModules); `tsc --build` type-checks.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  testTimeout: 60_000,
  // 150% of the cores: a fifth of the suite's time is spent waiting (NATS elections and redeliveries,
  // processes starting, timers), and a third worker on 2 cores fills it (CPU 80% → 96%, 194 s → 166 s of
  // Jest on this machine). Tests that assert on wall time already allow for a busy machine.
  maxWorkers: '150%',
  // The shipped data, built once per run for every test that runs the main job (see the file).
  globalSetup: '<rootDir>/tests/jest-global-setup.js',
};
