/**
 * What every browser test of a page checks besides its own flow: axe-core finds no WCAG 2.x A/AA
 * violation in what the page shows (labels, contrast, roles, keyboard names), and a screenshot is
 * kept as a test artifact (`e2e/artifacts/<name>.png`, ignored by git, uploaded by CI when it keeps
 * artifacts) so a person can look at what the test saw.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';
import { expect } from 'vitest';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const artifactsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/** The violations as lines a person can act on: rule, impact, the first elements and the fix. */
function describeViolations(results: AxeResults): string[] {
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'unknown'}): ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => `${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
        .join(' | ')}`,
  );
}

/** Runs axe-core in the page (optionally in one part of it) and expects no WCAG 2.0/2.1/2.2 A or AA violation. */
export async function expectAccessible(page: Page, options: { readonly include?: string } = {}): Promise<void> {
  // The page's own globals, as a script in it sees them (this file is compiled without the DOM types).
  type PageGlobals = { axe?: { run(context: unknown, options: unknown): Promise<AxeResults> }; document: unknown };
  if (!(await page.evaluate(() => 'axe' in (globalThis as unknown as PageGlobals)))) await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(async (include) => {
    const page = globalThis as unknown as PageGlobals;
    return page.axe!.run(include ?? page.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
  }, options.include);
  const violations = describeViolations(results);
  expect(violations, `axe-core found:\n${violations.join('\n')}`).toEqual([]);
}

/** Saves what the page shows now as `e2e/artifacts/<name>.png` (the whole page, not only the viewport). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
