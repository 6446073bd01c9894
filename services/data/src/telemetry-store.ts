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
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapWithLimit, type Reading } from '@fleet/core';
import type { Logger } from 'pino';
import { reportWriteUnits, type WriteUnitsListener } from './consumed-capacity.ts';
import { decodeValues, encodeValues } from './reading-codec.ts';
import { withBackoff } from './retry.ts';
import { daysBetween, expiresAt, locate, partitionKey, readingAt, windowSortKey, windowStartOf } from './time-bucket.ts';

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
}

/**
 * Readings per UpdateItem. An update expression is limited to 4 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters);
 * `#aNN = :vNN, ` is ≤ 14 characters, so 100 readings stay well under it.
 */
const maxReadingsPerUpdate = 100;

/** DynamoDB's ValidationException for an item past 400 KB (dynalite copies the message). */
const isItemTooLarge = (err: unknown) => err instanceof Error && err.name === 'ValidationException' && /item size/i.test(err.message);

interface WindowWrite {
  readonly pk: string;
  readonly sk: string;
  readonly readings: { readonly reading: Reading; readonly attribute: string }[];
}

/** Creates the telemetry store over a DynamoDB document client. */
export function createTelemetryStore(options: TelemetryStoreOptions): TelemetryStore {
  const { client, tableName, logger } = options;
  const concurrency = options.writeConcurrency ?? 8;

  /** One UpdateItem for readings of one window; returns how many were already there. */
  async function updateWindow(pk: string, sk: string, entries: WindowWrite['readings']): Promise<number> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':e': expiresAt(entries[0]!.reading.ts) };
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
          ReturnValues: 'UPDATED_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    reportWriteUnits(out, options.onWriteUnits);
    const old = out.Attributes ?? {};
    return entries.filter(({ attribute }) => attribute in old).length;
  }

  /**
   * A reading that no longer fits its full window item gets an item of its own, sorted right after
   * the window (`<windowStart>#<attribute>`). Deterministic: a window item never shrinks, so a
   * redelivery of that reading fails to fit again and lands on the same overflow item.
   */
  async function putOverflow(pk: string, sk: string, entry: WindowWrite['readings'][number]): Promise<number> {
    const out = await withBackoff(() =>
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk,
            sk: `${sk}#${entry.attribute}`,
            expiresAt: expiresAt(entry.reading.ts),
            [entry.attribute]: encodeValues(entry.reading.values),
          },
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    reportWriteUnits(out, options.onWriteUnits);
    return out.Attributes ? 1 : 0;
  }

  async function writeChunk(pk: string, sk: string, entries: WindowWrite['readings']): Promise<number> {
    try {
      return await updateWindow(pk, sk, entries);
    } catch (err) {
      if (!isItemTooLarge(err)) throw err;
      logger.warn({ pk, sk, readings: entries.length }, 'window item full: writing readings one by one, overflow items past the limit');
      let duplicates = 0;
      for (const entry of entries) {
        try {
          duplicates += await updateWindow(pk, sk, [entry]);
        } catch (inner) {
          if (!isItemTooLarge(inner)) throw inner;
          duplicates += await putOverflow(pk, sk, entry);
        }
      }
      return duplicates;
    }
  }

  async function write(readings: readonly Reading[]): Promise<TelemetryWriteResult> {
    const windows = new Map<string, WindowWrite>();
    const seen = new Set<string>();
    let duplicates = 0;
    for (const reading of readings) {
      const loc = locate(reading.deviceId, reading.ts, reading.seq);
      const key = `${loc.pk}\u0000${loc.sk}`;
      // The same reading twice in one batch (e.g. a QoS 1 re-publish): one attribute, one write.
      if (seen.has(`${key}\u0000${loc.attribute}`)) {
        duplicates++;
        continue;
      }
      seen.add(`${key}\u0000${loc.attribute}`);
      let w = windows.get(key);
      if (!w) windows.set(key, (w = { pk: loc.pk, sk: loc.sk, readings: [] }));
      w.readings.push({ reading, attribute: loc.attribute });
    }
    const chunks: WindowWrite[] = [];
    for (const w of windows.values()) {
      for (let i = 0; i < w.readings.length; i += maxReadingsPerUpdate) {
        chunks.push({ pk: w.pk, sk: w.sk, readings: w.readings.slice(i, i + maxReadingsPerUpdate) });
      }
    }
    const failed: { reading: Reading; error: unknown }[] = [];
    let stored = 0;
    await mapWithLimit(chunks, concurrency, async (chunk) => {
      try {
        const dup = await writeChunk(chunk.pk, chunk.sk, chunk.readings);
        duplicates += dup;
        stored += chunk.readings.length - dup;
      } catch (error) {
        logger.error({ err: error, pk: chunk.pk, sk: chunk.sk }, 'telemetry write failed');
        for (const { reading } of chunk.readings) failed.push({ reading, error });
      }
    });
    return { stored, duplicates, failed };
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
      let exclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await withBackoff(() =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
              ExpressionAttributeValues: {
                ':pk': partitionKey(deviceId, day),
                ':a': windowSortKey(start),
                ':b': `${windowSortKey(to)}#\uffff`,
              },
              ExclusiveStartKey: exclusiveStartKey,
            }),
          ),
        );
        for (const item of page.Items ?? []) {
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
        exclusiveStartKey = page.LastEvaluatedKey;
      } while (exclusiveStartKey);
      yield* pending.sort(byTime);
    }
  }

  return { write, query };
}
