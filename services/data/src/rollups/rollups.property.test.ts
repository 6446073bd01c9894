import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, rollupLevel, rollupLevels, type Reading, type RollupLevelId } from '@fleet/core';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetryStore, type TelemetryStore, type TelemetryWriteResult } from '../telemetry-store.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { aggregateReadings, type BucketAggregate } from './aggregate.ts';
import { createRollupReader } from './rollup-reader.ts';
import { bucketStart } from './rollup-keys.ts';
import { createFoldScheduler } from './fold-scheduler.ts';
import { createHourFolder, type HourFolder } from './hour-folder.ts';
import { createRollupWriter } from './rollup-writer.ts';

const logger = pino({ level: 'silent' });
// 22:30 on New Year's Eve: the readings cross an hour, a day, a month and a year partition.
const base = Date.UTC(2024, 11, 31, 22, 30);
const span = 3 * 3_600_000;

/** A write that dies after `at` DynamoDB calls, as a task killed between two writes. */
function crashingClient(client: DynamoDBDocumentClient, at: number): DynamoDBDocumentClient {
  let calls = 0;
  const send = (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    if (++calls > at) return Promise.reject(Object.assign(new Error('killed'), { name: 'TaskKilled' }));
    return client.send(command as never);
  };
  return { send } as unknown as DynamoDBDocumentClient;
}

/** The brute-force answer: each level's buckets folded straight from the distinct readings. */
function expected(readings: readonly Reading[], levelId: RollupLevelId): Map<number, BucketAggregate> {
  const groups = new Map<number, Reading[]>();
  for (const r of readings) {
    const start = bucketStart(rollupLevel(levelId), r.ts);
    groups.set(start, [...(groups.get(start) ?? []), r]);
  }
  return new Map([...groups].map(([start, rs]) => [start, aggregateReadings(rs)]));
}

const readingArb = (spanMs: number) =>
  fc.record({
    offset: fc.integer({ min: 0, max: spanMs }),
    seq: fc.integer({ min: 0, max: 2 }),
    a: fc.integer({ min: -1000, max: 1000 }),
    b: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
  });

/**
 * Distinct readings, the stream a queue delivers (duplicates, any order) and how it is cut into
 * flushes. Over 3 hours the readings are a few per minute; over 3 minutes, with items sealed at
 * 100 bytes, each minute is a chain of several items (window-chain.ts).
 */
const scenarioArb = fc
  .constantFrom({ spanMs: span, itemTargetBytes: 1000, minLength: 1 }, { spanMs: 180_000, itemTargetBytes: 100, minLength: 30 })
  .chain(({ spanMs, itemTargetBytes, minLength }) =>
    fc.uniqueArray(readingArb(spanMs), { minLength, maxLength: 80, selector: (r) => `${r.offset}_${r.seq}` }).chain((distinct) =>
      fc.record({
        distinct: fc.constant(distinct),
        itemTargetBytes: fc.constant(itemTargetBytes),
        duplicates: fc.array(fc.nat({ max: distinct.length - 1 }), { minLength: Math.min(minLength, 10), maxLength: 30 }),
        order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: distinct.length + 30, maxLength: distinct.length + 30 }),
        cuts: fc.uniqueArray(fc.nat({ max: distinct.length + 30 }), { minLength: Math.min(minLength, 3), maxLength: 5 }),
        mode: fc.constantFrom('one writer', 'two writers', 'crash and retry'),
        // Hour and day folds deferred and coalesced across flushes (fold-scheduler.ts), as live ingest does.
        deferred: fc.boolean(),
        // Deferred, and hours and days folded later from durable marks (hour-folder.ts), as live ingest does now.
        marking: fc.boolean(),
        foldIntervalMs: fc.constantFrom(0, 5, 30),
        crashAt: fc.nat({ max: 12 }),
      }),
    ),
  );

