/**
 * Contract tests of the SQS stand-in's dead-letter queue redrive (StartMessageMoveTask,
 * ListMessageMoveTasks, CancelMessageMoveTask) through the real @aws-sdk/client-sqs v3 client and
 * the local AWS endpoint router. Error codes and messages are those AWS answers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  ResourceNotFoundException,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsEndpoint } from '../aws-endpoint/index.ts';
import { createSqsStandIn, type SqsStandIn } from './sqs-stand-in.ts';

let dataDir: string;
let server: Server;
let standIn: SqsStandIn;
let sqs: SQSClient;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sqs-move-tasks-'));
  server = createAwsEndpoint({ handlers: { sqs: (req) => standIn.handler(req) } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn = await createSqsStandIn({ dataDir, endpointUrl });
  sqs = new SQSClient({ endpoint: endpointUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  base = `${endpointUrl}/000000000000`;
});
afterAll(async () => {
  sqs.destroy();
  await standIn.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
let n = 0;
let names: { source: string; dlq: string; other: string };
beforeEach(async () => {
  n += 1;
  names = { source: `src${n}`, dlq: `dlq${n}`, other: `other${n}` };
  await sqs.send(new CreateQueueCommand({ QueueName: names.dlq }));
  await sqs.send(new CreateQueueCommand({ QueueName: names.other }));
  await sqs.send(
    new CreateQueueCommand({
      QueueName: names.source,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(names.dlq), maxReceiveCount: 1 }) },
    }),
  );
});

/** Sends `bodies` to the source queue and lets each be received once, so the redrive moves them to the DLQ. */
async function deadLetter(bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const Entries = bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: `m${j}`, MessageBody }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: `${base}/${names.source}`, Entries }));
  }
  let received = 0;
  while (received < bodies.length) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: `${base}/${names.source}`, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
    );
    received += out.Messages?.length ?? 0;
  }
  await eventually(async () => (await depth(names.dlq)) === bodies.length, 'messages in the DLQ');
}

async function depth(name: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: `${base}/${name}`, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages);
}

