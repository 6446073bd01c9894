/**
 * The write units the stores report (ReturnConsumedCapacity TOTAL, as dynalite computes them like
 * DynamoDB: 1 unit per started KB of the larger of the item before and after the write).
 */
import type { Reading } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLatestStore } from './latest-store.ts';
import { createTelemetryStore } from './telemetry-store.ts';
import { startLocalAws, type LocalAws } from './testing/local-aws.ts';

const base = Date.UTC(2024, 10, 24, 10, 0);
const reading = (deviceId: string, i: number): Reading & { receivedAt: number } => ({
  deviceId,
  ts: base + i * 1000,
  seq: i + 1,
  values: { temperature: 20 + i / 10, humidity: 40 },
  receivedAt: base + i * 1000,
});

describe('write units reported by the stores', () => {
  let aws: LocalAws;
  let units: number[];
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.close());

  const telemetry = () =>
    createTelemetryStore({
      client: aws.dynamo,
      tableName: aws.tableNames.telemetry,
      logger: pino({ level: 'silent' }),
      onWriteUnits: (u) => units.push(u),
    });

  it('reports one figure per UpdateItem of the telemetry store, growing with the window item', async () => {
    units = [];
    const store = telemetry();
    // One window (a minute) of 1 Hz readings: one UpdateItem, an item of about 3 KB.
    await store.write(Array.from({ length: 60 }, (_, i) => reading('full', i)));
    expect(units).toEqual([3]);
    // A redelivery changes nothing in the item but is billed on its size all the same.
    await store.write([reading('full', 7)]);
    expect(units).toEqual([3, 3]);
  });

  it('bills a reading written alone into a small window 1 unit', async () => {
    units = [];
    await telemetry().write([reading('small', 0)]);
    expect(units).toEqual([1]);
  });

  it('reports the latest store units for each write that passed its condition, none for a refused one', async () => {
    units = [];
    const latest = createLatestStore({ client: aws.dynamo, tableName: aws.tableNames.latest, onWriteUnits: (u) => units.push(u) });
    expect(await latest.write([reading('dev', 2)])).toMatchObject({ updated: 1, older: 0 });
    expect(await latest.write([reading('dev', 1)])).toMatchObject({ updated: 0, older: 1 });
    expect(units).toEqual([1]);
  });
});
