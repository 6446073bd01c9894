/**
 * An in-memory queue with the SQS semantics the consumer relies on: a received message is
 * invisible for the visibility timeout and comes back (receive count + 1) unless deleted; a receipt
 * handle is valid for its delivery only; after `maxReceiveCount` receives a message moves to the
 * dead-letter list (the redrive policy). Long polling waits until a message is visible or the wait
 * ends. Test support only.
 */
import { randomUUID } from 'node:crypto';
import type { IngestQueue, QueueMessage } from '../ingest-queue.ts';

interface Stored {
  readonly messageId: string;
  readonly body: string;
  /** SQS's SentTimestamp. */
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
}

export interface MemoryQueue extends IngestQueue {
  /** Enqueues `body`; `sentAt` (SentTimestamp) earlier than now stands for a message that waited in the queue. */
  send(body: string, sentAt?: number): string;
  /** Messages not yet deleted (visible or in flight). */
  readonly size: number;
  /** Messages a receive would get now. */
  readonly visible: number;
  readonly deadLetters: readonly { messageId: string; body: string }[];
  /** Receives answered so far. */
  readonly receives: number;
  /** Messages whose visibility was changed so far (retry back-off, held messages extended). */
  readonly visibilityChanges: number;
  /** `changeVisibility` calls so far, each with any number of messages. */
  readonly visibilityCalls: number;
}

export interface MemoryQueueOptions {
  readonly visibilityTimeoutMs?: number;
  readonly maxReceiveCount?: number;
}

/** Creates an in-memory SQS-like queue. */
export function createMemoryQueue(options: MemoryQueueOptions = {}): MemoryQueue {
  const visibilityMs = options.visibilityTimeoutMs ?? 60_000;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const messages: Stored[] = [];
  const deadLetters: { messageId: string; body: string }[] = [];
  let receives = 0;
  let visibilityChanges = 0;
  let visibilityCalls = 0;

  const takeVisible = (max: number): QueueMessage[] => {
    const now = Date.now();
    const out: QueueMessage[] = [];
    for (const m of [...messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (m.receiveCount >= maxReceiveCount) {
        messages.splice(messages.indexOf(m), 1);
        deadLetters.push({ messageId: m.messageId, body: m.body });
        continue;
      }
      m.receiveCount++;
      m.visibleAt = now + visibilityMs;
      m.receiptHandle = randomUUID();
      out.push({ messageId: m.messageId, receiptHandle: m.receiptHandle, body: m.body, receiveCount: m.receiveCount, sentAt: m.sentAt });
    }
    return out;
  };

  return {
    send(body, sentAt = Date.now()) {
      const messageId = randomUUID();
      messages.push({ messageId, body, sentAt, receiveCount: 0, visibleAt: 0 });
      return messageId;
    },
    get size() {
      return messages.length;
    },
    get visible() {
      const now = Date.now();
      return messages.filter((m) => m.visibleAt <= now).length;
    },
    deadLetters,
    get receives() {
      return receives;
    },
    get visibilityChanges() {
      return visibilityChanges;
    },
    get visibilityCalls() {
      return visibilityCalls;
    },
    async receive({ maxMessages, waitTimeSeconds, signal }) {
      const deadline = Date.now() + waitTimeSeconds * 1000;
      for (;;) {
        if (signal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
        const got = takeVisible(maxMessages);
        if (got.length > 0 || Date.now() >= deadline) {
          receives++;
          return got;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async delete(receiptHandles) {
      const failed: string[] = [];
      for (const handle of receiptHandles) {
        const index = messages.findIndex((m) => m.receiptHandle === handle);
        if (index >= 0) messages.splice(index, 1);
        else failed.push(handle);
      }
      return { failed };
    },
    async changeVisibility(changes) {
      visibilityCalls++;
      const failed: string[] = [];
      for (const { receiptHandle, timeoutSeconds } of changes) {
        const m = messages.find((x) => x.receiptHandle === receiptHandle);
        if (!m) {
          failed.push(receiptHandle);
          continue;
        }
        m.visibleAt = Date.now() + timeoutSeconds * 1000;
        visibilityChanges++;
      }
      return { failed };
    },
  };
}
