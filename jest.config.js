// @ts-check
const { readFileSync } = require('node:fs');

const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
/** @type {import('jest').Config['transform']} */
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] };
const kafkaOnly = require('./tools/jest/kafka-only');
const moduleNameMapper = { '^@onevoice/(.*)$': '<rootDir>/libs/$1/src/index.ts' };

/** @type {import('jest').Config} */
module.exports = {
  // Integration specs wait on real brokers; jest takes the timeout only at the top level.
  testTimeout: 90_000,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/{apps,libs}/*/test/**/*.spec.ts'],
      // The embedded mode's own tests (apps/onevoice/test) run in the embedded project only.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/onevoice/'],
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/tools/jest/global-setup.ts',
      globalTeardown: '<rootDir>/tools/jest/global-teardown.ts',
      slowTestThreshold: 20,
    },
    {
      // The same specs against OneVoice embedded (npm start), but those about Kafka itself.
      displayName: 'embedded',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/{apps,libs}/*/test/**/*.spec.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        ...Object.keys(kafkaOnly).map((p) => `<rootDir>/${p}`),
      ],
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/tools/jest/global-setup-embedded.ts',
      globalTeardown: '<rootDir>/tools/jest/global-teardown.ts',
      slowTestThreshold: 20,
    },
  ],
};
