/**
 * One contract for the consumer's queue port, run against every implementation: the in-memory
 * queue the consumer tests use and the SQS adapter over the local SQS stand-in. If the fake drifts
 * from SQS semantics (visibility timeout, receipt handles, receive counts), this suite says so.
 */
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startSqsHarness, type SqsHarness } from '@fleet/local-cloud/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { IngestQueue, QueueMessage } from './ingest-queue.ts';
import { createSqsIngestQueue } from './ingest-queue.ts';
import { createMemoryQueue } from './testing/memory-queue.ts';

interface QueueUnderTest {
  readonly queue: IngestQueue;
  send(body: string): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Each factory makes a fresh queue whose visibility timeout is 1 s. */
const implementations: Record<string, () => Promise<QueueUnderTest>> = {
  'in-memory queue': async () => {
    const queue = createMemoryQueue({ visibilityTimeoutMs: 1000 });
    return { queue, send: async (body) => void queue.send(body) };
  },
  'SQS stand-in through SQSClient': (() => {
    let shared: Promise<SqsHarness> | undefined;
    let counter = 0;
    const start = async () => {
      const harness = await startSqsHarness();
      cleanups.push(() => harness.close());
      return harness;
    };
    return async () => {
      shared ??= start();
      const { sqs } = await shared;
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: `contract-${++counter}`, Attributes: { VisibilityTimeout: '1' } }),
      );
      return {
        queue: createSqsIngestQueue({ client: sqs, queueUrl: QueueUrl! }),
        send: async (body) => void (await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }))),
      };
    };
  })(),
};

/** Receives until `count` messages came (a receive answers at most 10, and SQS may answer fewer). */
async function receiveAll(queue: IngestQueue, count: number): Promise<QueueMessage[]> {
  const got: QueueMessage[] = [];
  for (let round = 0; got.length < count && round < 20; round++)
    got.push(...(await queue.receive({ maxMessages: 10, waitTimeSeconds: 0 })));
  expect(got).toHaveLength(count);
  return got;
}

describe.each(Object.entries(implementations))('ingest queue contract: %s', (_name, make) => {
  it('delivers a message with its body, a receive count of 1 and when it was sent, then hides it while in flight', async () => {
    const { queue, send } = await make();
    const before = Date.now();
    await send('hello');
    const [first, ...rest] = await queue.receive({ maxMessages: 10, waitTimeSeconds: 1 });
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ body: 'hello', receiveCount: 1 });
    // SentTimestamp, epoch ms: how long a message waited in the queue is what tells the consumer it is behind.
    expect(first!.sentAt).toBeGreaterThanOrEqual(before - 1000);
    expect(first!.sentAt).toBeLessThanOrEqual(Date.now());
    expect(await queue.receive({ maxMessages: 10, waitTimeSeconds: 0 })).toEqual([]);
  });

  it('redelivers an undeleted message after the visibility timeout with a new receipt handle and a higher count', async () => {
    const { queue, send } = await make();
    await send('again');
    const [first] = await queue.receive({ maxMessages: 10, waitTimeSeconds: 1 });
    const [second] = await queue.receive({ maxMessages: 10, waitTimeSeconds: 3 });
    expect(second).toMatchObject({ body: 'again', messageId: first!.messageId, receiveCount: 2 });
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
  });

  it('does not redeliver a deleted message', async () => {
    const { queue, send } = await make();
    await send('once');
    const received = await queue.receive({ maxMessages: 10, waitTimeSeconds: 1 });
    expect(await queue.delete(received.map((m) => m.receiptHandle))).toEqual({ failed: [] });
    expect(await queue.receive({ maxMessages: 10, waitTimeSeconds: 2 })).toEqual([]);
  });

  it('makes a message visible at once after changeVisibility to 0', async () => {
    const { queue, send } = await make();
    await send('retry me');
    const [first] = await queue.receive({ maxMessages: 10, waitTimeSeconds: 1 });
    expect(await queue.changeVisibility([{ receiptHandle: first!.receiptHandle, timeoutSeconds: 0 }])).toEqual({ failed: [] });
    const [again] = await queue.receive({ maxMessages: 10, waitTimeSeconds: 0 });
    expect(again).toMatchObject({ body: 'retry me', receiveCount: 2 });
  });

  it('changes the visibility of more than ten messages, each its own timeout, and answers the handles no longer in flight', async () => {
    const { queue, send } = await make();
    for (let i = 0; i < 13; i++) await send(`m${i}`);
    const received = await receiveAll(queue, 13);
    const [gone, hidden, ...rest] = received;
    await queue.delete([gone!.receiptHandle]);
    const changes = [gone!, ...rest].map((m) => ({ receiptHandle: m.receiptHandle, timeoutSeconds: 0 }));
    changes.push({ receiptHandle: hidden!.receiptHandle, timeoutSeconds: 30 });
    expect(await queue.changeVisibility(changes)).toEqual({ failed: [gone!.receiptHandle] });
    // The eleven made visible come back at once; the one hidden for 30 s does not, even once the queue's own 1 s has passed.
    const again = await receiveAll(queue, 11);
    expect(again.map((m) => m.body).sort()).toEqual(rest.map((m) => m.body).sort());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const later = await receiveAll(queue, 11);
    expect(later.map((m) => m.body)).not.toContain(hidden!.body);
  });

  it('returns at most maxMessages per receive', async () => {
    const { queue, send } = await make();
    for (let i = 0; i < 12; i++) await send(`m${i}`);
    const got = await queue.receive({ maxMessages: 10, waitTimeSeconds: 1 });
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThanOrEqual(10);
  });
});
