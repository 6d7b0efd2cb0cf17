// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '**/*.d.ts', 'bench/results/**', 'plugins/*/assembly/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Contracts are reached through their owner's published subpaths, never through another package's src.
      'no-restricted-imports': ['error', { patterns: [{ group: ['@opsloom/*/src/*', '@opsloom/*/dist/*'], message: 'Import a package through its exported subpath.' }] }],
    },
  },
);
