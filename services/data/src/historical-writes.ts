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
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { mapWithLimit, rollupLevel, telemetryLimits, type Reading, type RetentionPolicy } from '@fleet/core';
import { batchPut, chunk } from './batch-writes.ts';
import type { WriteUnitsListener } from './consumed-capacity.ts';
import { encodeValues } from './reading-codec.ts';
import { withBackoff } from './retry.ts';
import { aggregateReadings, type TimedValues } from './rollups/aggregate.ts';
import { bucketStart } from './rollups/rollup-keys.ts';
import type { RollupWriter } from './rollups/rollup-writer.ts';
import type { TelemetryWriteResult } from './telemetry-store.ts';
import { expiresAt, windowStartOf } from './time-bucket.ts';
import { approximateSize, groupByWindow, readingsOfItem, type WindowWrite } from './window-items.ts';

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

export function createHistoricalWriter(options: HistoricalWriterOptions) {
  const { client, tableName } = options;
  const concurrency = options.concurrency ?? 4;

  /** BatchGetItem of window items (100 keys a call), unprocessed keys asked again with backoff. */
  async function getWindows(windows: readonly WindowWrite[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    await mapWithLimit(chunk(windows, 100), concurrency, async (part) => {
      let keys: Record<string, unknown>[] | undefined = part.map(({ pk, sk }) => ({ pk, sk }));
      while (keys && keys.length > 0) {
        const out = await withBackoff(() =>
          client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys!, ConsistentRead: true } } })),
        );
        for (const item of out.Responses?.[tableName] ?? []) found.set(`${String(item['pk'])}\u0000${String(item['sk'])}`, item);
        keys = out.UnprocessedKeys?.[tableName]?.Keys;
      }
    });
    return found;
  }

  /** Minutes, then hours folded from them, then days: each level's items once the level below is written. */
  async function rollUp(minutes: readonly { deviceId: string; start: number; content: TimedValues[] }[]): Promise<void> {
    const { rollups } = options;
    if (!rollups) return;
    const items = await Promise.all(minutes.map((m) => rollups.itemOf(m.deviceId, '1m', m.start, aggregateReadings(m.content))));
    await rollups.putBatch(items);
    let touched = minutes.map(({ deviceId, start }) => ({ deviceId, start }));
    for (const levelId of ['1h', '1d'] as const) {
      const buckets = new Map<string, { deviceId: string; start: number }>();
      for (const t of touched) {
        const start = bucketStart(rollupLevel(levelId), t.start);
        buckets.set(`${t.deviceId}@${start}`, { deviceId: t.deviceId, start });
      }
      const folded = await mapWithLimit([...buckets.values()], concurrency * 2, async (b) =>
        rollups.itemOf(b.deviceId, levelId, b.start, await rollups.fold(b.deviceId, levelId, b.start)),
      );
      await rollups.putBatch(folded);
      touched = [...buckets.values()];
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
      const before = await getWindows([...windows.values()]);
      const puts: Record<string, unknown>[] = [];
      const minutes: { deviceId: string; start: number; content: TimedValues[] }[] = [];
      for (const [key, w] of windows) {
        const was = before.get(key) ?? {};
        const added = w.readings.filter(({ attribute }) => !(attribute in was));
        const item: Record<string, unknown> = { ...was, pk: w.pk, sk: w.sk };
        for (const { reading, attribute } of added) item[attribute] = encodeValues(reading.values);
        // A window that could hold overflow items (or would grow past the limit) takes the live path.
        if (approximateSize(item) >= options.fullWindowBytes) {
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
