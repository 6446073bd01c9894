/**
 * The workspaces' public faces hold: every `exports` target exists, every workspace declares in its
 * package.json the workspaces it imports (as a dependency, or a dev dependency where only tests and
 * test support import it), and no file reaches into another workspace by a relative path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './platform-process.ts';

interface Manifest {
  readonly name: string;
  readonly exports?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
const workspaces = rootManifest.workspaces.map((folder) => ({
  folder,
  manifest: JSON.parse(readFileSync(join(repoRoot, folder, 'package.json'), 'utf8')) as Manifest,
}));
const workspaceNames = new Set(workspaces.map((w) => w.manifest.name));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', 'cdk.out', '.cdk', 'results'].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Module specifiers of static imports, re-exports and dynamic imports with a literal. */
function specifiers(text: string): string[] {
  const found = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'/g),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ];
  return found.map((m) => m[1]!);
}

/** Files only tests run: test files, and the test-support folders they import. */
const testOnly = (path: string) => /\.test\.tsx?$/.test(path) || /[/\\](testing|test-support|test)[/\\]/.test(path);

describe('workspace manifests', () => {
  it.each(workspaces)('$folder: every exports target exists', ({ folder, manifest }) => {
    const missing = Object.entries(manifest.exports ?? {}).filter(([, target]) => !existsSync(join(repoRoot, folder, target)));
    expect(missing).toEqual([]);
  });

  it.each(workspaces)('$folder: declares every workspace it imports, and reaches into none by a relative path', ({ folder, manifest }) => {
    const root = join(repoRoot, folder);
    // e2e and bench are tools: they run nothing in production, so dev dependencies are their only kind.
    const devOnly = folder === 'e2e' || folder === 'bench';
    const problems: string[] = [];
    for (const file of sourceFiles(root)) {
      const where = relative(repoRoot, file);
      for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (target !== root && !target.startsWith(root + sep)) problems.push(`${where} imports ${specifier}, outside ${folder}`);
          continue;
        }
        const name = specifier.split('/').slice(0, 2).join('/');
        if (!workspaceNames.has(name) || name === manifest.name) continue;
        const declared = manifest.dependencies?.[name] ? 'dependencies' : manifest.devDependencies?.[name] ? 'devDependencies' : undefined;
        if (!declared) problems.push(`${where} imports ${name}, which ${folder}/package.json does not declare`);
        else if (declared === 'devDependencies' && !devOnly && !testOnly(file)) {
          problems.push(`${where} imports ${name} outside tests, but ${folder}/package.json declares it as a dev dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
