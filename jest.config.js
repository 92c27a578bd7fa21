// One Jest run over every package. ts-jest only transpiles (isolatedModules); `tsc --build` type-checks.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  testTimeout: 60_000,
  maxWorkers: 2,
  // The shipped data, built once per run for every test that runs the main job (see the file).
  globalSetup: '<rootDir>/tests/jest-global-setup.js',
};
