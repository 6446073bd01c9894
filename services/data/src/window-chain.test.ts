/**
 * A window's chain of items (window-chain.ts) on dynalite: bounded items, one item per reading
 * whatever the writers know, the window items of the earlier version (overflow items), and the
 * minute view the rollups get.
 */
import { DeleteCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, type Reading } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollupReader } from './rollups/rollup-reader.ts';
import { createRollupWriter } from './rollups/rollup-writer.ts';
import { createTelemetryStore, type StoredReading, type TelemetryStoreOptions } from './telemetry-store.ts';
import { startLocalAws, type LocalAws } from './testing/local-aws.ts';
import { approximateSize } from './window-items.ts';
import { ChainCache, chainIndexOf, chainOfItems, chainSortKey, emptyChain, sealedAttribute } from './window-chain.ts';
import { encodeValues } from './reading-codec.ts';

const logger = pino({ level: 'silent' });
const minute = Date.UTC(2025, 5, 2, 12, 7);
const windowSk = new Date(minute).toISOString();
const reading = (deviceId: string, i: number): Reading => ({
  deviceId,
  ts: minute + i * 40,
  seq: i,
  values: { temperature: 20 + (i % 50) / 10, humidity: 40 },
});
const readings = (deviceId: string, from: number, count: number) => Array.from({ length: count }, (_, k) => reading(deviceId, from + k));

/** Every item of a device's day of these tests, strongly consistent. */
async function windowItemsOf(aws: LocalAws, deviceId: string): Promise<Record<string, unknown>[]> {
  const { Items } = await aws.dynamo.send(
    new QueryCommand({
      TableName: aws.tableNames.telemetry,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `${deviceId}#2025-06-02` },
      ConsistentRead: true,
    }),
  );
  return Items!;
}

describe('window chains, pure', () => {
  it('names item 0 after the window and the others after their index; overflow items have none', () => {
    expect(chainSortKey(windowSk, 0)).toBe(windowSk);
    expect(chainSortKey(windowSk, 12)).toBe(`${windowSk}#c12`);
    expect(chainIndexOf(windowSk, `${windowSk}#c12`)).toBe(12);
    expect(chainIndexOf(windowSk, windowSk)).toBe(0);
    expect(chainIndexOf(windowSk, `${windowSk}#r1000_3`)).toBeUndefined();
  });

  it('reads the sealed prefix, the overflow items with it, and the open items after it', () => {
    const item = (sk: string, attributes: Record<string, string>, sealed = false) => ({
      pk: 'd#2025-06-02',
      sk,
      ...attributes,
      ...(sealed ? { [sealedAttribute]: true } : {}),
    });
    const v = encodeValues({ t: 1 });
    const { state, open } = chainOfItems(windowSk, minute, [
      item(windowSk, { r1_1: v }, true),
      item(`${windowSk}#c1`, { r2_2: v }, true),
      item(`${windowSk}#c2`, { r3_3: v }),
      item(`${windowSk}#r4_4`, { r4_4: v }),
    ]);
    expect([...state.sealed.keys()].sort()).toEqual(['r1_1', 'r2_2', 'r4_4']);
    expect(state.next).toBe(2);
    expect(state.overflowKnown).toBe(true);
    expect(state.size).toBe(approximateSize(item(`${windowSk}#c2`, { r3_3: v })));
    expect([...open.keys()]).toEqual(['r3_3']);
    // An item too full to take the seal is sealed by the item after it.
    const full = chainOfItems(windowSk, minute, [item(windowSk, { r1_1: v }), item(`${windowSk}#c1`, { r2_2: v })]);
    expect([...full.state.sealed.keys()]).toEqual(['r1_1']);
    expect(full.state.next).toBe(1);
  });

  it('forgets the least recently kept chains past its bound of readings, and of chains', () => {
    const cache = new ChainCache(3, 4);
    const chain = (n: number) => {
      const state = emptyChain();
      for (let i = 0; i < n; i++) state.sealed.set(`r${i}_0`, { ts: i, seq: 0, values: {} });
      return state;
    };
    const a = chain(2);
    cache.set('a', a);
    cache.set('b', chain(1));
    cache.set('a', a); // kept again after a write: now the most recent
    cache.set('c', chain(1));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.sealed.size).toBe(2);
    expect(cache.get('c')?.sealed.size).toBe(1);
    // A chain larger than the bound is kept alone, not dropped as soon as it is kept.
    cache.set('d', chain(5));
    expect(cache.get('d')?.sealed.size).toBe(5);
    expect(cache.get('a')).toBeUndefined();
    // Chains holding no sealed reading (slow devices) are bounded by their number.
    for (const key of ['e', 'f', 'g', 'h', 'i']) cache.set(key, chain(0));
    expect(['d', 'e', 'f', 'g', 'h', 'i'].map((key) => cache.get(key) !== undefined)).toEqual([false, false, true, true, true, true]);
  });
});

