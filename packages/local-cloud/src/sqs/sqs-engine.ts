/**
 * The queue semantics of the SQS stand-in (standard queues, at-least-once), independent of the
 * wire protocol: send, receive with visibility timeout and long polling, delete, change
 * visibility, purge, redrive to a dead-letter queue after `maxReceiveCount` receives.
 *
 * Durability contract: a send or delete is fsync'ed before its promise resolves. In-flight state
 * is not: after a restart every undeleted message is visible again (receive counts survive on a
 * best-effort basis).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AwsError } from '../aws-endpoint/index.ts';
import { queueConfig, reportedAttributes, queueArn, type QueueConfig } from './sqs-attributes.ts';
import { invalidParameter, queueDoesNotExist, sqsError } from './sqs-errors.ts';
import { md5Hex, md5OfMessageAttributes, type MessageAttributeValue } from './sqs-md5.ts';
import { createQueueIndex, type MessageRef, type QueueIndex } from './sqs-queue-index.ts';
import type { SqsStore, StoredMessage, StoredQueue } from './sqs-store.ts';

interface LiveQueue {
  stored: StoredQueue;
  config: QueueConfig;
  index: QueueIndex;
  nextSeq: number;
  /** Long-polling receivers waiting for a visible message. */
  readonly waiters: Set<() => void>;
}

export interface SendEntry {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>>;
  readonly delaySeconds?: number;
}

export interface SentMessage {
  readonly messageId: string;
  readonly md5Body: string;
  readonly md5Attributes?: string;
}

export interface ReceivedMessage {
  readonly ref: MessageRef;
  readonly message: StoredMessage;
  readonly receiptHandle: string;
}

export interface ReceiveOptions {
  readonly max: number;
  readonly waitSeconds?: number;
  readonly visibilityTimeoutSeconds?: number;
}

