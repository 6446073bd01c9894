import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { GetBucketLifecycleConfigurationCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { defaultRetentionSettings, type Reading } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollupWriter } from '../rollups/rollup-writer.ts';
import { rollupPartitionKey, rollupSortKey } from '../rollups/rollup-keys.ts';
import { createTelemetryStore } from '../telemetry-store.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { locate } from '../time-bucket.ts';
import { applyBucketLifecycle } from './bucket-lifecycle.ts';
import { createDeviceRetention } from './device-retention.ts';
import { ReadingPastRetention } from './raw-retention.ts';
import { createRetentionStore } from './retention-store.ts';

const logger = pino({ level: 'silent' });
const now = Date.UTC(2026, 3, 15, 12);
const dayS = 86_400;

describe('retention on dynalite', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.close());

  it('answers the defaults until changed, then the change with who and when; a task sees it within its cache time', async () => {
    let clock = now;
    const store = createRetentionStore({ client: aws.dynamo, tableName: aws.tableNames.dataControl, now: () => clock });
    const other = createRetentionStore({ client: aws.dynamo, tableName: aws.tableNames.dataControl, now: () => clock });
    expect(await store.get()).toEqual(defaultRetentionSettings);
    expect(await other.get()).toEqual(defaultRetentionSettings);
    const input = { fleet: { ...defaultRetentionSettings.fleet, rawDays: 7 }, groups: { cold: { hourDays: 3000 } } };
    expect(await store.put(input, 'ada')).toEqual({ ...input, updatedAt: new Date(now).toISOString(), updatedBy: 'ada' });
    expect((await store.get()).fleet.rawDays).toBe(7);
    expect((await other.get()).fleet.rawDays).toBe(30); // cached
    clock += 30_000;
    expect(await other.get()).toEqual({ ...input, updatedAt: new Date(now).toISOString(), updatedBy: 'ada' });
  });

  it("sets each item's expiresAt from its device's groups: raw windows and every rollup level", async () => {
    const settings = {
      get: async () => ({
        fleet: { rawDays: 30, minuteDays: 90, hourDays: 730, dayDays: 3650, archiveDays: 365 },
        groups: { lab: { rawDays: 10, minuteDays: 20 }, vault: { rawDays: 400, minuteDays: 400, hourDays: 3000 } },
      }),
    };
    const groups = { groupsOf: async (id: string) => new Set(id === 'in-vault' ? ['vault', 'lab'] : id === 'in-lab' ? ['lab'] : []) };
    const policyOf = createDeviceRetention({ settings, groups });
    const store = createTelemetryStore({
      client: aws.dynamo,
      tableName: aws.tableNames.telemetry,
      logger,
      policyOf,
      now: () => now,
      rollups: createRollupWriter({ client: aws.dynamo, tableName: aws.tableNames.rollups, policyOf }),
    });
    const ts = now - 3_600_000 + 5_000;
    const minute = ts - 5_000;
    const hour = now - 3_600_000;
    const day = Date.UTC(2026, 3, 15);
    const cases = [
      // device → [raw, minute, hour, day] days: the longest any of its groups asks for, else the fleet's
      ['in-vault', [400, 400, 3000, 3650]],
      ['in-lab', [10, 20, 730, 3650]],
      ['nowhere', [30, 90, 730, 3650]],
    ] as const;
    for (const [deviceId, [raw, minutes, hours, days]] of cases) {
      const reading: Reading = { deviceId, ts, seq: 0, values: { t: 1 } };
      expect(await store.write([reading])).toEqual({ stored: 1, duplicates: 0, failed: [] });
      const loc = locate(deviceId, ts, 0);
      const get = async (table: string, pk: string, sk: string) =>
        (await aws.dynamo.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item?.['expiresAt'];
      expect(await get(aws.tableNames.telemetry, loc.pk, loc.sk), deviceId).toBe((minute + 60_000) / 1000 + raw * dayS);
      const rollup = (level: '1m' | '1h' | '1d', start: number) =>
        get(aws.tableNames.rollups, rollupPartitionKey(deviceId, level, start), rollupSortKey(start));
      expect(await rollup('1m', minute), deviceId).toBe((minute + 60_000) / 1000 + minutes * dayS);
      expect(await rollup('1h', hour), deviceId).toBe((hour + 3_600_000) / 1000 + hours * dayS);
      expect(await rollup('1d', day), deviceId).toBe((day + 86_400_000) / 1000 + days * dayS);
    }
  });

  it('refuses a live reading older than a raw retention shorter than the acceptance window, and only then', async () => {
    const settings = { get: async () => ({ ...defaultRetentionSettings, groups: { lab: { rawDays: 10 } } }) };
    const groups = { groupsOf: async (id: string) => new Set(id === 'lab-1' ? ['lab'] : []) };
    const store = createTelemetryStore({
      client: aws.dynamo,
      tableName: aws.tableNames.telemetry,
      logger,
      policyOf: createDeviceRetention({ settings, groups }),
      now: () => now,
    });
    const old = now - 12 * 86_400_000;
    const result = await store.write([
      { deviceId: 'lab-1', ts: old, seq: 0, values: { t: 1 } },
      { deviceId: 'lab-1', ts: now - 9 * 86_400_000, seq: 0, values: { t: 1 } },
      { deviceId: 'other-1', ts: old, seq: 0, values: { t: 1 } },
    ]);
    expect(result.stored).toBe(2);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.reading.ts).toBe(old);
    expect(result.failed[0]?.error).toBeInstanceOf(ReadingPastRetention);
    expect(String(result.failed[0]?.error)).toMatch(/older than the device's raw retention of 10 days/);
    // An import of the same reading is not judged by age: its rollups outlive the raw window.
    expect(await store.writeHistorical([{ deviceId: 'lab-1', ts: old, seq: 0, values: { t: 1 } }])).toEqual({
      stored: 1,
      duplicates: 0,
      failed: [],
    });
  });
});

