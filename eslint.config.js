// Type-aware linting of every .ts and .tsx file, the web app's too: catches floating promises and
// misused async callbacks (the bugs that lose messages), and assertions or union members the types
// already make pointless. Each file is checked against its own tsconfig (the project service).
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { importBoundaryBlocks } from './eslint.boundaries.js';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/cdk.out/**', '**/.cdk/**', '.fleet/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-duplicate-type-constituents': 'error',
      '@typescript-eslint/no-redundant-type-constituents': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // A variable a closure reads before its one assignment (a server handler set up before the server) stays let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The web app's components: hooks called in the same order every render, effects that list what they read.
    files: ['services/frontend/web/src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  ...importBoundaryBlocks,
  {
    // Configuration is read in composition roots only: a process's main.ts, the CDK app's bin/app.ts,
    // the test config and the test files vitest runs as entry points. Everything else is handed its
    // values (STYLE.md: "One composition root per process ... the only place that reads process.env").
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['**/src/main.ts', 'infra/bin/app.ts', 'vitest.config.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment in the composition root (main.ts) and pass the value in.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
          message: 'Read the environment in the composition root (main.ts) and pass the value in.',
        },
      ],
    },
  },
  {
    // A service reads its environment through its configuration schema alone: loadConfig(schema, process.env)
    // (packages/core/src/config), so that serviceEnvironment() and what the service reads cannot drift.
    files: ['services/*/src/main.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name='env']",
          message:
            "Add the variable to the service's schema in packages/core/src/config/service-configs.ts; read it from loadConfig's result.",
        },
        {
          selector: "VariableDeclarator[id.type='ObjectPattern'][init.object.name='process'][init.property.name='env']",
          message:
            "Add the variable to the service's schema in packages/core/src/config/service-configs.ts; read it from loadConfig's result.",
        },
      ],
    },
  },
);
