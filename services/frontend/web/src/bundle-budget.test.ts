import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { Rollup } from 'vite';
import { bundleReport } from '../bundle-budget.ts';

/** A chunk as Rollup/Rolldown hands it to generateBundle, with only the fields the report reads. */
const chunk = (fileName: string, code: string, isEntry: boolean, imports: string[] = []) =>
  ({ type: 'chunk', fileName, code, isEntry, imports }) as unknown as Rollup.OutputChunk;

const gz = (code: string) => gzipSync(code, { level: 9 }).length;

describe('the bundle report', () => {
  const shared = 'export const shared = 1;'.repeat(50);
  const entry = 'import "./shared.js"; console.log("app shell");'.repeat(20);
  const page = 'export const page = "device page";'.repeat(200);
  const bundle = {
    'index.js': chunk('index.js', entry, true, ['shared.js']),
    'shared.js': chunk('shared.js', shared, false),
    'device-page.js': chunk('device-page.js', page, false, ['shared.js']),
    'styles.css': { type: 'asset', fileName: 'styles.css', source: 'body{}' },
  } as unknown as Rollup.OutputBundle;

  it('counts the entry and what it imports statically as initial, and a page loaded later as lazy', () => {
    const report = bundleReport(bundle, 1000);
    expect(report.initialChunks.map((c) => c.file).sort()).toEqual(['index.js', 'shared.js']);
    expect(report.initialJsGzipBytes).toBe(gz(entry) + gz(shared));
    expect(report.lazyChunks).toEqual([{ file: 'device-page.js', gzipBytes: gz(page) }]);
    expect(report.budgetBytes).toBe(1000);
  });

  it('follows imports of imports, and counts a chunk two entries share once', () => {
    const deep = {
      'a.js': chunk('a.js', 'a'.repeat(300), true, ['b.js']),
      'b.js': chunk('b.js', 'b'.repeat(300), false, ['c.js']),
      'c.js': chunk('c.js', 'c'.repeat(300), false),
      'worker.js': chunk('worker.js', 'w'.repeat(300), true, ['c.js']),
    } as unknown as Rollup.OutputBundle;
    const report = bundleReport(deep);
    expect(report.initialChunks.map((c) => c.file).sort()).toEqual(['a.js', 'b.js', 'c.js', 'worker.js']);
    expect(report.lazyChunks).toEqual([]);
  });
});
