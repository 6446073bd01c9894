/**
 * Bulk writes of readings too old for live ingest (imports and archive replays: data jobs, one at a
 * time). Live ingest refuses readings older than `telemetryLimits.maxAgeMs`, so a UTC day that ended
 * more than that (plus a day for messages still waiting in the queue) before now is written by the
 * job alone: its window items are merged in memory from BatchGetItem and written back with
 * BatchWriteItem (100 keys, 25 items per call:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html), and its
 * rollups likewise, without the per-window UpdateItem and the conditional Puts the live path needs
 * against concurrent writers. Still idempotent on (deviceId, ts, seq): a window is merged with what
 * it holds, and each rollup is recomputed from the full content below it, so a job retried after a
 * crash writes the same items. Readings of newer days, and windows large enough to overflow, go
 * through the live path.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapWithLimit, rollupLevel, telemetryLimits, type Reading, type RetentionPolicy, type RollupLevelId } from '@fleet/core';
import { batchGet, batchPut } from './batch-writes.ts';
import type { WriteUnitsListener } from './consumed-capacity.ts';
import { encodeValues } from './reading-codec.ts';
import { aggregateReadings, type BucketAggregate, type TimedValues } from './rollups/aggregate.ts';
import { bucketStart } from './rollups/rollup-keys.ts';
import type { RollupBucket, RollupWriter } from './rollups/rollup-writer.ts';
import type { TelemetryWriteResult } from './telemetry-store.ts';
import { expiresAt, windowStartOf } from './time-bucket.ts';
import { approximateSize, groupByWindow, readingsOfItem } from './window-items.ts';
import { sealedAttribute } from './window-chain.ts';

export interface HistoricalWriterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly rollups?: RollupWriter | undefined;
  readonly policyOf: (deviceId: string) => Promise<RetentionPolicy>;
  /** The live path, for readings of recent days and full windows. */
  readonly live: (readings: readonly Reading[]) => Promise<TelemetryWriteResult>;
  readonly onWriteUnits?: WriteUnitsListener | undefined;
  readonly fullWindowBytes: number;
  readonly now: () => number;
  /** Concurrent batch calls. @default 4 */
  readonly concurrency?: number;
}

const dayMs = 86_400_000;
/** Views `rollUp` keeps for the next call's folds: two batches' minutes, hours and days. */
const recentViewsLimit = 6_000;

