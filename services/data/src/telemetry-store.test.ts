import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Reading } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetryStore } from './telemetry-store.ts';
import type { StoredReading, TelemetryStore } from './telemetry-store.ts';
import { startLocalAws } from './testing/local-aws.ts';
import type { LocalAws } from './testing/local-aws.ts';

const logger = pino({ level: 'silent' });
const base = Date.UTC(2024, 10, 24, 23, 58); // two minutes before a UTC day boundary

const reading = (deviceId: string, ts: number, seq: number, v = seq): Reading => ({ deviceId, ts, seq, values: { temperature: v } });

async function all(store: TelemetryStore, deviceId: string, from: number, to: number): Promise<StoredReading[]> {
  const out: StoredReading[] = [];
  for await (const r of store.query({ deviceId, from, to })) out.push(r);
  return out;
}

describe('telemetry store on dynalite', () => {
  let aws: LocalAws;
  let store: TelemetryStore;

  beforeAll(async () => {
    aws = await startLocalAws();
    store = createTelemetryStore({ client: aws.dynamo, tableName: aws.tableNames.telemetry, logger });
  });
  afterAll(async () => aws.close());

  it('stores several readings of a window in one item and reports redeliveries as duplicates', async () => {
    const readings = [reading('a', base + 1000, 1), reading('a', base + 2000, 2), reading('a', base + 3000, 3)];
    expect(await store.write(readings)).toEqual({ stored: 3, duplicates: 0, failed: [] });
    expect(await store.write(readings)).toEqual({ stored: 0, duplicates: 3, failed: [] });
    const items = await aws.dynamo.send(
      new QueryCommand({
        TableName: aws.tableNames.telemetry,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'a#2024-11-24' },
      }),
    );
    expect(items.Items).toHaveLength(1);
    expect(await all(store, 'a', base, base + 60_000)).toEqual(readings.map(({ ts, seq, values }) => ({ ts, seq, values })));
  });

  it('counts the same reading twice in one batch once', async () => {
    const r = reading('b', base + 5, 9);
    expect(await store.write([r, r])).toEqual({ stored: 1, duplicates: 1, failed: [] });
    expect(await all(store, 'b', base, base + 10)).toHaveLength(1);
  });

  it('merges late and out-of-order readings into their windows and returns them ordered by (ts, seq) across days', async () => {
    const later = [reading('c', base + 150_000, 30), reading('c', base + 70_000, 20)]; // next day, then next minute
    const earlier = [reading('c', base + 10, 10), reading('c', base + 10, 11), reading('c', base + 119_999, 25)];
    await store.write(later);
    await store.write(earlier);
    const got = await all(store, 'c', base, base + 200_000);
    expect(got.map((r) => [r.ts - base, r.seq])).toEqual([
      [10, 10],
      [10, 11],
      [70_000, 20],
      [119_999, 25],
      [150_000, 30],
    ]);
  });

  it('keeps only readings inside [from, to] and after the cursor', async () => {
    await store.write([reading('d', base + 100, 1), reading('d', base + 200, 2), reading('d', base + 300, 3), reading('d', base + 300, 4)]);
    expect((await all(store, 'd', base + 150, base + 300)).map((r) => r.seq)).toEqual([2, 3, 4]);
    const after: StoredReading[] = [];
    for await (const r of store.query({ deviceId: 'd', from: base, to: base + 1000, after: { ts: base + 300, seq: 3 } })) after.push(r);
    expect(after.map((r) => r.seq)).toEqual([4]);
  });
});

describe('telemetry store when a window item is full', () => {
  let aws: LocalAws;
  let store: TelemetryStore;

  beforeAll(async () => {
    aws = await startLocalAws({ maxItemSizeKb: 1 });
    store = createTelemetryStore({ client: aws.dynamo, tableName: aws.tableNames.telemetry, logger });
  });
  afterAll(async () => aws.close());

  it('writes the readings that do not fit to overflow items, still once each, redeliveries included', async () => {
    const readings = Array.from({ length: 40 }, (_, i) => reading('full', base + i * 1000, i, 1000 + i));
    const first = await store.write(readings);
    expect(first).toEqual({ stored: 40, duplicates: 0, failed: [] });
    const again = await store.write(readings);
    expect(again).toEqual({ stored: 0, duplicates: 40, failed: [] });
    const items = await aws.dynamo.send(
      new QueryCommand({
        TableName: aws.tableNames.telemetry,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'full#2024-11-24' },
      }),
    );
    expect(items.Items!.length).toBeGreaterThan(1);
    const got = await all(store, 'full', base, base + 60_000);
    expect(got.map((r) => r.seq)).toEqual(readings.map((r) => r.seq));
  });
});