async function bodies(name: string): Promise<string[]> {
  const found: string[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${base}/${name}`, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
    if (!out.Messages) return found.sort();
    found.push(...out.Messages.map((m) => m.Body ?? ''));
  }
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function latestTask(): Promise<ListMessageMoveTasksResultEntry | undefined> {
  return (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn(names.dlq) }))).Results?.[0];
}

describe('dead-letter queue redrive', () => {
  it('moves every message back to the queue it came from when no destination is given', async () => {
    await deadLetter(['a', 'b', 'c']);
    const dead = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: `${base}/${names.dlq}`,
        MessageSystemAttributeNames: ['DeadLetterQueueSourceArn'],
        VisibilityTimeout: 0,
      }),
    );
    expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(arn(names.source));

    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq) }));
    expect(TaskHandle).toEqual(expect.any(String));
    await eventually(async () => (await latestTask())?.Status === 'COMPLETED', 'the task to complete');
    const task = await latestTask();
    expect(task).toMatchObject({ SourceArn: arn(names.dlq), ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 });
    expect(task?.DestinationArn).toBeUndefined();
    expect(task?.TaskHandle).toBeUndefined();
    expect(task?.StartedTimestamp).toBeGreaterThan(Date.now() - 60_000);
    expect(await bodies(names.source)).toEqual(['a', 'b', 'c']);
    expect(await depth(names.dlq)).toBe(0);
  });

  it('moves to the DestinationArn when one is given, at most MaxNumberOfMessagesPerSecond', async () => {
    await deadLetter(['x', 'y', 'z']);
    const started = Date.now();
    await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq), DestinationArn: arn(names.other), MaxNumberOfMessagesPerSecond: 2 }),
    );
    const running = await latestTask();
    expect(running).toMatchObject({
      Status: 'RUNNING',
      TaskHandle: expect.any(String),
      DestinationArn: arn(names.other),
      MaxNumberOfMessagesPerSecond: 2,
    });
    await eventually(async () => (await latestTask())?.Status === 'COMPLETED', 'the task to complete', 10_000);
    // 3 messages at 2 per second: the last one no earlier than a second after the start.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(await bodies(names.other)).toEqual(['x', 'y', 'z']);
    expect(await depth(names.source)).toBe(0);
  });

  it('cancels a running task: CANCELLED, what it moved stays moved and the rest stays in the DLQ', async () => {
    await deadLetter(['1', '2', '3', '4', '5', '6']);
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq), MaxNumberOfMessagesPerSecond: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const { ApproximateNumberOfMessagesMoved = -1 } = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    expect(ApproximateNumberOfMessagesMoved).toBeGreaterThanOrEqual(1);
    expect(ApproximateNumberOfMessagesMoved).toBeLessThan(6);
    await eventually(async () => (await latestTask())?.Status === 'CANCELLED', 'the task to be cancelled');
    const moved = (await latestTask())?.ApproximateNumberOfMessagesMoved ?? -1;
    expect((await depth(names.source)) + (await depth(names.dlq))).toBe(6);
    expect(await depth(names.source)).toBe(moved);
  });

  it('lists the most recent tasks first, up to MaxResults', async () => {
    await deadLetter(['p']);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq) }));
    await eventually(async () => (await latestTask())?.Status === 'COMPLETED', 'the first task');
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq) }));
    await eventually(async () => (await latestTask())?.Status === 'COMPLETED', 'the second task');
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn(names.dlq), MaxResults: 10 }));
    expect(Results.map((r) => [r.ApproximateNumberOfMessagesToMove, r.ApproximateNumberOfMessagesMoved])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });
});

describe('dead-letter queue redrive errors, as AWS answers them', () => {
  const sqsCode = (err: unknown) => (err as { name?: string; Code?: string }).name;

  it('refuses a source queue that is no dead-letter queue', async () => {
    const err = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn(names.other) })).catch((e: unknown) => e);
    expect(sqsCode(err)).toBe('InvalidParameterValue');
    expect((err as Error).message).toBe('Source queue must be configured as a Dead Letter Queue.');
  });

  it('answers ResourceNotFoundException for a source or destination that does not exist', async () => {
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn('missing') }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const err = await sqs
      .send(new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq), DestinationArn: arn('missing') }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe("The resource that you specified for the DestinationArn parameter doesn't exist.");
  });

  it('allows one running task per source queue', async () => {
    await deadLetter(['s1', 's2', 's3']);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq), MaxNumberOfMessagesPerSecond: 1 }));
    const err = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq) })).catch((e: unknown) => e);
    expect(sqsCode(err)).toBe('InvalidParameterValue');
    expect((err as Error).message).toMatch(/There is already a task running/);
    const running = await latestTask();
    await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: running?.TaskHandle }));
  });

  it('refuses a task handle it did not issue, and one of a task that does not exist', async () => {
    const bad = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'not-a-handle' })).catch((e: unknown) => e);
    expect(sqsCode(bad)).toBe('InvalidParameterValue');
    expect((bad as Error).message).toBe('Value for parameter TaskHandle is invalid.');
    const unknown = Buffer.from(JSON.stringify({ taskId: 'nope', sourceArn: arn(names.dlq) })).toString('base64');
    const err = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: unknown })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe('Task does not exist.');
  });

  it('fails a task whose destination is deleted while it runs', async () => {
    await deadLetter(['d1', 'd2', 'd3', 'd4']);
    await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: arn(names.dlq), DestinationArn: arn(names.other), MaxNumberOfMessagesPerSecond: 1 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: `${base}/${names.other}` }));
    await eventually(async () => (await latestTask())?.Status === 'FAILED', 'the task to fail', 5_000);
    expect((await latestTask())?.FailureReason).toBe('AWS.SimpleQueueService.NonExistentQueue');
  });
});
