/**
 * Stores the readings of one flush where a reading must be before its message may be deleted: the
 * telemetry table (window items), the latest table, the archive object.
 *
 * One bad message must fail only itself. When a store refuses part of the batch as invalid (a
 * client error such as DynamoDB's ValidationException: one item of a shared UpdateItem fails the
 * whole call), the refused messages are written again one by one: those that succeed alone are
 * durable, and a message refused on its own is returned as `refused` with the store's reason (the
 * processor keeps it as a dead letter). Failures that are not the message's fault (throttling, a
 * store that is down, a missing permission) never dead-letter anything: those messages are left
 * for redelivery. A reading older than its device's raw retention is refused by the telemetry store
 * itself (retention/raw-retention.ts).
 */
import { dataServiceMetrics, mapWithLimit, type Reading, type TelemetryIngestMessage } from '@fleet/core';
import type { Logger } from 'pino';
import type { ArchiveEntry, ArchiveWriter } from './archive-writer.ts';
import type { Metrics } from './emf.ts';
import type { QueueMessage } from './ingest-queue.ts';
import type { LatestStore } from './latest-store.ts';
import { ReadingPastRetention } from './retention/raw-retention.ts';
import type { TelemetryStore } from './telemetry-store.ts';

/** A valid reading and the queue message it came in. */
export interface AcceptedReading {
  readonly queued: QueueMessage;
  readonly body: TelemetryIngestMessage;
  readonly reading: Reading;
}

export interface ReadingWriteResult {
  readonly durable: readonly AcceptedReading[];
  readonly retry: readonly AcceptedReading[];
  readonly refused: readonly { readonly accepted: AcceptedReading; readonly reason: string }[];
  /**
   * Of `durable`, those whose deferred rollups (telemetry-store.ts `folded`) or deferred latest
   * values (latest-coalescer.ts) failed, once every deferred write answered: their messages must be
   * left for redelivery, the others may go. Absent when nothing was deferred (`durable` may be
   * deleted at once).
   */
  readonly folded?: Promise<readonly AcceptedReading[]>;
}

export interface ReadingWriterDeps {
  readonly telemetry: TelemetryStore;
  readonly latest: LatestStore;
  readonly archive: ArchiveWriter;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/**
 * Errors by which a service refuses the request's content itself: DynamoDB's ValidationException
 * (e.g. "Number overflow", an item over 400 KB) and S3's equivalents. Matched by name because
 * status codes do not tell: DynamoDB answers 400 for a missing table, a throttle and a denied
 * permission alike, and those are the deployment's fault, not the message's (they are retried).
 */
const contentRefusals = new Set(['ValidationException', 'InvalidArgument', 'EntityTooLarge', 'KeyTooLongError']);

/** Whether the service refused the request as invalid input (an SDK client fault with one of those names). */
export function refusedAsInvalid(err: unknown): boolean {
  if (err instanceof ReadingPastRetention) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: string; $fault?: string };
  return e.$fault === 'client' && contentRefusals.has(e.name ?? '');
}

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
const readingKey = (r: Pick<Reading, 'deviceId' | 'ts' | 'seq'>) => `${r.deviceId}\u0000${r.ts}\u0000${r.seq}`;

export function createReadingWriter(deps: ReadingWriterDeps) {
  const { telemetry, latest, archive, metrics, logger } = deps;

  /** One attempt for the whole group; the error of each reading that is not durable. */
  async function writeOnce(
    accepted: readonly AcceptedReading[],
  ): Promise<{ failures: Map<AcceptedReading, unknown>; folded?: Promise<readonly AcceptedReading[]> }> {
    const failures = new Map<AcceptedReading, unknown>();
    const entries = new Map<string, ArchiveEntry>();
    for (const { body, reading } of accepted) {
      const { deviceId, ts, seq, values } = reading;
      entries.set(body.messageId, { messageId: body.messageId, deviceId, receivedAt: body.receivedAt, ts, seq, values });
    }
    let results;
    try {
      results = await Promise.all([
        telemetry.write(accepted.map((a) => a.reading)),
        latest.write(accepted.map(({ body, reading }) => ({ ...reading, receivedAt: body.receivedAt }))),
        archive.write([...entries.values()]),
      ]);
    } catch (err) {
      // The stores report failures as values; a throw is unexpected and fails the whole group.
      logger.error({ err, messages: accepted.length }, 'storing readings failed');
      for (const a of accepted) failures.set(a, err);
      return { failures };
    }
    const [stored, newest, archived] = results;
    metrics.count(dataServiceMetrics.readingsStored, stored.stored);
    metrics.count('DuplicateReadings', stored.duplicates);
    const byReading = new Map(stored.failed.map((f) => [readingKey(f.reading), f.error]));
    const byDevice = new Map(newest.failed.map((f) => [f.deviceId, f.error]));
    for (const f of newest.failed) logger.error({ err: f.error, deviceId: f.deviceId }, 'latest values write failed');
    if (archived.failedMessageIds.size > 0)
      logger.error({ err: archived.errors[0], messages: archived.failedMessageIds.size }, 'archive write failed');
    for (const a of accepted) {
      const error = byReading.get(readingKey(a.reading)) ?? byDevice.get(a.reading.deviceId);
      if (error !== undefined) failures.set(a, error);
      else if (archived.failedMessageIds.has(a.body.messageId)) failures.set(a, archived.errors[0]);
    }
    // Deferred rollups and latest values (written within seconds): the messages wait for both.
    const unfolded = stored.folded?.then((failedFolds) => {
      const keys = new Set(failedFolds.map((f) => readingKey(f.reading)));
      return accepted.filter((a) => keys.has(readingKey(a.reading)));
    });
    const unwritten = newest.deferred?.then((failedDevices) => {
      const devices = new Set(failedDevices.map((f) => f.deviceId));
      return accepted.filter((a) => devices.has(a.reading.deviceId));
    });
    const folded =
      unfolded || unwritten
        ? Promise.all([unfolded, unwritten]).then(([a = [], b = []]) => [...new Set([...a, ...b])].filter((r) => !failures.has(r)))
        : undefined;
    return { failures, ...(folded ? { folded } : {}) };
  }

  async function write(accepted: readonly AcceptedReading[]): Promise<ReadingWriteResult> {
    const durable: AcceptedReading[] = [];
    const retry: AcceptedReading[] = [];
    const refused: { accepted: AcceptedReading; reason: string }[] = [];
    if (accepted.length === 0) return { durable, retry, refused };
    const { failures, folded } = await writeOnce(accepted);
    const foldings = folded ? [folded] : [];
    const suspects: AcceptedReading[] = [];
    for (const a of accepted) {
      const error = failures.get(a);
      if (!failures.has(a)) durable.push(a);
      else if (!refusedAsInvalid(error)) retry.push(a);
      else if (accepted.length === 1) refused.push({ accepted: a, reason: `the store refused this reading: ${describe(error)}` });
      else suspects.push(a);
    }
    if (suspects.length > 0) {
      logger.warn({ messages: suspects.length }, 'a store refused part of the flush as invalid; writing those messages one by one');
      const alone = await mapWithLimit(suspects, 4, (a) => write([a]));
      for (const r of alone) {
        durable.push(...r.durable);
        retry.push(...r.retry);
        refused.push(...r.refused);
        if (r.folded) foldings.push(r.folded);
      }
    }
    if (foldings.length === 0) return { durable, retry, refused };
    return { durable, retry, refused, folded: Promise.all(foldings).then((all) => all.flat()) };
  }

  return { write };
}
