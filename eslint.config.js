// ESLint flat config: typescript-eslint plus the module boundaries: imports go one way,
// cli → collector → detection → parsers; parsers do no I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const LAYERS = ['cli', 'collector', 'detection', 'parsers', 'report-templates'];

/** Import patterns that reach into the given top-level folders from anywhere below. */
function layerPatterns(forbidden) {
  return forbidden.map((layer) => ({
    regex: `(^|/)${layer}(/|$)`,
    message: `this layer may not import from ${layer}/ (cli → collector → detection → parsers)`,
  }));
}

const NODE_IO = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process', 'process', 'node:process', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https'];

function boundary(files, forbiddenLayers, extraPaths = [], extra = {}) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: extraPaths.map((name) => ({ name, message: 'parsers are pure: no I/O, no process' })),
          patterns: layerPatterns(forbiddenLayers),
        },
      ],
      ...extra,
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'build/**', 'dist/**', 'coverage/**', 'samples/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // parsers/ imports nothing from the project outside parsers/, and does no I/O.
  boundary(
    ['parsers/**/*.ts'],
    LAYERS.filter((l) => l !== 'parsers'),
    NODE_IO,
    {
      'no-restricted-globals': ['error', { name: 'process', message: 'parsers never read process' }],
    },
  ),
  // detection/ sees parsers only.
  boundary(['detection/**/*.ts'], ['cli', 'collector', 'report-templates']),
  // collector/ sees detection and parsers.
  boundary(['collector/**/*.ts'], ['cli', 'report-templates']),
  // report-templates/ see the result types only (type-only imports of detection/analysis-result).
  {
    files: ['report-templates/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...layerPatterns(['cli', 'collector', 'parsers']),
            {
              regex: '(^|/)detection/(?!analysis-result(\\.js)?$)',
              message: 'report templates see result types only (detection/analysis-result.ts)',
            },
            {
              regex: '(^|/)detection/analysis-result(\\.js)?$',
              allowTypeImports: true,
              message: 'report templates import result types with `import type` only',
            },
          ],
        },
      ],
    },
  },
  // process.exit only in cli/main.ts.
  {
    files: ['**/*.ts'],
    ignores: ['cli/main.ts', 'scripts/**', 'test/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'only cli/main.ts exits' }],
    },
  },
);
