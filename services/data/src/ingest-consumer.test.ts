import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createIngestConsumer } from './ingest-consumer.ts';
import type { IngestProcessor } from './ingest-processor.ts';
import type { QueueMessage } from './ingest-queue.ts';
import { createMemoryQueue } from './testing/memory-queue.ts';
import { waitFor } from './testing/wait-for.ts';

const logger = pino({ level: 'silent' });

describe('ingest consumer', () => {
  it('groups several receives into one flush and deletes what the processor accepts', async () => {
    const queue = createMemoryQueue();
    for (let i = 0; i < 35; i++) queue.send(`m${i}`);
    const flushes: number[] = [];
    const processor: IngestProcessor = {
      process: async (messages) => {
        flushes.push(messages.length);
        return { deletable: messages, retry: [] };
      },
    };
    const consumer = createIngestConsumer({ queue, processor, logger, waitTimeSeconds: 1, maxMessagesPerFlush: 100, flushIntervalMs: 100 });
    consumer.start();
    await waitFor('the queue to drain', () => queue.size === 0);
    await consumer.stop();
    expect(flushes.reduce((a, b) => a + b, 0)).toBe(35);
    expect(flushes.length).toBeLessThan(4); // 4 receives of ≤ 10 messages, flushed together
  });

  it('flushes a lone message after flushIntervalMs, not after a long timer', async () => {
    const queue = createMemoryQueue();
    const flushedAfter: number[] = [];
    let sentAt = 0;
    const processor: IngestProcessor = {
      process: async (messages) => {
        flushedAfter.push(Date.now() - sentAt);
        return { deletable: messages, retry: [] };
      },
    };
    const consumer = createIngestConsumer({ queue, processor, logger, waitTimeSeconds: 1, flushIntervalMs: 20 });
    consumer.start();
    sentAt = Date.now();
    queue.send('alone');
    await waitFor('the message to be deleted', () => queue.size === 0 && flushedAfter.length === 1);
    await consumer.stop();
    // 20 ms of gathering plus a receive; far under the visibility timeout and the 250 ms latency goal.
    expect(flushedAfter[0]).toBeGreaterThanOrEqual(15);
    expect(flushedAfter[0]).toBeLessThan(200);
  });

  it('runs at most maxFlushesInFlight flushes; what arrives meanwhile goes together into the next', async () => {
    const queue = createMemoryQueue();
    for (let i = 0; i < 10; i++) queue.send(`first${i}`);
    const gates: (() => void)[] = [];
    const sizes: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const processor: IngestProcessor = {
      process: async (messages) => {
        sizes.push(messages.length);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return { deletable: messages, retry: [] };
      },
    };
    const consumer = createIngestConsumer({ queue, processor, logger, waitTimeSeconds: 1, flushIntervalMs: 5, maxFlushesInFlight: 1 });
    consumer.start();
    await waitFor('the first flush to start', () => sizes.length === 1);
    for (let i = 0; i < 35; i++) queue.send(`later${i}`);
    await waitFor('the later messages to be received', () => queue.visible === 0);
    gates.shift()?.();
    await waitFor('the second flush to start', () => sizes.length === 2);
    gates.shift()?.();
    await waitFor('the queue to drain', () => queue.size === 0);
    while (gates.length > 0) gates.shift()?.();
    await consumer.stop();
    expect(maxRunning).toBe(1);
    expect(sizes.slice(0, 2)).toEqual([10, 35]);
  });

  it('never holds more than maxBufferedMessages received and unsettled', async () => {
    const queue = createMemoryQueue();
    for (let i = 0; i < 200; i++) queue.send(`m${i}`);
    let held = 0;
    let maxHeld = 0;
    const processor: IngestProcessor = {
      process: async (messages) => {
        held += messages.length;
        maxHeld = Math.max(maxHeld, held);
        await new Promise((resolve) => setTimeout(resolve, 30));
        held -= messages.length;
        return { deletable: messages, retry: [] };
      },
    };
    const consumer = createIngestConsumer({
      queue,
      processor,
      logger,
      receivers: 8,
      waitTimeSeconds: 1,
      maxMessagesPerFlush: 10,
      flushIntervalMs: 5,
      maxBufferedMessages: 40,
    });
    consumer.start();
    await waitFor('the queue to drain', () => queue.size === 0);
    await consumer.stop();
    expect(maxHeld).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThanOrEqual(40);
  });

  it('leaves messages the processor could not make durable, or that threw, for redelivery', async () => {
    const queue = createMemoryQueue({ visibilityTimeoutMs: 100 });
    queue.send('ok');
    queue.send('fails');
    queue.send('throws-once');
    const seen: string[] = [];
    let thrown = false;
    const processor: IngestProcessor = {
      process: async (messages) => {
        seen.push(...messages.map((m) => `${m.body}#${m.receiveCount}`));
        if (!thrown && messages.some((m) => m.body === 'throws-once')) {
          thrown = true;
          throw new Error('boom');
        }
        return { deletable: messages.filter((m) => m.body !== 'fails'), retry: messages.filter((m) => m.body === 'fails') };
      },
    };
    const consumer = createIngestConsumer({
      queue,
      processor,
      logger,
      receivers: 1,
      waitTimeSeconds: 1,
      flushIntervalMs: 10,
      retryDelaySeconds: () => 0,
    });
    consumer.start();
    await waitFor('"fails" to be received three times', () => seen.includes('fails#3'));
    await consumer.stop();
    // Its first flush threw with throws-once: then each message went through alone, and "ok" was deleted.
    expect(seen.filter((s) => s.startsWith('ok'))).toEqual(['ok#1', 'ok#1']);
    expect(queue.size).toBe(1); // only "fails" is left
  });

  it('isolates a message that makes every flush it is in throw: only it reaches the dead-letter queue', async () => {
    const queue = createMemoryQueue({ visibilityTimeoutMs: 50, maxReceiveCount: 5 });
    // 50 readings of 5 devices with one poison message among them, received in the same flushes.
    for (let i = 0; i < 50; i++) {
      queue.send(`device-${i % 5}-reading-${i}`);
      if (i === 25) queue.send('poison');
    }
    const deleted: string[] = [];
    const processor: IngestProcessor = {
      process: async (messages) => {
        if (messages.some((m) => m.body === 'poison')) throw new RangeError('Maximum call stack size exceeded');
        deleted.push(...messages.map((m) => m.body));
        return { deletable: messages, retry: [] };
      },
    };
    const consumer = createIngestConsumer({
      queue,
      processor,
      logger,
      waitTimeSeconds: 1,
      flushIntervalMs: 20,
      retryDelaySeconds: () => 0,
    });
    consumer.start();
    await waitFor('the poison message to reach the dead-letter queue', () => queue.deadLetters.length > 0, 10_000);
    await consumer.stop();
    expect(queue.deadLetters.map((d) => d.body)).toEqual(['poison']);
    expect(new Set(deleted).size).toBe(50);
    expect(queue.size).toBe(0);
  });

  it('on stop, stops receiving and finishes the flush in flight before resolving', async () => {
    const queue = createMemoryQueue();
    for (let i = 0; i < 5; i++) queue.send(`m${i}`);
    let finished = false;
    const processor: IngestProcessor = {
      process: async (messages: readonly QueueMessage[]) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        finished = true;
        return { deletable: messages, retry: [] };
      },
    };
    const consumer = createIngestConsumer({ queue, processor, logger, waitTimeSeconds: 20, flushIntervalMs: 10 });
    consumer.start();
    await waitFor('a flush to start', () => queue.receives > 0 && queue.size === 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await consumer.stop();
    expect(finished).toBe(true);
    expect(queue.size).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000); // the 20 s long polls were aborted
    const receives = queue.receives;
    queue.send('after stop');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queue.receives).toBe(receives);
  });
});
