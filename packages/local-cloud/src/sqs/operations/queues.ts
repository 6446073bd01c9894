/**
 * The queues themselves: CreateQueue (idempotent for the same attributes, QueueNameExists for
 * others), DeleteQueue, PurgeQueue, ListQueues' names, and which queues redrive into a given one
 * (SQS API Reference), and its attributes: SetQueueAttributes merges and persists configurable ones
 * (validated by the wire layer, sqs-attributes.ts), GetQueueAttributes adds the index's counts
 * after due messages were released. Purge and deletion switch the queue's incarnation in one
 * durable write; the old incarnation's messages are cleared in the background (sqs-store.ts).
 */
import { queueArn, queueConfig, reportedAttributes } from '../sqs-attributes.ts';
import { sqsError } from '../sqs-errors.ts';
import { getQueue, liveQueue, newIncarnation, wake, type SqsState } from '../sqs-state.ts';
import type { StoredQueue } from '../sqs-store.ts';
import { release } from './lifetime.ts';

export async function createQueue(state: SqsState, name: string, attributes: Readonly<Record<string, string>>): Promise<void> {
  const existing = state.queues.get(name);
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
  await state.store.putQueue(stored);
  state.queues.set(name, liveQueue(stored));
}

/** Sorted, as ListQueues pages by name. */
export function queueNames(state: SqsState): string[] {
  return [...state.queues.keys()].sort();
}

/** Removes the queue at once (pending long polls answer QueueDoesNotExist) and forgets its messages. */
export async function deleteQueue(state: SqsState, name: string): Promise<void> {
  const queue = getQueue(state, name);
  state.queues.delete(name);
  queue.index.clear();
  wake(queue);
  await state.store.deleteQueue(queue.stored);
  void state.store
    .clearIncarnation(name, queue.stored.incarnation)
    .catch((err: unknown) => state.log?.warn({ err, queue: name }, 'clearing a deleted queue failed; retried at next start'));
}

/** Forgets every message of the queue; receipt handles issued before no longer name anything. */
export async function purgeQueue(state: SqsState, name: string): Promise<void> {
  const queue = getQueue(state, name);
  const old = queue.stored;
  queue.stored = { ...old, incarnation: newIncarnation() };
  queue.index.clear();
  await state.store.putQueue(queue.stored);
  void state.store
    .clearIncarnation(name, old.incarnation)
    .catch((err: unknown) => state.log?.warn({ err, queue: name }, 'clearing a purged queue failed; retried at next start'));
}

/** Queues whose RedrivePolicy names `name` as their dead-letter queue. */
export function redriveSources(state: SqsState, name: string): string[] {
  return [...state.queues.values()].filter((q) => q.config.redrive?.deadLetterQueue === name).map((q) => q.stored.name);
}

export async function setAttributes(state: SqsState, name: string, attributes: Readonly<Record<string, string>>): Promise<void> {
  const queue = getQueue(state, name);
  queue.stored = {
    ...queue.stored,
    attributes: { ...queue.stored.attributes, ...attributes },
    lastModifiedTimestamp: Math.floor(Date.now() / 1000),
  };
  queue.config = queueConfig(queue.stored.attributes);
  await state.store.putQueue(queue.stored);
}

/** Every attribute GetQueueAttributes reports for `All`. */
export function attributes(state: SqsState, name: string): Record<string, string> {
  const queue = getQueue(state, name);
  release(state, queue, Date.now());
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
}

/** Messages of `name` visible now. */
export function visibleCount(state: SqsState, name: string): number {
  const queue = getQueue(state, name);
  release(state, queue, Date.now());
  return queue.index.counts.visible;
}
