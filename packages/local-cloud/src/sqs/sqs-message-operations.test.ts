import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqsEngine } from './sqs-engine.ts';
import { md5Hex } from './sqs-md5.ts';
import { messageOperations } from './sqs-message-operations.ts';
import { baseUrl, call, openTestEngine } from './sqs-wire-test-engine.ts';

let engine: SqsEngine;
let close: () => Promise<void>;
const QueueUrl = `${baseUrl}/000000000000/q`;
beforeEach(async () => {
  ({ engine, close } = await openTestEngine());
  await engine.createQueue('q', {});
});
afterEach(() => close());

const ops = () => messageOperations(engine);
type Received = { Messages?: { Body: string; ReceiptHandle: string; Attributes?: Record<string, string>; MessageAttributes?: object }[] };
const receive = async (input: Record<string, unknown> = {}) =>
  (await call(ops(), 'ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10, ...input })) as Received;

describe('SendMessage', () => {
  it('answers the id and MD5 of the body', async () => {
    const sent = await call(ops(), 'SendMessage', { QueueUrl, MessageBody: 'hello' });
    expect(sent).toEqual({ MessageId: expect.any(String), MD5OfMessageBody: md5Hex('hello') });
  });

  it('refuses a missing body, characters SQS does not accept and attributes without a value', async () => {
    await expect(call(ops(), 'SendMessage', { QueueUrl })).rejects.toMatchObject({ code: 'com.amazonaws.sqs#MissingParameter' });
    await expect(call(ops(), 'SendMessage', { QueueUrl, MessageBody: 'bell \u0007' })).rejects.toMatchObject({
      code: 'com.amazonaws.sqs#InvalidMessageContents',
    });
    await expect(
      call(ops(), 'SendMessage', { QueueUrl, MessageBody: 'x', MessageAttributes: { a: { DataType: 'String' } } }),
    ).rejects.toThrow(/must contain a non-empty value/);
  });
});

describe('SendMessageBatch', () => {
  it('answers Successful and Failed per entry', async () => {
    const result = await call(ops(), 'SendMessageBatch', {
      QueueUrl,
      Entries: [
        { Id: 'ok', MessageBody: 'fine' },
        { Id: 'bad', MessageBody: '' },
      ],
    });
    expect(result).toEqual({
      Successful: [{ Id: 'ok', MessageId: expect.any(String), MD5OfMessageBody: md5Hex('fine') }],
      Failed: [expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'MissingParameter' })],
    });
  });

  it('refuses a batch over 256 KiB in total and entry ids that repeat or break the pattern', async () => {
    const big = 'x'.repeat(200_000);
    await expect(
      call(ops(), 'SendMessageBatch', {
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: big },
          { Id: 'b', MessageBody: big },
        ],
      }),
    ).rejects.toMatchObject({ code: 'com.amazonaws.sqs#BatchRequestTooLong' });
    await expect(
      call(ops(), 'SendMessageBatch', {
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: '1' },
          { Id: 'a', MessageBody: '2' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'com.amazonaws.sqs#BatchEntryIdsNotDistinct' });
    await expect(call(ops(), 'SendMessageBatch', { QueueUrl, Entries: [{ Id: 'a b', MessageBody: '1' }] })).rejects.toMatchObject({
      code: 'com.amazonaws.sqs#InvalidBatchEntryId',
    });
  });
});

describe('ReceiveMessage', () => {
  it('answers the system attributes asked for and the message attributes matching names, prefixes or All', async () => {
    const MessageAttributes = {
      'app.kind': { DataType: 'String', StringValue: 'reading' },
      'app.unit': { DataType: 'String', StringValue: 'C' },
      other: { DataType: 'Number', StringValue: '1' },
    };
    await call(ops(), 'SendMessage', { QueueUrl, MessageBody: 'm', MessageAttributes });
    const [message] = (
      await receive({
        AttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ['app.*'],
        VisibilityTimeout: 0,
      })
    ).Messages!;
    expect(message?.Attributes).toEqual({ ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/) });
    expect(Object.keys(message?.MessageAttributes ?? {})).toEqual(['app.kind', 'app.unit']);
    const [again] = (await receive({ MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] })).Messages!;
    expect(again?.Attributes).toMatchObject({ SenderId: '000000000000', ApproximateReceiveCount: '2' });
    expect(Object.keys(again?.MessageAttributes ?? {})).toHaveLength(3);
  });

  it('answers no Messages field when the queue is empty, and refuses MaxNumberOfMessages over 10', async () => {
    expect(await receive()).toEqual({});
    await expect(receive({ MaxNumberOfMessages: 11 })).rejects.toMatchObject({ code: 'com.amazonaws.sqs#InvalidParameterValue' });
  });
});

describe('DeleteMessage and ChangeMessageVisibility', () => {
  it('deletes by receipt handle, and in batches reports invalid handles as Failed', async () => {
    await call(ops(), 'SendMessageBatch', {
      QueueUrl,
      Entries: [
        { Id: 'a', MessageBody: '1' },
        { Id: 'b', MessageBody: '2' },
      ],
    });
    const [first, second] = (await receive()).Messages!;
    await call(ops(), 'DeleteMessage', { QueueUrl, ReceiptHandle: first!.ReceiptHandle });
    const batch = await call(ops(), 'DeleteMessageBatch', {
      QueueUrl,
      Entries: [
        { Id: 'good', ReceiptHandle: second!.ReceiptHandle },
        { Id: 'bad', ReceiptHandle: 'garbage' },
      ],
    });
    expect(batch).toEqual({
      Successful: [{ Id: 'good' }],
      Failed: [expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })],
    });
    expect(engine.attributes('q')).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('requires VisibilityTimeout on ChangeMessageVisibility; the batch form defaults it to 0', async () => {
    await call(ops(), 'SendMessage', { QueueUrl, MessageBody: 'm' });
    const [message] = (await receive()).Messages!;
    await expect(call(ops(), 'ChangeMessageVisibility', { QueueUrl, ReceiptHandle: message!.ReceiptHandle })).rejects.toMatchObject({
      code: 'com.amazonaws.sqs#MissingParameter',
    });
    expect(
      await call(ops(), 'ChangeMessageVisibilityBatch', { QueueUrl, Entries: [{ Id: 'e', ReceiptHandle: message!.ReceiptHandle }] }),
    ).toEqual({
      Successful: [{ Id: 'e' }],
      Failed: [],
    });
    expect(engine.visibleCount('q')).toBe(1);
  });
});
