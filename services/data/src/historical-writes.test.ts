import { defaultRetention, rollupLevels, type Reading } from '@fleet/core';
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

    const reader = createRollupReader({ client: aws.dynamo, tableName: aws.tableNames.rollups });
    for (const level of rollupLevels) {
      const expected = new Map<number, Reading[]>();
      for (const r of readings) {
        const b = bucketStart(level, r.ts);
        expected.set(b, [...(expected.get(b) ?? []), r]);
      }
      const stored = new Map<number, BucketAggregate>();
      for await (const b of reader.buckets('hist-1', level.id, start, start + 5 * 86_400_000)) stored.set(b.start, b.aggregate);
      expect(stored, level.id).toEqual(new Map([...expected].map(([b, rs]) => [b, aggregateReadings(rs)])));
    }
  }, 60_000);

  it('writes readings of days live ingest still accepts through the live path', async () => {
    calls.clear();
    const recent: Reading = { deviceId: 'hist-2', ts: now - 3_600_000, seq: 1, values: { t: 1 } };
    expect(await store.writeHistorical([recent])).toEqual({ stored: 1, duplicates: 0, failed: [] });
    expect(calls.get('UpdateCommand')).toBe(1);
    expect(calls.get('BatchWriteCommand') ?? 0).toBe(0);
  });
});
