/**
 * `npm start` runs the launcher itself with the memory settings the launcher gives its children:
 * package.json's script cannot import them, so this keeps the two equal.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { launcherNodeFlags, localProcessEnvironment } from './process-memory-settings.ts';

const manifest = new URL('../../../../package.json', import.meta.url);

it("npm start's script runs the launcher with launcherNodeFlags and localProcessEnvironment", async () => {
  const { scripts } = JSON.parse(await readFile(manifest, 'utf8')) as { scripts: Record<string, string> };
  const launch = /(?:^|&& )((?:\w+=\S+ )*)node ((?:--\S+ )*)--import tsx packages\/local-cloud\/src\/main\.ts$/.exec(
    scripts['start'] ?? '',
  );
  expect(launch, scripts['start']).not.toBeNull();
  const [, variables = '', flags = ''] = launch!;
  expect(
    Object.fromEntries(
      variables
        .trim()
        .split(' ')
        .filter(Boolean)
        .map((v) => v.split('=')),
    ),
  ).toEqual(localProcessEnvironment);
  expect(flags.trim().split(' ').filter(Boolean)).toEqual(launcherNodeFlags);
});
