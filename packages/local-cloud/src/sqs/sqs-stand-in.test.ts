/**
 * Contract tests of the SQS stand-in through the real @aws-sdk/client-sqs v3 client and the
 * local AWS endpoint router, as a service would call it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
  BatchEntryIdsNotDistinct,
  EmptyBatchRequest,
  TooManyEntriesInBatchRequest,
  InvalidAttributeName,
  InvalidAttributeValue,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsEndpoint, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { ingestQueue, queues } from '@fleet/core';
import { ensureQueues } from './ensure-queues.ts';
import { createSqsStandIn, type SqsStandIn } from './sqs-stand-in.ts';

let dataDir: string;
let server: Server;
let endpointUrl: string;
let standIn: SqsStandIn;
let sqs: SQSClient;
let handler: AwsServiceHandler = () => Promise.reject(new Error('stand-in not started'));

async function startStandIn(): Promise<void> {
  standIn = await createSqsStandIn({ dataDir, endpointUrl });
  handler = standIn.handler;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sqs-stand-in-'));
  server = createAwsEndpoint({ handlers: { sqs: (req) => handler(req) } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await startStandIn();
  sqs = new SQSClient({ endpoint: endpointUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  sqs.destroy();
  await standIn.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

let queueCounter = 0;
let queueUrl: string;
beforeEach(async () => {
  queueCounter += 1;
  ({ QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: `q${queueCounter}`, Attributes: { VisibilityTimeout: '30' } }),
  ));
});
afterEach(async () => {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
});

const receive = (extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
  sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, ...extra }));

describe('queues', () => {
  it('creates a queue whose URL and ARN follow the local account conventions', async () => {
    expect(queueUrl).toBe(`${endpointUrl}/000000000000/q${queueCounter}`);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `q${queueCounter}` }));
    expect(QueueUrl).toBe(queueUrl);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:us-east-1:000000000000:q${queueCounter}`,
      VisibilityTimeout: '30',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('answers QueueDoesNotExist for a missing queue, on GetQueueUrl and on SendMessage', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: `${endpointUrl}/000000000000/nope`, MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('is idempotent for CreateQueue with the same attributes and refuses different ones', async () => {
    const again = await sqs.send(new CreateQueueCommand({ QueueName: `q${queueCounter}`, Attributes: { VisibilityTimeout: '30' } }));
    expect(again.QueueUrl).toBe(queueUrl);
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: `q${queueCounter}`, Attributes: { VisibilityTimeout: '31' } })),
    ).rejects.toBeInstanceOf(QueueNameExists);
  });

  it('refuses unknown attribute names', async () => {
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'bad-attrs', Attributes: { Colour: 'blue' } as Record<string, string> })),
    ).rejects.toBeInstanceOf(InvalidAttributeName);
  });

  it('lists queues by prefix, paginated with MaxResults', async () => {
    for (const name of ['list-a', 'list-b', 'list-c']) await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'list-', MaxResults: 2 }));
    expect(first.QueueUrls).toEqual([`${endpointUrl}/000000000000/list-a`, `${endpointUrl}/000000000000/list-b`]);
    const second = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'list-', MaxResults: 2, NextToken: first.NextToken }));
    expect(second.QueueUrls).toEqual([`${endpointUrl}/000000000000/list-c`]);
    expect(second.NextToken).toBeUndefined();
    for (const name of ['list-a', 'list-b', 'list-c'])
      await sqs.send(new DeleteQueueCommand({ QueueUrl: `${endpointUrl}/000000000000/${name}` }));
  });

  it('deletes a queue: later calls answer QueueDoesNotExist', async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('purges every message', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'a' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'b' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    expect((await receive()).Messages).toBeUndefined();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'after purge' }));
    expect((await receive()).Messages?.map((m) => m.Body)).toEqual(['after purge']);
  });
});

describe('messages', () => {
  it('delivers body, message attributes and system attributes with MD5s the SDK verifies', async () => {
    const body = 'héllo 🌍 {"a":1}';
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'telemetry' },
          count: { DataType: 'Number', StringValue: '42' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3, 255]) },
        },
      }),
    );
    // md5 of the attributes as computed by the AWS documentation's reference algorithm
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const before = Date.now();
    const { Messages = [] } = await receive({ MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] });
    expect(Messages).toHaveLength(1);
    const [message] = Messages;
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe(body);
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.MessageAttributes?.kind?.StringValue).toBe('telemetry');
    expect(message?.MessageAttributes?.count).toMatchObject({ DataType: 'Number', StringValue: '42' });
    expect([...(message?.MessageAttributes?.blob?.BinaryValue ?? [])]).toEqual([1, 2, 3, 255]);
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(message?.Attributes?.SentTimestamp)).toBeLessThanOrEqual(before);
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(before - 10_000);
  });

  it('computes MD5OfMessageAttributes exactly as AWS documents it', async () => {
    // Expected value computed independently from the documented encoding.
    const { createHash } = await import('node:crypto');
    const encode = (s: string | Buffer) => {
      const bytes = typeof s === 'string' ? Buffer.from(s) : s;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };
    const expected = createHash('md5')
      .update(
        Buffer.concat([
          encode('a'),
          encode('String'),
          Buffer.from([1]),
          encode('x'),
          encode('b'),
          encode('Binary'),
          Buffer.from([2]),
          encode(Buffer.from([9])),
        ]),
      )
      .digest('hex');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'm',
        MessageAttributes: { b: { DataType: 'Binary', BinaryValue: new Uint8Array([9]) }, a: { DataType: 'String', StringValue: 'x' } },
      }),
    );
    expect(sent.MD5OfMessageAttributes).toBe(expected);
  });

  it('hides a received message for the visibility timeout, then redelivers it with a higher receive count', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'again' }));
    const first = await receive({ VisibilityTimeout: 2, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(first.Messages).toHaveLength(1);
    expect((await receive()).Messages).toBeUndefined();
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    const second = await receive({ WaitTimeSeconds: 5, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(second.Messages?.[0]?.Body).toBe('again');
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second.Messages?.[0]?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
  });

  it('deletes a message so it is never delivered again', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'bye' }));
    const { Messages = [] } = await receive({ VisibilityTimeout: 0 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0]?.ReceiptHandle }));
    expect((await receive()).Messages).toBeUndefined();
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('answers ReceiptHandleIsInvalid for a receipt handle it did not issue', async () => {
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'garbage' }))).rejects.toBeInstanceOf(
      ReceiptHandleIsInvalid,
    );
  });

  it('changes visibility: 0 makes a message visible at once; a deleted message is not in flight', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'v' }));
    const [message] = (await receive()).Messages ?? [];
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle, VisibilityTimeout: 0 }));
    const [again] = (await receive()).Messages ?? [];
    expect(again?.MessageId).toBe(message?.MessageId);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again?.ReceiptHandle }));
    await expect(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: again?.ReceiptHandle, VisibilityTimeout: 5 })),
    ).rejects.toBeInstanceOf(MessageNotInflight);
  });

  it('sends, receives, re-times and deletes in batches of ten', async () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `body ${i}` }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    expect(sent.Successful).toHaveLength(10);
    expect(sent.Failed ?? []).toHaveLength(0);
    const { Messages = [] } = await receive();
    expect(Messages.map((m) => m.Body).sort()).toEqual(entries.map((e) => e.MessageBody).sort());
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'ok', ReceiptHandle: Messages[0]?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'bad', ReceiptHandle: 'garbage', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful?.map((s) => s.Id)).toEqual(['ok']);
    expect(changed.Failed?.[0]).toMatchObject({ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid' });
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          ...Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })).slice(0, 9),
          { Id: 'bad', ReceiptHandle: 'garbage' },
        ],
      }),
    );
    expect(deleted.Successful).toHaveLength(9);
    expect(deleted.Failed?.[0]).toMatchObject({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' });
    // Message 0 was made visible again by the visibility change; message 9 is still in flight.
    const left = await receive();
    expect(left.Messages).toBeUndefined();
  });

  it('refuses malformed batches like SQS', async () => {
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [] }))).rejects.toBeInstanceOf(EmptyBatchRequest);
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'a', MessageBody: '1' },
            { Id: 'a', MessageBody: '2' },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `i${i}`, MessageBody: 'x' })),
        }),
      ),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
  });

  it('refuses MaxNumberOfMessages outside 1–10', async () => {
    const error = await receive({ MaxNumberOfMessages: 11 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SQSServiceException);
    expect((error as SQSServiceException).name).toBe('InvalidParameterValue');
  });

  it('long polling returns as soon as a message arrives', async () => {
    const started = Date.now();
    const polling = receive({ WaitTimeSeconds: 10 });
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'late' })), 300);
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('late');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('long polling on an empty queue waits WaitTimeSeconds and returns nothing', async () => {
    const started = Date.now();
    const { Messages } = await receive({ WaitTimeSeconds: 1 });
    expect(Messages).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('long-polls by default for the queue ReceiveMessageWaitTimeSeconds', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `poll${queueCounter}`, Attributes: { ReceiveMessageWaitTimeSeconds: '1' } }),
    );
    const started = Date.now();
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(Messages).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  });

  it('delays a message by DelaySeconds', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 2 }));
    expect((await receive()).Messages).toBeUndefined();
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
    expect((await receive({ WaitTimeSeconds: 5 })).Messages?.[0]?.Body).toBe('later');
  });
});

describe('dead-letter queue', () => {
  it('moves a message to the DLQ after maxReceiveCount receives, keeping its id and body', async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `dlq${queueCounter}` }));
    const source = await sqs.send(
      new CreateQueueCommand({
        QueueName: `src${queueCounter}`,
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:dlq${queueCounter}`,
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: source.QueueUrl, MessageBody: 'poison' }));
    for (let i = 1; i <= 2; i += 1) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: source.QueueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 2 }),
      );
      expect(Messages[0]?.MessageId).toBe(MessageId);
    }
    const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 3 }));
    expect(moved.Messages?.[0]).toMatchObject({ MessageId, Body: 'poison' });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source.QueueUrl }))).Messages).toBeUndefined();
  });
});

describe('queue attributes', () => {
  it('changes attributes with SetQueueAttributes and validates their ranges', async () => {
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '5', MessageRetentionPeriod: '60' } }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'MessageRetentionPeriod'] }),
    );
    expect(Attributes).toEqual({ VisibilityTimeout: '5', MessageRetentionPeriod: '60' });
    await expect(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { MessageRetentionPeriod: '59' } })),
    ).rejects.toBeInstanceOf(InvalidAttributeValue);
  });
});

describe('shared queue definitions', () => {
  it('creates the ingest queue and its DLQ from @fleet/core, idempotently, and re-applies a drifted attribute', async () => {
    const urls = await ensureQueues(sqs, queues);
    expect(Object.keys(urls).sort()).toEqual([ingestQueue.deadLetter.id, ingestQueue.id].sort());
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: urls[ingestQueue.id], Attributes: { VisibilityTimeout: '1' } }));
    expect(await ensureQueues(sqs, queues)).toEqual(urls);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urls[ingestQueue.id], AttributeNames: ['All'] }));
    expect(Attributes?.VisibilityTimeout).toBe(String(ingestQueue.visibilityTimeoutSeconds));
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${ingestQueue.deadLetter.id}`,
      maxReceiveCount: ingestQueue.deadLetter.maxReceiveCount,
    });
  });
});

describe('persistence', () => {
  it('refuses to open a data folder another stand-in holds', async () => {
    await expect(createSqsStandIn({ dataDir, endpointUrl })).rejects.toThrow(/another local cloud using this data folder/);
  });

  it('keeps queues, attributes and undeleted messages across a restart on the same data folder', async () => {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'kept' },
          { Id: 'b', MessageBody: 'deleted' },
        ],
      }),
    );
    const { Messages = [] } = await receive();
    const deleted = Messages.find((m) => m.Body === 'deleted');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: deleted?.ReceiptHandle }));
    await standIn.close();
    await startStandIn();
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'ApproximateNumberOfMessages'] }),
    );
    expect(attrs.Attributes).toEqual({ VisibilityTimeout: '30', ApproximateNumberOfMessages: '1' });
    const after = await receive({ MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(after.Messages?.map((m) => m.Body)).toEqual(['kept']);
    expect(after.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('remembers receive counts across a restart, so a message out of receives goes to the DLQ', async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `restart-dlq${queueCounter}` }));
    const source = await sqs.send(
      new CreateQueueCommand({
        QueueName: `restart-src${queueCounter}`,
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:restart-dlq${queueCounter}`,
            maxReceiveCount: 1,
          }),
        },
      }),
    );
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: source.QueueUrl, MessageBody: 'once' }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source.QueueUrl, VisibilityTimeout: 600 }))).Messages).toHaveLength(1);
    await standIn.close();
    await startStandIn();
    const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 3 }));
    expect(moved.Messages?.[0]?.MessageId).toBe(MessageId);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source.QueueUrl }))).Messages).toBeUndefined();
  });
});

describe('throughput', () => {
  it('serves concurrent senders and receivers without losing a message (prints the rates)', async () => {
    const total = 600;
    const concurrency = 50;
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next += 1;
          await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `m${next}` }));
        }
      }),
    );
    const sendRate = total / ((Date.now() - started) / 1000);
    let received = 0;
    const receiveStarted = Date.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (;;) {
          const { Messages = [] } = await receive();
          if (Messages.length === 0) return;
          received += Messages.length;
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      }),
    );
    const receiveRate = received / ((Date.now() - receiveStarted) / 1000);
    console.log(
      `SQS stand-in: ${Math.round(sendRate)} SendMessage/s (50 concurrent), ${Math.round(receiveRate)} messages/s received+deleted in batches of 10`,
    );
    expect(received).toBe(total);
    // A floor only: the box is shared; the figure printed above is the measurement.
    expect(sendRate).toBeGreaterThan(100);
  });
});

describe('the in-process sender IoT Rules use', () => {
  it('stores a batch that SDK clients then receive, and refuses only the entry SendMessage would refuse', async () => {
    const outcomes = await standIn.sendBatch(queueUrl, ['{"n":1}', 'bad \u0001 control character', '', '{"n":2}']);
    expect(outcomes.map((o) => o?.message.split(':')[0])).toEqual([undefined, 'InvalidMessageContents', 'MissingParameter', undefined]);
    const { Messages = [] } = await receive();
    expect(Messages.map((m) => m.Body).sort()).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('rejects the whole batch for a queue that does not exist, with the code the SDK path reports', async () => {
    await expect(standIn.sendBatch(`${endpointUrl}/000000000000/no-such-queue`, ['{}'])).rejects.toThrow(
      /^AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist/,
    );
  });
});
