import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'dist/**', 'agent/dist/**', 'node_modules/**', 'coverage/**', 'examples/**/.navarch/**', 'src/**/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Printing belongs to the CLI, the bins, benchmarks and the agent's command-line entry.
    files: ['src/cli/**', 'bin/**', 'agent/bin/**', 'bench/**', 'agent/cli/**', 'test/**', 'src/action/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
