/**
 * Unit specs beside the code (fakes allowed); integration specs against real Kafka and Postgres; and, with
 * CRM_LONG_TESTS=1, the long guarantee runs (`*.long-spec.ts`).
 */
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

/** Integration and long specs run against a real Kafka broker and Postgres, which the global setup provides. */
const integration = {
  ...common,
  globalSetup: '<rootDir>/libs/testing/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/libs/testing/integration-setup.ts'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{contracts,libs,services,bench}/**/*.spec.ts'],
    },
    {
      ...integration,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/{libs,services,deploy}/**/*.integration-spec.ts',
        '<rootDir>/e2e/**/*.e2e-spec.ts',
      ],
    },
    // The long guarantee runs (`npm run test:long`, after `npm test` in CI): kept out of `npm test`'s time.
    ...(process.env.CRM_LONG_TESTS === '1'
      ? [
          {
            ...integration,
            displayName: 'long',
            testMatch: ['<rootDir>/{libs,services,e2e}/**/*.long-spec.ts'],
          },
        ]
      : []),
  ],
};
