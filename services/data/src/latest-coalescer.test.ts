/**
 * The latest values written at most about once per interval per device (latest-coalescer.ts): at
 * once when the device was not written within it, else its newest reading waits, and the flushes
 * that put it off learn when (and whether) it was written. Then on dynalite through the SDK: the
 * item holds the newest reading, for fewer write units.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Reading } from '@fleet/core';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesceLatest } from './latest-coalescer.ts';
import { createLatestStore, type LatestStore } from './latest-store.ts';
import { startLocalAws, type LocalAws } from './testing/local-aws.ts';

const logger = pino({ level: 'silent' });
const reading = (deviceId: string, seq: number) => ({ deviceId, ts: 1_000 + seq, seq, values: { t: seq }, receivedAt: 1 });

/** A latest store that records each write's readings, failing the devices in `failing`. */
function recordingStore(failing = new Set<string>()) {
  const writes: string[][] = [];
  const store: LatestStore = {
    write: async (readings) => {
      writes.push(readings.map((r) => `${r.deviceId}:${r.seq}`));
      const failed = readings.filter((r) => failing.has(r.deviceId)).map((r) => ({ deviceId: r.deviceId, error: new Error('throttled') }));
      return { updated: readings.length - failed.length, older: 0, failed };
    },
    get: async () => undefined,
  };
  return { store, writes };
}

describe('latest values, coalesced per device', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('writes a device at once, then its newest reading once per interval, and tells the flushes that waited', async () => {
    const { store, writes } = recordingStore();
    const latest = coalesceLatest(store, { intervalMs: 1000, logger });
    // Devices not written lately: at once, nothing deferred.
    expect(await latest.write([reading('a', 1), reading('b', 1)])).toEqual({ updated: 2, older: 0, failed: [] });
    // Within the interval: a and b wait; c (new) is written at once.
    vi.setSystemTime(200);
    const second = await latest.write([reading('a', 3), reading('a', 2), reading('c', 1)]);
    expect(second).toMatchObject({ updated: 1, failed: [] });
    vi.setSystemTime(400);
    const third = await latest.write([reading('a', 4), reading('b', 2)]);
    expect(third.updated).toBe(0);
    let settled = false;
    void Promise.all([second.deferred, third.deferred]).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(700);
    expect(settled).toBe(false);
    expect(writes).toEqual([['a:1', 'b:1'], ['c:1']]);
    // One interval after the first waited: one write of each waiting device's newest reading.
    await vi.advanceTimersByTimeAsync(300);
    expect(writes.at(-1)!.sort()).toEqual(['a:4', 'b:2']);
    expect(await second.deferred).toEqual([]);
    expect(await third.deferred).toEqual([]);
    // A device written a whole interval ago is written at once again.
    vi.setSystemTime(5_000);
    expect((await latest.write([reading('a', 9)])).deferred).toBeUndefined();
    expect(writes.at(-1)).toEqual(['a:9']);
  });

  it("answers the devices whose deferred write failed, so that their flushes' messages are left for redelivery", async () => {
    const { store } = recordingStore(new Set(['bad']));
    const latest = coalesceLatest(store, { intervalMs: 1000, logger });
    await latest.write([reading('bad', 1), reading('good', 1)]);
    const put = await latest.write([reading('bad', 2), reading('good', 2)]);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await put.deferred)!.map((f) => f.deviceId)).toEqual(['bad']);
  });

  it('writes what waits at once when flushed (the consumer stopping)', async () => {
    const { store, writes } = recordingStore();
    const latest = coalesceLatest(store, { intervalMs: 60_000, logger });
    await latest.write([reading('a', 1)]);
    const put = await latest.write([reading('a', 2)]);
    await latest.flush();
    expect(writes).toEqual([['a:1'], ['a:2']]);
    expect(await put.deferred).toEqual([]);
  });
});

describe('latest values, coalesced, on dynalite', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.close());

  it("keeps each device's newest reading for one write unit per interval instead of one per flush", async () => {
    const units: number[] = [];
    const store = createLatestStore({ client: aws.dynamo, tableName: aws.tableNames.latest, onWriteUnits: (u) => units.push(u) });
    const latest = coalesceLatest(store, { intervalMs: 60_000, logger });
    const deferred: Promise<unknown>[] = [];
    // 20 flushes of 6 readings of one device, as the bench's soak sends them, out of order within each.
    for (let flush = 0; flush < 20; flush++) {
      const batch: (Reading & { receivedAt: number })[] = [];
      for (let k = 5; k >= 0; k--) batch.push(reading('fast', flush * 6 + k));
      const { deferred: put } = await latest.write(batch);
      if (put) deferred.push(put);
    }
    expect(deferred).toHaveLength(19);
    await latest.flush();
    expect(await Promise.all(deferred)).toEqual(Array.from({ length: 19 }, () => []));
    const { Item } = await aws.dynamo.send(new GetCommand({ TableName: aws.tableNames.latest, Key: { deviceId: 'fast' } }));
    expect(Item).toMatchObject({ seq: 119, ts: 1_119, values: { t: 119 } });
    expect(units).toEqual([1, 1]);
  });
});
