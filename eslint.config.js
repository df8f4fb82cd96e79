// Lint rules. The determinism rules keep wall-clock time and Math.random out of the logic:
// actors use virtual time and named seeded streams only.
import tseslint from 'typescript-eslint';

const determinism = {
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'use a named seeded stream: ctx.rng(name)' },
    { object: 'Date', property: 'now', message: 'use virtual time: ctx.now' },
    { object: 'performance', property: 'now', message: 'use virtual time: ctx.now' },
  ],
  'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date']", message: 'use virtual time: ctx.now' }],
  'no-restricted-imports': ['error', { patterns: [{ group: ['**/sim/cli/*', '**/sim/run/*'], message: 'nodes/ must not depend on the runner or the CLI' }] }],
};

export default tseslint.config(
  { ignores: ['gen/**', 'dist/**', 'node_modules/**', 'out/**', '.stryker-tmp/**', 'reports-out/**', 'test-output/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['nodes/**/*.ts', 'sim/kernel/**/*.ts', 'sim/workload/**/*.ts', 'sim/network/**/*.ts'], rules: determinism },
);
