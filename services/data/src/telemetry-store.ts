/**
 * The time series in the telemetry table: window items holding several readings each (see
 * `time-bucket.ts` for the layout and the cost reasoning), a window being a chain of items of about
 * 1 KB (`window-chain.ts`).
 *
 * Writes are `UpdateItem SET #r = :v, ...`: setting an attribute to the value it already holds is a
 * no-op, so a redelivered reading is stored once, and late or out-of-order readings merge into their
 * window. `ReturnValues: ALL_OLD` returns the item as it was
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnValues),
 * which tells a duplicate from a new reading, and gives the minute's rollup its content, for free.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, mapWithLimit, telemetryLayout, type Reading, type RetentionPolicy } from '@fleet/core';
import type { Logger } from 'pino';
import { reportWriteUnits, type WriteUnitsListener } from './consumed-capacity.ts';
import { decodeValues, encodeValues } from './reading-codec.ts';
import { createHistoricalWriter } from './historical-writes.ts';
import { isPastRawRetention, ReadingPastRetention } from './retention/raw-retention.ts';
import { queryItems } from './query-items.ts';
import { isConditionFailed, withBackoff } from './retry.ts';
import { aggregateReadings, type BucketAggregate, type TimedValues } from './rollups/aggregate.ts';
import { approximateSize, decodeStored, groupByWindow, storedReadingsOf, type WindowWrite } from './window-items.ts';
import { ChainCache, chainOfItems, chainSortKey, emptyChain, sealedAttribute } from './window-chain.ts';
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
   * A window item this large (approximate bytes) may have overflow items (an earlier version wrote
   * them), which ALL_OLD does not show: its window is then read back. @default 256,000 (400 KB less the largest message)
   */
  readonly fullWindowBytes?: number;
  /**
   * The size (approximate bytes) a window's chain item is sealed at (window-chain.ts): DynamoDB
   * bills a write by the started KB of the larger of the item before and after it. @default `telemetryLayout.itemTargetBytes`
   */
  readonly itemTargetBytes?: number;
  /** Readings of sealed chain items this store remembers, over all windows (window-chain.ts `ChainCache`). @default 100,000 */
  readonly chainCacheReadings?: number;
  /** The clock live readings are judged by against their raw retention. */
  readonly now?: () => number;
}

/**
 * Readings per UpdateItem. An update expression is limited to 4 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters);
 * `#aNN = :vNN, ` is ≤ 14 characters, so 100 readings stay well under it.
 */
const maxReadingsPerUpdate = 100;

/**
 * Bytes of readings per UpdateItem: with an item sealed near `itemTargetBytes`, no item grows past
 * about this much more (or one reading, at most `telemetryLimits.maxPayloadBytes`), far from 400 KB.
 */
const maxChunkBytes = 64 * 1024;

/** DynamoDB's ValidationException for an item past 400 KB (dynalite copies the message). */
const isItemTooLarge = (err: unknown) => err instanceof Error && err.name === 'ValidationException' && /item size/i.test(err.message);

/** A reading of one window with its attribute and its stored value, whose lengths are what it adds to an item. */
interface Entry {
  readonly reading: Reading;
  readonly attribute: string;
  readonly encoded: string;
}

/**
 * What writing one window found: the readings that were stored already, and the window's content
 * after the last write, as the sealed items the writer knows (a map only ever added to) and the
 * items after them as that write left them (attribute → stored values, decoded only for a rollup).
 */
interface WindowOutcome {
  readonly start: number;
  readonly duplicates: ReadonlySet<string>;
  readonly sealed: ReadonlyMap<string, TimedValues>;
  readonly open: ReadonlyMap<string, string>;
}

/** The first readings of `entries` (at most `limit`) that one UpdateItem takes, and their size in an item. */
function takeChunk(entries: readonly Entry[], limit: number): { chunk: readonly Entry[]; bytes: number } {
  let bytes = 0;
  let count = 0;
  while (count < entries.length && count < limit) {
    const { attribute, encoded } = entries[count]!;
    if (count > 0 && bytes + attribute.length + encoded.length > maxChunkBytes) break;
    bytes += attribute.length + encoded.length;
    count++;
  }
  return { chunk: entries.slice(0, count), bytes };
}

/**
 * A minute view whose aggregate is computed once, when a fold first asks: a fold keeps one view per
 * minute of the many its flushes made. A sealed item may be shared by the writes of one window
 * running side by side, so a reading can be in both maps: it counts once.
 */
function lazyMinuteView(deviceId: string, { start, sealed, open }: WindowOutcome): MinuteView {
  let n = sealed.size;
  for (const attribute of open.keys()) if (!sealed.has(attribute)) n++;
  let aggregate: BucketAggregate | undefined;
  return {
    deviceId,
    start,
    n,
    get aggregate() {
      if (!aggregate) {
        const readings = [...sealed.values()];
        for (const [attribute, encoded] of open) if (!sealed.has(attribute)) readings.push(decodeStored(start, attribute, encoded));
        aggregate = aggregateReadings(readings);
      }
      return aggregate;
    },
  };
}

