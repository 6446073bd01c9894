/**
 * Keeps the rollup items of the minutes a write touched exact: the 1-minute item from the window's
 * whole content, then the hour from its minute items and the day from its hour items (each read
 * back with a strongly consistent Query).
 *
 * Exactly once without transactions: every item is recomputed from the full content below it, never
 * incremented, so a redelivery or a retry after a crash re-derives the same item. Two writers racing
 * on one bucket each Put the view they computed, guarded by `attribute_not_exists(pk) OR n < :n`:
 * readings are only ever added, so the view folding more readings (`n`) is the newer one and a stale
 * view never replaces it; a refused condition is the expected outcome, not an error. Whichever writer
 * reads last sees every child item in its final state, so the last view is the full one.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mapWithLimit, rollupLevel, type RetentionPolicy, type RollupLevelId } from '@fleet/core';
import { reportWriteUnits, type WriteUnitsListener } from '../consumed-capacity.ts';
import { batchGet, batchPut, itemKey } from '../batch-writes.ts';
import { queryItems } from '../query-items.ts';
import { bucketExpiresAt } from '../time-bucket.ts';
import { isConditionFailed, withBackoff } from '../retry.ts';
import { bucketOfItem, foldBuckets, type BucketAggregate } from './aggregate.ts';
import { bucketStart, rollupPartitionKey, rollupSortKey } from './rollup-keys.ts';

/** The content of one device-minute as a write left it. */
export interface MinuteView {
  readonly deviceId: string;
  /** Start of the minute, epoch ms. */
  readonly start: number;
  readonly aggregate: BucketAggregate;
}

export interface RollupWriterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The retention of a device (its groups' policy), for each item's `expiresAt`. */
  readonly policyOf: (deviceId: string) => Promise<RetentionPolicy>;
  readonly onWriteUnits?: WriteUnitsListener;
  /** Concurrent Puts and Queries. @default 8 */
  readonly concurrency?: number;
}

export interface RollupWriter {
  /** Writes the minutes, then their hours, then their days; answers the `deviceId@minuteStart` keys whose cascade failed, with the error. */
  rollUp(minutes: readonly MinuteView[]): Promise<ReadonlyMap<string, unknown>>;
  /**
   * Puts the buckets of one level in batches, each only where it folds more readings than the stored
   * item (read first, strongly consistent), and answers the view now stored for each, keyed by
   * `minuteKey(deviceId, start)`. No condition guards the gap between read and write: only for
   * buckets no one else writes meanwhile (historical-writes.ts).
   */
  putLarger(levelId: RollupLevelId, buckets: readonly RollupBucket[]): Promise<Map<string, RollupBucket>>;
  /**
   * Recomputes one hour or day from its child items (strongly consistent) and `known` children, by
   * start: where both have a child the view folding more readings counts. The caller's own children
   * count even when TTL deleted them since they were written.
   */
  fold(deviceId: string, levelId: '1h' | '1d', start: number, known?: ReadonlyMap<number, BucketAggregate>): Promise<BucketAggregate>;
}

/** One bucket of a device at some level. */
export interface RollupBucket {
  readonly deviceId: string;
  /** Bucket start, epoch ms. */
  readonly start: number;
  readonly aggregate: BucketAggregate;
}

export const minuteKey = (deviceId: string, start: number) => `${deviceId}@${start}`;

const childOf = { '1h': '1m', '1d': '1h' } as const;

/** TTL (epoch seconds) of a bucket: its end plus the level's retention, as for the raw windows. */
export function rollupExpiresAt(policy: RetentionPolicy, levelId: RollupLevelId, start: number): number {
  const level = rollupLevel(levelId);
  return bucketExpiresAt(start, level.widthMs, policy[level.retentionField]);
}

