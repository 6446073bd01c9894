import { afterEach, describe, expect, it } from 'vitest';
import { addRef } from '../sqs-state.ts';
import { deleteQueue } from './queues.ts';
import { parseReceiptHandle } from './receipts.ts';
import { receive } from './receive.ts';
import { send } from './send.ts';
import { openTestState, testQueue, type TestState } from './sqs-test-state.ts';

let t: TestState;
afterEach(() => t.close());

const bodies = (received: { message: { body: string } }[]) => received.map((r) => r.message.body);

describe('receive', () => {
  it('takes up to max visible messages, oldest first, and hides them for the queue visibility timeout', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q', { VisibilityTimeout: '45' });
    await send(t.state, 'q', [{ body: 'm1' }, { body: 'm2' }, { body: 'm3' }]);
    const before = Date.now();
    const received = await receive(t.state, 'q', { max: 2 });
    expect(bodies(received)).toEqual(['m1', 'm2']);
    expect(queue.index.counts).toEqual({ visible: 1, inflight: 2, delayed: 0 });
    for (const { ref } of received) {
      expect(ref.receiveCount).toBe(1);
      expect(ref.firstReceiveTimestamp).toBeGreaterThanOrEqual(before);
      expect(ref.visibleAt).toBeGreaterThanOrEqual(before + 45_000);
    }
  });

  it('hands out receipt handles naming the message and this receive', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    await send(t.state, 'q', [{ body: 'm' }]);
    const [first] = await receive(t.state, 'q', { max: 1, visibilityTimeoutSeconds: 0 });
    const [second] = await receive(t.state, 'q', { max: 1 });
    expect(parseReceiptHandle(queue, first!.receiptHandle)).toMatchObject({ incarnation: queue.stored.incarnation, seq: first!.ref.seq });
    // A new receive is a new generation: the handle differs, the count grows, the first receive stays.
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
    expect(second!.ref.receiveCount).toBe(2);
  });

  it('persists the receive count in the background, so a reload knows it', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    await send(t.state, 'q', [{ body: 'm' }]);
    await receive(t.state, 'q', { max: 1 });
    t = await t.reload();
    expect([...t.state.queues.get('q')!.index.all()][0]?.receiveCount).toBe(1);
  });

  it('answers nothing at once on an empty queue without long polling', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    const started = Date.now();
    expect(await receive(t.state, 'q', { max: 10 })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('long-polls until a message is sent, then answers it', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    const polling = receive(t.state, 'q', { max: 10, waitSeconds: 20 });
    await send(t.state, 'q', [{ body: 'arrived' }]);
    expect(bodies(await polling)).toEqual(['arrived']);
  });

  it('long-polls for the queue ReceiveMessageWaitTimeSeconds when the call says nothing, and answers nothing after it', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q', { ReceiveMessageWaitTimeSeconds: '1' });
    const started = Date.now();
    expect(await receive(t.state, 'q', { max: 10 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('answers nothing once the engine is closed, and QueueDoesNotExist when the queue is deleted during a long poll', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    const started = Date.now();
    const refused = expect(receive(t.state, 'q', { max: 1, waitSeconds: 20 })).rejects.toMatchObject({
      code: 'com.amazonaws.sqs#QueueDoesNotExist',
    });
    await deleteQueue(t.state, 'q');
    await refused;
    // Woken by the deletion, not by the end of its 20 s wait.
    expect(Date.now() - started).toBeLessThan(10_000);
    await testQueue(t.state, 'other');
    await send(t.state, 'other', [{ body: 'never delivered' }]);
    t.state.closed = true;
    expect(await receive(t.state, 'other', { max: 1 })).toEqual([]);
  });

  it('never delivers a message past MessageRetentionPeriod, and deletes it', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q', { MessageRetentionPeriod: '60' });
    const old = { id: 'old', body: 'stale', md5Body: '', sentTimestamp: Date.now() - 120_000 };
    await t.state.store.putMessages(queue.stored, [{ seq: 0, message: old }]);
    addRef(queue, 0, old, 0, undefined);
    queue.nextSeq = 1;
    await send(t.state, 'q', [{ body: 'fresh' }]);
    expect(bodies(await receive(t.state, 'q', { max: 10 }))).toEqual(['fresh']);
    expect(queue.index.get(0)).toBeUndefined();
  });
});
