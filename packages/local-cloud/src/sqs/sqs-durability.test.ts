/**
 * Durability of the SQS stand-in against an abrupt stop: the stand-in runs in a child process
 * that is killed with SIGKILL (no graceful close), then restarted on the same data folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReadyChild, type ReadyChild } from '../child-process/index.ts';

const script = fileURLToPath(new URL('./sqs-server-main.ts', import.meta.url));
let dataDir: string;
const children: ReadyChild[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sqs-durability-'));
});
afterAll(async () => {
  await Promise.all(children.map((child) => child.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ child: ReadyChild; sqs: SQSClient }> {
  const child = await startReadyChild({ name: 'sqs', script, args: [dataDir], execArgv: ['--import', 'tsx'] });
  children.push(child);
  const sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${child.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return { child, sqs };
}

it('after kill -9 and restart, delivers every undeleted message and none of the deleted ones', async () => {
  const first = await start();
  const { QueueUrl } = await first.sqs.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '600' } }));
  const sent = new Set<string>();
  // Single sends and batches, concurrently, so acknowledgements come from group-committed batches.
  await Promise.all(
    Array.from({ length: 20 }, async (_, worker) => {
      for (let i = 0; i < 10; i += 1) {
        const body = `single-${worker}-${i}`;
        await first.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
        sent.add(body);
      }
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `batch-${worker}-${i}` }));
      const result = await first.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
      expect(result.Failed ?? []).toHaveLength(0);
      for (const entry of entries) sent.add(entry.MessageBody);
    }),
  );
  expect(sent.size).toBe(400);

  const deleted = new Set<string>();
  const inFlight = new Set<string>();
  for (let round = 0; round < 10; round += 1) {
    const { Messages = [] } = await first.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    if (round % 2 === 0) {
      await first.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
      );
      for (const m of Messages) deleted.add(m.Body ?? '');
    } else {
      for (const m of Messages) inFlight.add(m.Body ?? '');
    }
  }
  expect(deleted.size).toBe(50);
  expect(inFlight.size).toBe(50);

  // The last acknowledgement is out: stop without any chance to flush or close.
  first.child.process.kill('SIGKILL');
  await first.child.exited;
  first.sqs.destroy();

  const second = await start();
  const { QueueUrl: url } = await second.sqs.send(new GetQueueUrlCommand({ QueueName: 'durable' }));
  const delivered = new Map<string, number>();
  for (;;) {
    const { Messages = [] } = await second.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    if (Messages.length === 0) break;
    for (const m of Messages) delivered.set(m.Body ?? '', Number(m.Attributes?.ApproximateReceiveCount));
  }
  const expected = [...sent].filter((body) => !deleted.has(body)).sort();
  expect([...delivered.keys()].sort()).toEqual(expected);
  // The in-flight ones (visibility 600 s) are visible again at once after the restart.
  for (const body of inFlight) expect(delivered.has(body)).toBe(true);
  second.sqs.destroy();
  await second.child.close();
});

it('after kill -9 in the middle of a dead-letter queue redrive, every message is in exactly one of the two queues', async () => {
  const first = await start();
  const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:redrive-dlq';
  const { QueueUrl: dlqUrl } = await first.sqs.send(new CreateQueueCommand({ QueueName: 'redrive-dlq' }));
  const { QueueUrl: sourceUrl } = await first.sqs.send(
    new CreateQueueCommand({
      QueueName: 'redrive-source',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
    }),
  );
  const bodies = Array.from({ length: 40 }, (_, i) => `r${i}`);
  for (let i = 0; i < bodies.length; i += 10) {
    const Entries = bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: `e${j}`, MessageBody }));
    await first.sqs.send(new SendMessageBatchCommand({ QueueUrl: sourceUrl, Entries }));
  }
  // One receive each with no visibility: the redrive policy moves them all to the DLQ.
  for (let received = 0; received < bodies.length;) {
    const { Messages = [] } = await first.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: sourceUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    received += Messages.length;
  }
  for (let inDlq = 0; inDlq < bodies.length;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { Attributes = {} } = await first.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    inDlq = Number(Attributes.ApproximateNumberOfMessages);
  }
  // 20 per second: the kill lands half way through.
  await first.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 20 }));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  first.child.process.kill('SIGKILL');
  await first.child.exited;
  first.sqs.destroy();

  const second = await start();
  const drain = async (url: string | undefined) => {
    const found: string[] = [];
    for (;;) {
      const { Messages = [] } = await second.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
      );
      if (Messages.length === 0) return found;
      found.push(...Messages.map((m) => m.Body ?? ''));
    }
  };
  const back = await drain(sourceUrl);
  const still = await drain(dlqUrl);
  expect(back.length).toBeGreaterThan(0);
  expect(still.length).toBeGreaterThan(0);
  expect([...back, ...still].sort()).toEqual([...bodies].sort());
  second.sqs.destroy();
  await second.child.close();
});
