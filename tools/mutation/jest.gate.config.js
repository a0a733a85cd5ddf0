// @ts-check
// The pure gate's own specs (unit and property), for mutation testing: no Kafka, no Postgres.
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');

const root = resolve(__dirname, '../..');
const swc = JSON.parse(readFileSync(`${root}/.swcrc`, 'utf8'));

/** @type {import('jest').Config} */
module.exports = {
  rootDir: root,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/libs/policy/src/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleNameMapper: { '^@onevoice/(.*)$': '<rootDir>/libs/$1/src/index.ts' },
};
