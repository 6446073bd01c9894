/**
 * `@fleet/core`'s main entry is what the web app imports (contracts, `parseReading`, topics): it must
 * stay browser-safe. Bundled for the browser as Vite would, it resolves no Node built-in module and
 * uses no Node-only global (`Buffer`, `process`); the Node-only parts live behind other entries
 * (`@fleet/core/http`, `@fleet/core/tokens`).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

it('bundles for the browser without a Node built-in or a Node-only global', async () => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((path) => path.startsWith('node:') || !/\.(m?[jt]s|json)$/.test(path))).toEqual([]);
  const code = result.outputFiles[0]?.text ?? '';
  expect(code.match(/\bBuffer\.|\bprocess\.(env|versions|platform)\b|\brequire\(/g) ?? []).toEqual([]);
});
