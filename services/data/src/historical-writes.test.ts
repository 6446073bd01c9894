import { BatchWriteCommand, ScanCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, rollupLevel, rollupLevels, type Reading, type RollupLevelId } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateReadings, type BucketAggregate } from './rollups/aggregate.ts';
import { createRollupReader } from './rollups/rollup-reader.ts';
import { bucketStart } from './rollups/rollup-keys.ts';
import { createRollupWriter } from './rollups/rollup-writer.ts';
import { createTelemetryStore, type StoredReading, type TelemetryStore } from './telemetry-store.ts';
import { startLocalAws, type LocalAws } from './testing/local-aws.ts';

const logger = pino({ level: 'silent' });
const now = Date.UTC(2026, 5, 1);
const start = Date.UTC(2025, 11, 30); // five days across a year boundary, long before live ingest's window

describe('historical bulk writes on dynalite', () => {
  let aws: LocalAws;
  let store: TelemetryStore;
  const calls = new Map<string, number>();

  beforeAll(async () => {
    aws = await startLocalAws();
    const counting = {
      send: (command: { constructor: { name: string } }) => {
        calls.set(command.constructor.name, (calls.get(command.constructor.name) ?? 0) + 1);
        return aws.dynamo.send(command as never);
      },
    } as unknown as typeof aws.dynamo;
    store = createTelemetryStore({
      client: counting,
      tableName: aws.tableNames.telemetry,
      logger,
      now: () => now,
      rollups: createRollupWriter({
        client: counting,
        tableName: aws.tableNames.rollups,
        policyOf: () => Promise.resolve(defaultRetention),
      }),
    });
  });
  afterAll(async () => aws.close());

  const minuteReadings = (deviceId: string, minutes: number): Reading[] =>
    Array.from({ length: minutes }, (_, i) => ({
      deviceId,
      ts: start + i * 60_000 + 7_000,
      seq: 0,
      values: { t: (i % 97) - 40, h: i % 13 },
    }));

  it('imports old days in batches, idempotently, with every rollup level exact', async () => {
    const readings = minuteReadings('hist-1', 5 * 1440);
    const began = performance.now();
    // A job writes in chunks that cut hours and days anywhere.
    let stored = 0;
    for (let i = 0; i < readings.length; i += 1000) {
      const r = await store.writeHistorical(readings.slice(i, i + 1000));
      expect(r.failed).toEqual([]);
      stored += r.stored;
    }
    const seconds = (performance.now() - began) / 1000;
    console.info(
      `historical import: ${readings.length} readings in ${seconds.toFixed(1)} s = ${Math.round(readings.length / seconds)} readings/s`,
    );
    expect(stored).toBe(readings.length);
    expect(calls.get('UpdateCommand') ?? 0).toBe(0);
    expect(calls.get('BatchWriteCommand')).toBeGreaterThan(0);

    // A retried chunk (the job died after writing it) stores nothing twice.
    expect(await store.writeHistorical(readings.slice(500, 1700))).toEqual({ stored: 0, duplicates: 1200, failed: [] });

    const got: StoredReading[] = [];
    for await (const r of store.query({ deviceId: 'hist-1', from: start, to: start + 5 * 86_400_000 })) got.push(r);
    expect(got).toEqual(readings.map(({ ts, seq, values }) => ({ ts, seq, values })));

    await expectRollupsOf(
      'hist-1',
      readings,
      rollupLevels.map((level) => level.id),
    );
  }, 60_000);

  /** What TTL's background deletion does at `now`: every item of `table` whose `expiresAt` has passed goes. */
  async function sweepExpired(table: string): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await aws.dynamo.send(
        new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, ProjectionExpression: 'pk, sk, expiresAt' }),
      );
      const expired = (page.Items ?? []).filter((item) => typeof item['expiresAt'] === 'number' && item['expiresAt'] * 1000 < now);
      await batchDelete(table, expired);
      deleted += expired.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  async function batchDelete(table: string, items: readonly Record<string, unknown>[]) {
    for (let i = 0; i < items.length; i += 25) {
      const requests = items.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { pk: item['pk'], sk: item['sk'] } } }));
      const out = await aws.dynamo.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      expect(out.UnprocessedItems?.[table] ?? []).toEqual([]);
    }
  }

  /** A store as a freshly started task has it: nothing remembered of earlier writes. */
  const freshStore = (rollupsClient: typeof aws.dynamo = aws.dynamo) =>
    createTelemetryStore({
      client: aws.dynamo,
      tableName: aws.tableNames.telemetry,
      logger,
      now: () => now,
      rollups: createRollupWriter({
        client: rollupsClient,
        tableName: aws.tableNames.rollups,
        policyOf: () => Promise.resolve(defaultRetention),
      }),
    });

  async function expectRollupsOf(deviceId: string, readings: readonly Reading[], levels: readonly RollupLevelId[]) {
    const reader = createRollupReader({ client: aws.dynamo, tableName: aws.tableNames.rollups });
    const to = Math.max(...readings.map((r) => r.ts)) + 86_400_000;
    for (const id of levels) {
      const level = rollupLevel(id);
      const expected = new Map<number, Reading[]>();
      for (const r of readings) {
        const b = bucketStart(level, r.ts);
        expected.set(b, [...(expected.get(b) ?? []), r]);
      }
      const stored = new Map<number, BucketAggregate>();
      for (const b of await reader.buckets(deviceId, id, start - 86_400_000, to)) stored.set(b.start, b.aggregate);
      expect(stored, id).toEqual(new Map([...expected].map(([b, rs]) => [b, aggregateReadings(rs)])));
    }
  }

  // Readings five months old: their raw windows (30 days) and minute items (90 days) are written
  // already expired, and TTL may delete them at any moment, even between a level's write and the
  // fold of the level above that reads it back. The hours (2 years) and days must not lose them.
  it('keeps hours and days whole when TTL deletes the minutes below them mid-import', async () => {
    let swept = 0;
    const sweepingMinutes = {
      send: async (command: { constructor: { name: string }; input: unknown }) => {
        const out = await aws.dynamo.send(command as never);
        const puts = command.constructor.name === 'BatchWriteCommand' ? (command.input as BatchWriteCommandInput).RequestItems : undefined;
        const minutes = (puts?.[aws.tableNames.rollups] ?? [])
          .map(({ PutRequest }) => PutRequest?.Item ?? {})
          .filter((item) => String(item['pk']).includes('#1m#') && Number(item['expiresAt']) * 1000 < now);
        await batchDelete(aws.tableNames.rollups, minutes);
        swept += minutes.length;
        return out;
      },
    } as unknown as typeof aws.dynamo;
    const sweptStore = freshStore(sweepingMinutes);
    const readings = minuteReadings('hist-swept', 2 * 1440);
    for (let i = 0; i < readings.length; i += 1000)
      expect((await sweptStore.writeHistorical(readings.slice(i, i + 1000))).failed).toEqual([]);
    expect(swept).toBe(readings.length);
    await expectRollupsOf('hist-swept', readings, ['1h', '1d']);
  }, 60_000);

  it('keeps hours and days whole when a job is retried after TTL deleted the raw windows and minutes', async () => {
    const readings = minuteReadings('hist-retried', 2 * 1440);
    for (let i = 0; i < readings.length; i += 1000) expect((await store.writeHistorical(readings.slice(i, i + 1000))).failed).toEqual([]);
    await expectRollupsOf('hist-retried', readings, ['1h', '1d']);
    expect(await sweepExpired(aws.tableNames.telemetry)).toBeGreaterThan(0);
    expect(await sweepExpired(aws.tableNames.rollups)).toBeGreaterThan(0);
    // The job's task restarted; the retried chunk ends inside an hour, whose retried view folds 40 of its 60 minutes.
    expect((await freshStore().writeHistorical(readings.slice(0, 1000))).failed).toEqual([]);
    await expectRollupsOf('hist-retried', readings, ['1h', '1d']);
  }, 60_000);

  it('writes readings of days live ingest still accepts through the live path', async () => {
    calls.clear();
    const recent: Reading = { deviceId: 'hist-2', ts: now - 3_600_000, seq: 1, values: { t: 1 } };
    expect(await store.writeHistorical([recent])).toEqual({ stored: 1, duplicates: 0, failed: [] });
    expect(calls.get('UpdateCommand')).toBe(1);
    expect(calls.get('BatchWriteCommand') ?? 0).toBe(0);
  });
});
