import { afterEach, describe, expect, it } from 'vitest';
import { AwsError } from '../../aws-endpoint/index.ts';
import { md5Hex, md5OfMessageAttributes } from '../sqs-md5.ts';
import { deleteQueue, purgeQueue } from './queues.ts';
import { attributesSize, send, type SentMessage } from './send.ts';
import { openTestState, testQueue, type TestState } from './sqs-test-state.ts';

let t: TestState;
afterEach(() => t.close());

/** Opens `t` with message writes held until `releaseWrite()`, to act while a send is in flight. */
async function withHeldWrites(): Promise<{ releaseWrite: () => void }> {
  let releaseWrite!: () => void;
  const held = new Promise<void>((resolve) => (releaseWrite = resolve));
  t = await openTestState((store) => ({
    ...store,
    putMessages: async (queue, entries) => {
      await held;
      await store.putMessages(queue, entries);
    },
  }));
  return { releaseWrite };
}

describe('send', () => {
  it('answers the message id and the MD5s the SDK verifies, and indexes the message visible', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    const attributes = { kind: { DataType: 'String', StringValue: 'reading' } };
    const [result] = (await send(t.state, 'q', [{ body: 'hello', attributes }])) as SentMessage[];
    expect(result).toEqual({ messageId: expect.any(String), md5Body: md5Hex('hello'), md5Attributes: md5OfMessageAttributes(attributes) });
    expect(queue.index.counts).toEqual({ visible: 1, inflight: 0, delayed: 0 });
    expect([...queue.index.all()][0]?.id).toBe(result?.messageId);
  });

  it('has written the message durably once it resolves: a reload finds it', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    const [sent] = (await send(t.state, 'q', [{ body: 'kept' }])) as SentMessage[];
    t = await t.reload();
    const queue = t.state.queues.get('q')!;
    const [ref] = [...queue.index.all()];
    expect(ref?.id).toBe(sent?.messageId);
    expect((await t.state.store.getMessages(queue.stored, [ref!.seq]))[0]?.body).toBe('kept');
  });

  it('refuses an entry over MaximumMessageSize, attributes counted, and sends the others of the batch', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q', { MaximumMessageSize: '1024' });
    const results = await send(t.state, 'q', [
      { body: 'a'.repeat(1000) },
      { body: 'a'.repeat(1000), attributes: { padding: { DataType: 'String', StringValue: 'x'.repeat(30) } } },
    ]);
    expect(results[0]).not.toBeInstanceOf(AwsError);
    expect(results[1]).toBeInstanceOf(AwsError);
    expect((results[1] as AwsError).message).toMatch(/shorter than 1024 bytes/);
    expect(queue.index.counts.visible).toBe(1);
  });

  it('delays a message by its own DelaySeconds, else by the queue DelaySeconds', async () => {
    t = await openTestState();
    const delayedQueue = await testQueue(t.state, 'delayed', { DelaySeconds: '60' });
    await send(t.state, 'delayed', [{ body: 'queue delay' }, { body: 'no delay', delaySeconds: 0 }]);
    expect(delayedQueue.index.counts).toEqual({ visible: 1, inflight: 0, delayed: 1 });
    const plain = await testQueue(t.state, 'plain');
    const before = Date.now();
    await send(t.state, 'plain', [{ body: 'own delay', delaySeconds: 5 }]);
    const [ref] = [...plain.index.all()];
    expect(ref?.state).toBe('delayed');
    expect(ref?.visibleAt).toBeGreaterThanOrEqual(before + 5000);
  });

  it('throws QueueDoesNotExist for a queue that does not exist', async () => {
    t = await openTestState();
    await expect(send(t.state, 'missing', [{ body: 'x' }])).rejects.toMatchObject({ code: 'com.amazonaws.sqs#QueueDoesNotExist' });
  });

  it('drops what it sent when the queue is purged while the write is in flight', async () => {
    const { releaseWrite } = await withHeldWrites();
    const queue = await testQueue(t.state, 'q');
    const sending = send(t.state, 'q', [{ body: 'during purge' }]);
    await purgeQueue(t.state, 'q');
    releaseWrite();
    expect(await sending).toHaveLength(1);
    expect(queue.index.counts.visible).toBe(0);
  });

  it('throws QueueDoesNotExist when the queue is deleted while the write is in flight', async () => {
    const { releaseWrite } = await withHeldWrites();
    await testQueue(t.state, 'q');
    const sending = send(t.state, 'q', [{ body: 'during delete' }]);
    await deleteQueue(t.state, 'q');
    releaseWrite();
    await expect(sending).rejects.toMatchObject({ code: 'com.amazonaws.sqs#QueueDoesNotExist' });
  });
});

describe('attributesSize', () => {
  it('counts name, data type and value bytes; binary values by their decoded length', () => {
    expect(attributesSize(undefined)).toBe(0);
    expect(attributesSize({ é: { DataType: 'String', StringValue: 'ab' } })).toBe(2 + 6 + 2);
    expect(attributesSize({ b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3, 4]).toString('base64') } })).toBe(1 + 6 + 4);
  });
});