describe('rollups on dynalite, against a brute-force aggregate', () => {
  let aws: LocalAws;
  let storeOf: (
    client: DynamoDBDocumentClient,
    foldIntervalMs?: number,
    marking?: boolean,
    itemTargetBytes?: number,
  ) => { store: TelemetryStore; folder?: HourFolder };
  let run = 0;

  beforeAll(async () => {
    aws = await startLocalAws();
    storeOf = (client, foldIntervalMs, marking = false, itemTargetBytes = 1000) => {
      const rollups = createRollupWriter({ client, tableName: aws.tableNames.rollups, policyOf: () => Promise.resolve(defaultRetention) });
      // Its timers never start: the test folds the marks itself, when it chooses.
      const folder = foldIntervalMs !== undefined && marking ? createHourFolder({ writer: rollups, logger }) : undefined;
      const store = createTelemetryStore({
        client,
        tableName: aws.tableNames.telemetry,
        logger,
        rollups,
        itemTargetBytes,
        ...(foldIntervalMs === undefined
          ? {}
          : {
              folds: createFoldScheduler({
                writer: rollups,
                logger,
                intervalMs: foldIntervalMs,
                ...(folder ? { marking: folder } : {}),
              }),
            }),
      });
      return { store, ...(folder ? { folder } : {}) };
    };
  });

  /** A write as the consumer sees it: done once its deferred folds answered; a failed fold fails its readings. */
  async function settled(pending: Promise<TelemetryWriteResult>): Promise<TelemetryWriteResult> {
    const result = await pending;
    const unfolded = (await result.folded) ?? [];
    return { ...result, failed: [...result.failed, ...unfolded] };
  }
  afterAll(async () => aws.close());

  it('keeps every level exact with duplicates, late readings, random flushes, two writers and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        async ({ distinct, itemTargetBytes, duplicates, order, cuts, mode, crashAt, deferred, marking, foldIntervalMs }) => {
          const deviceId = `prop-${run++}`;
          const toReading = (r: (typeof distinct)[number]): Reading => ({
            deviceId,
            ts: base + r.offset,
            seq: r.seq,
            values: r.b === undefined ? { a: r.a } : { a: r.a, b: r.b },
          });
          const readings = distinct.map(toReading);
          const stream = [...readings, ...duplicates.map((i) => readings[i]!)]
            .map((r, i) => ({ r, k: order[i]! }))
            .sort((x, y) => x.k - y.k)
            .map(({ r }) => r);
          const bounds = [0, ...[...cuts].sort((x, y) => x - y).filter((c) => c < stream.length), stream.length];
          const flushes = bounds
            .slice(1)
            .map((end, i) => stream.slice(bounds[i], end))
            .filter((f) => f.length > 0);

          const interval = deferred ? foldIntervalMs : undefined;
          const { store: healthy, folder } = storeOf(aws.dynamo, interval, marking, itemTargetBytes);
          const folders = folder ? [folder] : [];
          let stored = 0;
          let seen = 0;
          const folds: NonNullable<TelemetryWriteResult['folded']>[] = [];
          if (mode === 'two writers') {
            const { store: other, folder: otherFolder } = storeOf(aws.dynamo, interval, marking, itemTargetBytes);
            if (otherFolder) folders.push(otherFolder);
            const results = await Promise.all(flushes.map((f, i) => settled((i % 2 === 0 ? healthy : other).write(f))));
            for (const r of results) {
              expect(r.failed).toEqual([]);
              stored += r.stored;
              seen += r.stored + r.duplicates;
            }
          } else {
            for (const [i, flush] of flushes.entries()) {
              if (mode === 'crash and retry' && i === 0) {
                // With deferred folds the crash may also come in the fold of a later moment, after the minute.
                const dying = storeOf(crashingClient(aws.dynamo, crashAt), interval, marking, itemTargetBytes);
                const crashed = await settled(dying.store.write(flush));
                // The crash may also come while its task folds its marked hours.
                await dying.folder?.flush();
                // Redelivery re-runs what was not acknowledged; the acknowledged part is retried harmlessly too.
                if (crashed.failed.length > 0) await settled(healthy.write(flush));
                continue;
              }
              // The next flush does not wait for this one's deferred folds (the consumer holds its messages).
              const r = await healthy.write(flush);
              if (r.folded) folds.push(r.folded);
              expect(r.failed).toEqual([]);
              stored += r.stored;
              seen += r.stored + r.duplicates;
            }
          }
          for (const unfolded of await Promise.all(folds)) expect(unfolded).toEqual([]);
          if (mode !== 'crash and retry') {
            expect(stored).toBe(readings.length);
            expect(seen).toBe(stream.length);
          }
          // The live tasks fold the hours they marked; a crashed task's marks are left to a sweep.
          for (const f of folders) await f.flush();
          if (mode === 'crash and retry' && marking) {
            const sweeper = createRollupWriter({
              client: aws.dynamo,
              tableName: aws.tableNames.rollups,
              policyOf: () => Promise.resolve(defaultRetention),
            });
            const restarted = createHourFolder({ writer: sweeper, logger });
            await restarted.start();
            await restarted.stop();
            expect((await sweeper.readMarks()).filter((m) => m.deviceId === deviceId)).toEqual([]);
          }

          const reader = createRollupReader({ client: aws.dynamo, tableName: aws.tableNames.rollups });
          for (const level of rollupLevels) {
            const got = new Map<number, BucketAggregate>();
            for (const b of await reader.buckets(deviceId, level.id, base - level.widthMs, base + span)) got.set(b.start, b.aggregate);
            expect(got, level.id).toEqual(expected(readings, level.id));
          }
        },
      ),
      { numRuns: 80 },
    );
  }, 120_000);
});
