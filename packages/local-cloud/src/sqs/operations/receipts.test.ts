import { afterEach, describe, expect, it } from 'vitest';
import { purgeQueue } from './queues.ts';
import { changeVisibility, checkReceiptHandle, deleteMessages, messageOfHandle, parseReceiptHandle, receiptHandle } from './receipts.ts';
import { receive } from './receive.ts';
import { send } from './send.ts';
import { openTestState, testQueue, type TestState } from './sqs-test-state.ts';

let t: TestState;
afterEach(() => t.close());

async function oneReceived(name = 'q', visibilityTimeoutSeconds = 30) {
  await send(t.state, name, [{ body: 'm' }]);
  const [received] = await receive(t.state, name, { max: 1, visibilityTimeoutSeconds });
  return received!;
}

describe('receipt handles', () => {
  it('name the queue incarnation, the message and the receive generation', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    const { ref, receiptHandle: handle } = await oneReceived();
    expect(receiptHandle(queue, ref)).toBe(handle);
    expect(parseReceiptHandle(queue, handle)).toEqual({ incarnation: queue.stored.incarnation, seq: ref.seq, generation: ref.generation });
    expect(messageOfHandle(queue, parseReceiptHandle(queue, handle))).toBe(ref);
  });

  it('refuses a handle that is not one, or one of another queue, with ReceiptHandleIsInvalid', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    await testQueue(t.state, 'other');
    const { receiptHandle: otherHandle } = await oneReceived('other');
    for (const handle of ['garbage', Buffer.from('q\nx\n1').toString('base64url'), otherHandle]) {
      expect(() => parseReceiptHandle(queue, handle)).toThrow(
        expect.objectContaining({ code: 'com.amazonaws.sqs#ReceiptHandleIsInvalid' }),
      );
      expect(() => checkReceiptHandle(t.state, 'q', handle)).toThrow(/not a valid receipt handle/);
    }
  });

  it('name nothing once the queue was purged', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    const { receiptHandle: handle } = await oneReceived();
    await purgeQueue(t.state, 'q');
    expect(messageOfHandle(queue, parseReceiptHandle(queue, handle))).toBeUndefined();
  });
});

describe('deleteMessages', () => {
  it('removes the message from the index and, durably, from the store', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    const { ref, receiptHandle: handle } = await oneReceived();
    await deleteMessages(t.state, 'q', [handle]);
    expect(queue.index.get(ref.seq)).toBeUndefined();
    expect(await t.state.store.getMessages(queue.stored, [ref.seq])).toEqual([undefined]);
    t = await t.reload();
    expect(t.state.queues.get('q')!.index.counts).toEqual({ visible: 0, inflight: 0, delayed: 0 });
  });

  it('accepts the handle of a message already deleted or purged, as AWS does', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    const { receiptHandle: handle } = await oneReceived();
    await deleteMessages(t.state, 'q', [handle]);
    await expect(deleteMessages(t.state, 'q', [handle])).resolves.toBeUndefined();
    const { receiptHandle: purgedHandle } = await oneReceived();
    await purgeQueue(t.state, 'q');
    await expect(deleteMessages(t.state, 'q', [purgedHandle])).resolves.toBeUndefined();
  });

  it('deletes nothing when one handle of the call is invalid', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    const { ref, receiptHandle: handle } = await oneReceived();
    await expect(deleteMessages(t.state, 'q', [handle, 'garbage'])).rejects.toMatchObject({
      code: 'com.amazonaws.sqs#ReceiptHandleIsInvalid',
    });
    expect(queue.index.get(ref.seq)).toBe(ref);
  });
});

describe('changeVisibility', () => {
  it('hides an in-flight message for the new timeout from now', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    const { ref, receiptHandle: handle } = await oneReceived();
    const before = Date.now();
    changeVisibility(t.state, 'q', handle, 600);
    expect(ref.state).toBe('inflight');
    expect(ref.visibleAt).toBeGreaterThanOrEqual(before + 600_000);
  });

  it('makes a message visible at once with 0', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    const { receiptHandle: handle } = await oneReceived();
    changeVisibility(t.state, 'q', handle, 0);
    expect(queue.index.counts).toEqual({ visible: 1, inflight: 0, delayed: 0 });
  });

  it('answers MessageNotInflight for a deleted message and for one already visible again', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    const deleted = await oneReceived();
    await deleteMessages(t.state, 'q', [deleted.receiptHandle]);
    const visible = await oneReceived();
    changeVisibility(t.state, 'q', visible.receiptHandle, 0);
    for (const handle of [deleted.receiptHandle, visible.receiptHandle]) {
      expect(() => changeVisibility(t.state, 'q', handle, 10)).toThrow(
        expect.objectContaining({ code: 'com.amazonaws.sqs#MessageNotInflight' }),
      );
    }
  });
});
