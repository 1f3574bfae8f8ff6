/** Two levels: unit specs beside the code, suites against real services under test/. */
const moduleNameMapper = {
  '^@storecredit/(contracts|embedded-postgres|ledger|messaging|observability|schema|testing)$': '<rootDir>/libs/$1/src',
  '^@storecredit/(contracts|embedded-postgres|ledger|messaging|observability|schema|testing)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
// ESM-only dependencies are required natively, not compiled: see .npmrc.
const transform = { '^.+\\.ts$': ['ts-jest', {}] };
const common = { moduleFileExtensions: ['ts', 'js', 'json'], moduleNameMapper, transform, testEnvironment: 'node' };

module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', rootDir: __dirname, testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
