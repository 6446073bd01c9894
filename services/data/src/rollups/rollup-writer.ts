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
import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mapWithLimit, rollupLevel, type RetentionPolicy, type RollupLevelId } from '@fleet/core';
import { reportWriteUnits, type WriteUnitsListener } from '../consumed-capacity.ts';
import { batchGet, batchPut, itemKey } from '../batch-writes.ts';
import { queryItems } from '../query-items.ts';
import { bucketExpiresAt } from '../time-bucket.ts';
import { isConditionFailed, withBackoff } from '../retry.ts';
import { bucketOfItem, foldBuckets, type BucketAggregate } from './aggregate.ts';
import { bucketStart, foldMarkKey, foldMarkPartitions, rollupPartitionKey, rollupSortKey } from './rollup-keys.ts';

/** The content of one device-minute as a write left it. */
export interface MinuteView {
  readonly deviceId: string;
  /** Start of the minute, epoch ms. */
  readonly start: number;
  /**
   * Readings the view held when made, known before its aggregate is computed (telemetry-store.ts
   * computes it when a fold first asks, and may fold readings stored since: `aggregate.n` ≥ `n`).
   */
  readonly n: number;
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
   * Writes the minutes and marks their device-hours to be folded (a fold mark, durable, with a new
   * token), instead of folding them now: 1 Put per minute and a 25th of a BatchWriteItem per hour
   * where `rollUp` makes 5 calls. Answers the minutes whose Put or mark failed, and the marks.
   */
  markMinutes(minutes: readonly MinuteView[]): Promise<MarkedMinutes>;
  /**
   * Folds the hour and day of each mark from their child items and then deletes the mark if its
   * token is still the one given: `remarked` when a minute was marked since (it needs another fold).
   */
  foldMarked(marks: readonly FoldMark[]): Promise<FoldMarkOutcomes>;
  /** Every fold mark in the table (all tasks'). */
  readMarks(): Promise<FoldMark[]>;
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

/**
 * A durable note that a device-hour's minutes changed and its hour and day items may not count
 * them yet (rollups/README.md, "Fold marks").
 */
export interface FoldMark {
  readonly deviceId: string;
  readonly hourStart: number;
  /** New at every marking: a fold deletes the mark only if it was not marked again meanwhile. */
  readonly token: string;
  /** Epoch ms of the marking: sweeps take the marks of tasks that stopped marking. */
  readonly markedAt: number;
}

export interface MarkedMinutes {
  /** The `minuteKey`s whose minute Put or hour mark failed, with the error. */
  readonly failed: ReadonlyMap<string, unknown>;
  readonly marks: readonly FoldMark[];
}

export interface FoldMarkOutcomes {
  /** Folded and deleted. */
  readonly cleared: readonly FoldMark[];
  /** Folded, but marked again since with another token: kept for the next fold. */
  readonly remarked: readonly FoldMark[];
  readonly failed: ReadonlyMap<FoldMark, unknown>;
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

/** Buckets of one device and level to fold, and what a failure of theirs fails. */
interface Group<K> {
  readonly deviceId: string;
  readonly start: number;
  readonly keys: K[];
}

function addTo<K>(groups: Map<string, Group<K>>, deviceId: string, start: number, keys: readonly K[]): void {
  const key = minuteKey(deviceId, start);
  const group = groups.get(key) ?? { deviceId, start, keys: [] };
  group.keys.push(...keys);
  groups.set(key, group);
}

/** TTL (epoch seconds) of a bucket: its end plus the level's retention, as for the raw windows. */
export function rollupExpiresAt(policy: RetentionPolicy, levelId: RollupLevelId, start: number): number {
  const level = rollupLevel(levelId);
  return bucketExpiresAt(start, level.widthMs, policy[level.retentionField]);
}

export function createRollupWriter(options: RollupWriterOptions): RollupWriter {
  const { client, tableName } = options;
  const concurrency = options.concurrency ?? 8;
  // The batched calls (imports' putLarger, the fold marks) run at half the single calls' concurrency.
  const batchDeps = { client, tableName, onWriteUnits: options.onWriteUnits, concurrency: Math.max(1, concurrency / 2) };

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

  /** Puts the minutes; answers the failed ones and the device-hours of the written ones. */
  async function putMinutes(minutes: readonly MinuteView[]) {
    const failed = new Map<string, unknown>();
    const hours = new Map<string, Group<string>>();
    await mapWithLimit(minutes, concurrency, async (m) => {
      const key = minuteKey(m.deviceId, m.start);
      try {
        await put(m.deviceId, '1m', m.start, m.aggregate);
      } catch (err) {
        failed.set(key, err);
        return;
      }
      addTo(hours, m.deviceId, bucketStart(rollupLevel('1h'), m.start), [key]);
    });
    return { failed, hours: [...hours.values()] };
  }

  /**
   * Folds each hour from its minute items, then each day they touch from its hour items; answers the
   * keys of the groups whose hour or day failed. An hour with no minute left (its device's data
   * deleted) writes nothing.
   */
  async function foldHoursAndDays<K>(hours: readonly Group<K>[]): Promise<Map<K, unknown>> {
    const failed = new Map<K, unknown>();
    const foldAndPut = async (deviceId: string, levelId: '1h' | '1d', start: number) => {
      const aggregate = await fold(deviceId, levelId, start);
      if (aggregate.n > 0) await put(deviceId, levelId, start, aggregate);
    };
    const days = new Map<string, Group<K>>();
    await mapWithLimit(hours, concurrency, async (h) => {
      try {
        await foldAndPut(h.deviceId, '1h', h.start);
      } catch (err) {
        for (const k of h.keys) failed.set(k, err);
        return;
      }
      addTo(days, h.deviceId, bucketStart(rollupLevel('1d'), h.start), h.keys);
    });
    await mapWithLimit([...days.values()], concurrency, async (d) => {
      try {
        await foldAndPut(d.deviceId, '1d', d.start);
      } catch (err) {
        for (const k of d.keys) failed.set(k, err);
      }
    });
    return failed;
  }

  async function rollUp(minutes: readonly MinuteView[]): Promise<ReadonlyMap<string, unknown>> {
    const { failed, hours } = await putMinutes(minutes);
    for (const [k, err] of await foldHoursAndDays(hours)) failed.set(k, err);
    return failed;
  }

  async function markMinutes(minutes: readonly MinuteView[]): Promise<MarkedMinutes> {
    const { failed, hours } = await putMinutes(minutes);
    const markedAt = Date.now();
    const marks = hours.map((h) => ({ deviceId: h.deviceId, hourStart: h.start, token: randomUUID(), markedAt, minutes: h.keys }));
    try {
      // Unconditional: a newer token only ever asks for one more fold (foldMarked clears by token).
      await batchPut(
        batchDeps,
        marks.map((m) => ({
          ...foldMarkKey(m.deviceId, m.hourStart),
          deviceId: m.deviceId,
          hourStart: m.hourStart,
          token: m.token,
          markedAt,
        })),
      );
    } catch (err) {
      for (const m of marks) for (const k of m.minutes) failed.set(k, err);
      return { failed, marks: [] };
    }
    return { failed, marks: marks.map(({ minutes: _, ...mark }) => mark) };
  }

  async function foldMarked(marks: readonly FoldMark[]): Promise<FoldMarkOutcomes> {
    const failed = await foldHoursAndDays(marks.map((m) => ({ deviceId: m.deviceId, start: m.hourStart, keys: [m] })));
    const cleared: FoldMark[] = [];
    const remarked: FoldMark[] = [];
    await mapWithLimit(
      marks.filter((m) => !failed.has(m)),
      concurrency,
      async (m) => {
        try {
          await withBackoff(() =>
            client.send(
              new DeleteCommand({
                TableName: tableName,
                Key: foldMarkKey(m.deviceId, m.hourStart),
                // Marked again since this fold read the minutes: the new minute needs another fold.
                ConditionExpression: '#token = :token',
                ExpressionAttributeNames: { '#token': 'token' },
                ExpressionAttributeValues: { ':token': m.token },
              }),
            ),
          );
          cleared.push(m);
        } catch (err) {
          if (isConditionFailed(err)) remarked.push(m);
          else failed.set(m, err);
        }
      },
    );
    return { cleared, remarked, failed };
  }

  async function readMarks(): Promise<FoldMark[]> {
    const marks: FoldMark[] = [];
    await mapWithLimit(foldMarkPartitions, concurrency, async (pk) => {
      for await (const item of queryItems(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      })) {
        const { deviceId, hourStart, token, markedAt } = item;
        if (typeof deviceId === 'string' && typeof hourStart === 'number' && typeof token === 'string' && typeof markedAt === 'number') {
          marks.push({ deviceId, hourStart, token, markedAt });
        }
      }
    });
    return marks;
  }

  async function putLarger(levelId: RollupLevelId, buckets: readonly RollupBucket[]): Promise<Map<string, RollupBucket>> {
    const keyOf = (b: RollupBucket) => ({ pk: rollupPartitionKey(b.deviceId, levelId, b.start), sk: rollupSortKey(b.start) });
    const stored = await batchGet(batchDeps, buckets.map(keyOf));
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
    await batchPut(batchDeps, puts);
    return kept;
  }

  return { rollUp, markMinutes, foldMarked, readMarks, fold, putLarger };
}
