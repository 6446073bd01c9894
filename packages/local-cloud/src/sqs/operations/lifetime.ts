/**
 * The clock side of a message's life. When its visibility timeout or delay ends it becomes visible
 * again, or, once received `maxReceiveCount` times, moves to the dead-letter queue its
 * RedrivePolicy names, keeping its id, body and SentTimestamp (SQS Developer Guide, "Amazon SQS
 * visibility timeout", "Using dead-letter queues"); that move is one durable write, so a message is
 * in exactly one of the two queues at any time, a crash included. When its MessageRetentionPeriod
 * ends it is deleted whatever its state, and never delivered even before the sweep deletes it.
 */
import type { MessageRef } from '../sqs-queue-index.ts';
import { addRef, wake, type LiveQueue, type SqsState } from '../sqs-state.ts';
import type { StoredMessage } from '../sqs-store.ts';

/** Makes the queue's due messages visible again, or moves them to the DLQ when they were received too often. */
export function release(state: SqsState, queue: LiveQueue, now: number): void {
  const due = queue.index.due(now);
  if (due.length === 0) return;
  const redrive = queue.config.redrive;
  for (const ref of due) {
    if (redrive && ref.receiveCount >= redrive.maxReceiveCount && state.queues.has(redrive.deadLetterQueue)) {
      void moveToDeadLetter(state, queue, ref, redrive.deadLetterQueue);
    } else {
      queue.index.makeVisible(ref);
    }
  }
  wake(queue);
}

/** Moves one message to `dlqName`; on failure it becomes visible again in its queue. Never rejects. */
export async function moveToDeadLetter(state: SqsState, queue: LiveQueue, ref: MessageRef, dlqName: string): Promise<void> {
  const { store, log } = state;
  // Keep it out of sight while it moves; a failed move makes it visible again.
  queue.index.hide(ref, Number.MAX_SAFE_INTEGER);
  const dlq = state.queues.get(dlqName);
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

/** Deletes every message of the queue past its retention period. */
export async function dropExpired(state: SqsState, queue: LiveQueue, now: number): Promise<void> {
  const limit = now - queue.config.retentionSeconds * 1000;
  const expired = [...queue.index.all()].filter((ref) => ref.sentTimestamp < limit);
  if (expired.length === 0) return;
  for (const ref of expired) queue.index.remove(ref);
  await state.store.deleteMessages(
    queue.stored,
    expired.map((ref) => ref.seq),
  );
  state.log?.info({ queue: queue.stored.name, count: expired.length }, 'expired messages deleted (MessageRetentionPeriod)');
}

/** The refs still within retention; the others are removed now and deleted in the background. */
export function dropIfExpired(state: SqsState, queue: LiveQueue, refs: MessageRef[], now: number): MessageRef[] {
  const limit = now - queue.config.retentionSeconds * 1000;
  const expired = refs.filter((ref) => ref.sentTimestamp < limit);
  if (expired.length === 0) return refs;
  for (const ref of expired) queue.index.remove(ref);
  void state.store
    .deleteMessages(
      queue.stored,
      expired.map((ref) => ref.seq),
    )
    .catch((err: unknown) => state.log?.warn({ err }, 'deleting expired messages failed'));
  return refs.filter((ref) => ref.sentTimestamp >= limit);
}
