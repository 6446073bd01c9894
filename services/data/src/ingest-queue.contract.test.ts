/**
 * One contract for the consumer's queue port, run against every implementation: the in-memory
 * queue the consumer tests use and the SQS adapter over the local SQS stand-in. If the fake drifts
 * from SQS semantics (visibility timeout, receipt handles, receive counts), this suite says so.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint } from '../../../packages/local-cloud/src/aws-endpoint/index.ts';
import { createSqsStandIn } from '../../../packages/local-cloud/src/sqs/index.ts';
import type { IngestQueue } from './ingest-queue.ts';
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
    let shared: Promise<{ sqs: SQSClient }> | undefined;
    let counter = 0;
    const start = async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'fleet-data-queue-contract-'));
      let handler: Parameters<typeof createAwsEndpoint>[0]['handlers'][string] | undefined;
      const server: Server = createAwsEndpoint({ handlers: { sqs: (req) => handler!(req) } });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const standIn = await createSqsStandIn({ dataDir, endpointUrl });
      handler = standIn.handler;
      const sqs = new SQSClient({
        endpoint: endpointUrl,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      cleanups.push(async () => {
        sqs.destroy();
        await standIn.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await rm(dataDir, { recursive: true, force: true });
      });
      return { sqs };
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

describe.each(Object.entries(implementations))('ingest queue contract: %s', (_name, make) => {
  it('delivers a message with its body and a receive count of 1, then hides it while in flight', async () => {
    const { queue, send } = await make();
    await send('hello');
    const [first, ...rest] = await queue.receive({ maxMessages: 10, waitTimeSeconds: 1 });
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ body: 'hello', receiveCount: 1 });
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
    await queue.changeVisibility(first!.receiptHandle, 0);
    const [again] = await queue.receive({ maxMessages: 10, waitTimeSeconds: 0 });
    expect(again).toMatchObject({ body: 'retry me', receiveCount: 2 });
  });

  it('returns at most maxMessages per receive', async () => {
    const { queue, send } = await make();
    for (let i = 0; i < 12; i++) await send(`m${i}`);
    const got = await queue.receive({ maxMessages: 10, waitTimeSeconds: 1 });
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThanOrEqual(10);
  });
});
