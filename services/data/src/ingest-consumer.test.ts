import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { serviceByName, sqsStandardQueueInFlightQuota } from '@fleet/core';
import { createIngestConsumer, defaultMaxHeldMessages, type IngestConsumerOptions } from './ingest-consumer.ts';
import type { IngestProcessor } from './ingest-processor.ts';
import type { IngestQueue, QueueMessage } from './ingest-queue.ts';
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

  /**
   * A steady trickle, `perTick` messages every `everyMs` for `count` messages, each sent (SentTimestamp)
   * `sentAgoMs` before it is enqueued, against a processor taking `tookMs` per flush.
   */
  async function trickle(
    count: number,
    everyMs: number,
    tookMs: number,
    options: Partial<IngestConsumerOptions> = {},
    perTick = 1,
    sentAgoMs = 0,
  ) {
    const queue = createMemoryQueue();
    const starts: number[] = [];
    const sizes: number[] = [];
    const processor: IngestProcessor = {
      process: async (messages) => {
        starts.push(Date.now());
        sizes.push(messages.length);
        await new Promise((resolve) => setTimeout(resolve, tookMs));
        return { deletable: messages, retry: [] };
      },
    };
    const consumer = createIngestConsumer({ queue, processor, logger, waitTimeSeconds: 1, flushIntervalMs: 5, ...options });
    consumer.start();
    for (let i = 0; i < count; i += perTick) {
      for (let j = i; j < Math.min(count, i + perTick); j++) queue.send(`m${j}`, Date.now() - sentAgoMs);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    await waitFor('the queue to drain', () => queue.size === 0);
    await consumer.stop();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(count);
    return { starts, gaps: starts.slice(1).map((at, i) => at - starts[i]!) };
  }

  it('spaces flushes by what the last one took, so that a device shares its writes across more readings when the stores are slow', async () => {
    // Flushes taking 120 ms, two slots: without the spacing the second slot would start a flush of a message or two each time.
    const { gaps } = await trickle(60, 10, 120);
    // The first two flushes start before any has finished; after that, timers may fire a millisecond early.
    for (const gap of gaps.slice(2)) expect(gap).toBeGreaterThanOrEqual(115);
    expect(gaps.length).toBeLessThanOrEqual(8);
  });

  it('never spaces flushes more than maxFlushSpacingMs, however slow the stores', async () => {
    // Flushes taking 300 ms, spacing bounded at 100 ms: the two slots overlap instead of waiting 300 ms.
    const { gaps } = await trickle(60, 10, 300, { maxFlushSpacingMs: 100 });
    for (const gap of gaps.slice(2)) expect(gap).toBeGreaterThanOrEqual(95);
    expect(Math.min(...gaps.slice(2))).toBeLessThan(250);
  });

  it('starts a flush as soon as the messages gathered when the stores answer at once: a reading does not wait for a fixed spacing', async () => {
    const { starts } = await trickle(40, 20, 0);
    // 40 messages 20 ms apart, gathered for 5 ms: nearly each its own flush (a fixed 250 ms spacing made it 4).
    expect(starts.length).toBeGreaterThanOrEqual(30);
  });

  it('spaces flushes by maxFlushSpacingMs while the queue has a backlog, however fast the stores answer', async () => {
    // Ten messages every 10 ms: each receive answers a full batch of 10, yet a flush is far from full.
    const { gaps } = await trickle(500, 10, 0, { maxFlushSpacingMs: 120 }, 10);
    // Without the backlog rule each receive of 10 would be a flush of its own, about 10 ms apart.
    expect(gaps.slice(1, -1).length).toBeGreaterThan(0);
    for (const gap of gaps.slice(1, -1)) expect(gap).toBeGreaterThanOrEqual(115);
  });

  it('with maxFlushSpacingMs 0, starts a flush whenever a slot is free, busy queue or not: readings are stored soonest', async () => {
    // The same full receives as above: without spacing, flushes follow the receives (tens, not a handful).
    const { starts } = await trickle(500, 10, 0, { maxFlushSpacingMs: 0 }, 10);
    expect(starts.length).toBeGreaterThanOrEqual(20);
  });

  it('spaces flushes by behindFlushSpacingMs once receives bring messages that waited that long, whatever maxFlushSpacingMs', async () => {
    // The same full receives, but of messages sent a second before: the queue holds a backlog the consumer is behind.
    const { gaps } = await trickle(300, 10, 0, { maxFlushSpacingMs: 0, behindFlushSpacingMs: 100 }, 10, 1000);
    // Without the rule each receive of 10 would be a flush of its own (maxFlushSpacingMs 0: see above).
    expect(gaps.slice(1, -1).length).toBeGreaterThan(0);
    for (const gap of gaps.slice(1, -1)) expect(gap).toBeGreaterThanOrEqual(95);
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

  describe('held messages (stored, waiting for deferred folds)', () => {
    /** A processor that holds every message until `release(verdictOf)` answers its flush. */
    function holdingProcessor() {
      const releases: ((retry: (m: QueueMessage) => boolean) => void)[] = [];
      const seen: string[] = [];
      const processor: IngestProcessor = {
        process: async (messages) => {
          seen.push(...messages.map((m) => m.body));
          const verdict = new Promise<{ deletable: QueueMessage[]; retry: QueueMessage[] }>((resolve) =>
            releases.push((retry) => resolve({ deletable: messages.filter((m) => !retry(m)), retry: messages.filter(retry) })),
          );
          return { deletable: [], retry: [], held: { messages, verdict } };
        },
      };
      return { processor, releases, seen };
    }

    /** The consumer these tests share (short receives, 5 ms gathering); `more` holds the option under test. */
    const holdingConsumer = (queue: IngestQueue, processor: IngestProcessor, more: Partial<IngestConsumerOptions> = {}) =>
      createIngestConsumer({ queue, processor, logger, waitTimeSeconds: 1, flushIntervalMs: 5, ...more });

    it('frees the flush slot at once and deletes a held message only when its verdict says so', async () => {
      const queue = createMemoryQueue();
      const { processor, releases, seen } = holdingProcessor();
      const consumer = holdingConsumer(queue, processor, { maxFlushesInFlight: 1 });
      consumer.start();
      queue.send('first');
      await waitFor('the first flush', () => releases.length === 1);
      // With one flush slot, a second flush can only run if the held one gave its slot back.
      queue.send('second');
      await waitFor('the second flush', () => releases.length === 2);
      expect(queue.size).toBe(2);
      releases[0]!(() => false);
      await waitFor('the first to be deleted', () => queue.size === 1);
      releases[1]!(() => true);
      await waitFor('the retry to be delayed', () => queue.visibilityChanges === 1);
      expect(queue.size).toBe(1);
      await consumer.stop();
      expect(seen).toEqual(['first', 'second']);
    });

    it('extends the visibility of a message held past half its timeout, so it is not delivered twice', async () => {
      const queue = createMemoryQueue({ visibilityTimeoutMs: 400 });
      const { processor, releases, seen } = holdingProcessor();
      const consumer = holdingConsumer(queue, processor, { visibilityTimeoutSeconds: 0.4 });
      consumer.start();
      queue.send('slow fold');
      await waitFor('the flush', () => releases.length === 1);
      // Three timeouts long: without the extensions the queue would deliver it again.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(seen).toEqual(['slow fold']);
      expect(queue.visibilityChanges).toBeGreaterThanOrEqual(2);
      releases[0]!(() => false);
      await waitFor('the message to be deleted', () => queue.size === 0);
      await consumer.stop();
    });

    it('extends the held messages that are due together, in one call, not one call each', async () => {
      const queue = createMemoryQueue({ visibilityTimeoutMs: 400 });
      for (let i = 0; i < 25; i++) queue.send(`m${i}`);
      const { processor, releases, seen } = holdingProcessor();
      const consumer = holdingConsumer(queue, processor, { visibilityTimeoutSeconds: 0.4 });
      consumer.start();
      await waitFor('all 25 held', () => seen.length === 25);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      // Every message was extended at least twice and none was delivered again ...
      expect(seen).toHaveLength(25);
      expect(queue.visibilityChanges).toBeGreaterThanOrEqual(50);
      // ... in rounds of several messages each (one call each would make as many calls as changes).
      expect(queue.visibilityCalls * 5).toBeLessThanOrEqual(queue.visibilityChanges);
      for (const release of releases) release(() => false);
      await waitFor('the messages to be deleted', () => queue.size === 0);
      await consumer.stop();
    });

    it('pauses receiving while maxHeldMessages are received and unsettled, held ones included', async () => {
      const queue = createMemoryQueue();
      for (let i = 0; i < 100; i++) queue.send(`m${i}`);
      const { processor, releases, seen } = holdingProcessor();
      const consumer = holdingConsumer(queue, processor, { maxHeldMessages: 30 });
      consumer.start();
      await waitFor('thirty held', () => seen.length >= 30);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Received and unsettled, held ones included, never exceed the bound.
      expect(seen.length).toBe(30);
      while (queue.size > 0) {
        for (const release of releases.splice(0)) release(() => false);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await consumer.stop();
      expect(new Set(seen).size).toBe(100);
    });

    it("holds by default as much as keeps every task ECS may run, buffers included, within SQS's in-flight quota", () => {
      const tasks = serviceByName('data').queueScaling?.maxTasks ?? 1;
      expect(tasks).toBeGreaterThan(1);
      expect(tasks * (defaultMaxHeldMessages + 2500)).toBeLessThanOrEqual(sqsStandardQueueInFlightQuota);
      // Past the 20,000 it was: a fold round over 1,000 devices gathers what this allows (bench/README.md).
      expect(defaultMaxHeldMessages).toBe(27_500);
    });

    it('on stop, asks for the held work to be flushed and waits for the verdicts', async () => {
      const queue = createMemoryQueue();
      const { processor, releases } = holdingProcessor();
      let flushed = false;
      const consumer = holdingConsumer(queue, processor, {
        flushHeld: async () => {
          flushed = true;
          for (const release of releases) release(() => false);
        },
      });
      consumer.start();
      queue.send('held at stop');
      await waitFor('the flush', () => releases.length === 1);
      await consumer.stop();
      expect(flushed).toBe(true);
      expect(queue.size).toBe(0);
    });
  });
});
