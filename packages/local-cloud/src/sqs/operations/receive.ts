/**
 * ReceiveMessage: takes up to `max` visible messages, oldest first, hides each for the visibility
 * timeout and counts the receive; with long polling (WaitTimeSeconds, or the queue's
 * ReceiveMessageWaitTimeSeconds) it waits until a message is visible or the time is up
 * (SQS Developer Guide, "Amazon SQS short and long polling").
 */
import { queueDoesNotExist } from '../sqs-errors.ts';
import type { MessageRef } from '../sqs-queue-index.ts';
import { getQueue, type LiveQueue, type SqsState } from '../sqs-state.ts';
import type { StoredMessage } from '../sqs-store.ts';
import { dropIfExpired, release } from './lifetime.ts';
import { receiptHandle } from './receipts.ts';

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

export async function receive(state: SqsState, name: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
  const queue = getQueue(state, name);
  const waitMs = (options.waitSeconds ?? queue.config.receiveWaitSeconds) * 1000;
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (state.closed) return [];
    if (state.queues.get(name) !== queue) throw queueDoesNotExist();
    // Taking and, when nothing is visible, starting to wait happen in one turn of the event loop:
    // a send or deletion in between would otherwise wake nobody and leave this poll waiting.
    const refs = takeVisible(state, queue, options);
    if (refs.length > 0) {
      const received = await read(state, queue, refs);
      if (received.length > 0) return received;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0 || state.closed) return [];
    await visibleOrTimeout(queue, remaining);
  }
}

/** Takes the messages visible now, hides each for the visibility timeout and counts the receive. */
function takeVisible(state: SqsState, queue: LiveQueue, options: ReceiveOptions): MessageRef[] {
  const now = Date.now();
  release(state, queue, now);
  const refs = dropIfExpired(state, queue, queue.index.takeVisible(options.max), now);
  const visibility = (options.visibilityTimeoutSeconds ?? queue.config.visibilityTimeoutSeconds) * 1000;
  for (const ref of refs) {
    ref.receiveCount += 1;
    ref.firstReceiveTimestamp ??= now;
    queue.index.hide(ref, now + visibility);
    void state.store
      .putReceiveState(queue.stored, ref.seq, { count: ref.receiveCount, first: ref.firstReceiveTimestamp })
      .catch((err: unknown) => state.log?.warn({ err }, 'receive count not persisted'));
  }
  return refs;
}

/** Reads the bodies of taken messages; one deleted between take and read is simply not delivered. */
async function read(state: SqsState, queue: LiveQueue, refs: readonly MessageRef[]): Promise<ReceivedMessage[]> {
  const handles = refs.map((ref) => receiptHandle(queue, ref));
  const messages = await state.store.getMessages(
    queue.stored,
    refs.map((ref) => ref.seq),
  );
  const received: ReceivedMessage[] = [];
  refs.forEach((ref, i) => {
    const message = messages[i];
    if (message) received.push({ ref, message, receiptHandle: handles[i]! });
  });
  return received;
}

/** Resolves when the queue is woken (a send, a release, a deletion, close) or after `ms`. */
function visibleOrTimeout(queue: LiveQueue, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const wakeUp = () => {
      clearTimeout(timeout);
      queue.waiters.delete(wakeUp);
      resolve();
    };
    // The engine's tick wakes waiters too when a hidden message becomes visible again.
    const timeout = setTimeout(wakeUp, ms);
    queue.waiters.add(wakeUp);
  });
}