export function createRollupWriter(options: RollupWriterOptions): RollupWriter {
  const { client, tableName } = options;
  const concurrency = options.concurrency ?? 8;

  async function itemOf(deviceId: string, levelId: RollupLevelId, start: number, aggregate: BucketAggregate) {
    const policy = await options.policyOf(deviceId);
    return {
      pk: rollupPartitionKey(deviceId, levelId, start),
      sk: rollupSortKey(start),
      n: aggregate.n,
      m: aggregate.metrics,
      expiresAt: rollupExpiresAt(policy, levelId, start),
    };
  }

  async function put(deviceId: string, levelId: RollupLevelId, start: number, aggregate: BucketAggregate): Promise<void> {
    const Item = await itemOf(deviceId, levelId, start, aggregate);
    try {
      const out = await withBackoff(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item,
            ConditionExpression: 'attribute_not_exists(pk) OR n < :n',
            ExpressionAttributeValues: { ':n': aggregate.n },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      reportWriteUnits(out, options.onWriteUnits);
    } catch (err) {
      // A view folding as many readings or more is already stored: this one is stale or the same.
      if (isConditionFailed(err)) return;
      throw err;
    }
  }

  async function fold(
    deviceId: string,
    levelId: '1h' | '1d',
    start: number,
    known: ReadonlyMap<number, BucketAggregate> = new Map(),
  ): Promise<BucketAggregate> {
    const child = childOf[levelId];
    const end = start + rollupLevel(levelId).widthMs - 1;
    const children = new Map<number, BucketAggregate>();
    for await (const item of queryItems(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: {
        ':pk': rollupPartitionKey(deviceId, child, start),
        ':a': rollupSortKey(start),
        ':b': rollupSortKey(end),
      },
      // The child Put of this very cascade must be seen.
      ConsistentRead: true,
    })) {
      children.set(Date.parse(String(item['sk'])), bucketOfItem(item));
    }
    for (const [at, aggregate] of known) {
      if (at >= start && at <= end && aggregate.n > (children.get(at)?.n ?? -1)) children.set(at, aggregate);
    }
    return foldBuckets([...children].sort(([a], [b]) => a - b).map(([, aggregate]) => aggregate));
  }

  async function rollUp(minutes: readonly MinuteView[]): Promise<ReadonlyMap<string, unknown>> {
    const failed = new Map<string, unknown>();
    const hours = new Map<string, { deviceId: string; start: number; minutes: string[] }>();
    await mapWithLimit(minutes, concurrency, async (m) => {
      const key = minuteKey(m.deviceId, m.start);
      try {
        await put(m.deviceId, '1m', m.start, m.aggregate);
      } catch (err) {
        failed.set(key, err);
        return;
      }
      const start = bucketStart(rollupLevel('1h'), m.start);
      const hourKey = minuteKey(m.deviceId, start);
      const hour = hours.get(hourKey) ?? { deviceId: m.deviceId, start, minutes: [] };
      hour.minutes.push(key);
      hours.set(hourKey, hour);
    });
    const days = new Map<string, { deviceId: string; start: number; minutes: string[] }>();
    await mapWithLimit([...hours.values()], concurrency, async (h) => {
      try {
        await put(h.deviceId, '1h', h.start, await fold(h.deviceId, '1h', h.start));
      } catch (err) {
        for (const k of h.minutes) failed.set(k, err);
        return;
      }
      const start = bucketStart(rollupLevel('1d'), h.start);
      const dayKey = minuteKey(h.deviceId, start);
      const day = days.get(dayKey) ?? { deviceId: h.deviceId, start, minutes: [] };
      day.minutes.push(...h.minutes);
      days.set(dayKey, day);
    });
    await mapWithLimit([...days.values()], concurrency, async (d) => {
      try {
        await put(d.deviceId, '1d', d.start, await fold(d.deviceId, '1d', d.start));
      } catch (err) {
        for (const k of d.minutes) failed.set(k, err);
      }
    });
    return failed;
  }

  async function putLarger(levelId: RollupLevelId, buckets: readonly RollupBucket[]): Promise<Map<string, RollupBucket>> {
    const batch = { client, tableName, onWriteUnits: options.onWriteUnits, concurrency: Math.max(1, concurrency / 2) };
    const keyOf = (b: RollupBucket) => ({ pk: rollupPartitionKey(b.deviceId, levelId, b.start), sk: rollupSortKey(b.start) });
    const stored = await batchGet(batch, buckets.map(keyOf));
    const kept = new Map<string, RollupBucket>();
    const puts: Record<string, unknown>[] = [];
    for (const b of buckets) {
      const { pk, sk } = keyOf(b);
      const item = stored.get(itemKey(pk, sk));
      const before = item ? bucketOfItem(item) : undefined;
      if (before && before.n >= b.aggregate.n) {
        kept.set(minuteKey(b.deviceId, b.start), { ...b, aggregate: before });
      } else {
        kept.set(minuteKey(b.deviceId, b.start), b);
        puts.push(await itemOf(b.deviceId, levelId, b.start, b.aggregate));
      }
    }
    await batchPut(batch, puts);
    return kept;
  }

  return { rollUp, fold, putLarger };
}
