import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', 'tools/**/.cache', 'public'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The engine runs in Node and the browser and must stay fully typed.
    files: ['src/engine/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    // src/engine/index.ts is the engine's only door (./node adds the Node-only
    // pieces): what sits behind it can be rearranged without touching callers.
    // Unit tests in test/ may reach inside, to test one piece at a time.
    files: ['src/ui/**/*.{ts,tsx}', 'src/viz/**/*.ts', 'src/cli/**/*.ts', 'src/worker/**/*.ts', 'bench/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)engine/(?!(index|node|pure)$)',
              message: 'Import the engine through src/engine (index.ts), or src/engine/node in Node code.',
            },
          ],
        },
      ],
    },
  },
  {
    // The page's own thread never loads tfjs: the engine runs in a worker (src/worker/engine.worker.ts).
    // So the page, and the worker's page-side files, take engine values only from src/engine/pure
    // (modules that import no tfjs); types may come from src/engine as before (they vanish when built).
    files: ['src/ui/**/*.{ts,tsx}', 'src/worker/{client,remote,protocol,holds}.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)engine/(?!(index|pure)$)',
              message: 'Import the engine through src/engine/pure (values) or src/engine (types).',
            },
            {
              regex: '(^|/)engine(/index)?$',
              allowTypeImports: true,
              message: 'On the page, engine values come from src/engine/pure: src/engine/index would load tfjs on the main thread.',
            },
            {
              regex: '^@tensorflow/',
              allowTypeImports: true,
              message: 'tfjs runs in the engine worker only (src/worker/ops.ts).',
            },
            {
              regex: '(^|/)worker/(ops|backend|host|engine\\.worker|wasmPaths)$',
              allowTypeImports: true,
              message: 'These run inside the worker; the page reaches them through src/worker/remote.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
);
