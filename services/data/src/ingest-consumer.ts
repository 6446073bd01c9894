/**
 * The ingest queue consumer: several long-polling receivers feed one bounded buffer, flushed to the
 * processor by group commit: while fewer than `maxFlushesInFlight` flushes run, the buffer is
 * flushed once its oldest message has waited `flushIntervalMs` (to gather the receives arriving
 * together) or it holds `maxMessagesPerFlush`; while they all run, messages wait, and the first
 * flush to finish takes what gathered. A flush also starts no sooner after the previous one than
 * the last flush took to store, or `maxFlushSpacingMs` after it while the queue is busy (a
 * receive answered a full batch), or at least `behindFlushSpacingMs` after it while the consumer is
 * behind (a receive brought a message that had waited that long in the queue). So a lone reading is
 * stored within a few tens of ms, readings at a moderate rate wait about one flush's time, and under
 * load the flushes grow by themselves: one UpdateItem carries more readings of a window, one
 * latest-values write covers more of a device's readings, one S3 PUT archives more messages.
 *
 * `maxFlushSpacingMs` is the deployment's choice between fresh data and write units
 * (`INGEST_FLUSH_SPACING_MS`, bench/README.md "Flush spacing: fresh data or write units"): a device
 * publishing 24 times a second shares a window write among about 6 readings at 250 ms (0.23 write
 * units per reading in all; at 708 readings/s a median publish→stored p99 of 339 ms per 10 s) and
 * among about 2.4 at 100 ms (0.48 units, 269 ms). Behind, readings wait in the queue whatever the
 * spacing, so sharing the writes costs them nothing more.
 *
 * Memory is bounded: a receiver does not poll while `maxBufferedMessages` are buffered or being
 * processed. Deletion follows the processor's verdict; a message left undeleted comes back after
 * its visibility timeout, later at each failed attempt, and SQS's redrive policy moves it to the
 * DLQ after 5 receives. A flush whose processing throws is not retried as a whole: its messages
 * are processed one by one, so only the message that throws alone is left for redelivery.
 *
 * Held messages: a flush may answer some messages as `held` (stored, but deletable only once the
 * deferred rollups covering them are written, rollups/fold-scheduler.ts). They leave the
 * flush slot and the buffer at once (their readings are stored) and wait, bounded by
 * `maxHeldMessages`, for their verdict; one held past half the visibility timeout has it extended,
 * so a slow fold never makes SQS deliver a message again while it is still being written.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ingestQueue, mapWithLimit, serviceByName, sqsStandardQueueInFlightQuota } from '@fleet/core';
import type { IngestQueue, QueueMessage, VisibilityChange } from './ingest-queue.ts';
import type { IngestProcessor, ProcessVerdict } from './ingest-processor.ts';

export interface IngestConsumerOptions {
  readonly queue: IngestQueue;
  readonly processor: IngestProcessor;
  readonly logger: Logger;
  /** Receives in flight. @default 4 */
  readonly receivers?: number;
  /** Long poll wait, seconds (SQS maximum 20). @default 20 */
  readonly waitTimeSeconds?: number;
  /**
   * Under load the flushes fill up to this: with 100 devices, 1,000 messages give each device's
   * window item ~10 readings per UpdateItem instead of ~2.5 at 250 (bench: 770 → 1,119 readings/s,
   * 0.74 → 0.44 write units per reading). @default 1000
   */
  readonly maxMessagesPerFlush?: number;
  /** How long a message waits for others to join its flush while a flush slot is free. @default 20 */
  readonly flushIntervalMs?: number;
  /**
   * While the queue is busy (a receive answered a full batch since the last flush started), a
   * flush starts this long after the previous one started (unless the buffer holds a full flush): a
   * device's readings that arrive meanwhile share one window write and one latest write instead of
   * one each per flush, each billed at least a write unit. Otherwise the spacing is what the last
   * completed flush took, at most this: a reading at a moderate rate waits about one flush's time
   * instead (bench/README.md: at 100 readings/s, a fixed 250 ms made publish→stored p50 / p99 about
   * 185 / 330 ms). A reading after a quiet time still waits only `flushIntervalMs`. 0 starts a
   * flush whenever a slot is free. @default `behindFlushSpacingMs` (250)
   */
  readonly maxFlushSpacingMs?: number;
  /**
   * A receive that brings a message which waited in the queue longer than this (SQS's
   * SentTimestamp, on the Data Service's clock) means the consumer is behind: until a flush starts
   * without such a receive, flushes are at least this far apart, whatever `maxFlushSpacingMs`.
   * @default 250
   */
  readonly behindFlushSpacingMs?: number;
  /** Flushes processed at once; more messages wait and go together into the next. @default 2 */
  readonly maxFlushesInFlight?: number;
  /** Messages buffered or being processed before receivers pause: two full flushes and the next gathering. @default 2500 */
  readonly maxBufferedMessages?: number;
  /**
   * Visibility timeout given to a message whose processing failed, by receive count (1-based):
   * retries back off instead of hammering a failing dependency. @default 15 s × 2^(n−1), at most 300 s
   */
  readonly retryDelaySeconds?: (receiveCount: number) => number;
  /**
   * Messages received and not settled (buffered, processing or held for their deferred folds)
   * beyond which receivers pause: bounds the memory a backlog takes. A fold round over a fleet
   * takes as long under a backlog whatever the readings it covers, so this bound is what one round
   * may gather (bench/README.md: 1,000 devices, medians 605 → 783 readings/s, 20,000 → 27,500).
   * @default `defaultMaxHeldMessages`: SQS's in-flight quota shared by as many tasks as ECS may run
   */
  readonly maxHeldMessages?: number;
  /** The queue's visibility timeout: a message held past half of it is given another. @default the ingest queue's (60 s) */
  readonly visibilityTimeoutSeconds?: number;
  /** Asked at `stop()` to write what held messages wait for now, instead of after its interval. */
  readonly flushHeld?: () => Promise<void>;
}

