import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, type RetentionPolicy } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { aggregateReadings } from './aggregate.ts';
import { rollupPartitionKey, rollupSortKey } from './rollup-keys.ts';
import { createRollupWriter, rollupExpiresAt } from './rollup-writer.ts';

const minute = Date.UTC(2025, 2, 10, 8, 15);
const reading = (i: number, v: number) => ({ ts: minute + i * 1000, seq: 0, values: { t: v } });

describe('rollup writer on dynalite', () => {
  let aws: LocalAws;
  const units: number[] = [];
  const shortPolicy: RetentionPolicy = { ...defaultRetention, minuteDays: 7, hourDays: 60, dayDays: 400 };

  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.close());

  const writer = () =>
    createRollupWriter({
      client: aws.dynamo,
      tableName: aws.tableNames.rollups,
      policyOf: (deviceId) => Promise.resolve(deviceId === 'short' ? shortPolicy : defaultRetention),
      onWriteUnits: (u) => units.push(u),
    });
  const item = async (deviceId: string, level: '1m' | '1h' | '1d', start: number) =>
    (
      await aws.dynamo.send(
        new GetCommand({
          TableName: aws.tableNames.rollups,
          Key: { pk: rollupPartitionKey(deviceId, level, start), sk: rollupSortKey(start) },
        }),
      )
    ).Item;

  it('never lets a stale view (fewer readings) replace a newer one, at any level', async () => {
    const full = aggregateReadings([reading(1, 5), reading(2, 9), reading(3, 1)]);
    const stale = aggregateReadings([reading(1, 5)]);
    expect(await writer().rollUp([{ deviceId: 'race', start: minute, n: full.n, aggregate: full }])).toEqual(new Map());
    expect(await writer().rollUp([{ deviceId: 'race', start: minute, n: stale.n, aggregate: stale }])).toEqual(new Map());
    expect(await item('race', '1m', minute)).toMatchObject({ n: 3, m: { t: { min: 1, max: 9, sum: 15, count: 3, first: 5, last: 1 } } });
    expect(await item('race', '1h', Date.UTC(2025, 2, 10, 8))).toMatchObject({ n: 3, m: { t: { sum: 15 } } });
    expect(await item('race', '1d', Date.UTC(2025, 2, 10))).toMatchObject({ n: 3, m: { t: { sum: 15 } } });
  });

  it("sets each level's expiresAt from the device's policy: the bucket's end plus the level's days", async () => {
    await writer().rollUp([{ deviceId: 'short', start: minute, n: 1, aggregate: aggregateReadings([reading(0, 1)]) }]);
    const hour = Date.UTC(2025, 2, 10, 8);
    const day = Date.UTC(2025, 2, 10);
    expect((await item('short', '1m', minute))?.['expiresAt']).toBe((minute + 60_000 + 7 * 86_400_000) / 1000);
    expect((await item('short', '1h', hour))?.['expiresAt']).toBe((hour + 3_600_000 + 60 * 86_400_000) / 1000);
    expect((await item('short', '1d', day))?.['expiresAt']).toBe((day + 86_400_000 + 400 * 86_400_000) / 1000);
    expect(rollupExpiresAt(defaultRetention, '1d', day)).toBe((day + 86_400_000 + 3650 * 86_400_000) / 1000);
    expect(units.length).toBeGreaterThan(0);
  });
});
