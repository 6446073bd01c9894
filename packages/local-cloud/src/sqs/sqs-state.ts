/**
 * The state of the SQS stand-in's queue engine, shared by the operation modules in `operations/`
 * (as aedes' handlers share the broker object): the live queues with their in-memory index, the
 * durable store, and the few primitives every operation needs (find a queue, index a message,
 * wake long-polling receivers).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { queueConfig, type QueueConfig } from './sqs-attributes.ts';
import { queueDoesNotExist } from './sqs-errors.ts';
import { createQueueIndex, type MessageRef, type QueueIndex } from './sqs-queue-index.ts';
import type { SqsStore, StoredMessage, StoredQueue } from './sqs-store.ts';

export interface LiveQueue {
  stored: StoredQueue;
  config: QueueConfig;
  index: QueueIndex;
  nextSeq: number;
  /** Long-polling receivers waiting for a visible message. */
  readonly waiters: Set<() => void>;
}

export interface SqsState {
  readonly store: SqsStore;
  readonly log?: Logger;
  readonly queues: Map<string, LiveQueue>;
  /** Set by close(): pending and later receives answer no messages. */
  closed: boolean;
}

/** Reads every queue and message from the store; in-flight state is not durable, so every message starts visible (or delayed). */
export async function loadSqsState(store: SqsStore, log?: Logger): Promise<SqsState> {
  const state: SqsState = { store, ...(log ? { log } : {}), queues: new Map(), closed: false };
  const loaded = await store.load();
  for (const stored of loaded.queues) state.queues.set(stored.name, liveQueue(stored));
  for (const { queue: name, seq, message, receive } of loaded.messages) {
    const queue = state.queues.get(name)!;
    queue.nextSeq = Math.max(queue.nextSeq, seq + 1);
    addRef(queue, seq, message, receive?.count ?? 0, receive?.first);
  }
  log?.info({ queues: state.queues.size, messages: loaded.messages.length }, 'sqs state loaded');
  return state;
}

export function liveQueue(stored: StoredQueue): LiveQueue {
  return { stored, config: queueConfig(stored.attributes), index: createQueueIndex(), nextSeq: 0, waiters: new Set() };
}

/** Indexes a stored message: visible, or delayed until its `delayedUntil`. */
export function addRef(queue: LiveQueue, seq: number, message: StoredMessage, receiveCount: number, first: number | undefined): void {
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
    // Out of receives (a count loaded from the store): route it through the redrive check at the next tick.
    queue.index.hide(ref, 0);
  }
}

/** @throws QueueDoesNotExist */
export function getQueue(state: SqsState, name: string): LiveQueue {
  const queue = state.queues.get(name);
  if (!queue) throw queueDoesNotExist();
  return queue;
}

/** Wakes every long-polling receiver of the queue, to look again. */
export function wake(queue: LiveQueue): void {
  for (const waiter of queue.waiters) waiter();
  queue.waiters.clear();
}

/** A queue's incarnation changes on purge and deletion, so that stale messages and receipt handles never come back. */
export function newIncarnation(): string {
  return randomBytes(6).toString('hex');
}
