import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * What a project may depend on, by kind (type:*) and by owner (scope:*). Specs may also use the
 * testing harness.
 */
function constraints({ tests = false } = {}) {
  const testing = tests ? ['type:testing'] : [];
  return [
    // What a kind of project may depend on.
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
    { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
    {
      sourceTag: 'type:infrastructure',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:infrastructure', 'type:util', ...testing],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:infrastructure', 'type:util'],
    },
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: [
        'type:contracts',
        'type:domain',
        'type:infrastructure',
        'type:util',
        ...testing,
      ],
    },
    // Whose code a project may reach: its own scope and the shared libraries.
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:ingest', 'scope:shared'] },
    {
      sourceTag: 'scope:coordinator',
      onlyDependOnLibsWithTags: ['scope:coordinator', 'scope:shared'],
    },
    {
      sourceTag: 'scope:dispatcher',
      onlyDependOnLibsWithTags: ['scope:dispatcher', 'scope:shared'],
    },
    {
      sourceTag: 'scope:behaviour-profiler',
      onlyDependOnLibsWithTags: ['scope:behaviour-profiler', 'scope:shared'],
    },
    {
      sourceTag: 'scope:survey-throttler',
      onlyDependOnLibsWithTags: ['scope:survey-throttler', 'scope:shared'],
    },
    // The stand-in for external providers shares nothing with OneVoice but its shared libraries.
    {
      sourceTag: 'scope:provider-simulator',
      onlyDependOnLibsWithTags: ['scope:provider-simulator', 'scope:shared'],
    },
  ];
}

const boundaries = (options) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: constraints(options) },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.local/', '.nx/', 'coverage/', '**/*.js', '**/*.mjs'] },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unawaited promises in Kafka handlers lose messages.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['../../*'], message: 'Import through a path alias (@onevoice/…).' }],
        },
      ],
      '@nx/enforce-module-boundaries': boundaries(),
    },
  },
  {
    // A service's time is its Clock (libs/clock), an argument: production runs on the machine's,
    // tests on one they move. Reading the machine's time where it decides anything makes the
    // suite depend on the hour it runs at (docs/design.md, "Time").
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      'libs/clock/src/clock.ts',
      'libs/testing/**',
      // The stand-in for an outside provider keeps its own time, as a real one does.
      'apps/provider-simulator/**',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Take the time from the service's Clock (@onevoice/clock), not new Date().",
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "Take the time from the service's Clock (@onevoice/clock), not Date.now().",
        },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ tests: true }) },
  },
  {
    // A benchmark may measure a service's own parts (its repository, its migrations), and the
    // chaos run drives the simulator's population, which have no path alias; libraries still go
    // through theirs.
    files: ['tools/bench/*.ts', 'tools/chaos/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../libs/*'], message: 'Import through a path alias (@onevoice/…).' },
          ],
        },
      ],
    },
  },
  {
    // The embedded host composes the five services in one process: the one place that may import
    // them (their modules and env loaders), and only from their src/ entry points.
    files: ['apps/onevoice/src/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../libs/*'], message: 'Import through a path alias (@onevoice/…).' },
          ],
        },
      ],
    },
  },
  {
    // Jest loads these with Node's resolver, which knows no path aliases.
    files: ['tools/jest/*.ts'],
    rules: { 'no-restricted-imports': 'off', '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
);
