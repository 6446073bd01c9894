/**
 * The minute cache through the real stores on dynalite: every answer is compared with what a direct
 * read of the table gives at that moment, and the minute items each query read are counted.
 */
import { defaultRetention, type Reading } from '@fleet/core';
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetryStore, type TelemetryStore } from '../telemetry-store.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { createCachedRollupReader } from './cached-rollup-reader.ts';
import { createBucketCache } from './bucket-cache.ts';
import { createRollupReader, type RollupReader, type StoredBucket } from './rollup-reader.ts';
import { createRollupWriter } from './rollup-writer.ts';

const logger = pino({ level: 'silent' });
const hourMs = 3_600_000;
const start = Date.UTC(2026, 4, 31, 21);
/** Half past the sixth hour: five closed hours, the sixth open; the range crosses a day partition. */
const at = start + 5 * hourMs + 30 * 60_000;
const deviceId = 'cache-1';
/** A reading every 20 s from `start` to `at`. */
const readings: Reading[] = Array.from({ length: (at - start) / 20_000 }, (_, i) => ({
  deviceId,
  ts: start + i * 20_000 + 7,
  seq: i,
  values: { t: (i * 13) % 97, ...(i % 3 === 0 ? { h: i % 11 } : {}) },
}));
/** A ragged range: from inside the first hour's eighth minute to now. */
const from = start + 7 * 60_000 + 12_345;

