import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJsonFile, readJsonFileSync, writeFileAtomically, writeFileAtomicallySync } from './atomic-file.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['writeFileAtomically', writeFileAtomically],
  [
    'writeFileAtomicallySync',
    async (file: string, text: string, options?: { mode?: number }) => writeFileAtomicallySync(file, text, options),
  ],
] as const)('%s', (_name, write) => {
  it('creates the folder, writes the file owner-only and leaves no temporary file', async () => {
    const file = join(dir, 'nested', 'state.json');
    await write(file, '{"a":1}');
    expect(await readFile(file, 'utf8')).toBe('{"a":1}');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.json']);
  });

  it('replaces a file whole and keeps the mode it is given', async () => {
    const file = join(dir, 'root-ca.pem');
    await write(file, 'old old old', { mode: 0o644 });
    await write(file, 'new', { mode: 0o644 });
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  it('removes its temporary file when the rename fails, and leaves what was there', async () => {
    // A non-empty folder where the file should go: rename(2) refuses to replace it.
    const target = join(dir, 'state.json');
    await write(join(target, 'inner'), 'kept');
    await expect(write(target, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['state.json']);
    expect(await readFile(join(target, 'inner'), 'utf8')).toBe('kept');
  });
});

it('keeps concurrent writes of one file apart: each lands whole, none fails', async () => {
  const file = join(dir, 'metrics.json');
  const documents = Array.from({ length: 20 }, (_, i) => JSON.stringify({ writer: i, padding: 'x'.repeat(64 * 1024) }));
  await Promise.all(documents.map((text) => writeFileAtomically(file, text)));
  expect(documents).toContain(await readFile(file, 'utf8'));
  expect(await readdir(dir)).toEqual(['metrics.json']);
});

describe('readJsonFile', () => {
  it('answers undefined for a file that does not exist yet, and the document for one that does', async () => {
    const file = join(dir, 'doc.json');
    expect(await readJsonFile(file, 'a document')).toBeUndefined();
    expect(readJsonFileSync(file, 'a document')).toBeUndefined();
    await writeFile(file, '{"k":[1,2]}');
    expect(await readJsonFile(file, 'a document')).toEqual({ k: [1, 2] });
    expect(readJsonFileSync(file, 'a document')).toEqual({ k: [1, 2] });
  });

  it('names the file and what was expected when it is not JSON', async () => {
    const file = join(dir, 'torn.json');
    await writeFile(file, '{"k":');
    await expect(readJsonFile(file, 'the registry state')).rejects.toThrow(`${file} is not valid JSON; expected the registry state`);
    expect(() => readJsonFileSync(file, 'the registry state')).toThrow(`${file} is not valid JSON; expected the registry state`);
  });
});