export function createHistoricalWriter(options: HistoricalWriterOptions) {
  const { client, tableName } = options;
  const concurrency = options.concurrency ?? 4;

  /**
   * The views this writer stored or kept lately, by level, device and start, newest last: the
   * children a later fold needs when TTL deleted them meanwhile (see `rollUp`). Only this job writes
   * these days, so a view here is never newer than DynamoDB's unless DynamoDB lost it to TTL.
   */
  const recentViews = new Map<string, BucketAggregate>();
  const viewKey = (levelId: RollupLevelId, deviceId: string, start: number) => `${levelId}\u0000${deviceId}\u0000${start}`;
  function remember(levelId: RollupLevelId, views: Iterable<RollupBucket>) {
    for (const v of views) {
      const key = viewKey(levelId, v.deviceId, v.start);
      recentViews.delete(key);
      recentViews.set(key, v.aggregate);
    }
    for (const key of recentViews.keys()) {
      if (recentViews.size <= recentViewsLimit) break;
      recentViews.delete(key);
    }
  }

  /**
   * Minutes, then hours folded from them, then days: each level's items once the level below is
   * written. The readings are old enough for their minutes (and, older still, their hours) to be
   * written already expired, and TTL may delete those between their write and the fold of the level
   * above, or between two calls of the job whose batches share an hour. So each fold also counts the
   * children this writer last stored or kept (`recentViews`; batches of a time-ordered import share
   * only their edge buckets), and no bucket is written where the stored one folds more readings
   * (`putLarger`): a job retried after TTL deleted what it had written never shrinks a rollup.
   */
  async function rollUp(minutes: readonly { deviceId: string; start: number; content: TimedValues[] }[]): Promise<void> {
    const { rollups } = options;
    if (!rollups) return;
    let views = await rollups.putLarger(
      '1m',
      minutes.map((m) => ({ deviceId: m.deviceId, start: m.start, aggregate: aggregateReadings(m.content) })),
    );
    remember('1m', views.values());
    for (const [childId, levelId] of [
      ['1m', '1h'],
      ['1h', '1d'],
    ] as const) {
      const { widthMs } = rollupLevel(levelId);
      const childWidthMs = rollupLevel(childId).widthMs;
      const buckets = new Map<string, { deviceId: string; start: number }>();
      for (const v of views.values()) {
        const start = bucketStart(rollupLevel(levelId), v.start);
        buckets.set(`${v.deviceId}@${start}`, { deviceId: v.deviceId, start });
      }
      const folded = await mapWithLimit([...buckets.values()], concurrency * 2, async (b) => {
        const known = new Map<number, BucketAggregate>();
        for (let at = b.start; at < b.start + widthMs; at += childWidthMs) {
          const view = recentViews.get(viewKey(childId, b.deviceId, at));
          if (view) known.set(at, view);
        }
        return { ...b, aggregate: await rollups.fold(b.deviceId, levelId, b.start, known) };
      });
      views = await rollups.putLarger(levelId, folded);
      remember(levelId, views.values());
    }
  }

  async function writeHistorical(readings: readonly Reading[]): Promise<TelemetryWriteResult> {
    // Days that ended before live ingest's window (and a day of queue backlog) belong to the job alone.
    const batchBefore = options.now() - telemetryLimits.maxAgeMs - dayMs;
    const old: Reading[] = [];
    const recent: Reading[] = [];
    for (const reading of readings) (reading.ts - (reading.ts % dayMs) + dayMs > batchBefore ? recent : old).push(reading);
    const grouped = groupByWindow(old);
    const windows = grouped.windows;
    let duplicates = grouped.duplicates;
    let stored = 0;
    const failed: { reading: Reading; error: unknown }[] = [];
    try {
      const before = await batchGet({ client, tableName, concurrency }, [...windows.values()]);
      const puts: Record<string, unknown>[] = [];
      const minutes: { deviceId: string; start: number; content: TimedValues[] }[] = [];
      for (const [key, w] of windows) {
        const was = before.get(key) ?? {};
        const added = w.readings.filter(({ attribute }) => !(attribute in was));
        const item: Record<string, unknown> = { ...was, pk: w.pk, sk: w.sk };
        for (const { reading, attribute } of added) item[attribute] = encodeValues(reading.values);
        // A window with more items than this one (a chain or overflow items), or that would grow past
        // the limit, takes the live path, which knows them (window-chain.ts).
        if (sealedAttribute in was || approximateSize(item) >= options.fullWindowBytes) {
          recent.push(...w.readings.map((r) => r.reading));
          windows.delete(key);
          continue;
        }
        duplicates += w.readings.length - added.length;
        stored += added.length;
        const start = windowStartOf(w.sk);
        item['expiresAt'] = expiresAt(start, (await options.policyOf(w.deviceId)).rawDays);
        if (added.length > 0) puts.push(item);
        // Rolled up even when nothing was added: a retried job may have died before its rollups.
        minutes.push({ deviceId: w.deviceId, start, content: readingsOfItem(start, item) });
      }
      await batchPut({ client, tableName, onWriteUnits: options.onWriteUnits, concurrency }, puts);
      await rollUp(minutes);
    } catch (error) {
      // The job retries the whole chunk: merged windows and recomputed rollups make that harmless.
      stored = 0;
      duplicates = 0;
      for (const w of windows.values()) for (const { reading } of w.readings) failed.push({ reading, error });
    }
    const live = recent.length > 0 ? await options.live(recent) : { stored: 0, duplicates: 0, failed: [] };
    return { stored: stored + live.stored, duplicates: duplicates + live.duplicates, failed: [...failed, ...live.failed] };
  }

  return { writeHistorical };
}
