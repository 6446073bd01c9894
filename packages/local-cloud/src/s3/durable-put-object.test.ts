import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePutObjectDurable } from './durable-put-object.mjs';

interface Store {
  putBucket(bucket: string): Promise<unknown>;
  putObject(object: {
    bucket: string;
    key: string;
    content: Buffer | Readable;
    metadata: Record<string, string>;
  }): Promise<{ size: number; md5: string }>;
  getResourcePath(bucket: string, key: string, kind: string): string;
}
const require = createRequire(import.meta.url);
const FilesystemStore = require('s3rver/lib/stores/filesystem.js') as new (directory: string) => Store;

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-durable-'));
  store = makePutObjectDurable(new FilesystemStore(dir));
  await store.putBucket('b');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

describe("s3rver's PutObject made durable", () => {
  it('has the whole object on disk when it answers (s3rver alone answered with part of it written)', async () => {
    const body = Buffer.alloc(32 * 1024 * 1024, 7);
    const result = await store.putObject({
      bucket: 'b',
      key: 'dead-letters/x.json',
      content: body,
      metadata: { 'content-type': 'application/json' },
    });
    // Looked at the moment it answered, before anything else lets a pending write finish.
    expect(statSync(store.getResourcePath('b', 'dead-letters/x.json', 'object')).size).toBe(body.length);
    expect(result).toEqual({ size: body.length, md5: md5(body) });
    expect(JSON.parse(await readFile(store.getResourcePath('b', 'dead-letters/x.json', 'metadata.json'), 'utf8'))).toMatchObject({
      'content-type': 'application/json',
    });
  });

  it('writes a streamed body completely, with its MD5, and leaves no temporary file', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(65_536, i));
    const result = await store.putObject({ bucket: 'b', key: 'k', content: Readable.from(chunks), metadata: {} });
    const whole = Buffer.concat(chunks);
    expect(result).toEqual({ size: whole.length, md5: md5(whole) });
    expect(await readFile(store.getResourcePath('b', 'k', 'object'))).toEqual(whole);
    expect(await readFile(store.getResourcePath('b', 'k', 'object.md5'), 'utf8')).toBe(md5(whole));
    expect((await readdir(join(dir, 'b'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
