import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventSize, openLogStore, type LogStore } from './log-store.ts';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-logstore-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
/** The messages of one stream of `store` (undefined where the group or stream is missing). */
const messagesIn = (store: LogStore, groupName: string, streamName: string) =>
  store
    .group(groupName)
    ?.streams.get(streamName)
    ?.events.map((e) => e.message);

describe('log store bounds', () => {
  it('keeps a group under its byte budget by dropping its oldest events, on disk too', async () => {
    const dir = await tempDir();
    const message = 'x'.repeat(74); // 100 bytes as CloudWatch counts it
    expect(eventSize(message)).toBe(100);
    const store = await openLogStore({ dir, maxGroupBytes: 1000, log });
    await store.createGroup('/g', 0);
    const group = store.group('/g')!;
    const a = await store.createStream(group, 'a', 0);
    const b = await store.createStream(group, 'b', 0);
    for (let i = 0; i < 8; i++) await store.append(group, i % 2 ? b : a, [{ timestamp: i, ingestionTime: i, message }]);
    expect(store.groupBytes(group)).toBe(800);
    // Past 1000 bytes the group is trimmed to 80%, oldest first across streams.
    for (let i = 8; i < 11; i++) await store.append(group, a, [{ timestamp: i, ingestionTime: i, message }]);
    expect(store.groupBytes(group)).toBeLessThanOrEqual(800);
    const left = [...a.events, ...b.events].map((e) => e.timestamp).sort((x, y) => x - y);
    expect(left).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(a.baseSeq).toBe(2); // tokens stay stable: events 0 and 2 of stream a were dropped
    await store.close();

    const files = await readdir(join(dir, group.dir));
    const lines = (await Promise.all(files.filter((f) => f.endsWith('.jsonl')).map((f) => readFile(join(dir, group.dir, f), 'utf8'))))
      .join('')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(8);

    const reopened = await openLogStore({ dir, maxGroupBytes: 1000, log });
    const again = reopened.group('/g')!;
    expect(again.streams.get('a')?.events.map((e) => e.timestamp)).toEqual([4, 6, 8, 9, 10]);
    expect(again.streams.get('a')?.baseSeq).toBe(2);
    await reopened.close();
  });

  it('drops events older than the retention policy', async () => {
    const dir = await tempDir();
    const day = 24 * 3600_000;
    const store = await openLogStore({ dir, maxGroupBytes: 1 << 20, log });
    await store.createGroup('/r', 0);
    const group = store.group('/r')!;
    const s = await store.createStream(group, 's', 0);
    await store.append(group, s, [
      { timestamp: 10 * day, ingestionTime: 10 * day, message: 'old' },
      { timestamp: 12 * day, ingestionTime: 12 * day, message: 'new' },
    ]);
    await store.setRetention('/r', 1);
    store.applyRetention(12 * day + 3600_000);
    expect(s.events.map((e) => e.message)).toEqual(['new']);
    await store.close();
    const reopened = await openLogStore({ dir, maxGroupBytes: 1 << 20, log });
    expect(messagesIn(reopened, '/r', 's')).toEqual(['new']);
    expect(reopened.group('/r')?.retentionInDays).toBe(1);
    await reopened.close();
  });

  it('skips a torn last line left by a crash', async () => {
    const dir = await tempDir();
    const store = await openLogStore({ dir, maxGroupBytes: 1 << 20, log });
    await store.createGroup('/t', 0);
    const group = store.group('/t')!;
    const s = await store.createStream(group, 's', 0);
    await store.append(group, s, [{ timestamp: 1, ingestionTime: 1, message: 'whole' }]);
    await store.close();
    const { appendFile } = await import('node:fs/promises');
    await appendFile(join(dir, group.dir, s.file), '{"timestamp":2,"ingest');
    const reopened = await openLogStore({ dir, maxGroupBytes: 1 << 20, log });
    expect(messagesIn(reopened, '/t', 's')).toEqual(['whole']);
    await reopened.close();
  });
});
