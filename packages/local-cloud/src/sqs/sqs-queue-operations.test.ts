import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqsEngine } from './sqs-engine.ts';
import { queueName, queueOperations } from './sqs-queue-operations.ts';
import { baseUrl, call, openTestEngine } from './sqs-wire-test-engine.ts';

let engine: SqsEngine;
let close: () => Promise<void>;
beforeEach(async () => ({ engine, close } = await openTestEngine()));
afterEach(() => close());

const ops = () => queueOperations(engine, baseUrl);

describe('queue operations', () => {
  it('CreateQueue answers the URL under the endpoint and account, GetQueueUrl the same', async () => {
    expect(await call(ops(), 'CreateQueue', { QueueName: 'ingest', Attributes: { VisibilityTimeout: '60' } })).toEqual({
      QueueUrl: `${baseUrl}/000000000000/ingest`,
    });
    expect(await call(ops(), 'GetQueueUrl', { QueueName: 'ingest' })).toEqual({ QueueUrl: `${baseUrl}/000000000000/ingest` });
    expect(engine.attributes('ingest').VisibilityTimeout).toBe('60');
  });

  it('CreateQueue refuses FIFO queues, bad names and a missing name', async () => {
    await expect(call(ops(), 'CreateQueue', { QueueName: 'q.fifo' })).rejects.toThrow(/standard queues only/);
    await expect(call(ops(), 'CreateQueue', { QueueName: 'has space' })).rejects.toThrow(/received "has space"/);
    await expect(call(ops(), 'CreateQueue', {})).rejects.toMatchObject({ code: 'com.amazonaws.sqs#MissingParameter' });
  });

  it('ListQueues filters by prefix and pages with MaxResults and NextToken', async () => {
    for (const name of ['a1', 'a2', 'a3', 'b1']) await call(ops(), 'CreateQueue', { QueueName: name });
    const first = await call(ops(), 'ListQueues', { QueueNamePrefix: 'a', MaxResults: 2 });
    expect(first.QueueUrls).toEqual([`${baseUrl}/000000000000/a1`, `${baseUrl}/000000000000/a2`]);
    expect(await call(ops(), 'ListQueues', { QueueNamePrefix: 'a', MaxResults: 2, NextToken: first.NextToken })).toEqual({
      QueueUrls: [`${baseUrl}/000000000000/a3`],
    });
    expect(await call(ops(), 'ListQueues', { QueueNamePrefix: 'z' })).toEqual({});
  });

  it('GetQueueAttributes answers the named attributes, All, and refuses unknown names', async () => {
    await call(ops(), 'CreateQueue', { QueueName: 'q' });
    const QueueUrl = `${baseUrl}/000000000000/q`;
    expect(await call(ops(), 'GetQueueAttributes', { QueueUrl, AttributeNames: ['VisibilityTimeout', 'Policy'] })).toEqual({
      Attributes: { VisibilityTimeout: '30' },
    });
    expect(((await call(ops(), 'GetQueueAttributes', { QueueUrl, AttributeNames: ['All'] })).Attributes as object) ?? {}).toHaveProperty(
      'QueueArn',
    );
    await expect(call(ops(), 'GetQueueAttributes', { QueueUrl, AttributeNames: ['Colour'] })).rejects.toMatchObject({
      code: 'com.amazonaws.sqs#InvalidAttributeName',
    });
  });

  it('SetQueueAttributes validates, PurgeQueue and DeleteQueue act on the queue the URL names', async () => {
    await call(ops(), 'CreateQueue', { QueueName: 'q' });
    const QueueUrl = `${baseUrl}/000000000000/q`;
    await expect(call(ops(), 'SetQueueAttributes', { QueueUrl, Attributes: { DelaySeconds: '901' } })).rejects.toMatchObject({
      code: 'com.amazonaws.sqs#InvalidAttributeValue',
    });
    await engine.send('q', [{ body: 'x' }]);
    await call(ops(), 'PurgeQueue', { QueueUrl });
    expect(engine.visibleCount('q')).toBe(0);
    await call(ops(), 'DeleteQueue', { QueueUrl });
    expect(engine.hasQueue('q')).toBe(false);
  });
});

describe('queueName', () => {
  it('takes the last path segment of any host, ignoring a trailing slash', () => {
    expect(queueName({ QueueUrl: 'http://localhost:4566/000000000000/ingest/' })).toBe('ingest');
  });

  it('answers QueueDoesNotExist for a URL whose last segment is no queue name', () => {
    expect(() => queueName({ QueueUrl: 'http://localhost/000000000000/a.b' })).toThrow(
      expect.objectContaining({ code: 'com.amazonaws.sqs#QueueDoesNotExist' }),
    );
  });
});
