// Lint every TypeScript file; generated code and build output are not ours to lint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/src/gen/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      '**/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Packages talk through their public `exports` only.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@headstart/*/src/*', '@headstart/*/dist/*'],
              message: 'Import the package, not its files.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Command-line entry points, benchmarks and scripts print for people.
    files: ['**/cli/**/*.ts', 'bench/**/*.ts', '**/scripts/**/*.ts', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
);
