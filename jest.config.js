/** Two levels: unit specs beside the code, suites against real services under test/. */
const moduleNameMapper = {
  '^@storecredit/(contracts|ledger|messaging|testing)$': '<rootDir>/libs/$1/src',
  '^@storecredit/(contracts|ledger|messaging|testing)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', {}],
  // ESM-only dependencies (content-disposition under @fastify/static; uuid since 12) are compiled to CommonJS for jest.
  '^.+/node_modules/(content-disposition|uuid)/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true } }],
};
const transformIgnorePatterns = ['/node_modules/(?!(content-disposition|uuid)/)'];
const common = { moduleFileExtensions: ['ts', 'js', 'json'], moduleNameMapper, transform, transformIgnorePatterns, testEnvironment: 'node' };

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
    },
  ],
};