describe('minute buckets of closed hours from memory, checked against the hour items', () => {
  let aws: LocalAws;
  let telemetry: TelemetryStore;
  let direct: RollupReader;
  let minuteItemsRead = 0;
  let hourItemsRead = 0;
  let counted: RollupReader;

  beforeAll(async () => {
    aws = await startLocalAws();
    const rollups = createRollupWriter({
      client: aws.dynamo,
      tableName: aws.tableNames.rollups,
      policyOf: () => Promise.resolve(defaultRetention),
    });
    telemetry = createTelemetryStore({ client: aws.dynamo, tableName: aws.tableNames.telemetry, logger, rollups, now: () => at });
    for (let i = 0; i < readings.length; i += 200) expect((await telemetry.write(readings.slice(i, i + 200))).failed).toEqual([]);
    direct = createRollupReader({ client: aws.dynamo, tableName: aws.tableNames.rollups });
    // Counts the minute items read through this client.
    const counting = {
      send: async (command: { input: QueryCommandInput }) => {
        const out = (await aws.dynamo.send(command as never)) as { Items?: unknown[] };
        const pk = String(command.input.ExpressionAttributeValues?.[':pk']);
        if (pk.includes('#1m#')) minuteItemsRead += out.Items?.length ?? 0;
        if (pk.includes('#1h#')) hourItemsRead += out.Items?.length ?? 0;
        return out;
      },
    } as unknown as DynamoDBDocumentClient;
    counted = createRollupReader({ client: counting, tableName: aws.tableNames.rollups });
  }, 120_000);
  afterAll(async () => aws.close());
  beforeEach(() => {
    minuteItemsRead = 0;
    hourItemsRead = 0;
  });

  const collect = async (reader: RollupReader, a = from, b = at): Promise<StoredBucket[]> => {
    const out: StoredBucket[] = [];
    for (const bucket of await reader.buckets(deviceId, '1m', a, b)) out.push(bucket);
    return out;
  };
  const task = (now: () => number = () => at) => createCachedRollupReader({ reader: counted, cache: createBucketCache(), now });
  const minutesOf = (buckets: StoredBucket[]) => buckets.reduce((n, b) => n + b.aggregate.n, 0);

  it('answers what a direct read gives, and reads only the open hour once its closed hours are held', async () => {
    const cached = task();
    const expected = await collect(direct);
    expect(minutesOf(expected)).toBe(readings.filter((r) => r.ts >= Math.ceil(from / 60_000) * 60_000).length);

    expect(await collect(cached)).toEqual(expected);
    expect(minuteItemsRead).toBe(5 * 60 + 30); // the five closed hours whole (the first one too), the open half hour
    minuteItemsRead = 0;
    expect(await collect(cached)).toEqual(expected);
    expect(minuteItemsRead).toBe(30);
  });

  it('re-reads a past hour after a late reading, in the task that stored it and in another', async () => {
    const [one, two] = [task(), task()];
    await collect(one);
    await collect(two);
    // A late reading lands in the second hour: its minute and hour items grow.
    const late: Reading = { deviceId, ts: start + hourMs + 90_000 + 3, seq: 999, values: { t: 1000 } };
    expect(await telemetry.write([late])).toMatchObject({ stored: 1, failed: [] });
    const expected = await collect(direct);
    minuteItemsRead = 0;
    for (const reader of [one, two]) {
      const got = await collect(reader);
      expect(got).toEqual(expected);
      expect(got.find((b) => b.start === start + hourMs + 60_000)?.aggregate.metrics['t']?.max).toBe(1000);
    }
    // Each task re-read that hour (60 minutes) and the open half hour, nothing else.
    expect(minuteItemsRead).toBe(2 * (60 + 30));
  });

  it('always reads the open hour directly', async () => {
    const cached = task();
    await collect(cached);
    const fresh: Reading = { deviceId, ts: at - 1_000, seq: 1000, values: { t: -5 } };
    expect(await telemetry.write([fresh])).toMatchObject({ stored: 1, failed: [] });
    const got = await collect(cached);
    expect(got).toEqual(await collect(direct));
    expect(got.at(-1)?.aggregate.metrics['t']?.min).toBe(-5);
  });

  it('reads a held hour again once its minutes may have expired', async () => {
    let now = at;
    const cached = task(() => now);
    await collect(cached);
    minuteItemsRead = 0;
    // Past the minutes' retention, TTL may delete them at any moment: only DynamoDB knows which remain.
    now = at + (defaultRetention.minuteDays + 1) * 86_400_000;
    expect(await collect(cached)).toEqual(await collect(direct));
    // Every hour again (held ones would leave only the last, now closed, half hour: 30).
    expect(minuteItemsRead).toBe(5 * 60 + 30);
  });

  it('serves the hours of closed days the same way, chained over the minutes of closed hours', async () => {
    const chained = createCachedRollupReader({
      reader: task(),
      cache: createBucketCache(),
      levels: { child: '1h', parent: '1d' },
      now: () => at,
    });
    const hours = async (reader: RollupReader) => {
      const out: StoredBucket[] = [];
      for (const b of await reader.buckets(deviceId, '1h', start, at)) out.push(b);
      return out;
    };
    const expected = await hours(direct);
    expect(expected.map((b) => b.start)).toEqual([0, 1, 2, 3, 4, 5].map((i) => start + i * hourMs));
    hourItemsRead = 0;
    expect(await hours(chained)).toEqual(expected);
    // The closed day (May 31: 21-23 h, whole) and the open day's hours (0-2 h).
    expect(hourItemsRead).toBe(3 + 3);
    hourItemsRead = 0;
    expect(await hours(chained)).toEqual(expected);
    expect(hourItemsRead).toBe(3);
    // A late reading into the closed day: its day item grows, so that day is read again.
    const late: Reading = { deviceId, ts: start + 2 * hourMs + 5_000, seq: 1001, values: { t: 2000 } };
    expect(await telemetry.write([late])).toMatchObject({ stored: 1, failed: [] });
    hourItemsRead = 0;
    const got = await hours(chained);
    expect(got).toEqual(await hours(direct));
    expect(got.find((b) => b.start === start + 2 * hourMs)?.aggregate.metrics['t']?.max).toBe(2000);
    expect(hourItemsRead).toBe(3 + 3);
    // The minute level still goes through the inner reader.
    expect(await collect(chained)).toEqual(await collect(direct));
  });

  it('reads other levels directly', async () => {
    const cached = task();
    const hours = async (reader: RollupReader) => {
      const out: StoredBucket[] = [];
      for (const b of await reader.buckets(deviceId, '1h', start, at)) out.push(b);
      return out;
    };
    expect(await hours(cached)).toEqual(await hours(direct));
    expect((await hours(direct)).length).toBe(6);
  });
});
