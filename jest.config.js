/** Two tiers: unit specs beside the code (fakes allowed), integration specs against real Kafka and Postgres. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];

const { jestModuleNameMapper: moduleNameMapper } = require('./tools/workspace-aliases.cjs');

const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{contracts,libs,services}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{libs,services,deploy}/**/*.integration-spec.ts',
        '<rootDir>/e2e/**/*.e2e-spec.ts',
      ],
      globalSetup: '<rootDir>/libs/testing/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/integration-setup.ts'],
    },
  ],
};