/** Creates the telemetry store over a DynamoDB document client. */
export function createTelemetryStore(options: TelemetryStoreOptions): TelemetryStore {
  const { client, tableName, logger } = options;
  const concurrency = options.writeConcurrency ?? 8;
  const policyOf = options.policyOf ?? (() => Promise.resolve(defaultRetention));
  const fullWindowBytes = options.fullWindowBytes ?? 256_000;
  const itemTargetBytes = options.itemTargetBytes ?? telemetryLayout.itemTargetBytes;
  const chains = new ChainCache(options.chainCacheReadings ?? 100_000);
  const now = options.now ?? Date.now;

  /**
   * One UpdateItem of readings into a chain item that is not sealed, sealing it with them when
   * `seal`; returns the item as it was before (ALL_OLD). Throws ConditionalCheckFailed when the item is sealed.
   */
  async function updateItem(
    pk: string,
    sk: string,
    entries: readonly Entry[],
    ttl: number,
    seal: boolean,
  ): Promise<Record<string, unknown>> {
    const names: Record<string, string> = { '#e': 'expiresAt', '#s': sealedAttribute };
    const values: Record<string, unknown> = { ':e': ttl };
    const sets = ['#e = :e'];
    if (seal) {
      values[':s'] = true;
      sets.push('#s = :s');
    }
    entries.forEach(({ attribute, encoded }, i) => {
      names[`#a${i}`] = attribute;
      values[`:v${i}`] = encoded;
      sets.push(`#a${i} = :v${i}`);
    });
    const out = await withBackoff(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk, sk },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#s)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // The whole previous item: which readings were there (duplicates) and, with this write's,
          // the item's content for its minute's rollup, without a read. Small: an item is about 1 KB.
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    reportWriteUnits(out, options.onWriteUnits);
    return out.Attributes ?? {};
  }

  /**
   * Seals an item that no longer takes a reading (an item of an earlier version, near 400 KB).
   * Answers false when it cannot even take the seal: then it takes no reading ever (the smallest,
   * `r0_0` holding `{"a":0}`, is larger than `sealed` holding true), and the chain goes past it all the same.
   */
  async function sealItem(pk: string, sk: string, ttl: number): Promise<boolean> {
    try {
      const out = await withBackoff(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk, sk },
            // An item sealed before any reading fitted it is created here: it expires with the window too.
            UpdateExpression: 'SET #s = :s, #e = if_not_exists(#e, :e)',
            ExpressionAttributeNames: { '#s': sealedAttribute, '#e': 'expiresAt' },
            ExpressionAttributeValues: { ':s': true, ':e': ttl },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      reportWriteUnits(out, options.onWriteUnits);
      return true;
    } catch (err) {
      if (isItemTooLarge(err)) return false;
      throw err;
    }
  }

  /** Every item of a window (its chain and any overflow items), strongly consistent. */
  async function readWindow(pk: string, windowSk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for await (const item of queryItems(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':pk': pk, ':a': windowSk, ':b': `${windowSk}#\uffff` },
      ConsistentRead: true,
    })) {
      items.push(item);
    }
    return items;
  }

  /**
   * Whether the chain this writer remembers is still in the table, judged after a write to item
   * `index` found `old` there: an item remembered with readings found empty, or a new item whose
   * predecessor is not there sealed, means the window's items were deleted meanwhile (a table
   * rebuilt from the archive, items deleted by hand or by their TTL), and what the writer
   * remembers of them is false. The predecessor is read only when the write started a new item
   * (one read per item of ≈ 1 KB, 1 unit).
   */
  async function rememberedChainHolds(
    w: WindowWrite,
    index: number,
    old: Record<string, unknown>,
    size: number | undefined,
  ): Promise<boolean> {
    if (Object.keys(old).length > 0) return true;
    if ((size ?? 0) > 0) return false;
    if (index === 0) return true;
    const out = await withBackoff(() =>
      client.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: w.pk, sk: chainSortKey(w.sk, index - 1) },
          ProjectionExpression: '#s',
          ExpressionAttributeNames: { '#s': sealedAttribute },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item?.[sealedAttribute] !== undefined;
  }

  /**
   * Writes the readings of one window to its chain (window-chain.ts), a chunk at a time, in order:
   * each chunk goes to the first item not known to be sealed, and seals it when the item would
   * otherwise pass `itemTargetBytes` at the next chunk of this size.
   */
  async function writeWindow(w: WindowWrite, ttl: number): Promise<WindowOutcome> {
    const key = `${w.pk}\u0000${w.sk}`;
    const start = windowStartOf(w.sk);
    let state = chains.get(key) ?? emptyChain();
    /** The readings of the items after the sealed prefix, as this call last wrote or read them. */
    let open = new Map<string, string>();
    /** Whether `state` comes from a read made by this call: what it says of the table is then true, not remembered. */
    let learned = false;
    const learn = async () => {
      ({ state, open } = chainOfItems(w.sk, start, await readWindow(w.pk, w.sk)));
      learned = true;
    };
    const duplicates = new Set<string>();
    let pending: Entry[] = w.readings.map(({ reading, attribute }) => ({ reading, attribute, encoded: encodeValues(reading.values) }));
    let chunkLimit = maxReadingsPerUpdate;
    /** The reading that alone did not fit the last item it was tried on: if it does not fit an item after it either, it never will. */
    let unfit: string | undefined;
    while (pending.length > 0) {
      // A reading the remembered sealed items hold is a redelivery, unless the items are gone (a table
      // rebuilt from the archive, items deleted by hand or by their TTL): dropped only once a read confirms it.
      if (!learned && pending.some(({ attribute }) => state.sealed.has(attribute))) await learn();
      pending = pending.filter(({ attribute }) => !(state.sealed.has(attribute) && duplicates.add(attribute)));
      if (pending.length === 0) break;
      const { chunk, bytes } = takeChunk(pending, chunkLimit);
      const index = state.next;
      const seal = state.size !== undefined && state.size + 2 * bytes >= itemTargetBytes;
      let old: Record<string, unknown>;
      try {
        old = await updateItem(w.pk, chainSortKey(w.sk, index), chunk, ttl, seal);
      } catch (err) {
        if (isItemTooLarge(err)) {
          if (chunk.length > 1) {
            // Fewer readings may fit: an item only ever takes whole chunks, so which do is no matter.
            chunkLimit = Math.ceil(chunk.length / 2);
            continue;
          }
          if (unfit === chunk[0]!.attribute) throw err;
          unfit = chunk[0]!.attribute;
          // Not even one more reading fits: sealed, the item sends this reading (and its redeliveries) to the next one.
          logger.warn({ pk: w.pk, sk: chainSortKey(w.sk, index) }, 'window item full: sealing it');
          if (!(await sealItem(w.pk, chainSortKey(w.sk, index), ttl))) {
            await learn();
            // Full for good without its seal: item `index` is the last one (nothing follows an item not sealed), `open` is its content.
            if (state.next === index) {
              for (const [attribute, encoded] of open) state.sealed.set(attribute, decodeStored(start, attribute, encoded));
              state.next = index + 1;
              state.size = 0;
              open = new Map();
            }
            continue;
          }
        } else if (!isConditionFailed(err)) throw err;
        // Sealed by another writer (or just now): the window is read again, and the chunk goes on.
        await learn();
        continue;
      }
      pending = pending.slice(chunk.length);
      if (!learned && !(await rememberedChainHolds(w, index, old, state.size))) {
        // The remembered chain is gone: the window is read again (with the chunk just written), and the writes go on from there.
        await learn();
        continue;
      }
      const content = storedReadingsOf(old, new Map());
      for (const { attribute, encoded } of chunk) {
        if (content.has(attribute)) duplicates.add(attribute);
        else content.set(attribute, encoded);
      }
      const size = approximateSize(old) + bytes;
      if (!state.overflowKnown && size >= fullWindowBytes) {
        // An item of an earlier version, which may have overflow items that only a read shows.
        await learn();
      } else if (seal) {
        if (state.next === index) {
          const written = new Map(chunk.map(({ reading, attribute }) => [attribute, reading]));
          for (const [attribute, encoded] of content)
            state.sealed.set(attribute, written.get(attribute) ?? decodeStored(start, attribute, encoded));
          state.next = index + 1;
          state.size = 0;
        }
        open = new Map();
      } else {
        state.size = size;
        open = content;
      }
    }
    chains.set(key, state);
    return { start, duplicates, sealed: state.sealed, open };
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
    const failed = new Map<WindowWrite, unknown>();
    await mapWithLimit([...windows.values()], concurrency, async (w) => {
      try {
        const policy = await policyOf(w.deviceId);
        outcomes.set(w, await writeWindow(w, expiresAt(windowStartOf(w.sk), policy.rawDays)));
      } catch (error) {
        logger.error({ err: error, pk: w.pk, sk: w.sk }, 'telemetry write failed');
        failed.set(w, error);
      }
    });
    // Rolled up even when every reading was a duplicate: the crash may have come before the rollups.
    const written = [...windows.values()].filter((w) => !failed.has(w));
    let folded: TelemetryWriteResult['folded'];
    if (options.rollups) {
      const keyOf = (w: WindowWrite) => minuteKey(w.deviceId, windowStartOf(w.sk));
      const minutes = written.map((w) => lazyMinuteView(w.deviceId, outcomes.get(w)!));
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
      // A window's items (its chain, any overflow items) share the first 24 characters of their sort
      // key; the readings of one window are sorted together before any is yielded.
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
