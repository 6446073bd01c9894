/**
 * The time series in the telemetry table: window items holding several readings each (see
 * `time-bucket.ts` for the layout and the cost reasoning).
 *
 * Writes are `UpdateItem SET #r = :v, ...`: setting an attribute to the value it already holds is a
 * no-op, so a redelivered reading is stored once, and late or out-of-order readings merge into their
 * window. `ReturnValues: UPDATED_OLD` returns the previous value of every attribute that existed
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnValues),
 * which tells a duplicate from a new reading for free.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, mapWithLimit, type Reading, type RetentionPolicy } from '@fleet/core';
import type { Logger } from 'pino';
import { reportWriteUnits, type WriteUnitsListener } from './consumed-capacity.ts';
import { decodeValues, encodeValues } from './reading-codec.ts';
import { createHistoricalWriter } from './historical-writes.ts';
import { isPastRawRetention, ReadingPastRetention } from './retention/raw-retention.ts';
import { queryItems } from './query-items.ts';
import { withBackoff } from './retry.ts';
import { aggregateReadings, type TimedValues } from './rollups/aggregate.ts';
import { approximateSize, groupByWindow, readingsOfItem, type WindowWrite } from './window-items.ts';
import { minuteKey, type MinuteView, type RollupWriter } from './rollups/rollup-writer.ts';
import type { FoldScheduler } from './rollups/fold-scheduler.ts';
import { daysBetween, expiresAt, partitionKey, readingAt, windowSortKey, windowStartOf } from './time-bucket.ts';

/** A stored reading as queries return it. */
export interface StoredReading {
  readonly ts: number;
  readonly seq: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface TelemetryWriteResult {
  /** Readings written for the first time. */
  readonly stored: number;
  /** Readings that were already stored (redeliveries). */
  readonly duplicates: number;
  /** Readings whose write failed after retries; the caller leaves their messages for redelivery. */
  readonly failed: readonly { readonly reading: Reading; readonly error: unknown }[];
  /**
   * With deferred rollups (`folds`): the readings stored now whose minute, hour and day rollups are
   * still to be written; resolves with those whose rollups failed. Their messages may be deleted only once it
   * resolves without them. Absent when every rollup was written before `write` answered.
   */
  readonly folded?: Promise<readonly { readonly reading: Reading; readonly error: unknown }[]>;
}

export interface TelemetryQuery {
  readonly deviceId: string;
  /** Inclusive, epoch ms. */
  readonly from: number;
  /** Inclusive, epoch ms. */
  readonly to: number;
  /** Only readings strictly after this (ts, seq): the raw query's cursor. */
  readonly after?: { readonly ts: number; readonly seq: number };
}

export interface TelemetryStore {
  /** Stores readings idempotently on (deviceId, ts, seq). Never throws for a failed write: see `failed`. */
  write(readings: readonly Reading[]): Promise<TelemetryWriteResult>;
  /**
   * The same for imports and archive replays (one data job at a time): readings of days live ingest
   * no longer accepts are merged in batches (historical-writes.ts), the others take `write`'s path.
   */
  writeHistorical(readings: readonly Reading[]): Promise<TelemetryWriteResult>;
  /** The readings of a device in a time range, ordered by (ts, seq), read page by page. */
  query(query: TelemetryQuery): AsyncGenerator<StoredReading>;
}

export interface TelemetryStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly logger: Logger;
  /** Concurrent UpdateItem calls per `write`. @default 8 */
  readonly writeConcurrency?: number;
  /** Told the write units DynamoDB reports for each write. */
  readonly onWriteUnits?: WriteUnitsListener;
  /** Keeps the 1m/1h/1d rollups of every window written. @default no rollups */
  readonly rollups?: RollupWriter;
  /** Defers and coalesces the rollups of live writes (`write`, not `writeHistorical`). @default written in each write */
  readonly folds?: FoldScheduler;
  /** The retention of a device, for its window items' `expiresAt`. @default the fleet default */
  readonly policyOf?: (deviceId: string) => Promise<RetentionPolicy>;
  /**
   * A window item this large (approximate bytes) may have overflow items, which ALL_OLD does not
   * show: its minute is then read back. @default 256,000 (400 KB less the largest message)
   */
  readonly fullWindowBytes?: number;
  /** The clock live readings are judged by against their raw retention. */
  readonly now?: () => number;
}

/**
 * Readings per UpdateItem. An update expression is limited to 4 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters);
 * `#aNN = :vNN, ` is ≤ 14 characters, so 100 readings stay well under it.
 */
const maxReadingsPerUpdate = 100;

/** DynamoDB's ValidationException for an item past 400 KB (dynalite copies the message). */
const isItemTooLarge = (err: unknown) => err instanceof Error && err.name === 'ValidationException' && /item size/i.test(err.message);

/** What the updates of one window answered. */
interface WindowOutcome {
  readonly olds: Record<string, unknown>[];
  readonly duplicates: Set<string>;
  overflowed: boolean;
}