export interface IngestConsumer {
  start(): void;
  /** Stops receiving, processes what was received, waits for in-flight flushes. */
  stop(): Promise<void>;
}

/** SQS: at most 10 messages per ReceiveMessage. */
const maxReceiveBatch = 10;

/** The default buffer: two full flushes and the next gathering. */
const defaultMaxBuffered = 2500;

/**
 * Each task's share of SQS's in-flight quota when ECS runs as many Data Service tasks as it may
 * (core's `queueScaling`), less what it buffers besides: 120,000 ÷ 4 − 2,500 = 27,500. So the tasks
 * together never meet the queue's OverLimit, however far they scale out.
 */
export const defaultMaxHeldMessages =
  Math.floor(sqsStandardQueueInFlightQuota / (serviceByName('data').queueScaling?.maxTasks ?? 1)) - defaultMaxBuffered;

const defaultRetryDelay = (receiveCount: number) => Math.min(300, 15 * 2 ** Math.max(0, receiveCount - 1));

/** Creates the consumer; nothing happens until `start()`. */
export function createIngestConsumer(options: IngestConsumerOptions): IngestConsumer {
  const { queue, processor, logger } = options;
  const receivers = options.receivers ?? 4;
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const maxPerFlush = options.maxMessagesPerFlush ?? 1000;
  const flushIntervalMs = options.flushIntervalMs ?? 20;
  const behindSpacingMs = options.behindFlushSpacingMs ?? 250;
  const maxSpacingMs = options.maxFlushSpacingMs ?? behindSpacingMs;
  const maxFlushesInFlight = Math.max(1, options.maxFlushesInFlight ?? 2);
  const maxBuffered = Math.max(options.maxBufferedMessages ?? defaultMaxBuffered, maxReceiveBatch);
  const retryDelay = options.retryDelaySeconds ?? defaultRetryDelay;
  const maxHeld = options.maxHeldMessages ?? defaultMaxHeldMessages;
  const visibilitySeconds = options.visibilityTimeoutSeconds ?? ingestQueue.visibilityTimeoutSeconds;
  // Checked four times per half timeout: a held message is extended at most 5/8 of the way through.
  const holdCheckMs = Math.min(5000, (visibilitySeconds * 1000) / 8);

  let running = false;
  let abort = new AbortController();
  const pending: QueueMessage[] = [];
  /** When the oldest message of `pending` arrived. */
  let oldestPendingAt = 0;
  /** When the last flush started. */
  let lastFlushAt = 0;
  /** How long the last completed flush took, start to settled: how slow the stores answer now. */
  let lastFlushTookMs = 0;
  /** When a receive last answered a full batch: the queue holds at least what the receivers take. */
  let busySeenAt = -1;
  /** When a receive last brought a message that waited in the queue past `behindSpacingMs`. */
  let behindSeenAt = -1;
  let processing = 0;
  /** Room kept for the answers of receives in flight. */
  let reserved = 0;
  let flushTimer: NodeJS.Timeout | undefined;
  let loops: Promise<void>[] = [];
  const flushes = new Set<Promise<void>>();
  let spaceWaiters: (() => void)[] = [];
  /** When each message was received or last had its visibility extended (for the held ones). */
  const visibleSince = new WeakMap<QueueMessage, number>();
  const held = new Set<QueueMessage>();
  const holds = new Set<Promise<void>>();
  let holdTimer: NodeJS.Timeout | undefined;

  const releaseSpace = () => {
    const waiters = spaceWaiters;
    spaceWaiters = [];
    for (const w of waiters) w();
  };
  // A receive may only start when its whole answer fits, counting the answers still on their way.
  // Held messages count toward their own, larger bound: everything received and not yet settled.
  const full = () => {
    const buffered = pending.length + processing + reserved + maxReceiveBatch;
    return buffered > maxBuffered || buffered + held.size > maxHeld;
  };

  /** Deletes what may go and delays the retry of what may not. */
  async function apply({ deletable, retry }: ProcessVerdict): Promise<void> {
    if (deletable.length > 0) {
      const { failed } = await queue.delete(deletable.map((m) => m.receiptHandle));
      // A failed delete only means a redelivery, which the idempotent writes absorb.
      if (failed.length > 0) logger.warn({ failed: failed.length }, 'delete failed; messages will be redelivered');
    }
    if (retry.length === 0) return;
    const changes = retry.map((m) => ({ receiptHandle: m.receiptHandle, timeoutSeconds: retryDelay(m.receiveCount) }));
    const { failed } = await queue.changeVisibility(changes);
    if (failed.length > 0) logger.warn({ failed: failed.length }, 'could not delay retries; the visibility timeout applies');
    logger.warn({ retry: retry.length, deleted: deletable.length }, 'messages left for redelivery');
  }

  /** Keeps `messages` until `verdict` answers, then applies it; the flush slot is already free. */
  function hold(messages: readonly QueueMessage[], verdict: Promise<ProcessVerdict>): void {
    for (const m of messages) held.add(m);
    holdTimer ??= setInterval(extendHeld, holdCheckMs);
    const done: Promise<void> = verdict
      .then(apply)
      .catch((err: unknown) =>
        logger.error({ err, messages: messages.length }, 'settling held messages failed; undeleted ones will be redelivered'),
      )
      .finally(() => {
        for (const m of messages) held.delete(m);
        holds.delete(done);
        if (held.size === 0 && holdTimer) {
          clearInterval(holdTimer);
          holdTimer = undefined;
        }
        releaseSpace();
      });
    holds.add(done);
  }

  /**
   * A message held past half its visibility timeout gets a new one, before SQS could deliver it
   * again: the due ones together, ten per ChangeMessageVisibilityBatch (one call each was 1.3 calls
   * per reading in a 1,000-device backlog).
   */
  function extendHeld(): void {
    const at = Date.now();
    const due = at - (visibilitySeconds * 1000) / 2;
    const changes: VisibilityChange[] = [];
    for (const m of held) {
      if ((visibleSince.get(m) ?? 0) > due) continue;
      visibleSince.set(m, at);
      changes.push({ receiptHandle: m.receiptHandle, timeoutSeconds: visibilitySeconds });
    }
    if (changes.length === 0) return;
    queue.changeVisibility(changes).then(
      ({ failed }) => {
        if (failed.length > 0)
          logger.warn({ failed: failed.length }, 'could not extend held messages; they may be redelivered (the writes are idempotent)');
      },
      (err: unknown) => logger.warn({ err }, 'could not extend held messages; they may be redelivered (the writes are idempotent)'),
    );
  }

  async function settle(batch: QueueMessage[]): Promise<void> {
    let result;
    try {
      result = await processor.process(batch);
    } catch (err) {
      if (batch.length === 1) {
        logger.error({ err, messageId: batch[0]?.messageId }, 'message failed on its own; it will be redelivered');
        return;
      }
      logger.error({ err, messages: batch.length }, 'flush failed; processing its messages one by one');
      await mapWithLimit(batch, 4, (m) => settle([m]));
      return;
    }
    if (result.held) hold(result.held.messages, result.held.verdict);
    try {
      await apply(result);
    } catch (err) {
      logger.error({ err, messages: batch.length }, 'settling a flush failed; undeleted messages will be redelivered');
    }
  }

  /** Starts one flush of up to `maxPerFlush` pending messages. */
  function startFlush(): void {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    const batch = pending.splice(0, maxPerFlush);
    if (batch.length === 0) return;
    const startedAt = (oldestPendingAt = lastFlushAt = Date.now());
    processing += batch.length;
    const done: Promise<void> = settle(batch).finally(() => {
      lastFlushTookMs = Date.now() - startedAt;
      processing -= batch.length;
      flushes.delete(done);
      releaseSpace();
      maybeFlush();
    });
    flushes.add(done);
  }

  /** Flushes when a slot is free and the batch is full or its oldest message waited long enough. */
  function maybeFlush(): void {
    if (pending.length === 0 || flushes.size >= maxFlushesInFlight) return;
    const at = Date.now();
    // Behind the queue, readings wait anyway: gather the most. Busy, gather as the deployment chose.
    const spacing =
      behindSeenAt >= lastFlushAt
        ? Math.max(maxSpacingMs, behindSpacingMs)
        : busySeenAt >= lastFlushAt
          ? maxSpacingMs
          : Math.min(lastFlushTookMs, maxSpacingMs);
    const due = Math.max(oldestPendingAt + flushIntervalMs, lastFlushAt + spacing);
    if (pending.length >= maxPerFlush || at >= due) return startFlush();
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      maybeFlush();
    }, due - at);
  }

  function enqueue(messages: QueueMessage[]): void {
    const at = Date.now();
    if (pending.length === 0) oldestPendingAt = at;
    for (const m of messages) visibleSince.set(m, at);
    pending.push(...messages);
    maybeFlush();
  }

  async function receiveLoop(): Promise<void> {
    while (running) {
      if (full()) {
        await new Promise<void>((resolve) => spaceWaiters.push(resolve));
        continue;
      }
      reserved += maxReceiveBatch;
      try {
        const messages = await queue.receive({ maxMessages: maxReceiveBatch, waitTimeSeconds, signal: abort.signal });
        reserved -= maxReceiveBatch;
        const at = Date.now();
        if (messages.length === maxReceiveBatch) busySeenAt = at;
        if (messages.some((m) => m.sentAt !== undefined && at - m.sentAt > behindSpacingMs)) behindSeenAt = at;
        if (messages.length > 0) enqueue(messages);
        releaseSpace();
      } catch (err) {
        reserved -= maxReceiveBatch;
        releaseSpace();
        if (!running) return;
        logger.error({ err }, 'receive failed; retrying in 1 s');
        // Abortable, so that a shutdown does not wait for the pause.
        await sleep(1000, undefined, { signal: abort.signal }).catch(() => undefined);
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      abort = new AbortController();
      loops = Array.from({ length: receivers }, () => receiveLoop());
      logger.info({ receivers, waitTimeSeconds, maxPerFlush, maxBuffered, maxSpacingMs, behindSpacingMs }, 'ingest consumer started');
    },
    async stop() {
      if (!running) return;
      running = false;
      abort.abort();
      releaseSpace();
      await Promise.all(loops);
      // Everything received is processed before stopping, without waiting for a slot.
      while (pending.length > 0) startFlush();
      while (flushes.size > 0) await Promise.all([...flushes]);
      // Held messages are answered now rather than after the folds' interval.
      if (holds.size > 0) await options.flushHeld?.().catch((err: unknown) => logger.error({ err }, 'flushing held work failed'));
      while (holds.size > 0) await Promise.all([...holds]);
      logger.info('ingest consumer stopped');
    },
  };
}