describe('window chains on dynalite', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.close());

  const store = (options: Partial<TelemetryStoreOptions> = {}) =>
    createTelemetryStore({ client: aws.dynamo, tableName: aws.tableNames.telemetry, logger, ...options });
  const itemsOf = (deviceId: string) => windowItemsOf(aws, deviceId);
  const all = async (deviceId: string) => {
    const out: StoredReading[] = [];
    for await (const r of store().query({ deviceId, from: minute, to: minute + 60_000 })) out.push(r);
    return out;
  };

  it("keeps a fast device's window in items of about 1 KB, each write billed 1 or 2 units", async () => {
    const units: number[] = [];
    const fast = store({ onWriteUnits: (u) => units.push(u) });
    // 24 readings a second in flushes of 6, as the bench's soak publishes: 300 readings, 50 flushes.
    for (let i = 0; i < 300; i += 6) expect(await fast.write(readings('fast', i, 6))).toEqual({ stored: 6, duplicates: 0, failed: [] });
    const items = (await itemsOf('fast')).sort(
      (x, y) => chainIndexOf(windowSk, String(x['sk']))! - chainIndexOf(windowSk, String(y['sk']))!,
    );
    expect(items.length).toBeGreaterThan(10);
    for (const item of items.slice(0, -1)) expect(item[sealedAttribute]).toBe(true);
    expect(items.at(-1)![sealedAttribute]).toBeUndefined();
    for (const item of items) expect(approximateSize(item)).toBeLessThanOrEqual(1100);
    expect(Math.max(...units)).toBeLessThanOrEqual(2);
    // One window item growing to ≈ 15 KB cost 8 units a write on average; the chain costs about one.
    expect(units.reduce((a, b) => a + b, 0) / units.length).toBeLessThan(1.3);
    expect((await all('fast')).map((r) => r.seq)).toEqual(readings('fast', 0, 300).map((r) => r.seq));
    // Redelivered, in other flushes than the first time: none stored again.
    expect(await fast.write(readings('fast', 3, 100))).toEqual({ stored: 0, duplicates: 100, failed: [] });
    expect(await store().write(readings('fast', 150, 150))).toEqual({ stored: 0, duplicates: 150, failed: [] });
    expect(await all('fast')).toHaveLength(300);
  });

  it('sends a writer that did not see an item sealed to the next one, and finds its earlier reading sealed in', async () => {
    const a = store();
    const b = store();
    await b.write(readings('two', 0, 2)); // b knows item 0, open
    for (let i = 2; i < 56; i += 6) await a.write(readings('two', i, 6)); // a seals item 0 and goes on
    expect((await itemsOf('two')).length).toBeGreaterThan(2);
    // b's write to item 0 is refused: it reads the window and writes to the open item.
    expect(await b.write([reading('two', 60)])).toEqual({ stored: 1, duplicates: 0, failed: [] });
    // Redeliveries through either writer: the reading b wrote first (now in a sealed item), and its latest.
    expect(await a.write([reading('two', 60), reading('two', 0)])).toEqual({ stored: 0, duplicates: 2, failed: [] });
    expect(await b.write([reading('two', 0), reading('two', 60)])).toEqual({ stored: 0, duplicates: 2, failed: [] });
    expect((await all('two')).map((r) => r.seq)).toEqual([...readings('two', 0, 56), reading('two', 60)].map((r) => r.seq));
  });

  it('does not trust what it remembers of a window whose items were deleted (a table rebuilt from the archive, items deleted by hand)', async () => {
    const units: number[] = [];
    const rollups = createRollupWriter({
      client: aws.dynamo,
      tableName: aws.tableNames.rollups,
      policyOf: () => Promise.resolve(defaultRetention),
    });
    const writer = store({ onWriteUnits: (u) => units.push(u), rollups });
    for (let i = 0; i < 120; i += 6) await writer.write(readings('wiped', i, 6));
    const wipe = async () => {
      for (const item of await itemsOf('wiped'))
        await aws.dynamo.send(new DeleteCommand({ TableName: aws.tableNames.telemetry, Key: { pk: item['pk'], sk: item['sk'] } }));
      expect(await itemsOf('wiped')).toEqual([]);
      // The rollups too, as a rebuild or an erasure does: a minute bucket is only ever replaced by a larger one.
      const { Items: buckets } = await aws.dynamo.send(new ScanCommand({ TableName: aws.tableNames.rollups }));
      for (const { pk, sk } of buckets!.filter((b) => String(b['pk']).startsWith('wiped')))
        await aws.dynamo.send(new DeleteCommand({ TableName: aws.tableNames.rollups, Key: { pk, sk } }));
      expect(await minuteCount()).toBeUndefined();
    };
    const minuteCount = async () =>
      (await createRollupReader({ client: aws.dynamo, tableName: aws.tableNames.rollups }).buckets('wiped', '1m', minute, minute))[0]
        ?.aggregate.n;
    expect(await minuteCount()).toBe(120);

    // Replayed after the wipe (as the archive replay does): the readings the writer remembers in sealed items are stored again.
    await wipe();
    expect(await writer.write(readings('wiped', 0, 120))).toEqual({ stored: 120, duplicates: 0, failed: [] });
    expect((await all('wiped')).map((r) => r.seq)).toEqual(readings('wiped', 0, 120).map((r) => r.seq));
    expect(await minuteCount()).toBe(120);

    // New readings after another wipe: the minute counts what the table holds, not what the writer remembered.
    await wipe();
    expect(await writer.write(readings('wiped', 120, 6))).toEqual({ stored: 6, duplicates: 0, failed: [] });
    expect((await all('wiped')).map((r) => r.seq)).toEqual(readings('wiped', 120, 6).map((r) => r.seq));
    expect(await minuteCount()).toBe(6);
    // And the writes go on as a chain: redeliveries are known, and the items stay small.
    expect(await writer.write(readings('wiped', 120, 6))).toEqual({ stored: 0, duplicates: 6, failed: [] });
    for (let i = 126; i < 246; i += 6) await writer.write(readings('wiped', i, 6));
    expect(await all('wiped')).toHaveLength(126);
    expect(await minuteCount()).toBe(126);
    for (const item of await itemsOf('wiped')) expect(approximateSize(item)).toBeLessThanOrEqual(1100);
  });
});