/** Creates the telemetry store over a DynamoDB document client. */
export function createTelemetryStore(options: TelemetryStoreOptions): TelemetryStore {
  const { client, tableName, logger } = options;
  const concurrency = options.writeConcurrency ?? 8;
  const policyOf = options.policyOf ?? (() => Promise.resolve(defaultRetention));
  const fullWindowBytes = options.fullWindowBytes ?? 256_000;
  const now = options.now ?? Date.now;

  /** One UpdateItem for readings of one window; returns the item as it was before (ALL_OLD). */
  async function updateWindow(pk: string, sk: string, entries: WindowWrite['readings'], ttl: number): Promise<Record<string, unknown>> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':e': ttl };
    const sets = ['#e = :e'];
    names['#e'] = 'expiresAt';
    entries.forEach(({ reading, attribute }, i) => {
      names[`#a${i}`] = attribute;
      values[`:v${i}`] = encodeValues(reading.values);
      sets.push(`#a${i} = :v${i}`);
    });
    const out = await withBackoff(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk, sk },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // The whole previous item: which readings were there (duplicates) and, with this
          // write's, the window's full content for its minute rollup, without a read.
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    reportWriteUnits(out, options.onWriteUnits);
    return out.Attributes ?? {};
  }

  /**
   * A reading that no longer fits its full window item gets an item of its own, sorted right after
   * the window (`<windowStart>#<attribute>`). Deterministic: a window item never shrinks, so a
   * redelivery of that reading fails to fit again and lands on the same overflow item.
   */
  async function putOverflow(pk: string, sk: string, entry: WindowWrite['readings'][number], ttl: number): Promise<boolean> {
    const out = await withBackoff(() =>
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk, sk: `${sk}#${entry.attribute}`, expiresAt: ttl, [entry.attribute]: encodeValues(entry.reading.values) },
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    reportWriteUnits(out, options.onWriteUnits);
    return out.Attributes !== undefined;
  }

  /** Writes one chunk, noting in `outcome` the previous items, the attributes already stored and whether the window overflowed. */
  async function writeChunk(chunk: WindowWrite, ttl: number, outcome: WindowOutcome): Promise<void> {
    const { pk, sk, readings: entries } = chunk;
    const update = async (part: WindowWrite['readings']) => {
      const old = await updateWindow(pk, sk, part, ttl);
      outcome.olds.push(old);
      for (const { attribute } of part) if (attribute in old) outcome.duplicates.add(attribute);
    };
    try {
      await update(entries);
    } catch (err) {
      if (!isItemTooLarge(err)) throw err;
      logger.warn({ pk, sk, readings: entries.length }, 'window item full: writing readings one by one, overflow items past the limit');
      outcome.overflowed = true;
      for (const entry of entries) {
        try {
          await update([entry]);
        } catch (inner) {
          if (!isItemTooLarge(inner)) throw inner;
          if (await putOverflow(pk, sk, entry, ttl)) outcome.duplicates.add(entry.attribute);
        }
      }
    }
  }

  /** Every reading of a window and its overflow items, strongly consistent. */
  async function readWindow(deviceId: string, start: number): Promise<TimedValues[]> {
    const out: TimedValues[] = [];
    const sk = windowSortKey(start);
    for await (const item of queryItems(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':pk': partitionKey(deviceId, start), ':a': sk, ':b': `${sk}#\uffff` },
      ConsistentRead: true,
    })) {
      out.push(...readingsOfItem(start, item));
    }
    return out;
  }

  /** The window's content right after this call's last update: the previous items ∪ what this call wrote. */
  async function minuteView(w: WindowWrite, outcome: WindowOutcome): Promise<MinuteView> {
    const start = windowStartOf(w.sk);
    const deviceId = w.readings[0]!.reading.deviceId;
    // Overflow items are not in ALL_OLD: a window that overflowed, or might have earlier, is read back.
    if (outcome.overflowed || outcome.olds.some((old) => approximateSize(old) >= fullWindowBytes)) {
      return { deviceId, start, aggregate: aggregateReadings(await readWindow(deviceId, start)) };
    }
    const content = new Map<string, TimedValues>();
    for (const old of outcome.olds) for (const r of readingsOfItem(start, old)) content.set(`${r.ts}_${r.seq}`, r);
    for (const { reading } of w.readings) content.set(`${reading.ts}_${reading.seq}`, reading);
    return { deviceId, start, aggregate: aggregateReadings([...content.values()]) };
  }

  /** The live path; `judgeAge` refuses readings past a short raw retention (live ingest), not imported ones. */
  async function writeWindows(readings: readonly Reading[], judgeAge: boolean, folds?: FoldScheduler): Promise<TelemetryWriteResult> {
    const live: Reading[] = [];
    const at = now();
    const failedReadings: { reading: Reading; error: unknown }[] = [];
    for (const reading of readings) {
      let rawDays: number;
      try {
        ({ rawDays } = await policyOf(reading.deviceId));
      } catch (error) {
        failedReadings.push({ reading, error });
        continue;
      }
      if (judgeAge && isPastRawRetention(reading.ts, rawDays, at)) {
        failedReadings.push({ reading, error: new ReadingPastRetention(reading.ts, rawDays) });
        continue;
      }
      live.push(reading);
    }
    const { windows, duplicates: repeated } = groupByWindow(live);
    let duplicates = repeated;
    const outcomes = new Map<WindowWrite, WindowOutcome>();
    const chunks: { window: WindowWrite; chunk: WindowWrite }[] = [];
    for (const w of windows.values()) {
      outcomes.set(w, { olds: [], duplicates: new Set(), overflowed: false });
      for (let i = 0; i < w.readings.length; i += maxReadingsPerUpdate) {
        chunks.push({ window: w, chunk: { ...w, readings: w.readings.slice(i, i + maxReadingsPerUpdate) } });
      }
    }
    const failed = new Map<WindowWrite, unknown>();
    await mapWithLimit(chunks, concurrency, async ({ window, chunk }) => {
      try {
        const policy = await policyOf(window.readings[0]!.reading.deviceId);
        await writeChunk(chunk, expiresAt(windowStartOf(window.sk), policy.rawDays), outcomes.get(window)!);
      } catch (error) {
        logger.error({ err: error, pk: chunk.pk, sk: chunk.sk }, 'telemetry write failed');
        failed.set(window, error);
      }
    });
    // Rolled up even when every reading was a duplicate: the crash may have come before the rollups.
    const written = [...windows.values()].filter((w) => !failed.has(w));
    let folded: TelemetryWriteResult['folded'];
    if (options.rollups) {
      const keyOf = (w: WindowWrite) => minuteKey(w.readings[0]!.reading.deviceId, windowStartOf(w.sk));
      const views = await mapWithLimit(written, concurrency, async (w) => {
        try {
          return await minuteView(w, outcomes.get(w)!);
        } catch (error) {
          failed.set(w, error);
          return undefined;
        }
      });
      const minutes = views.filter((v) => v !== undefined);
      if (folds) {
        // Deferred (fold-scheduler.ts): the rollups are written within seconds; the caller holds the messages until then.
        const deferred = written.filter((w) => !failed.has(w));
        folded = folds.fold(minutes).then((foldFailures) =>
          deferred.flatMap((w) => {
            const key = keyOf(w);
            return foldFailures.has(key) ? w.readings.map(({ reading }) => ({ reading, error: foldFailures.get(key) })) : [];
          }),
        );
      } else {
        const rollupFailures = await options.rollups.rollUp(minutes);
        for (const w of written) {
          const error = rollupFailures.get(keyOf(w));
          if (error !== undefined) {
            logger.error({ err: error, pk: w.pk, sk: w.sk }, 'rollup write failed');
            failed.set(w, error);
          }
        }
      }
    }
    let stored = 0;
    for (const w of windows.values()) {
      const error = failed.get(w);
      if (failed.has(w)) {
        for (const { reading } of w.readings) failedReadings.push({ reading, error });
        continue;
      }
      const already = outcomes.get(w)!.duplicates;
      for (const { attribute } of w.readings) {
        if (already.has(attribute)) duplicates++;
        else stored++;
      }
    }
    return { stored, duplicates, failed: failedReadings, ...(folded ? { folded } : {}) };
  }

  async function* query({ deviceId, from, to, after }: TelemetryQuery): AsyncGenerator<StoredReading> {
    const start = after ? Math.max(from, after.ts) : from;
    if (to < start) return;
    const isWanted = (r: { readonly ts: number; readonly seq: number }) =>
      r.ts >= start && r.ts <= to && (!after || r.ts > after.ts || (r.ts === after.ts && r.seq > after.seq));
    const byTime = (a: StoredReading, b: StoredReading) => a.ts - b.ts || a.seq - b.seq;
    for (const day of daysBetween(start, to)) {
      // A window item and its overflow items share the first 24 characters of their sort key; the
      // readings of one window are sorted together before any is yielded.
      let window: string | undefined;
      let pending: StoredReading[] = [];
      for await (const item of queryItems(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':pk': partitionKey(deviceId, day), ':a': windowSortKey(start), ':b': `${windowSortKey(to)}#\uffff` },
      })) {
        const sk = String(item['sk']);
        const itemWindow = sk.slice(0, 24);
        if (itemWindow !== window) {
          yield* pending.sort(byTime);
          pending = [];
          window = itemWindow;
        }
        const start = windowStartOf(sk);
        for (const name in item) {
          const at = readingAt(start, name);
          // Decoded only when wanted: the first and last windows of a range hold readings outside it.
          if (at && isWanted(at)) pending.push({ ...at, values: decodeValues(String(item[name])) });
        }
      }
      yield* pending.sort(byTime);
    }
  }

  const { writeHistorical } = createHistoricalWriter({
    client,
    tableName,
    rollups: options.rollups,
    policyOf,
    live: (readings) => writeWindows(readings, false),
    onWriteUnits: options.onWriteUnits,
    fullWindowBytes,
    now,
  });

  return { write: (readings) => writeWindows(readings, true, options.folds), writeHistorical, query };
}
