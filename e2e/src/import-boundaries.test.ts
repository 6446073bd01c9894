/**
 * The import-boundary table of eslint.boundaries.js, as `npm run lint` applies it: each room refuses
 * the workspaces it must not know and accepts the ones it may.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './platform-process.ts';

const { importBoundaryBlocks } = (await import(pathToFileURL(join(repoRoot, 'eslint.boundaries.js')).href)) as {
  importBoundaryBlocks: Linter.Config[];
};

// The parser alone (no type information): the boundaries read import statements only.
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } }, ...importBoundaryBlocks],
});

async function refused(file: string, specifier: string): Promise<boolean> {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, { filePath: join(repoRoot, file) });
  const messages = result?.messages ?? [];
  if (messages.some((m) => m.ruleId !== 'no-restricted-imports')) throw new Error(JSON.stringify(messages));
  return messages.length > 0;
}

const cases: ReadonlyArray<readonly [file: string, specifier: string, refusedExpected: boolean]> = [
  ['packages/core/src/topics.ts', '@fleet/local-cloud', true],
  ['packages/core/src/topics.ts', '@fleet/core/testing', true],
  ['packages/local-cloud/src/sqs/sqs-state.ts', '@fleet/api-service', true],
  ['packages/local-cloud/src/sqs/sqs-state.ts', '@fleet/data-service', true],
  ['packages/local-cloud/src/sqs/sqs-state.ts', '@fleet/core/endpoints-file', false],
  ['packages/simulator/src/main.ts', '@fleet/local-cloud', true],
  ['services/api/src/app.ts', '@fleet/data-service', true],
  ['services/api/src/app.ts', '@fleet/local-cloud', true],
  ['services/api/src/app.ts', '@fleet/local-cloud/testing', true],
  ['services/api/src/app.ts', '@fleet/local-cloud/src/index.ts', true],
  ['services/api/src/app.ts', '@fleet/core', false],
  ['services/api/src/app.ts', '@fleet/core/tokens', false],
  ['services/data/src/app.ts', '@fleet/api-service', true],
  ['services/frontend/web/src/api.ts', '@fleet/api-service', true],
  ['services/frontend/web/src/api.ts', '@fleet/core', false],
  ['services/api/src/app.test.ts', '@fleet/local-cloud/testing', false],
  ['services/api/src/app.test.ts', '@fleet/local-cloud', true],
  ['services/api/src/app.test.ts', '@fleet/data-service', true],
  ['services/data/src/testing/local-aws.ts', '@fleet/local-cloud/testing', false],
  ['infra/lib/fleet-stack.ts', '@fleet/local-cloud', true],
  ['infra/lib/fleet-stack.ts', '@fleet/core', false],
  ['e2e/src/platform-process.ts', '@fleet/local-cloud', false],
  ['e2e/src/platform-process.ts', '@fleet/api-service', true],
];

describe('import boundaries (eslint.boundaries.js)', () => {
  it.each(cases)('%s importing %s: refused %s', async (file, specifier, refusedExpected) => {
    expect(await refused(file, specifier)).toBe(refusedExpected);
  });
});
