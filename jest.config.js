// One Jest run over every package. esbuild only transpiles (tests/jest-esbuild-transform.js); `tsc --build`
// type-checks.
const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': '<rootDir>/tests/jest-esbuild-transform.js' },
  testTimeout: 60_000,
  // One and a half workers a core (3 on 2 cores): a fifth of the suite's time is spent waiting (NATS
  // elections and redeliveries, processes starting, timers), and a third worker on 2 cores fills it (CPU
  // 80% → 96%, 194 s → 166 s of Jest on this machine). Tests that assert on wall time allow for a busy
  // machine. Computed here: Jest reads a percentage over 100% as a plain number of workers.
  maxWorkers: Math.max(2, Math.round(1.5 * os.availableParallelism())),
  // The shipped data, built once per run for every test that runs the main job (see the file).
  globalSetup: '<rootDir>/tests/jest-global-setup.js',
};
