/** The usage answer over the real DynamoDB and S3 protocols (in-process dynalite and s3rver). */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { answerChecker, dataControlTable, DataUsageSchema, defaultRetention, rollupsTable, telemetryBucket } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { createRetentionStore } from '../retention/retention-store.ts';
import { createDataUsageReader } from './data-usage.ts';
import { measureVolumes } from './data-volumes.ts';
import { createIngestRate } from './ingest-rate.ts';

let aws: LocalAws;
const checkUsage = answerChecker(DataUsageSchema);

beforeAll(async () => {
  aws = await startLocalAws();
  for (const deviceId of ['dev-1', 'dev-2', 'dev-3']) {
    await aws.dynamo.send(new PutCommand({ TableName: aws.tableNames.latest, Item: { deviceId, ts: 1, seq: 0, values: { t: 1 } } }));
  }
  for (let i = 0; i < 5; i++) {
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: aws.bucket,
        Key: `${telemetryBucket.prefixes.archive}2026/12/02/0${i}/a.jsonl`,
        Body: 'x'.repeat(100),
      }),
    );
  }
  await aws.s3.send(
    new PutObjectCommand({ Bucket: aws.bucket, Key: `${telemetryBucket.prefixes.exports}job-1.csv`, Body: 'y'.repeat(42) }),
  );
}, 60_000);

afterAll(() => aws.close());

const sources = () => ({
  dynamo: aws.dynamo,
  s3: aws.s3,
  bucket: aws.bucket,
  tables: { telemetry: aws.tableNames.telemetry, rollups: rollupsTable.id, latest: aws.tableNames.latest },
});

describe('measureVolumes', () => {
  it('counts the devices and lists the archive and exports, approximate when the listing is cut short', async () => {
    const whole = await measureVolumes(sources());
    expect(whole.devices).toBe(3);
    expect(whole.volumes.find((v) => v.store === 'archive')).toEqual({ store: 'archive', items: 5, bytes: 500, approximate: false });
    expect(whole.volumes.find((v) => v.store === 'exports')).toEqual({ store: 'exports', items: 1, bytes: 42, approximate: false });
    expect(whole.volumes.find((v) => v.store === 'raw')).toMatchObject({ approximate: true });
  });

  it('stops listing after its page bound and calls the figure approximate', async () => {
    // A bucket whose listing never ends: every page holds two 100-byte keys and a continuation token.
    const pages: unknown[] = [];
    const endless = {
      send: (command: unknown) => {
        pages.push(command);
        return Promise.resolve({ Contents: [{ Size: 100 }, { Size: 100 }], IsTruncated: true, NextContinuationToken: `t${pages.length}` });
      },
    } as unknown as LocalAws['s3'];
    const cut = await measureVolumes({ ...sources(), s3: endless, pageSize: 2, maxPages: 3 });
    expect(cut.volumes.find((v) => v.store === 'archive')).toEqual({ store: 'archive', items: 6, bytes: 600, approximate: true });
    expect(pages).toHaveLength(6); // three pages of the archive, three of the exports
  });
});

describe('createDataUsageReader', () => {
  it('answers the volumes and the model of the measured rate and the retention in force', async () => {
    const fleet = { ...defaultRetention, rawDays: 14 };
    await aws.dynamo.send(new PutCommand({ TableName: dataControlTable.id, Item: { pk: 'settings', sk: 'retention', fleet, groups: {} } }));
    let now = Date.parse('2026-12-02T03:00:00Z');
    const rate = createIngestRate({ now: () => now });
    rate.record(30);
    now += 10_000;
    const usage = await createDataUsageReader({
      ...sources(),
      retention: createRetentionStore({ client: aws.dynamo, tableName: dataControlTable.id }),
      rate,
      now: () => now,
    }).read();
    expect(checkUsage(usage).ok).toBe(true);
    expect(usage.measuredAt).toBe('2026-12-02T03:00:10.000Z');
    expect(usage.model).toMatchObject({ devices: 3, readingsPerSecond: 3 });
    // 3 readings/s for a month: 7,884,000 readings on the broker path, the raw table kept 14 days.
    expect(usage.model.lines.find((l) => l.item === 'IoT Core messages')?.basis).toContain('7,884,000 messages');
    expect(usage.model.lines.find((l) => l.item === 'DynamoDB storage')?.basis).toContain('(14 d)');
    expect(usage.model.perMillionReadingsUsd).toBeGreaterThan(0);
  });

  it("prices the writes with the consumer's flush spacing (INGEST_FLUSH_SPACING_MS)", async () => {
    let now = Date.parse('2026-12-02T03:00:00Z');
    const rate = createIngestRate({ now: () => now });
    rate.record(6_000); // 600 readings/s of 3 devices: a busy queue, whose flushes follow the spacing
    now += 10_000;
    const basis = async (flushSpacingMs?: number) =>
      (
        await createDataUsageReader({
          ...sources(),
          retention: createRetentionStore({ client: aws.dynamo, tableName: dataControlTable.id }),
          rate,
          now: () => now,
          ...(flushSpacingMs === undefined ? {} : { flushSpacingMs }),
        }).read()
      ).model.lines.find((l) => l.item === 'DynamoDB writes')?.basis;
    expect(await basis()).toContain('flushes 250 ms apart');
    expect(await basis(100)).toContain("20 of a device's readings per flush, flushes 100 ms apart");
  });

  it('models an idle fleet without dividing by zero', async () => {
    const usage = await createDataUsageReader({
      ...sources(),
      retention: createRetentionStore({ client: aws.dynamo, tableName: dataControlTable.id }),
      rate: createIngestRate(),
    }).read();
    expect(usage.model.readingsPerSecond).toBe(0);
    expect(usage.model.perMillionReadingsUsd).toBe(0);
    expect(usage.model.monthlyUsd).toBeGreaterThan(0); // the tasks, load balancers and connections still run
    expect(checkUsage(usage).ok).toBe(true);
  });
});