describe('window chains when an item is full', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ maxItemSizeKb: 1 });
  });
  afterAll(async () => aws.close());

  it('takes over a full window item of the earlier version, with its overflow items, without storing a reading twice', async () => {
    // As the earlier version filled a window: UpdateItem a reading at a time until the item is full,
    // then each reading that does not fit in an overflow item of its own.
    const pk = 'legacy#2025-06-02';
    const old = readings('legacy', 0, 40);
    let overflowed = 0;
    for (const r of old) {
      const attribute = `r${r.ts - minute}_${r.seq}`;
      try {
        await aws.dynamo.send(
          new UpdateCommand({
            TableName: aws.tableNames.telemetry,
            Key: { pk, sk: windowSk },
            UpdateExpression: 'SET #e = :e, #a = :v',
            ExpressionAttributeNames: { '#e': 'expiresAt', '#a': attribute },
            ExpressionAttributeValues: { ':e': 2_000_000_000, ':v': encodeValues(r.values) },
          }),
        );
      } catch {
        overflowed++;
        await aws.dynamo.send(
          new PutCommand({
            TableName: aws.tableNames.telemetry,
            Item: { pk, sk: `${windowSk}#${attribute}`, expiresAt: 2_000_000_000, [attribute]: encodeValues(r.values) },
          }),
        );
      }
    }
    expect(overflowed).toBeGreaterThan(10);
    const rollups = createRollupWriter({
      client: aws.dynamo,
      tableName: aws.tableNames.rollups,
      policyOf: () => Promise.resolve(defaultRetention),
    });
    // "Full" from 500 bytes here: the store reads the window, overflow items included, for its minute.
    const upgraded = createTelemetryStore({
      client: aws.dynamo,
      tableName: aws.tableNames.telemetry,
      logger,
      fullWindowBytes: 500,
      rollups,
    });
    expect(await upgraded.write(readings('legacy', 0, 60))).toEqual({ stored: 20, duplicates: 40, failed: [] });
    expect(await upgraded.write(readings('legacy', 0, 60))).toEqual({ stored: 0, duplicates: 60, failed: [] });
    const stored: StoredReading[] = [];
    for await (const r of upgraded.query({ deviceId: 'legacy', from: minute, to: minute + 60_000 })) stored.push(r);
    expect(stored.map((r) => r.seq)).toEqual(readings('legacy', 0, 60).map((r) => r.seq));
    const [rolled] = await createRollupReader({ client: aws.dynamo, tableName: aws.tableNames.rollups }).buckets(
      'legacy',
      '1m',
      minute,
      minute,
    );
    expect(rolled?.aggregate.n).toBe(60);
  });

  it('fails a reading that fits no item (no endless sealing), and stores the other windows', async () => {
    const store = createTelemetryStore({ client: aws.dynamo, tableName: aws.tableNames.telemetry, logger, itemTargetBytes: 100_000 });
    const huge: Reading = {
      deviceId: 'huge',
      ts: minute,
      seq: 1,
      values: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`metric${i}`, i])),
    };
    const result = await store.write([huge, reading('small', 5)]);
    expect(result.stored).toBe(1);
    expect(result.failed.map((f) => f.reading)).toEqual([huge]);
    // The items sealed on the way hold no reading, and expire with their window all the same.
    const items = await windowItemsOf(aws, 'huge');
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item).toMatchObject({ [sealedAttribute]: true, expiresAt: expect.any(Number) });
  });
});
