import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newDataDir } from '../testing/cognito-harness.ts';
import { openJsonFileStore } from './json-file-store.ts';

describe('openJsonFileStore', () => {
  it('starts from the initial document and reloads what was saved', async () => {
    const file = join(await newDataDir(), 'nested', 'state.json');
    const store = await openJsonFileStore({ file, initial: () => ({ items: [] as number[] }) });
    store.data.items.push(1, 2);
    await store.save();
    const reopened = await openJsonFileStore({ file, initial: () => ({ items: [] as number[] }) });
    expect(reopened.data.items).toEqual([1, 2]);
  });

  it('coalesces a burst of saves and every caller sees its own change on disk', async () => {
    const dir = await newDataDir();
    const file = join(dir, 'state.json');
    let writes = 0;
    const store = await openJsonFileStore({ file, initial: () => ({ n: 0 }), beforeWrite: () => void writes++ });
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 50; i++) {
      store.data.n = i;
      saves.push(
        store.save().then(async () => expect((JSON.parse(await readFile(file, 'utf8')) as { n: number }).n).toBeGreaterThanOrEqual(i)),
      );
    }
    await Promise.all(saves);
    expect(writes).toBeLessThanOrEqual(2);
    expect(await readdir(dir)).toEqual(['state.json']); // no temp file left behind
  });

  it('refuses a corrupt file instead of silently starting empty', async () => {
    const file = join(await newDataDir(), 'state.json');
    await writeFile(file, '{ not json');
    await expect(openJsonFileStore({ file, initial: () => ({}) })).rejects.toThrow(/not valid JSON/);
  });
});