describe('bucket lifecycle', () => {
  it('puts the shared rules for an archive retention and keeps the rules it does not own (the CDK tiering, old versions)', async () => {
    const tiering = {
      ID: 'archive-tiering',
      Status: 'Enabled',
      Filter: { Prefix: 'archive/' },
      Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }],
    };
    const oldVersions = { ID: 'old-versions-expire', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 30 } };
    const sent: unknown[] = [];
    const s3 = {
      send: async (command: unknown) => {
        sent.push(command);
        if (command instanceof GetBucketLifecycleConfigurationCommand) {
          return {
            Rules: [
              tiering,
              { ID: 'archive-retention', Status: 'Enabled', Filter: { Prefix: 'archive/' }, Expiration: { Days: 365 } },
              oldVersions,
            ],
          };
        }
        return {};
      },
    };
    expect(await applyBucketLifecycle({ s3: s3 as never, bucket: 'b', logger }, 200)).toBe(true);
    const command = sent[1] as PutBucketLifecycleConfigurationCommand;
    expect(command).toBeInstanceOf(PutBucketLifecycleConfigurationCommand);
    expect(command.input).toEqual({
      Bucket: 'b',
      LifecycleConfiguration: {
        Rules: [
          tiering,
          oldVersions,
          { ID: 'archive-retention', Status: 'Enabled', Filter: { Prefix: 'archive/' }, Expiration: { Days: 200 } },
          { ID: 'exports-expire', Status: 'Enabled', Filter: { Prefix: 'exports/' }, Expiration: { Days: 7 } },
          { ID: 'imports-expire', Status: 'Enabled', Filter: { Prefix: 'imports/' }, Expiration: { Days: 7 } },
        ],
      },
    });
  });

  it('tolerates an S3 endpoint without lifecycle support and fails on anything else', async () => {
    const refusing = (name: string) => ({ send: async () => Promise.reject(Object.assign(new Error(name), { name })) });
    expect(await applyBucketLifecycle({ s3: refusing('NotImplemented') as never, bucket: 'b', logger }, 200)).toBe(false);
    // A bucket without any configuration yet: the shared rules alone.
    const sent: unknown[] = [];
    const empty = {
      send: async (command: unknown) => {
        sent.push(command);
        if (command instanceof GetBucketLifecycleConfigurationCommand)
          throw Object.assign(new Error('none'), { name: 'NoSuchLifecycleConfiguration' });
        return {};
      },
    };
    expect(await applyBucketLifecycle({ s3: empty as never, bucket: 'b', logger }, 200)).toBe(true);
    expect((sent[1] as PutBucketLifecycleConfigurationCommand).input.LifecycleConfiguration?.Rules?.map((r) => r.ID)).toEqual([
      'archive-retention',
      'exports-expire',
      'imports-expire',
    ]);
    await expect(applyBucketLifecycle({ s3: refusing('AccessDenied') as never, bucket: 'b', logger }, 200)).rejects.toThrow('AccessDenied');
  });
});