export interface SqsEngine {
  createQueue(name: string, attributes: Readonly<Record<string, string>>): Promise<void>;
  queueNames(): string[];
  hasQueue(name: string): boolean;
  deleteQueue(name: string): Promise<void>;
  purgeQueue(name: string): Promise<void>;
  setAttributes(name: string, attributes: Readonly<Record<string, string>>): Promise<void>;
  attributes(name: string): Record<string, string>;
  /** One result per entry, in order: the sent message, or why that entry was refused. Durable once resolved. */
  send(name: string, entries: readonly SendEntry[]): Promise<(SentMessage | AwsError)[]>;
  receive(name: string, options: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Deletes the message a receipt handle names; an already deleted message is not an error (as on AWS). */
  deleteMessages(name: string, receiptHandles: readonly string[]): Promise<void>;
  /** Throws ReceiptHandleIsInvalid or MessageNotInflight. */
  changeVisibility(name: string, receiptHandle: string, timeoutSeconds: number): void;
  /** Throws ReceiptHandleIsInvalid; for validating batch entries before the durable delete. */
  checkReceiptHandle(name: string, receiptHandle: string): void;
  /** Queues whose RedrivePolicy names `name` as their dead-letter queue. */
  redriveSources(name: string): string[];
  /** Messages of `name` visible now. */
  visibleCount(name: string): number;
  /**
   * Moves up to `max` visible messages of `source` to `destination`, or each to the queue it was
   * dead-lettered from. Each message moves in one durable write (it is in exactly one queue at any
   * time); `failure` is the reason the move stopped (AWS's FailureReason of a message move task).
   */
  moveVisible(source: string, max: number, destination?: string): Promise<{ moved: number; failure?: string }>;
  close(): Promise<void>;
}

export interface SqsEngineOptions {
  readonly store: SqsStore;
  readonly log?: Logger;
  /** How often in-flight messages are checked for an ended visibility timeout. */
  readonly tickMs?: number;
}

export async function createSqsEngine(options: SqsEngineOptions): Promise<SqsEngine> {
  const { store, log } = options;
  const queues = new Map<string, LiveQueue>();
  let closed = false;

  const loaded = await store.load();
  for (const stored of loaded.queues) queues.set(stored.name, liveQueue(stored, 0));
  for (const { queue: name, seq, message, receive } of loaded.messages) {
    const queue = queues.get(name)!;
    queue.nextSeq = Math.max(queue.nextSeq, seq + 1);
    // In-flight state is not durable: at restart every message is visible (or still delayed).
    addRef(queue, seq, message, receive?.count ?? 0, receive?.first);
  }
  log?.info({ queues: queues.size, messages: loaded.messages.length }, 'sqs state loaded');

  const timer = setInterval(tick, options.tickMs ?? 100);
  timer.unref();
  let lastRetentionSweep = Date.now();
  // Messages loaded with a receive count at or over maxReceiveCount go to their DLQ now.
  tick();

  function liveQueue(stored: StoredQueue, nextSeq: number): LiveQueue {
    return { stored, config: queueConfig(stored.attributes), index: createQueueIndex(), nextSeq, waiters: new Set() };
  }

  function addRef(queue: LiveQueue, seq: number, message: StoredMessage, receiveCount: number, first: number | undefined): void {
    const ref: MessageRef = {
      seq,
      id: message.id,
      sentTimestamp: message.sentTimestamp,
      receiveCount,
      firstReceiveTimestamp: first,
      state: 'visible',
      generation: 0,
      visibleAt: message.delayedUntil ?? 0,
    };
    queue.index.add(ref);
    if (receiveCount > 0 && queue.config.redrive && receiveCount >= queue.config.redrive.maxReceiveCount) {
      // Route it through the redrive check at the next tick.
      queue.index.hide(ref, 0);
    }
  }

  function getQueue(name: string): LiveQueue {
    const queue = queues.get(name);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  function wake(queue: LiveQueue): void {
    for (const waiter of queue.waiters) waiter();
    queue.waiters.clear();
  }

  /** Makes due messages visible again, or moves them to the DLQ when they were received too often. */
  function release(queue: LiveQueue, now: number): void {
    const due = queue.index.due(now);
    if (due.length === 0) return;
    const redrive = queue.config.redrive;
    for (const ref of due) {
      if (redrive && ref.receiveCount >= redrive.maxReceiveCount && queues.has(redrive.deadLetterQueue)) {
        void moveToDeadLetter(queue, ref, redrive.deadLetterQueue);
      } else {
        queue.index.makeVisible(ref);
      }
    }
    wake(queue);
  }

  async function moveToDeadLetter(queue: LiveQueue, ref: MessageRef, dlqName: string): Promise<void> {
    // Keep it out of sight while it moves; a failed move makes it visible again.
    queue.index.hide(ref, Number.MAX_SAFE_INTEGER);
    const dlq = queues.get(dlqName);
    try {
      const [message] = await store.getMessages(queue.stored, [ref.seq]);
      if (ref.state === 'gone') return; // deleted or purged meanwhile
      if (!message) {
        queue.index.remove(ref);
        return;
      }
      if (!dlq) {
        queue.index.makeVisible(ref);
        wake(queue);
        return;
      }
      const seq = dlq.nextSeq++;
      // The message keeps its id and SentTimestamp (AWS: the enqueue time stays the original one).
      const moved: StoredMessage = { ...message, delayedUntil: undefined, deadLetterSource: queue.stored.name };
      await store.moveMessage(queue.stored, ref.seq, dlq.stored, seq, moved);
      queue.index.remove(ref);
      addRef(dlq, seq, moved, 0, undefined);
      wake(dlq);
      log?.info(
        { queue: queue.stored.name, deadLetterQueue: dlqName, messageId: ref.id, receiveCount: ref.receiveCount },
        'message moved to dead-letter queue',
      );
    } catch (err) {
      log?.error({ err, queue: queue.stored.name, messageId: ref.id }, 'redrive failed; message stays in its queue');
      if (ref.state !== 'gone') queue.index.makeVisible(ref);
    }
  }

  function tick(): void {
    const now = Date.now();
    for (const queue of queues.values()) release(queue, now);
    if (now - lastRetentionSweep >= 60_000) {
      lastRetentionSweep = now;
      for (const queue of queues.values()) void dropExpired(queue, now);
    }
  }

  /** MessageRetentionPeriod: older messages are deleted whatever their state (AWS does the same). */
  async function dropExpired(queue: LiveQueue, now: number): Promise<void> {
    const limit = now - queue.config.retentionSeconds * 1000;
    const expired = [...queue.index.all()].filter((ref) => ref.sentTimestamp < limit);
    if (expired.length === 0) return;
    for (const ref of expired) queue.index.remove(ref);
    await store.deleteMessages(
      queue.stored,
      expired.map((ref) => ref.seq),
    );
    log?.info({ queue: queue.stored.name, count: expired.length }, 'expired messages deleted (MessageRetentionPeriod)');
  }

  /** Messages past MessageRetentionPeriod are never delivered, even before the sweep deletes them. */
  function dropIfExpired(queue: LiveQueue, refs: MessageRef[], now: number): MessageRef[] {
    const limit = now - queue.config.retentionSeconds * 1000;
    const expired = refs.filter((ref) => ref.sentTimestamp < limit);
    if (expired.length === 0) return refs;
    for (const ref of expired) queue.index.remove(ref);
    void store
      .deleteMessages(
        queue.stored,
        expired.map((ref) => ref.seq),
      )
      .catch((err: unknown) => log?.warn({ err }, 'deleting expired messages failed'));
    return refs.filter((ref) => ref.sentTimestamp >= limit);
  }

  // Receipt handle: base64url of queue, incarnation, seq and the receive's generation.
  function receiptHandle(queue: LiveQueue, ref: MessageRef): string {
    return Buffer.from(`${queue.stored.name}\n${queue.stored.incarnation}\n${ref.seq}\n${ref.generation}`).toString('base64url');
  }

  function parseReceiptHandle(queue: LiveQueue, handle: string): { incarnation: string; seq: number; generation: number } {
    const parts = Buffer.from(handle, 'base64url').toString('utf8').split('\n');
    const [name, incarnation, seqText, generationText] = parts;
    if (parts.length !== 4 || name !== queue.stored.name || !/^\d+$/.test(seqText ?? '') || !/^\d+$/.test(generationText ?? '')) {
      throw sqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    }
    return { incarnation: incarnation ?? '', seq: Number(seqText), generation: Number(generationText) };
  }

  function newIncarnation(): string {
    return randomBytes(6).toString('hex');
  }

  return {
    async createQueue(name, attributes) {
      const existing = queues.get(name);
      if (existing) {
        const differs = Object.entries(attributes).some(([key, value]) => reportedAttributes(existing.stored.attributes)[key] !== value);
        if (differs)
          throw sqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute(s) ${Object.keys(attributes).join(', ')}`,
          );
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const stored: StoredQueue = { name, incarnation: newIncarnation(), attributes, createdTimestamp: now, lastModifiedTimestamp: now };
      await store.putQueue(stored);
      queues.set(name, liveQueue(stored, 0));
    },

    queueNames: () => [...queues.keys()].sort(),

    hasQueue: (name) => queues.has(name),

    async deleteQueue(name) {
      const queue = getQueue(name);
      queues.delete(name);
      queue.index.clear();
      wake(queue);
      await store.deleteQueue(queue.stored);
      void store
        .clearIncarnation(name, queue.stored.incarnation)
        .catch((err: unknown) => log?.warn({ err, queue: name }, 'clearing a deleted queue failed; retried at next start'));
    },

    async purgeQueue(name) {
      const queue = getQueue(name);
      const old = queue.stored;
      queue.stored = { ...old, incarnation: newIncarnation() };
      queue.index.clear();
      await store.putQueue(queue.stored);
      void store
        .clearIncarnation(name, old.incarnation)
        .catch((err: unknown) => log?.warn({ err, queue: name }, 'clearing a purged queue failed; retried at next start'));
    },

    async setAttributes(name, attributes) {
      const queue = getQueue(name);
      queue.stored = {
        ...queue.stored,
        attributes: { ...queue.stored.attributes, ...attributes },
        lastModifiedTimestamp: Math.floor(Date.now() / 1000),
      };
      queue.config = queueConfig(queue.stored.attributes);
      await store.putQueue(queue.stored);
    },

    attributes(name) {
      const queue = getQueue(name);
      release(queue, Date.now());
      const counts = queue.index.counts;
      return {
        ...reportedAttributes(queue.stored.attributes),
        ApproximateNumberOfMessages: String(counts.visible),
        ApproximateNumberOfMessagesNotVisible: String(counts.inflight),
        ApproximateNumberOfMessagesDelayed: String(counts.delayed),
        CreatedTimestamp: String(queue.stored.createdTimestamp),
        LastModifiedTimestamp: String(queue.stored.lastModifiedTimestamp),
        QueueArn: queueArn(name),
      };
    },

    async send(name, entries) {
      const queue = getQueue(name);
      const now = Date.now();
      const results: (SentMessage | AwsError)[] = [];
      const prepared: { seq: number; message: StoredMessage }[] = [];
      for (const entry of entries) {
        const attributes = entry.attributes && Object.keys(entry.attributes).length > 0 ? entry.attributes : undefined;
        const size = Buffer.byteLength(entry.body) + attributesSize(attributes);
        if (size > queue.config.maximumMessageSize) {
          results.push(
            invalidParameter(
              `One or more parameters are invalid. Reason: Message must be shorter than ${queue.config.maximumMessageSize} bytes.`,
            ),
          );
          continue;
        }
        const delay = entry.delaySeconds ?? queue.config.delaySeconds;
        const md5Attributes = attributes ? md5OfMessageAttributes(attributes) : undefined;
        const message: StoredMessage = {
          id: randomUUID(),
          body: entry.body,
          md5Body: md5Hex(entry.body),
          sentTimestamp: now,
          ...(attributes ? { attributes, md5Attributes } : {}),
          ...(delay > 0 ? { delayedUntil: now + delay * 1000 } : {}),
        };
        prepared.push({ seq: queue.nextSeq++, message });
        results.push({ messageId: message.id, md5Body: message.md5Body, ...(md5Attributes ? { md5Attributes } : {}) });
      }
      if (prepared.length === 0) return results;
      const stored = queue.stored;
      await store.putMessages(stored, prepared);
      if (queues.get(name) !== queue) throw queueDoesNotExist();
      // A purge during the write already removed these (AWS: messages sent during a purge may go too).
      if (queue.stored.incarnation === stored.incarnation)
        for (const { seq, message } of prepared) addRef(queue, seq, message, 0, undefined);
      wake(queue);
      return results;
    },

    async receive(name, options) {
      const queue = getQueue(name);
      const waitMs = (options.waitSeconds ?? queue.config.receiveWaitSeconds) * 1000;
      const deadline = Date.now() + waitMs;
      for (;;) {
        if (closed) return [];
        if (queues.get(name) !== queue) throw queueDoesNotExist();
        const now = Date.now();
        release(queue, now);
        const refs = dropIfExpired(queue, queue.index.takeVisible(options.max), now);
        if (refs.length > 0) {
          const visibility = (options.visibilityTimeoutSeconds ?? queue.config.visibilityTimeoutSeconds) * 1000;
          for (const ref of refs) {
            ref.receiveCount += 1;
            ref.firstReceiveTimestamp ??= now;
            queue.index.hide(ref, now + visibility);
            void store
              .putReceiveState(queue.stored, ref.seq, { count: ref.receiveCount, first: ref.firstReceiveTimestamp })
              .catch((err: unknown) => log?.warn({ err }, 'receive count not persisted'));
          }
          const handles = refs.map((ref) => receiptHandle(queue, ref));
          const messages = await store.getMessages(
            queue.stored,
            refs.map((ref) => ref.seq),
          );
          const received: ReceivedMessage[] = [];
          refs.forEach((ref, i) => {
            const message = messages[i];
            // A message deleted between take and read is simply not delivered.
            if (message) received.push({ ref, message, receiptHandle: handles[i]! });
          });
          if (received.length > 0) return received;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0 || closed) return [];
        await new Promise<void>((resolve) => {
          const wakeUp = () => {
            clearTimeout(timeout);
            queue.waiters.delete(wakeUp);
            resolve();
          };
          // The tick wakes waiters too when a hidden message becomes visible again.
          const timeout = setTimeout(wakeUp, remaining);
          queue.waiters.add(wakeUp);
        });
      }
    },

    async deleteMessages(name, receiptHandles) {
      const queue = getQueue(name);
      const seqs: number[] = [];
      for (const handle of receiptHandles) {
        const parsed = parseReceiptHandle(queue, handle);
        if (parsed.incarnation !== queue.stored.incarnation) continue; // purged meanwhile
        const ref = queue.index.get(parsed.seq);
        if (!ref) continue;
        queue.index.remove(ref);
        seqs.push(parsed.seq);
      }
      if (seqs.length > 0) await store.deleteMessages(queue.stored, seqs);
    },

    changeVisibility(name, handle, timeoutSeconds) {
      const queue = getQueue(name);
      const parsed = parseReceiptHandle(queue, handle);
      const ref = parsed.incarnation === queue.stored.incarnation ? queue.index.get(parsed.seq) : undefined;
      if (!ref || ref.state !== 'inflight') {
        throw sqsError(
          'MessageNotInflight',
          `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
        );
      }
      queue.index.hide(ref, Date.now() + timeoutSeconds * 1000);
      if (timeoutSeconds === 0) release(queue, Date.now());
    },

    checkReceiptHandle(name, handle) {
      parseReceiptHandle(getQueue(name), handle);
    },

    redriveSources: (name) => [...queues.values()].filter((q) => q.config.redrive?.deadLetterQueue === name).map((q) => q.stored.name),

    visibleCount(name) {
      const queue = getQueue(name);
      release(queue, Date.now());
      return queue.index.counts.visible;
    },

    async moveVisible(source, max, destination) {
      const queue = getQueue(source);
      release(queue, Date.now());
      const refs = queue.index.takeVisible(max);
      // Out of sight while they move, as a redrive does; those that do not move become visible again.
      for (const ref of refs) queue.index.hide(ref, Number.MAX_SAFE_INTEGER);
      const messages = await store.getMessages(
        queue.stored,
        refs.map((ref) => ref.seq),
      );
      let failure: string | undefined;
      const moves = refs.map(async (ref, i) => {
        const message = messages[i];
        const target = destination ?? message?.deadLetterSource;
        const to = target === undefined ? undefined : queues.get(target);
        if (!message || ref.state === 'gone' || !to || failure !== undefined) {
          if (message && !to)
            failure ??= target === undefined ? 'CouldNotDetermineMessageSource' : 'AWS.SimpleQueueService.NonExistentQueue';
          if (ref.state !== 'gone') queue.index.makeVisible(ref);
          return 0;
        }
        const seq = to.nextSeq++;
        // A new message in its destination: its retention counts from now, not from its first send.
        const { deadLetterSource: _source, delayedUntil: _delay, ...rest } = message;
        const moved: StoredMessage = { ...rest, sentTimestamp: Date.now() };
        try {
          await store.moveMessage(queue.stored, ref.seq, to.stored, seq, moved);
        } catch (err) {
          log?.error({ err, queue: source, messageId: ref.id }, 'message move failed; it stays in its queue');
          failure ??= `InternalError: ${err instanceof Error ? err.message : String(err)}`;
          // Still indexed unless deleted or purged meanwhile.
          if (queue.index.get(ref.seq) === ref) queue.index.makeVisible(ref);
          return 0;
        }
        queue.index.remove(ref);
        addRef(to, seq, moved, 0, undefined);
        wake(to);
        return 1;
      });
      const moved = (await Promise.all(moves)).reduce<number>((sum, n) => sum + n, 0);
      wake(queue);
      return { moved, ...(failure !== undefined ? { failure } : {}) };
    },

    async close() {
      closed = true;
      clearInterval(timer);
      for (const queue of queues.values()) wake(queue);
      await store.close();
    },
  };
}

function attributesSize(attributes: Readonly<Record<string, MessageAttributeValue>> | undefined): number {
  if (!attributes) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.BinaryValue !== undefined ? Buffer.from(value.BinaryValue, 'base64').length : Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}
