/**
 * The queue semantics of the SQS stand-in (standard queues, at-least-once), independent of the
 * wire protocol: send, receive with visibility timeout and long polling, delete, change
 * visibility, purge, redrive to a dead-letter queue after `maxReceiveCount` receives.
 *
 * This file composes: the state lives in sqs-state.ts, each operation group in `operations/`
 * (one module each, taking the state), and the engine adds the clock that ends visibility timeouts
 * and sweeps expired messages.
 *
 * Durability contract: a send or delete is fsync'ed before its promise resolves. In-flight state
 * is not: after a restart every undeleted message is visible again (receive counts survive on a
 * best-effort basis).
 */
import type { Logger } from 'pino';
import type { AwsError } from '../aws-endpoint/index.ts';
import { dropExpired, release } from './operations/lifetime.ts';
import { moveVisible } from './operations/move-messages.ts';
import {
  attributes,
  createQueue,
  deleteQueue,
  purgeQueue,
  queueNames,
  redriveSources,
  setAttributes,
  visibleCount,
} from './operations/queues.ts';
import { changeVisibility, checkReceiptHandle, deleteMessages } from './operations/receipts.ts';
import { receive, type ReceivedMessage, type ReceiveOptions } from './operations/receive.ts';
import { send, type SendEntry, type SentMessage } from './operations/send.ts';
import { loadSqsState, wake } from './sqs-state.ts';
import type { SqsStore } from './sqs-store.ts';

export type { ReceivedMessage, ReceiveOptions } from './operations/receive.ts';
export type { SendEntry, SentMessage } from './operations/send.ts';

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

/** How often messages past MessageRetentionPeriod are deleted. */
const retentionSweepMs = 60_000;

export async function createSqsEngine(options: SqsEngineOptions): Promise<SqsEngine> {
  const state = await loadSqsState(options.store, options.log);
  const timer = setInterval(tick, options.tickMs ?? 100);
  timer.unref();
  let lastRetentionSweep = Date.now();
  // Messages loaded with a receive count at or over maxReceiveCount go to their DLQ now.
  tick();

  function tick(): void {
    const now = Date.now();
    for (const queue of state.queues.values()) release(state, queue, now);
    if (now - lastRetentionSweep >= retentionSweepMs) {
      lastRetentionSweep = now;
      for (const queue of state.queues.values()) void dropExpired(state, queue, now);
    }
  }

  return {
    createQueue: (name, attrs) => createQueue(state, name, attrs),
    queueNames: () => queueNames(state),
    hasQueue: (name) => state.queues.has(name),
    deleteQueue: (name) => deleteQueue(state, name),
    purgeQueue: (name) => purgeQueue(state, name),
    setAttributes: (name, attrs) => setAttributes(state, name, attrs),
    attributes: (name) => attributes(state, name),
    send: (name, entries) => send(state, name, entries),
    receive: (name, receiveOptions) => receive(state, name, receiveOptions),
    deleteMessages: (name, handles) => deleteMessages(state, name, handles),
    changeVisibility: (name, handle, timeoutSeconds) => changeVisibility(state, name, handle, timeoutSeconds),
    checkReceiptHandle: (name, handle) => checkReceiptHandle(state, name, handle),
    redriveSources: (name) => redriveSources(state, name),
    visibleCount: (name) => visibleCount(state, name),
    moveVisible: (source, max, destination) => moveVisible(state, source, max, destination),
    async close() {
      state.closed = true;
      clearInterval(timer);
      for (const queue of state.queues.values()) wake(queue);
      await state.store.close();
    },
  };
}
